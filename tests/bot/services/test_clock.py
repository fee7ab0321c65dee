"""Every time a service writes comes from the injected clock (Deps.clock), never the wall clock."""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select
from telegram import Bot

from bot.dispatch import Dispatcher
from bot.fakeapi import FakeBotAPI
from bot.services import followup, rating, tickets, weblogin
from bot.services.context import Deps
from models import Agent, Rating, Ticket, UTCDateTime
from tests import factories

ROOT = Path(__file__).resolve().parents[3]
SH = ZoneInfo("Asia/Shanghai")
TOKEN = "700000005:AAclock-test-fake-bot-api-token-000"
# Reading the wall clock: calls of these names, or of these attributes of datetime/date/time.
WALL_NAMES = {"utcnow"}
WALL_ATTRS = {"now", "utcnow", "today", "time", "time_ns", "localtime", "gmtime", "ctime"}
WALL_OWNERS = {"datetime", "date", "time"}
# The one place the wall clock is named: it is the default of the injected clock itself.
CLOCK_HOME = Path("bot/services/context.py")


def wall_clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Name) and node.id in WALL_NAMES:
            found.append(f"{path}:{node.lineno} {node.id}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr in WALL_ATTRS | WALL_NAMES
            and isinstance(node.value, ast.Name)
            and node.value.id in WALL_OWNERS
        ):
            found.append(f"{path}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_no_service_scheduler_or_handler_reads_the_wall_clock() -> None:
    files = [
        p
        for folder in ("bot/services", "scheduler", "handlers")
        for p in sorted((ROOT / folder).rglob("*.py"))
    ]
    assert len(files) > 20
    reads = [
        hit
        for p in files
        if p.relative_to(ROOT) != CLOCK_HOME
        for hit in wall_clock_reads(p.relative_to(ROOT))
    ]
    assert reads == []
    # The scan itself can see a wall-clock read: the clock's home names it exactly once.
    assert [h.split()[1] for h in wall_clock_reads(CLOCK_HOME)] == ["utcnow"]


def test_a_write_without_a_clock_is_refused(deps: Deps) -> None:
    factories.load_demo_roster(deps)
    with Session(deps.engine) as s:  # not Deps.tx(): no clock on this engine
        s.add(Agent(name="无钟", phone="13900000000"))
        with pytest.raises(Exception, match="without a clock"):
            s.commit()


def year_away() -> datetime:
    """09:00 Shanghai on the first Monday at least a year after the machine's today."""
    day = datetime.now(UTC).astimezone(SH).date() + timedelta(days=366)
    day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime.combine(day, time(9), tzinfo=SH).astimezone(UTC)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as api:
        yield api


async def test_a_day_of_follow_up_a_year_from_today_is_stamped_by_its_clock(
    deps: Deps, clock: factories.Clock, fake: FakeBotAPI
) -> None:
    start = clock.now = year_away()
    factories.load_demo_roster(deps)
    with deps.read() as s:
        for agent in s.exec(select(Agent).where(col(Agent.telegram_id).is_not(None))).all():
            fake.add_user(agent.telegram_id or 0, agent.name)
        li = s.exec(select(Agent).where(Agent.telegram_id == 700101)).one()
    people = []
    for uid in (801, 802, 803):
        fake.add_user(uid, f"村民{uid}")
        people.append(factories.villager(deps, uid, f"村民{uid}"))
    cert = factories.ticket(deps, people[0], "麻烦给开个证明，娃上学要家庭情况证明")
    factories.ticket(deps, people[1], "俺爹住院花了不少钱，新农合能报销不")
    done = factories.ticket(deps, people[2], "想开个无房证明，买房子要用")
    link = weblogin.issue_link(deps, agent_id=li.id or 0, base_url="http://127.0.0.1")
    session_token = weblogin.redeem_link(deps, link.split("?t=")[-1])
    assert weblogin.viewer_for_session(deps, session_token) is not None

    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url) as bot:
        dispatcher = Dispatcher(deps.writer, bot, chat_interval=0)
        for step in range(72):  # every half hour, a night and a day: sweeps, digests, sending
            clock.advance(minutes=30)
            followup.sweep(deps)
            followup.send_digests(deps)
            if step == 2:
                tickets.accept(deps, agent_id=li.id or 0, ticket_id=cert.id or 0)
            if step == 4:
                tickets.close(deps, agent_id=li.id or 0, ticket_id=done.id or 0, note="已开好")
                rating.rate(
                    deps,
                    villager_id=people[2].id or 0,
                    ticket_id=done.id or 0,
                    rating=Rating.SATISFIED,
                )
            await dispatcher.drain()
    end = clock.now

    stamps: list[tuple[str, datetime]] = []
    with Session(deps.engine) as s:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, UTCDateTime):
                    stamps += [
                        (f"{table.name}.{column.name}", v)
                        for v in s.execute(sa_select(column)).scalars()
                        if v is not None
                    ]
        overdue = s.get(Ticket, cert.id)
    columns = {name for name, _ in stamps}
    assert {
        "ticket.created_at",
        "ticket_event.at",
        "outbox.not_before",
        "outbox.sent_at",
    } <= columns
    assert {"web_token.created_at", "villager.updated_at", "digest_sent.created_at"} <= columns
    wrong = [(n, v) for n, v in stamps if not start <= v <= end + timedelta(days=30)]
    assert wrong == []
    assert overdue is not None and overdue.reminder_stage == 2  # reminded, then told it is overdue
    wall = datetime.now(UTC)
    assert all(abs(v - wall) > timedelta(days=300) for _, v in stamps)
