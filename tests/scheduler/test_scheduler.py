from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.app import Runtime
from bot.services.context import Deps
from models import EventKind, Ticket, TicketEvent
from scheduler import SWEEP_BATCH, sweep_all
from tests import factories


async def test_jobs_are_on_the_job_queue(live: Runtime) -> None:
    assert live.ptb.job_queue is not None
    names = {job.name for job in live.ptb.job_queue.jobs()}
    assert {"follow-up sweep", "morning digest"} <= names


@pytest.fixture
def many_due(deps: Deps, clock: factories.Clock) -> int:
    factories.load_demo_roster(deps)
    wang = factories.villager(deps, 801)
    n = SWEEP_BATCH * 2 + 7
    for _ in range(n):
        factories.ticket(deps, wang, "麻烦给开个证明，娃上学要家庭情况证明")
    clock.now = datetime(2026, 11, 24, 14, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    return n


async def test_a_backlog_is_swept_in_batches_until_done(deps: Deps, many_due: int) -> None:
    assert await sweep_all(deps) == many_due
    assert await sweep_all(deps) == 0
    with deps.read() as s:
        reminded = s.exec(select(TicketEvent).where(TicketEvent.kind == EventKind.REMINDED)).all()
        next_checks = {t.next_check_at for t in s.exec(select(Ticket)).all()}
    assert len(reminded) == many_due
    assert next_checks == {datetime(2026, 11, 24, 18, tzinfo=ZoneInfo("Asia/Shanghai"))}
    assert all(e.at - deps.now() < timedelta(seconds=1) for e in reminded)
