"""Getting updates in and through the handlers: a durable poller and the feeder.

The poller fetches with getUpdates, records the batch (bot.services.inbound) and only then asks
for the next offset, which is what confirms the batch to Telegram. The feeder hands recorded
updates to PTB's `process_update` in update_id order and marks each done afterwards. A webhook
(later) records and answers 200, and the same feeder takes it from there.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlmodel import Session
from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application

from bot.services import inbound
from bot.services.context import Deps
from bot.telegram_calls import retry_seconds
from bot.wakeup import Wakeup
from handlers.telegram.common import BotData

log = logging.getLogger(__name__)


class Feeder:
    """Hands recorded updates to the PTB Application, oldest first, and marks each handled."""

    def __init__(self, deps: Deps, app: Application[Any, Any, Any, Any, BotData, Any]) -> None:
        self.deps = deps
        self.app = app
        self._wake = Wakeup()
        self._postgres = deps.engine.dialect.name == "postgresql"

    def wake(self) -> None:
        self._wake.set()

    async def run(self, tick: float = 2.0) -> None:
        if not self._postgres:  # SQLite means one process: whatever it was handling, it died
            inbound.release_all(self.deps)
        while True:
            self._wake.clear()
            try:
                handled = await self.feed_once()
            except Exception:
                log.exception("feeding updates failed; retrying")
                handled = 0
            if handled == 0:
                await self._wake.wait(tick)

    async def feed_once(self, limit: int = 50) -> int:
        """Handle up to `limit` recorded updates; returns how many."""
        if self._postgres:
            return await self._feed_locked(limit)
        rows = inbound.claim(self.deps, limit=min(limit, 10))
        for row in rows:
            error = await self._handle(row.payload, row.update_id)
            inbound.finish_by_id(self.deps, row.update_id, error)
        return len(rows)

    async def _feed_locked(self, limit: int) -> int:
        handled = 0
        while handled < limit:
            with Session(self.deps.writer, expire_on_commit=False) as session:
                row = inbound.lock_next(session)
                if row is None:
                    session.rollback()
                    break
                error = await self._handle(row.payload, row.update_id)
                inbound.finish(row, self.deps.now(), error)
                session.commit()
            handled += 1
        return handled

    async def _handle(self, payload: dict[str, Any], update_id: int) -> str | None:
        """Run the handlers; the error handler leaves any failure in bot_data.failures."""
        await asyncio.sleep(0)  # handlers are mostly synchronous: let the sender and jobs run
        await self.app.process_update(Update.de_json(payload, self.app.bot))
        return self.app.bot_data.failures.pop(update_id, None)


class Poller:
    """getUpdates in a loop; a batch is recorded before the next call confirms it."""

    def __init__(
        self,
        deps: Deps,
        app: Application[Any, Any, Any, Any, Any, Any],
        feeder: Feeder,
        *,
        timeout: int = 10,
    ) -> None:
        self.deps = deps
        self.app = app
        self.feeder = feeder
        self.timeout = timeout
        self.offset: int | None = None

    async def run(self) -> None:
        await self.app.bot.delete_webhook(drop_pending_updates=False)
        backoff = 0.5
        while True:
            try:
                updates = await self.app.bot.get_updates(
                    offset=self.offset, timeout=self.timeout, allowed_updates=Update.ALL_TYPES
                )
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
                continue
            except InvalidToken:
                log.critical("Telegram rejected the bot token; polling stops")
                raise
            except (NetworkError, Conflict) as exc:
                log.warning("getUpdates failed (%s); retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 0.5
            if not updates:
                continue
            inbound.record(self.deps, [u.to_dict() for u in updates], "polling")
            self.offset = updates[-1].update_id + 1
            self.feeder.wake()
