import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.services import intake
from bot.services.context import Deps, NotAllowed
from bot.workdays import add_workdays
from models import Agent, Channel, Coverage, EventKind, Outbox, Ticket, TicketEvent, TicketStatus
from nlp import Mode
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def roster(deps: Deps) -> None:
    factories.load_demo_roster(deps)


def dev_texts() -> list[str]:
    path = Path(__file__).resolve().parents[2] / "data" / "dev_requests.jsonl"
    return [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]


def outbox_to(deps: Deps, chat_id: int) -> list[Outbox]:
    with deps.read() as s:
        return list(
            s.exec(select(Outbox).where(Outbox.chat_id == chat_id).order_by(col(Outbox.id))).all()
        )


def test_request_becomes_an_assigned_ticket_with_ack_and_card(deps: Deps) -> None:
    wang = factories.villager(deps, 801)
    t = factories.ticket(deps, wang, "俺爹住院花了不少钱，新农合能报销不")
    assert t.number == "2026-0001"
    assert t.category is Mode.PROXY
    assert t.matter_code == "medical_reimburse"
    assert t.status is TicketStatus.PENDING
    assert t.documents, "一次告知: documents are copied from the catalogue"
    with deps.read() as s:
        agent = s.get(Agent, t.assignee_id)
        assert agent is not None and agent.name == "李建国"  # covers 杏花村一组
        kinds = [
            e.kind for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == t.id)).all()
        ]
    assert kinds == [EventKind.CREATED, EventKind.ASSIGNED]
    ack = [o for o in outbox_to(deps, 801) if o.kind == "ack"]
    assert len(ack) == 1
    text = ack[0].payload["text"]
    for needle in ("2026-0001", "代着办", "李建国", "13909430101", t.documents[0], "办结时限"):
        assert needle in text
    card = [o for o in outbox_to(deps, 700101) if o.kind == "assignment"]
    assert len(card) == 1
    labels = [b["text"] for row in card[0].payload["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["接单", "办结", "转办", "需补材料", "改类", "联系村民"]


def test_due_date_counts_working_days_from_the_catalogue(deps: Deps) -> None:
    t = factories.ticket(deps, factories.villager(deps, 801))
    limit = deps.classifier.resolve("x", "medical_reimburse").matter
    assert limit is not None
    # Created Monday 2026-11-23 09:00 local; due at 18:00 on the N-th working day after.
    due = t.due_at.astimezone(SHANGHAI)
    assert (due.hour, due.minute) == (18, 0)
    assert due.date() == add_workdays(date(2026, 11, 23), limit.time_limit_days)
    assert due.weekday() < 5


def test_redelivered_message_creates_nothing_twice(deps: Deps) -> None:
    wang = factories.villager(deps, 801)
    first = intake.submit_request(
        deps,
        villager_id=wang.id or 0,
        text="新农合住院报销咋弄",
        channel=Channel.TELEGRAM,
        source_ref="tg:801:5",
    )
    again = intake.submit_request(
        deps,
        villager_id=wang.id or 0,
        text="新农合住院报销咋弄",
        channel=Channel.TELEGRAM,
        source_ref="tg:801:5",
    )
    assert first.outcome == "created" and again.outcome == "duplicate"
    assert (
        again.ticket is not None and first.ticket is not None and again.ticket.id == first.ticket.id
    )
    assert len(factories.tickets(deps)) == 1
    assert len([o for o in outbox_to(deps, 801) if o.kind == "ack"]) == 1


def test_mobile_circumstances_make_it_流动办(deps: Deps) -> None:
    t = factories.ticket(
        deps, factories.villager(deps, 802), "我家老汉瘫痪在床，残疾人补贴咋申请，能上门不"
    )
    assert t.category is Mode.MOBILE
    assert t.circumstances
    ack = next(o for o in outbox_to(deps, 802) if o.kind == "ack")
    assert "上门" in ack.payload["text"]


def test_greeting_is_not_a_ticket_but_gets_a_way_in(deps: Deps) -> None:
    wang = factories.villager(deps, 801)
    result = intake.submit_request(
        deps, villager_id=wang.id or 0, text="你好", channel=Channel.TELEGRAM
    )
    assert result.outcome == "not_request"
    assert factories.tickets(deps) == []
    reply = outbox_to(deps, 801)[-1]
    assert "有事要办请直接说" in reply.payload["text"]
    # "this is a request, call me" turns it into a 流动办 call-back ticket for the agent.
    assert result.pending is not None
    t = intake.choose_matter(
        deps, villager_id=wang.id or 0, pending_id=result.pending.id or 0, code=None
    )
    assert t.category is Mode.MOBILE and t.matter_code is None
    assert t.assignee_id is not None


def test_clarify_then_pick_creates_exactly_one_ticket(deps: Deps) -> None:
    wang = factories.villager(deps, 801)
    other = factories.villager(deps, 803, "刘小军", ("柳湾镇", "杏花村", "二组"))
    # Whichever dev-set request the classifier is unsure about (its choice, not ours).
    text = next(t for t in dev_texts() if deps.classifier.classify(t).clarify)
    result = intake.submit_request(
        deps, villager_id=wang.id or 0, text=text, channel=Channel.TELEGRAM
    )
    assert result.outcome == "clarify"
    assert factories.tickets(deps) == []
    question = outbox_to(deps, 801)[-1]
    labels = [b["text"] for row in question.payload["reply_markup"]["inline_keyboard"] for b in row]
    assert len(labels) >= 3 and labels[-1] == "都不是，请代办员打电话给我"
    assert result.pending is not None and len(result.pending.choices) >= 2
    code = result.pending.choices[1]
    with pytest.raises(NotAllowed):  # someone else cannot answer it
        intake.choose_matter(
            deps, villager_id=other.id or 0, pending_id=result.pending.id or 0, code=code
        )
    t1 = intake.choose_matter(
        deps, villager_id=wang.id or 0, pending_id=result.pending.id or 0, code=code
    )
    t2 = intake.choose_matter(
        deps, villager_id=wang.id or 0, pending_id=result.pending.id or 0, code=code
    )
    assert t1.id == t2.id and t1.matter_code == code
    assert len(factories.tickets(deps)) == 1


def test_group_without_active_agent_falls_back_to_station_head(deps: Deps) -> None:
    wang = factories.villager(deps, 801)
    with deps.tx() as s:
        for row in s.exec(select(Coverage)).all():
            s.delete(row)
    t = factories.ticket(deps, wang)
    with deps.read() as s:
        holder = s.get(Agent, t.assignee_id)
        event = s.exec(select(TicketEvent).where(TicketEvent.kind == EventKind.ASSIGNED)).one()
    assert holder is not None and holder.name == "赵德胜"
    assert event.data["rule"] == "fallback:station_head"


def test_ticket_numbers_are_sequential_per_year(deps: Deps, clock: factories.Clock) -> None:
    wang = factories.villager(deps, 801)
    numbers = [factories.ticket(deps, wang, "新农合住院报销咋弄").number for _ in range(3)]
    assert numbers == ["2026-0001", "2026-0002", "2026-0003"]
    clock.now = clock.now.replace(year=2027, month=1, day=5)
    assert factories.ticket(deps, wang, "新农合住院报销咋弄").number == "2027-0001"


def test_phone_numbers_in_text_are_masked_in_the_agent_card(deps: Deps) -> None:
    wang = factories.villager(deps, 801)
    factories.ticket(deps, wang, "新农合住院报销咋弄，我电话13912345678，身份证620102199001011234")
    card = next(o for o in outbox_to(deps, 700101) if o.kind == "assignment").payload["text"]
    assert "13912345678" not in card and "620102199001011234" not in card
    with deps.read() as s:
        assert "13912345678" in s.exec(select(Ticket)).one().text  # the record keeps what was said
