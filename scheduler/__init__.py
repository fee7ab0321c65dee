"""Time-driven work: periodic jobs on PTB's JobQueue (APScheduler) — reminders, escalation, digests.

Due times live in the database; jobs only scan for what is due (bot.services.followup), so a
restart neither drops nor repeats a reminder, and two processes never fire the same one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.services import followup
from bot.services.context import Deps

log = logging.getLogger(__name__)
SWEEP_EVERY = 30.0  # seconds between reminder/escalation sweeps
SWEEP_BATCH = 50  # tickets per transaction (about 0.2 s of work on SQLite, see bench/)
DIGEST_EVERY = 60.0  # seconds between checks for the morning digest


class Scheduler:
    """The periodic jobs of one bot process (every process runs them; rows are claimed)."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def start(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Schedule the follow-up jobs on the application's JobQueue."""
        queue = app.job_queue
        if queue is None:  # the job-queue extra is a dependency; refuse to run without reminders
            raise RuntimeError("python-telegram-bot[job-queue] is required for reminders")
        # A busy moment may delay a run; run it late rather than skip it (state is in the DB).
        late_ok = {"misfire_grace_time": None, "coalesce": True}
        queue.run_repeating(
            self._job(sweep_all),
            SWEEP_EVERY,
            first=1.0,
            name="follow-up sweep",
            job_kwargs=late_ok,
        )
        queue.run_repeating(
            self._job(digests),
            DIGEST_EVERY,
            first=2.0,
            name="morning digest",
            job_kwargs=late_ok,
        )
        log.info("follow-up jobs scheduled")

    def _job(
        self, work: Callable[[Deps], Awaitable[int]]
    ) -> Callable[[CallbackContext[Any, Any, Any, Any]], Any]:
        async def run(context: CallbackContext[Any, Any, Any, Any]) -> None:
            try:
                done = await work(self.deps)
            except Exception:  # one bad sweep must not stop the schedule
                log.exception("scheduled job %s failed", getattr(work, "__name__", work))
                return
            if done:
                log.info("%s: %d", getattr(work, "__name__", "job"), done)

        return run


async def sweep_all(deps: Deps) -> int:
    """Sweep in small batches, yielding between them, so a backlog never stalls the bot."""
    total = 0
    while True:
        handled = followup.sweep(deps, limit=SWEEP_BATCH)
        total += handled
        if handled < SWEEP_BATCH:
            return total
        await asyncio.sleep(0)


async def digests(deps: Deps) -> int:
    return followup.send_digests(deps)
