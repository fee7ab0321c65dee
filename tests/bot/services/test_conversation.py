"""Relays between villager and agent, replies matched to our messages, attachments on record."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.services import conversation, intake, tickets
from bot.services.attachments import Media, mask_except
from bot.services.context import Deps, NotAllowed, WrongState
from bot.services.conversation import Incoming
from models import (
    Agent,
    Attachment,
    Channel,
    EventKind,
    Outbox,
    Ticket,
    TicketEvent,
    TicketStatus,
    Villager,
)
from nlp import Mode
from tests import factories

WANG, LI, SUN = 801, 700101, 700104


@pytest.fixture(autouse=True)
def roster(deps: Deps) -> None:
    factories.load_demo_roster(deps)


def agent_id(deps: Deps, telegram_id: int) -> int:
    with deps.read() as s:
        return s.exec(select(Agent).where(Agent.telegram_id == telegram_id)).one().id or 0


def sent(deps: Deps, chat_id: int, kind: str | None = None) -> list[Outbox]:
    with deps.read() as s:
        rows = s.exec(select(Outbox).where(Outbox.chat_id == chat_id).order_by(col(Outbox.id)))
        return [r for r in rows.all() if kind is None or r.kind == kind]


def delivered(deps: Deps, row: Outbox, message_id: int) -> int:
    """What the dispatcher does once Telegram took the message: remember its id."""
    with deps.tx() as s:
        found = s.get(Outbox, row.id)
        assert found is not None
        found.tg_message_id = message_id
    return message_id


def notes(deps: Deps, ticket_id: int | None) -> list[TicketEvent]:
    with deps.read() as s:
        return list(
            s.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == EventKind.NOTE)
                .order_by(col(TicketEvent.id))
            ).all()
        )


def test_masking_keeps_only_the_agents_own_phone() -> None:
    text = "打13909430101或13812345678，身份证620102199001011234"
    masked = mask_except(text, "13909430101")
    assert "13909430101或" in masked and "138****5678" in masked
    assert "620102********1234" in masked
    assert (
        mask_except(text, None)
        == mask_except(text, "")
        == "打139****0101或138****5678，身份证620102********1234"
    )


def test_the_agents_words_reach_the_villager_masked_and_on_record(deps: Deps) -> None:
    wang = factories.villager(deps, WANG)
    t = factories.ticket(deps, wang)
    li = agent_id(deps, LI)
    conversation.ask_relay(deps, agent_id=li, ticket_id=t.id or 0)
    prompt = delivered(deps, sent(deps, LI, "relay_prompt")[-1], 50)
    words = "明天上午来，电话13909430101，不是13812345678"
    msg = Incoming(LI, 51, words, reply_to=prompt)
    assert conversation.from_agent(deps, agent_id=li, msg=msg) == "relayed"
    assert conversation.from_agent(deps, agent_id=li, msg=msg) == "duplicate"  # redelivered
    [relay] = sent(deps, WANG, "relay")
    text = relay.payload["text"]
    assert "代办员李建国" in text and "13909430101" in text and "138****5678" in text
    [note] = notes(deps, t.id)
    assert note.actor == f"agent:{li}" and note.data["relay"] == "to_villager"
    assert note.note == words and note.source_ref == "tg:700101:51"

    # Her reply to the relayed words goes back to the agent.
    relayed = delivered(deps, relay, 60)
    answer = Incoming(WANG, 61, "好，身份证号620102199001011234", reply_to=relayed)
    assert conversation.from_villager(deps, villager_id=wang.id or 0, msg=answer) == "added"
    [back] = sent(deps, LI, "relay")
    assert "村民王秀英" in back.payload["text"] and "620102********1234" in back.payload["text"]
    assert "已转告李建国" in sent(deps, WANG, "added")[-1].payload["text"]


def test_only_the_holder_may_relay_and_only_to_someone_on_telegram(deps: Deps) -> None:
    t = factories.ticket(deps, factories.villager(deps, WANG))
    li, sun = agent_id(deps, LI), agent_id(deps, SUN)
    with pytest.raises(NotAllowed):
        conversation.ask_relay(deps, agent_id=sun, ticket_id=t.id or 0)
    conversation.ask_relay(deps, agent_id=li, ticket_id=t.id or 0)
    prompt = delivered(deps, sent(deps, LI, "relay_prompt")[-1], 70)
    tickets.handover(deps, agent_id=li, ticket_id=t.id or 0, to_agent_id=sun)
    with pytest.raises(NotAllowed):  # handed over since: the old prompt is dead
        conversation.from_agent(deps, agent_id=li, msg=Incoming(LI, 71, "x", reply_to=prompt))

    with deps.tx() as s:
        hotline = Villager(name="热线村民", phone="13700001111", group_id=wang_group(deps))
        s.add(hotline)
        s.flush()
        hotline_id = hotline.id or 0
    made = intake.submit_request(
        deps, villager_id=hotline_id, text="新农合住院报销咋弄", channel=Channel.HOTLINE
    ).ticket
    assert made is not None
    with pytest.raises(WrongState, match="13700001111"):
        conversation.ask_relay(deps, agent_id=li, ticket_id=made.id or 0)


def wang_group(deps: Deps) -> int:
    return factories.group_id(deps, "柳湾镇", "杏花村", "一组")


def test_a_reply_with_a_photo_is_kept_and_copied_to_the_holder(deps: Deps) -> None:
    wang = factories.villager(deps, WANG)
    t = factories.ticket(deps, wang)
    ack = delivered(deps, sent(deps, WANG, "ack")[-1], 10)
    photo = Media("photo", WANG, 11, "file-1", "uniq-1", "发票 13812345678")
    msg = Incoming(WANG, 11, "发票 13812345678", photo, reply_to=ack)
    assert conversation.from_villager(deps, villager_id=wang.id or 0, msg=msg) == "added"
    [copy] = sent(deps, LI, "attachment")
    assert copy.method == "copyMessage"
    assert copy.payload["from_chat_id"] == WANG and copy.payload["message_id"] == 11
    assert "村民王秀英" in copy.payload["caption"] and "138****5678" in copy.payload["caption"]
    with deps.read() as s:
        [kept] = s.exec(select(Attachment)).all()
    assert (kept.ticket_id, kept.kind, kept.file_unique_id) == (t.id, "photo", "uniq-1")
    assert kept.sender == f"villager:{wang.id}"


def test_a_bare_photo_goes_to_the_one_open_matter_else_a_hint(deps: Deps) -> None:
    wang = factories.villager(deps, WANG)
    assert (
        conversation.from_villager(  # nothing open yet: tell her how to send it
            deps, villager_id=wang.id or 0, msg=Incoming(WANG, 40, None, Media("photo", WANG, 40))
        )
        == "hint"
    )
    t = factories.ticket(deps, wang)
    photo = Media("photo", WANG, 41, "file-41", "uniq-41")
    out = conversation.from_villager(
        deps, villager_id=wang.id or 0, msg=Incoming(WANG, 41, None, photo)
    )
    assert out == "added"
    [copy] = sent(deps, LI, "attachment")
    assert copy.payload["message_id"] == 41
    assert t.number in sent(deps, WANG, "added")[-1].payload["text"]
    factories.ticket(deps, wang, "低保咋申请，家里困难得很")  # two open: which one? ask her
    doc = Media("document", WANG, 42, "file-42", "uniq-42")
    out = conversation.from_villager(
        deps, villager_id=wang.id or 0, msg=Incoming(WANG, 42, None, doc)
    )
    assert out == "hint"
    assert "回复" in sent(deps, WANG)[-1].payload["text"]
    with deps.read() as s:
        assert [a.file_unique_id for a in s.exec(select(Attachment)).all()] == ["uniq-41"]


def test_a_reply_about_a_closed_ticket_is_a_new_request(deps: Deps) -> None:
    wang = factories.villager(deps, WANG)
    t = factories.ticket(deps, wang, "麻烦给开个证明，娃上学要家庭情况证明")
    ack = delivered(deps, sent(deps, WANG, "ack")[-1], 20)
    tickets.close(deps, agent_id=agent_id(deps, LI), ticket_id=t.id or 0)
    msg = Incoming(WANG, 21, "低保咋申请，家里困难得很", reply_to=ack)
    assert conversation.from_villager(deps, villager_id=wang.id or 0, msg=msg) == "request"
    with deps.read() as s:
        newest = s.exec(select(Ticket).order_by(col(Ticket.id).desc())).first()
    assert newest is not None and newest.id != t.id and newest.category is Mode.PROXY


def test_voice_and_place_become_call_back_tickets(deps: Deps) -> None:
    wang = factories.villager(deps, WANG)
    voice = Media("voice", WANG, 30, "v-1", "uv-1")
    out = conversation.from_villager(
        deps, villager_id=wang.id or 0, msg=Incoming(WANG, 30, None, voice)
    )
    assert out == "call_back"
    place = Media("location", WANG, 31)
    conversation.from_villager(deps, villager_id=wang.id or 0, msg=Incoming(WANG, 31, None, place))
    with deps.read() as s:
        made = s.exec(select(Ticket).order_by(col(Ticket.id))).all()
    assert [(t.category, t.matter_code, t.status) for t in made] == [
        (Mode.MOBILE, None, TicketStatus.PENDING)
    ] * 2
    assert "语音" in made[0].text and "位置" in made[1].text
    copies = sent(deps, LI, "attachment")
    # the place: a line saying whose it is, then the copied location (no caption on a place)
    assert [c.method for c in copies] == ["copyMessage", "sendMessage", "copyMessage"]
    assert "caption" not in copies[-1].payload
    ack = sent(deps, WANG, "ack")[0].payload["text"]
    assert "他会打电话给您" in ack
