"""What every service function needs: the database, the classifier, the clock and the calendar."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from bot.db import clocked, reader, session_scope
from models import utcnow
from nlp import Classifier

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class FollowUpPolicy:
    """When the scheduler reminds, escalates and sends digests (settings DAIBAN_*)."""

    remind_before: timedelta = timedelta(hours=4)
    escalate_after_days: int = 1
    digest_at: time = time(8)
    quiet_start: time = time(21)
    quiet_end: time = time(8)


@dataclass
class Deps:
    """Shared by the Telegram handlers, the HTTP routes and the CLI (one path per workflow)."""

    engine: Engine
    classifier: Classifier
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    workday_end: time = time(18)
    policy: FollowUpPolicy = field(default_factory=FollowUpPolicy)
    # Telegram requests one villager may send an hour before the rest wait for review
    # (DAIBAN_FLOOD_PER_HOUR; None, as tools and unit tests build it, means no limit).
    flood_per_hour: int | None = None
    clock: Callable[[], datetime] = utcnow
    on_commit: list[Callable[[], None]] = field(default_factory=list)
    observers: list[Callable[[str, float], None]] = field(default_factory=list)
    # Threads for blocking service work (database, classifier) of web routes and Telegram
    # handlers, so the event loop never waits on the database (DAIBAN_WORKERS).
    workers: int = 8
    writer: Engine = field(init=False, repr=False)
    _pool: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # Writes go through an engine that carries the clock: every created_at, updated_at,
        # event time and outbox not_before is stamped from it, never from the wall clock.
        self.writer = clocked(self.engine, self.now)

    def now(self) -> datetime:
        return self.clock()

    async def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking service work on the bounded worker pool; the loop goes on meanwhile."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="daiban-work")
        work = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def close(self) -> None:
        """Finish the work in hand and stop the worker threads (Runtime.close)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction; after the commit the dispatcher is nudged to send new outbox rows."""
        with session_scope(self.writer) as session:
            yield session
        for hook in self.on_commit:
            hook()

    def observe(self, name: str, seconds: float) -> None:
        """Report a timing (e.g. "classify") to whoever listens (the /metrics histograms)."""
        for hook in self.observers:
            hook(name, seconds)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session: on SQLite it takes no write lock, so reads never wait on writes."""
        with Session(reader(self.engine), expire_on_commit=False) as session:
            yield session


class ServiceError(Exception):
    """A refusal the user should read; `message` is the Chinese text to show."""

    def __init__(self, message: str, **fields: object) -> None:
        super().__init__(message.format(**fields) if fields else message)
        self.message = str(self)


class NotFound(ServiceError):
    pass


class NotAllowed(ServiceError):
    pass


class WrongState(ServiceError):
    pass
