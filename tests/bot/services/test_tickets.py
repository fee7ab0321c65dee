import pytest
from sqlmodel import col, select

from bot.services import queries, rating, tickets
from bot.services.context import Deps, NotAllowed, NotFound, WrongState
from models import Agent, EventKind, Outbox, Rating, TicketEvent, TicketStatus
from tests import factories

LI, MA, ZHAO, SUN, WU, QIAN, FENG = (
    "13909430101",
    "13909430102",
    "13909430103",
    "13909430104",
    "13909430106",
    "13909430108",
    "13909430109",
)


@pytest.fixture(autouse=True)
def roster(deps: Deps) -> None:
    factories.load_demo_roster(deps)


def agent_id(deps: Deps, phone: str) -> int:
    with deps.read() as s:
        return s.exec(select(Agent).where(Agent.phone == phone)).one().id or 0


def last_to(deps: Deps, chat_id: int) -> Outbox:
    with deps.read() as s:
        return s.exec(
            select(Outbox).where(Outbox.chat_id == chat_id).order_by(col(Outbox.id).desc())
        ).first()  # type: ignore[return-value]


def events(deps: Deps, ticket_id: int) -> list[EventKind]:
    with deps.read() as s:
        rows = s.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(col(TicketEvent.id))
        ).all()
        return [e.kind for e in rows]


def test_full_lifecycle_accept_close_rate(deps: Deps) -> None:
    wang = factories.villager(deps, 801)
    t = factories.ticket(deps, wang)
    li = agent_id(deps, LI)

    tickets.accept(deps, agent_id=li, ticket_id=t.id or 0)
    assert "已接手" in last_to(deps, 801).payload["text"]
    card_edit = last_to(deps, 700101)
    assert card_edit.method == "editMessageText" and "办理中" in card_edit.payload["text"]

    tickets.close(deps, agent_id=li, ticket_id=t.id or 0, note="证明已开好，放村委会")
    ask = last_to(deps, 801)
    assert "证明已开好" in ask.payload["text"]
    labels = [b["text"] for row in ask.payload["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["满意", "基本满意", "不满意"]

    done = rating.rate(deps, villager_id=wang.id or 0, ticket_id=t.id or 0, rating=Rating.SATISFIED)
    assert done.status is TicketStatus.RATED and done.rating is Rating.SATISFIED
    assert "满意" in last_to(deps, 700101).payload["text"]
    assert events(deps, t.id or 0) == [
        EventKind.CREATED,
        EventKind.ASSIGNED,
        EventKind.ACCEPTED,
        EventKind.CLOSED,
        EventKind.RATED,
    ]


def test_only_the_holder_may_act(deps: Deps) -> None:
    t = factories.ticket(deps, factories.villager(deps, 801))
    for phone in (MA, ZHAO, WU):
        with pytest.raises(NotAllowed):
            tickets.accept(deps, agent_id=agent_id(deps, phone), ticket_id=t.id or 0)
        with pytest.raises(NotAllowed):
            tickets.close(deps, agent_id=agent_id(deps, phone), ticket_id=t.id or 0, note="好了")
    assert events(deps, t.id or 0) == [EventKind.CREATED, EventKind.ASSIGNED]


def test_only_the_asking_villager_may_rate_and_only_once(deps: Deps) -> None:
    wang = factories.villager(deps, 801)
    other = factories.villager(deps, 804, "陈桂芳")
    t = factories.ticket(deps, wang)
    with pytest.raises(WrongState):  # not closed yet
        rating.rate(deps, villager_id=wang.id or 0, ticket_id=t.id or 0, rating=Rating.BASIC)
    tickets.close(deps, agent_id=agent_id(deps, LI), ticket_id=t.id or 0, note="材料已交镇上")
    with pytest.raises(NotAllowed):
        rating.rate(deps, villager_id=other.id or 0, ticket_id=t.id or 0, rating=Rating.UNSATISFIED)
    rating.rate(deps, villager_id=wang.id or 0, ticket_id=t.id or 0, rating=Rating.BASIC)
    with pytest.raises(WrongState):
        rating.rate(deps, villager_id=wang.id or 0, ticket_id=t.id or 0, rating=Rating.SATISFIED)


def test_accept_twice_is_refused_politely(deps: Deps) -> None:
    t = factories.ticket(deps, factories.villager(deps, 801))
    tickets.accept(deps, agent_id=agent_id(deps, LI), ticket_id=t.id or 0)
    with pytest.raises(WrongState, match="办理中"):
        tickets.accept(deps, agent_id=agent_id(deps, LI), ticket_id=t.id or 0)


def test_handover_within_the_township_on_record(deps: Deps) -> None:
    t = factories.ticket(deps, factories.villager(deps, 801))
    li, sun = agent_id(deps, LI), agent_id(deps, SUN)
    names = {a.name for a in tickets.handover_candidates(deps, agent_id=li, ticket_id=t.id or 0)}
    assert "孙红梅" in names and "郑玉兰" not in names  # 郑玉兰 is in another township
    with pytest.raises(NotAllowed):  # 郑玉兰 (河口乡) cannot receive it
        tickets.handover(
            deps, agent_id=li, ticket_id=t.id or 0, to_agent_id=agent_id(deps, "13909430107")
        )
    moved = tickets.handover(deps, agent_id=li, ticket_id=t.id or 0, to_agent_id=sun)
    assert moved.assignee_id == sun and moved.status is TicketStatus.PENDING
    assert "孙红梅" in last_to(deps, 801).payload["text"]
    assert last_to(deps, 700104).kind == "assignment"
    assert "已转给 孙红梅" in last_to(deps, 700101).payload["text"]
    with pytest.raises(NotAllowed):  # the old holder can no longer act
        tickets.accept(deps, agent_id=li, ticket_id=t.id or 0)
    tickets.accept(deps, agent_id=sun, ticket_id=t.id or 0)
    assert events(deps, t.id or 0)[-2:] == [EventKind.HANDED_OVER, EventKind.ACCEPTED]


def test_close_by_reply_to_the_note_prompt(deps: Deps) -> None:
    t = factories.ticket(deps, factories.villager(deps, 801))
    li = agent_id(deps, LI)
    tickets.ask_close_note(deps, agent_id=li, ticket_id=t.id or 0)
    prompt = last_to(deps, 700101)
    assert prompt.kind == "close_note" and prompt.payload["reply_markup"]["force_reply"] is True
    with deps.tx() as s:  # the dispatcher records the Telegram message id once sent
        row = s.get(Outbox, prompt.id)
        assert row is not None
        row.tg_message_id = 77
    assert tickets.close_by_reply(deps, agent_id=li, chat_id=700101, reply_to=76, note="x") is None
    done = tickets.close_by_reply(deps, agent_id=li, chat_id=700101, reply_to=77, note="已办好")
    assert done is not None and done.close_note == "已办好" and done.status is TicketStatus.DONE


def test_overdue_is_scoped_to_the_supervisors_area(deps: Deps, clock: factories.Clock) -> None:
    t1 = factories.ticket(deps, factories.villager(deps, 801))  # 柳湾镇杏花村
    t2 = factories.ticket(deps, factories.villager(deps, 806, "钱", ("柳湾镇", "石岭村", "一组")))
    t3 = factories.ticket(deps, factories.villager(deps, 807, "周", ("河口乡", "河口村", "二组")))
    done = factories.ticket(deps, factories.villager(deps, 808, "吴", ("柳湾镇", "杏花村", "二组")))
    tickets.close(deps, agent_id=agent_id(deps, LI), ticket_id=done.id or 0, note="已办好")
    clock.advance(days=30)

    def numbers(phone: str) -> set[str]:
        return {i.ticket.number for i in queries.overdue(deps, supervisor_id=agent_id(deps, phone))}

    assert numbers(ZHAO) == {t1.number}  # station head of 杏花村
    assert numbers(WU) == {t1.number, t2.number}  # 柳湾镇
    assert numbers(QIAN) == {t3.number}  # 河口乡
    assert numbers(FENG) == {t1.number, t2.number, t3.number}  # the county
    with pytest.raises(NotAllowed):  # an ordinary agent is not a supervisor
        queries.overdue(deps, supervisor_id=agent_id(deps, LI))


def test_nothing_is_overdue_before_the_due_time(deps: Deps) -> None:
    factories.ticket(deps, factories.villager(deps, 801))
    assert queries.overdue(deps, supervisor_id=agent_id(deps, FENG)) == []


def test_a_proxy_matter_is_not_closed_without_a_note(deps: Deps) -> None:
    t = factories.ticket(deps, factories.villager(deps, 801))  # 新农合: 代着办
    li = agent_id(deps, LI)
    with pytest.raises(WrongState, match="代着办的事项办结时要写一句说明"):
        tickets.close(deps, agent_id=li, ticket_id=t.id or 0)
    with pytest.raises(WrongState):
        tickets.close(deps, agent_id=li, ticket_id=t.id or 0, note="   ")
    _ticket, prompted = tickets.begin_close(deps, agent_id=li, ticket_id=t.id or 0)
    assert prompted and last_to(deps, 700101).kind == "close_note"
    quick = factories.ticket(
        deps, factories.villager(deps, 802), "麻烦给开个证明，娃上学要家庭情况证明"
    )
    assert tickets.begin_close(deps, agent_id=li, ticket_id=quick.id or 0)[1] is False
    assert tickets.close(deps, agent_id=li, ticket_id=quick.id or 0).status is TicketStatus.DONE


def test_cancel_only_the_villagers_own_open_ticket_by_number(deps: Deps) -> None:
    wang = factories.villager(deps, 801)
    other = factories.villager(deps, 804, "陈桂芳")
    t = factories.ticket(deps, wang)
    seq = str(int(t.number.split("-")[1]))
    for number in (t.number, seq, f" {t.number.replace('-', ' - ')} ", "0" + seq):
        assert tickets.find_own(deps, villager_id=wang.id or 0, number=number).id == t.id
    for number in ("abc", "2025-0001", "9999"):
        with pytest.raises(NotFound):
            tickets.find_own(deps, villager_id=wang.id or 0, number=number)
    with pytest.raises(NotFound):  # someone else's number: exactly like one that does not exist
        tickets.find_own(deps, villager_id=other.id or 0, number=t.number)
    with pytest.raises(NotAllowed):
        tickets.cancel(deps, villager_id=other.id or 0, ticket_id=t.id or 0)

    done = tickets.cancel(deps, villager_id=wang.id or 0, ticket_id=t.id or 0)
    assert done.status is TicketStatus.CANCELLED and done.next_check_at is None
    told = last_to(deps, 700101)
    assert told.kind == "cancelled" and t.number in told.payload["text"]
    assert events(deps, t.id or 0)[-1] is EventKind.CANCELLED
    with pytest.raises(WrongState):
        tickets.cancel(deps, villager_id=wang.id or 0, ticket_id=t.id or 0)
    with pytest.raises(WrongState):
        tickets.find_own(deps, villager_id=wang.id or 0, number=seq)
    assert tickets.cancellable(deps, villager_id=wang.id or 0) == []
