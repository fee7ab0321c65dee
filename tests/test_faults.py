"""Fault tests with real parts: a burst under Telegram's limits, SIGKILL, an outage, two processes.

Telegram's limits are on in the fake Bot API. Afterwards every request has exactly one ticket,
every villager exactly one acknowledgement, every agent their notifications, no 429 was drawn, and
the audit log tells the whole story.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.db import make_engine
from bot.fakeapi import FakeBotAPI
from bot.services import intake
from bot.services.context import Deps
from models import (
    Agent,
    Channel,
    EventKind,
    Outbox,
    OutboxStatus,
    Ticket,
    TicketEvent,
    VillageGroup,
    Villager,
)
from nlp import Classifier
from tests.factories import load_demo_roster
from tests.processes import TOKEN, BotProcess, bot_env

REQUESTS = [
    "俺爹住院花了不少钱，新农合能报销不",
    "麻烦给开个证明，娃上学要家庭情况证明",
    "身份证过期了，要换新的咋办",
    "我家老汉瘫痪在床，残疾人补贴咋申请，能上门不",
    "低保咋申请，家里困难得很",
    "老人的养老认证今年还没做",
]
FIRST_VILLAGER = 10_001


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN, rate_limits=True) as api:
        yield api


def seed(db_url: str, classifier: Classifier, fake: FakeBotAPI, villagers: int) -> Deps:
    """The demo roster, its agents in the fake, and `villagers` registered villagers."""
    engine = make_engine(db_url)
    deps = Deps(engine=engine, classifier=classifier)
    load_demo_roster(deps)
    for text_ in REQUESTS:  # the test only makes sense if these are clear requests
        result = classifier.classify(text_)
        assert result.category is not None and not result.clarify, text_
    with Session(deps.writer) as s:
        for agent in s.exec(select(Agent).where(col(Agent.telegram_id).is_not(None))).all():
            fake.add_user(agent.telegram_id or 0, agent.name)
        groups = s.exec(select(VillageGroup.id)).all()
        for i, group_id in zip(range(villagers), itertools.cycle(groups), strict=False):
            uid = FIRST_VILLAGER + i
            s.add(Villager(telegram_id=uid, name=f"村民{i}", group_id=group_id or 0))
            fake.add_user(uid, f"村民{i}")
        s.commit()
    return deps


def acks(fake: FakeBotAPI, villagers: int) -> Counter[int]:
    return Counter(
        uid
        for uid in range(FIRST_VILLAGER, FIRST_VILLAGER + villagers)
        for m in fake.messages(uid)
        if "受理号" in m.text
    )


def check_the_story(deps: Deps, fake: FakeBotAPI, villagers: int) -> None:
    """One ticket per request, one ack per villager, every card out, no 429, a full audit log."""
    assert fake.stats.too_many_requests == 0
    assert acks(fake, villagers) == Counter(range(FIRST_VILLAGER, FIRST_VILLAGER + villagers))
    with Session(deps.engine) as s:
        tickets = s.exec(select(Ticket)).all()
        assert len(tickets) == villagers
        assert len({t.villager_id for t in tickets}) == villagers
        kinds = Counter(e.kind for e in s.exec(select(TicketEvent)).all())
        assert kinds[EventKind.CREATED] == villagers and kinds[EventKind.ASSIGNED] == villagers
        cards = s.exec(select(Outbox).where(Outbox.kind == "assignment")).all()
        assert cards and all(c.status in (OutboxStatus.SENT, OutboxStatus.COALESCED) for c in cards)
        holders = {a.id: a.telegram_id for a in s.exec(select(Agent)).all()}
    for ticket in tickets:  # every agent got word of every ticket they hold (card or list)
        chat = holders.get(ticket.assignee_id)
        if chat is not None:
            assert any(ticket.number in m.text for m in fake.messages(chat)), ticket.number


async def test_burst_of_300_with_a_kill_and_an_outage(
    fake: FakeBotAPI, db_url: str, classifier: Classifier, tmp_path: Path
) -> None:
    n = 300
    deps = seed(db_url, classifier, fake, n)
    bot = BotProcess(bot_env(fake, db_url), tmp_path)
    await bot.start()
    await fake.wait_until(lambda: fake.long_polls_waiting > 0, timeout=60)
    for i in range(n):
        fake.send_text(FIRST_VILLAGER + i, REQUESTS[i % len(REQUESTS)])
    await fake.wait_until(lambda: sum(acks(fake, n).values()) >= n // 3, timeout=120)
    # Telegram starts failing every call, and in the middle of that the process is killed outright.
    fake.set_outage(True)
    await fake.wait_until(lambda: _settled(deps, fake), timeout=60)
    await bot.kill()
    restarted = BotProcess(bot.env, tmp_path, "restarted")
    calls = len(fake.calls)
    await restarted.start()
    await fake.wait_until(lambda: len(fake.calls) > calls + 3, timeout=60)  # failing, too
    fake.set_outage(False)
    await fake.wait_until(lambda: len(acks(fake, n)) == n, timeout=240)
    await fake.wait_until(lambda: _nothing_left(deps), timeout=120)
    assert await restarted.stop() == 0, restarted.log()[-3000:]
    check_the_story(deps, fake, n)
    deps.engine.dispose()


def _settled(deps: Deps, fake: FakeBotAPI) -> bool:
    """Every message Telegram accepted is recorded as sent: nothing is in doubt.

    A process killed between Telegram accepting a message and recording it would send it again
    after the restart (at-least-once); no sender can close that window, so the kill waits for
    it to be empty (see the README, "Delivery guarantees").
    """
    accepted = sum(
        1 for c in fake.calls if c.method in ("sendMessage", "editMessageText") and c.status == 200
    )
    with Session(deps.engine) as s:
        recorded = len(s.exec(select(Outbox.id).where(Outbox.status == OutboxStatus.SENT)).all())
    return recorded >= accepted


def _nothing_left(deps: Deps) -> bool:
    with Session(deps.engine) as s:
        waiting = s.exec(
            select(Outbox).where(
                col(Outbox.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
            )
        ).first()
    return waiting is None


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_processes_on_postgresql_never_send_twice(
    fake: FakeBotAPI, db_url: str, classifier: Classifier, tmp_path: Path
) -> None:
    n = 120
    deps = seed(db_url, classifier, fake, n)
    # Tickets already due for their reminder: both processes sweep, only one may fire each.
    with Session(deps.engine) as s:
        reminded = s.exec(select(Villager).limit(8)).all()

    due = []
    for v in reminded:
        t = intake.submit_request(
            deps,
            villager_id=v.id or 0,
            text=REQUESTS[0],
            channel=Channel.CLI,
            notify_villager=False,
        ).ticket
        assert t is not None
        due.append(t.id)
    with Session(deps.writer) as s:
        for t in s.exec(select(Ticket).where(col(Ticket.id).in_(due))).all():
            t.next_check_at = deps.now()
        s.commit()
        reachable = {a.id for a in s.exec(select(Agent).where(col(Agent.telegram_id).is_not(None)))}
        due = [
            t.id
            for t in s.exec(select(Ticket).where(col(Ticket.id).in_(due)))
            if t.assignee_id in reachable
        ]
    assert len(due) >= 5

    a = BotProcess(bot_env(fake, db_url, DAIBAN_QUIET_HOURS=awake_now()), tmp_path, "a")
    b = BotProcess(bot_env(fake, db_url, DAIBAN_QUIET_HOURS=awake_now()), tmp_path, "b")
    await a.start()
    await b.start()
    await fake.wait_until(lambda: _sender_pid(deps) is not None, timeout=60)
    for i in range(n):
        fake.send_text(FIRST_VILLAGER + i, REQUESTS[i % len(REQUESTS)])
    await fake.wait_until(lambda: sum(acks(fake, n).values()) >= n // 3, timeout=120)
    leader = a if _sender_pid(deps) == a.pid else b
    other = b if leader is a else a
    fake.set_outage(True)
    await fake.wait_until(lambda: _settled(deps, fake), timeout=60)
    await leader.kill()
    await fake.wait_until(lambda: _sender_pid(deps) == other.pid, timeout=60)
    fake.set_outage(False)
    await fake.wait_until(lambda: len(acks(fake, n)) == n, timeout=240)
    await fake.wait_until(lambda: _reminders_sent(deps) >= len(due), timeout=120)
    await fake.wait_until(lambda: _nothing_left(deps), timeout=120)
    assert await other.stop() == 0, other.log()[-3000:]

    with Session(deps.engine) as s:
        reminders = s.exec(select(Outbox).where(Outbox.kind == "reminder")).all()
        events = s.exec(select(TicketEvent).where(TicketEvent.kind == EventKind.REMINDED)).all()
    assert Counter(r.ticket_id for r in reminders) == Counter(due)  # each fired exactly once
    assert Counter(e.ticket_id for e in events) == Counter(due)
    assert all(r.status is OutboxStatus.SENT for r in reminders)
    assert fake.stats.too_many_requests == 0
    assert acks(fake, n) == Counter(range(FIRST_VILLAGER, FIRST_VILLAGER + n))
    deps.engine.dispose()


def _reminders_sent(deps: Deps) -> int:
    with Session(deps.engine) as s:
        query = select(Outbox.id).where(
            Outbox.kind == "reminder", Outbox.status == OutboxStatus.SENT
        )
        return len(s.exec(query).all())


def awake_now() -> str:
    """Quiet hours that do not include the present, so reminders go out during the test."""
    hour = datetime.now(ZoneInfo("Asia/Shanghai")).hour
    return f"{(hour + 2) % 24:02d}:00-{(hour + 3) % 24:02d}:00"


def _sender_pid(deps: Deps) -> int | None:
    with deps.engine.connect() as conn:
        name = conn.execute(
            text(
                "SELECT application_name FROM pg_stat_activity"
                " WHERE application_name LIKE 'daiban-sender-%'"
            )
        ).scalar()
    return int(name.rsplit("-", 1)[1]) if name else None
