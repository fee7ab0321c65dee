"""One sender per bot: the process holding a PostgreSQL advisory lock polls and sends.

Telegram's limits (30 messages/s, 1/s per chat) are per bot, and getUpdates allows one caller, so
with several processes exactly one of them — the holder of `pg_try_advisory_lock` on a connection
it keeps open — runs the poller and the outbox dispatcher. If it dies, PostgreSQL drops its
connection and the lock, and another process takes over within `retry` seconds. Every process
still handles recorded updates and runs the follow-up sweeps (those claim rows with SKIP LOCKED).
On SQLite there is only ever one process, which always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import zlib
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)
LOCK_KEY = zlib.crc32(b"daiban:sender")  # any stable 32-bit number


class Leadership:
    """Runs the sender's work only while this process holds the lock."""

    def __init__(self, engine: Engine, *, retry: float = 2.0, check: float = 2.0) -> None:
        self.engine = engine
        self.retry = retry
        self.check = check
        self.leading = False

    async def hold(self, work: list[Callable[[], Coroutine[Any, Any, None]]]) -> None:
        """Forever: wait for the lock, run `work` while holding it, stop it if the lock is lost."""
        while True:
            conn = await asyncio.to_thread(self._try_lock)
            if conn is None:
                await asyncio.sleep(self.retry)
                continue
            self.leading = True
            log.info("this process is now the sender (polling and outbox)")
            tasks: list[asyncio.Task[None]] = [asyncio.create_task(job()) for job in work]
            try:
                while not any(t.done() for t in tasks):
                    await asyncio.sleep(self.check)
                    if not await asyncio.to_thread(self._alive, conn):
                        log.warning("lost the database connection holding the sender lock")
                        break
                for t in tasks:
                    if t.done() and not t.cancelled() and t.exception() is not None:
                        log.error("sender task failed", exc_info=t.exception())
            finally:
                self.leading = False
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(conn.close)

    def _try_lock(self) -> Connection | None:
        conn = self.engine.connect()
        if self.engine.dialect.name != "postgresql":
            return conn
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar()
            conn.commit()
        except Exception:
            conn.close()
            raise
        if got:  # name the connection, so operators (and tests) see who sends
            conn.execute(text(f"SET application_name = 'daiban-sender-{os.getpid()}'"))
            conn.commit()
            return conn
        conn.close()
        return None

    @staticmethod
    def _alive(conn: Connection) -> bool:
        try:
            conn.execute(text("SELECT 1"))
            conn.commit()
        except Exception:
            return False
        return True
