import pytest

from bot.callbacks import MAX_BYTES, BadCallback, Verb, make, parse


def test_round_trip() -> None:
    data = make(Verb.HANDOVER_TO, 123456789012, 42)
    cb = parse(data)
    assert cb.verb is Verb.HANDOVER_TO
    assert (cb.int(0), cb.int(1)) == (123456789012, 42)
    assert len(data.encode()) <= MAX_BYTES


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "acc",
        "acc:",
        "acc:12x",
        "acc:-1",
        "acc:1:2",
        "rate:5:9",
        "pick:1:DROP TABLE",
        "pick:1:" + "a" * 30,
        "zzz:1",
        "接单:1",
        "acc:" + "1" * 70,
    ],
)
def test_forged_or_malformed_data_is_refused(forged: str | None) -> None:
    with pytest.raises(BadCallback):
        parse(forged)


def test_make_refuses_text_in_callback_data() -> None:
    with pytest.raises(ValueError):
        make(Verb.PICK, 1, "医保报销")


LARGEST = {  # every verb with its longest ids: all fit in Telegram's 64 bytes
    Verb.HANDOVER_TO: (10**12 - 1, 10**9 - 1),
    Verb.RATE: (10**12 - 1, 3),
    Verb.PICK: (10**12 - 1, "a" * 24),
    Verb.DOCS_TOGGLE: (10**12 - 1, 99999),
    Verb.DOCS_SEND: (10**12 - 1, 99999),
    Verb.DOCS_NOTE: (10**12 - 1, 99999),
    Verb.RECLASS_PAGE: (10**12 - 1, 99),
    Verb.RECLASS_MODE: (10**12 - 1, 4),
    Verb.RECLASS_MATTER: (10**12 - 1, "z" * 24),
    Verb.RESTART: (),
    Verb.PHONE: (),
    Verb.PHONE_DEL: (),
    Verb.TOWNSHIP: (10**9 - 1,),
    Verb.VILLAGE: (10**9 - 1,),
    Verb.GROUP: (10**9 - 1,),
}


@pytest.mark.parametrize("verb", list(Verb))
def test_every_verb_round_trips_within_64_bytes(verb: Verb) -> None:
    args = LARGEST.get(verb, (10**12 - 1,))
    data = make(verb, *args)
    assert len(data.encode()) <= MAX_BYTES
    assert parse(data).verb is verb and parse(data).args == tuple(str(a) for a in args)


@pytest.mark.parametrize(
    "forged",
    ["rcm:1:5", "rcm:1:0", "rcx:1:Certificate", "dt:1:-1", "dt:1", "ug:", "ph:1", "cxy:1:1", "say"],
)
def test_new_verbs_refuse_other_shapes(forged: str) -> None:
    with pytest.raises(BadCallback):
        parse(forged)
