"""Reminders, escalation 村→乡→县, quiet hours and the morning digest, with time as a parameter."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.services import followup, tickets
from bot.services.context import Deps
from models import Agent, DigestSent, EventKind, Outbox, Ticket, TicketEvent
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
CERT = "麻烦给开个证明，娃上学要家庭情况证明"  # 证明开具: 1 working day
LI, ZHAO, WU, FENG, ZHENG, QIAN = 700101, 700103, 700106, 700109, 700107, 700108


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def roster(deps: Deps) -> None:
    factories.load_demo_roster(deps)


def sent(deps: Deps, chat_id: int, kind: str | None = None) -> list[Outbox]:
    with deps.read() as s:
        query = select(Outbox).where(Outbox.chat_id == chat_id).order_by(col(Outbox.id))
        rows = s.exec(query).all()
    return [r for r in rows if kind is None or r.kind == kind]


def events(deps: Deps, ticket_id: int, kind: EventKind) -> list[TicketEvent]:
    with deps.read() as s:
        query = select(TicketEvent).where(
            TicketEvent.ticket_id == ticket_id, TicketEvent.kind == kind
        )
        return list(s.exec(query).all())


def reload(deps: Deps, ticket_id: int) -> Ticket:
    with deps.read() as s:
        found = s.get(Ticket, ticket_id)
        assert found is not None
        return found


def test_reminder_before_due_then_overdue_then_up_the_chain(deps: Deps) -> None:
    t = factories.ticket(deps, factories.villager(deps, 801), CERT)
    assert t.due_at == at(24, 18)
    assert t.next_check_at == at(24, 14)  # 4 hours before due

    assert followup.sweep(deps, at(24, 13, 59)) == 0
    assert followup.sweep(deps, at(24, 14)) == 1
    [before] = sent(deps, LI, "reminder")
    assert "提醒" in before.payload["text"] and t.number in before.payload["text"]
    rows = before.payload["reply_markup"]["inline_keyboard"]
    assert rows[0][0]["text"] == "接单"  # the card's buttons come with the reminder

    followup.sweep(deps, at(24, 18))
    overdue = sent(deps, LI, "reminder")[-1]
    assert "已超过时限" in overdue.payload["text"] and "村便民服务站" in overdue.payload["text"]
    assert reload(deps, t.id or 0).next_check_at == at(25, 18)

    followup.sweep(deps, at(25, 18))  # one working day later: the station head (村)
    assert "督办" in sent(deps, ZHAO, "escalation")[0].payload["text"]
    assert "村便民服务站" in sent(deps, LI, "reminder")[-1].payload["text"]
    followup.sweep(deps, at(26, 18))  # then the township (乡)
    assert len(sent(deps, WU, "escalation")) == 1
    followup.sweep(deps, at(27, 18))  # then the county (县)
    assert len(sent(deps, FENG, "escalation")) == 1
    assert reload(deps, t.id or 0).next_check_at is None  # nobody above the county

    levels = [e.data["level"] for e in events(deps, t.id or 0, EventKind.ESCALATED)]
    assert levels == [1, 2, 3]
    stages = [e.data["stage"] for e in events(deps, t.id or 0, EventKind.REMINDED)]
    assert stages == ["before_due", "overdue"]


def test_a_repeated_sweep_repeats_nothing(deps: Deps) -> None:
    factories.ticket(deps, factories.villager(deps, 801), CERT)
    moments = [at(24, 14, 30), at(24, 18, 30), at(25, 18, 30), at(26, 18, 30)]
    counts = []
    for moment in moments:
        for _ in range(3):  # a restart, or a second process, sweeping at the same moment
            followup.sweep(deps, moment)
        counts.append((len(sent(deps, LI, "reminder")), len(sent(deps, ZHAO)), len(sent(deps, WU))))
    assert counts == [(1, 0, 0), (2, 0, 0), (3, 1, 0), (4, 1, 1)]


def test_a_closed_ticket_is_left_alone(deps: Deps) -> None:
    t = factories.ticket(deps, factories.villager(deps, 801), CERT)
    with deps.read() as s:
        li = s.exec(select(Agent).where(Agent.telegram_id == LI)).one()
    tickets.close(deps, agent_id=li.id or 0, ticket_id=t.id or 0, note="已办好")
    assert followup.sweep(deps, at(30, 12)) == 0
    assert sent(deps, LI, "reminder") == []


def test_weekend_does_not_count_towards_escalation(deps: Deps, clock: factories.Clock) -> None:
    clock.now = at(27, 9)  # Friday
    t = factories.ticket(deps, factories.villager(deps, 801), CERT)
    assert t.due_at == at(30, 18)  # Monday
    followup.sweep(deps, at(30, 18))
    assert reload(deps, t.id or 0).next_check_at == at(1, 18, month=12)


def test_missing_level_is_skipped(deps: Deps) -> None:
    # 河口村 has no station head: the first escalation goes to 河口乡's supervisor.
    t = factories.ticket(
        deps, factories.villager(deps, 809, "周", ("河口乡", "河口村", "一组")), CERT
    )
    followup.sweep(deps, at(24, 14))
    followup.sweep(deps, at(24, 18))
    followup.sweep(deps, at(25, 18))
    assert len(sent(deps, QIAN, "escalation")) == 1
    assert [e.data["level"] for e in events(deps, t.id or 0, EventKind.ESCALATED)] == [2]


def test_quiet_hours_hold_pings_until_morning_except_opted_in_supervisors(deps: Deps) -> None:
    t = factories.ticket(deps, factories.villager(deps, 801), CERT)
    followup.sweep(deps, at(24, 22))  # both the before-due and overdue reminder fall due at night
    night = sent(deps, LI, "reminder")[-1]
    assert night.not_before == at(25, 8)
    with deps.tx() as s:
        zhao = s.exec(select(Agent).where(Agent.telegram_id == ZHAO)).one()
        zhao.night_alerts = True
    followup.sweep(deps, at(25, 23))
    escalation = sent(deps, ZHAO, "escalation")[0]
    assert escalation.not_before < at(25, 23, 1)  # right away
    assert reload(deps, t.id or 0).escalation_level == 1
    followup.sweep(deps, at(26, 23, 30))
    to_wu = sent(deps, WU, "escalation")[0]
    assert to_wu.not_before == at(27, 8)  # 吴振华 did not opt in


def test_morning_digest_once_per_working_day(deps: Deps) -> None:
    factories.ticket(deps, factories.villager(deps, 801), CERT)
    factories.ticket(deps, factories.villager(deps, 809, "周", ("河口乡", "河口村", "一组")), CERT)
    assert followup.send_digests(deps, at(25, 7, 59)) == 0
    n = followup.send_digests(deps, at(25, 8, 0))
    assert n >= 4  # two agents with tasks, and supervisors whose area has an overdue ticket
    assert followup.send_digests(deps, at(25, 9)) == 0  # not twice the same day
    li = sent(deps, LI, "digest")
    assert len(li) == 1 and "还有 1 件" in li[0].payload["text"]
    assert "超期事项 1 件" in sent(deps, QIAN, "digest")[0].payload["text"]
    assert "超期事项 2 件" in sent(deps, FENG, "digest")[0].payload["text"]
    assert sent(deps, 700104, "digest") == []  # 孙红梅: nothing to say, no ping
    assert followup.send_digests(deps, at(28, 8, 30)) == 0  # Saturday
    with deps.read() as s:
        assert len(s.exec(select(DigestSent)).all()) >= n


def test_blocked_villager_shows_in_the_supervisors_digest(deps: Deps) -> None:
    wang = factories.villager(deps, 801)
    factories.ticket(deps, wang, CERT)
    with deps.tx() as s:
        from models import Villager

        v = s.get(Villager, wang.id)
        assert v is not None
        v.unreachable = "已屏蔽机器人"
    followup.send_digests(deps, at(24, 8))
    assert "王秀英（已屏蔽机器人）" in sent(deps, ZHAO, "digest")[0].payload["text"]


def test_quiet_window_arithmetic(deps: Deps) -> None:
    assert followup.quiet_until(deps, at(24, 20, 59)) is None
    assert followup.quiet_until(deps, at(24, 21)) == at(25, 8)
    assert followup.quiet_until(deps, at(25, 7, 59)) == at(25, 8)
    assert followup.quiet_until(deps, at(25, 8)) is None
    later = followup.after_workdays(deps, at(27, 18), 1)
    assert later == at(30, 18) and later - at(27, 18) == timedelta(days=3)
