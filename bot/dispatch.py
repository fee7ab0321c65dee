"""The outbox dispatcher: the only code that sends messages to Telegram.

Rows are claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), sent through PTB one chat
lane at a time, and marked sent or failed. It paces itself below Telegram's limits (about 30
messages/s overall, 1/s per chat), honours retry_after, retries network errors with capped
backoff and keeps a chat's messages in order; permanent errors (blocked, chat not found) are
recorded on the row. A crash loses nothing: an unsent claimed row is picked up when its lease ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select
from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.coalesce import coalesce_cards
from bot.db import clocked, session_scope
from bot.pacing import Pacer
from bot.services import delivery
from bot.telegram_calls import retry_seconds, telegram_call
from bot.wakeup import Wakeup
from models import Outbox, OutboxStatus, utcnow
from models.types import CLOCK

log = logging.getLogger(__name__)

_EDIT_GONE = ("message to edit not found", "message can't be edited")
_CHAT_GONE = ("chat not found", "user not found", "have no rights", "not enough rights")
_SOURCE_GONE = ("message to copy not found",)  # the villager deleted what we were forwarding


@dataclass
class DispatchStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    rate_limited: int = 0
    last_loop: float = field(default_factory=time.monotonic)


@dataclass
class _Lane:
    queue: asyncio.Queue[int]
    task: asyncio.Task[None] | None = None


class Dispatcher:
    """Drains the outbox; one lane (sequential worker) per chat, a shared global pace."""

    def __init__(
        self,
        engine: Engine,
        bot: Bot,
        *,
        global_limit: int = 29,
        chat_interval: float = 1.1,
        chat_burst: int = 3,
        batch: int = 200,
        per_chat: int = 3,
        lease: timedelta = timedelta(minutes=5),
        max_backoff: float = 300.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        # The services' clock (Deps.clock, or the one a clocked engine carries), so "due now"
        # means the same to the dispatcher as to whoever wrote the row.
        self.clock: Callable[[], datetime] = (
            clock or engine.get_execution_options().get(CLOCK) or utcnow
        )
        self.engine = clocked(engine, self.clock)
        self.bot = bot
        self.pacer = Pacer(
            global_limit=global_limit, chat_interval=chat_interval, chat_burst=chat_burst
        )
        self.batch = batch
        self.per_chat = per_chat
        self.lease = lease
        self.max_backoff = max_backoff
        self.stats = DispatchStats()
        self._lanes: dict[int, _Lane] = {}
        self._wake = Wakeup()
        self._idle: asyncio.Event | None = None

    # ---- control ---------------------------------------------------------------------------

    @property
    def chat_interval(self) -> float:
        return self.pacer.chat_interval

    @chat_interval.setter
    def chat_interval(self, seconds: float) -> None:
        """Tests and the demo, whose fake Bot API has Telegram's limits off, set this to 0."""
        self.pacer.chat_interval = seconds

    def wake(self) -> None:
        """New rows were committed: look at the outbox now rather than at the next tick."""
        self._wake.set()

    async def run(self, tick: float = 1.0) -> None:
        """Pump forever; cancelled on shutdown. Only the sender process runs this (bot.leader)."""
        taken_back = self.reclaim()
        if taken_back:
            log.warning("took back %d messages a previous sender had claimed", taken_back)
        self.remember_recent_sends()
        try:
            while True:
                self.stats.last_loop = time.monotonic()
                try:
                    claimed = await self.pump()
                except Exception:  # a database hiccup must not kill the dispatcher
                    log.exception("outbox pump failed; retrying")
                    claimed = 0
                if claimed == 0:
                    self._wake.clear()
                    await self._wake.wait(tick)
        finally:
            await self._stop_lanes()

    async def drain(self, limit: float = 60.0) -> None:
        """Send everything due now, then return (for the CLI, the demo and tests)."""
        async with asyncio.timeout(limit):
            while True:
                claimed = await self.pump()
                if self._lanes:
                    await asyncio.gather(
                        *(lane.task for lane in list(self._lanes.values()) if lane.task)
                    )
                elif claimed == 0:
                    return

    def reclaim(self) -> int:
        """Rows another sender claimed and never finished go back to the queue.

        Safe because one process sends at a time (bot.leader): when this one starts sending,
        whoever claimed a row earlier is gone.
        """
        with session_scope(self.engine) as session:
            result = session.execute(
                update(Outbox)
                .where(col(Outbox.status) == OutboxStatus.SENDING)
                .values(status=OutboxStatus.PENDING, not_before=self.clock())
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def remember_recent_sends(self, horizon: float = 10.0) -> None:
        """Start pacing from what was sent lately (by a sender that just died, say).

        Telegram counts those messages in its windows too; replaying their times into the
        global window and the per-chat buckets keeps a fresh sender from drawing a 429.
        """
        wall, mono = self.clock(), time.monotonic()
        with Session(self.engine) as session:
            rows = session.exec(
                select(Outbox.chat_id, Outbox.sent_at)
                .where(
                    col(Outbox.status) == OutboxStatus.SENT,
                    col(Outbox.sent_at) >= wall - timedelta(seconds=horizon),
                )
                .order_by(col(Outbox.sent_at))
            ).all()
        for chat_id, sent_at in rows:
            if sent_at is None:
                continue
            self.pacer.remember(chat_id, mono - (wall - sent_at).total_seconds())

    async def _stop_lanes(self) -> None:
        tasks = [lane.task for lane in self._lanes.values() if lane.task]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._lanes.clear()

    # ---- claiming --------------------------------------------------------------------------

    async def pump(self) -> int:
        """Claim due rows (a few per chat) and hand them to their chat lanes."""
        rows = self._claim()
        for row_id, chat_id in rows:
            lane = self._lanes.get(chat_id)
            if lane is None:
                lane = self._lanes[chat_id] = _Lane(asyncio.Queue())
            lane.queue.put_nowait(row_id)
            if lane.task is None or lane.task.done():
                lane.task = asyncio.create_task(
                    self._run_lane(chat_id, lane), name=f"lane-{chat_id}"
                )
        return len(rows)

    def _claim(self) -> list[tuple[int, int]]:
        now = self.clock()
        busy = {chat: lane.queue.qsize() + 1 for chat, lane in self._lanes.items()}
        with session_scope(self.engine) as session:
            query = (
                select(Outbox)
                .where(
                    or_(
                        col(Outbox.status) == OutboxStatus.PENDING,
                        col(Outbox.status) == OutboxStatus.SENDING,  # lease ran out
                    ),
                    col(Outbox.not_before) <= now,
                )
                .order_by(col(Outbox.priority), col(Outbox.id))
                .limit(self.batch)
            )
            if self.engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            chosen: list[tuple[int, int]] = []
            merged: set[int] = set()
            for row in session.exec(query).all():
                if (
                    busy.get(row.chat_id, 0) >= self.per_chat
                    or row.status is OutboxStatus.COALESCED
                ):
                    continue
                if row.kind == "assignment" and row.chat_id not in merged:
                    merged.add(row.chat_id)
                    listed = coalesce_cards(session, row.chat_id, now)
                    if listed is not None:
                        row = listed
                busy[row.chat_id] = busy.get(row.chat_id, 0) + 1
                row.status = OutboxStatus.SENDING
                row.not_before = now + self.lease
                chosen.append((row.id or 0, row.chat_id))
        return chosen

    # ---- sending ---------------------------------------------------------------------------

    async def _run_lane(self, chat_id: int, lane: _Lane) -> None:
        try:
            while not lane.queue.empty():
                row_id = lane.queue.get_nowait()
                await self._deliver(row_id, chat_id)
        finally:
            if self._lanes.get(chat_id) is lane and lane.queue.empty():
                del self._lanes[chat_id]

    async def _deliver(self, row_id: int, chat_id: int) -> None:
        attempt = 0
        while True:
            with session_scope(self.engine) as session:
                row = session.get(Outbox, row_id)
                if row is None or row.status is not OutboxStatus.SENDING:
                    return
                method, payload = self._resolve(session, row)
            await self.pacer.turn(chat_id)
            try:
                try:
                    message_id = await telegram_call(self.bot, method, chat_id, payload)
                finally:
                    self.pacer.done(chat_id)
            except RetryAfter as exc:
                wait = retry_seconds(exc)
                self.stats.rate_limited += 1
                self.pacer.pause(wait)
                log.warning("429 from Telegram: pausing %.1fs", wait)
                continue
            except Forbidden as exc:
                reason = exc.message.lower().removeprefix("forbidden: ")
                self._finish(row_id, OutboxStatus.FAILED, error=f"forbidden: {reason}")
                return
            except BadRequest as exc:
                reason = exc.message.lower()
                if "message is not modified" in reason:
                    self._finish(row_id, OutboxStatus.SENT)
                    return
                if method == "editMessageText" and any(s in reason for s in _EDIT_GONE):
                    payload.pop("message_id", None)
                    method = "sendMessage"
                    self._rewrite(row_id, method, payload)
                    continue
                gone = _CHAT_GONE + _SOURCE_GONE
                if not any(s in reason for s in gone):  # our message is wrong: a bug
                    log.error("Telegram refused outbox row %s: %s", row_id, exc.message)
                self._finish(row_id, OutboxStatus.FAILED, error=f"bad request: {reason}")
                return
            except InvalidToken:
                log.critical("Telegram rejected the bot token; leaving row %s queued", row_id)
                self._release(row_id, "invalid token", delay=60.0)
                raise
            except NetworkError as exc:
                attempt += 1
                self.stats.retried += 1
                delay = min(self.max_backoff, 0.5 * 2**attempt)
                self._release(row_id, f"network: {exc.message}", delay=None, keep=True)
                log.warning(
                    "send of row %s failed (%s); retry %d in %.1fs",
                    row_id,
                    exc.message,
                    attempt,
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            self._finish(row_id, OutboxStatus.SENT, message_id=message_id)
            return

    def _resolve(self, session: Session, row: Outbox) -> tuple[str, dict[str, Any]]:
        """Turn an edit of an earlier outbox row into a real message id, or into a new message."""
        payload = dict(row.payload)
        ref = payload.pop("edit_of", None)
        if row.method != "editMessageText" or ref is None:
            return row.method, payload
        original = session.get(Outbox, ref)
        if original is not None and original.tg_message_id is not None:
            payload["message_id"] = original.tg_message_id
            return "editMessageText", payload
        return "sendMessage", payload  # the card never went out: send the current state instead

    # ---- bookkeeping -----------------------------------------------------------------------

    def _finish(
        self,
        row_id: int,
        status: OutboxStatus,
        *,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        with session_scope(self.engine) as session:
            row = session.get(Outbox, row_id)
            if row is None:
                return
            row.status = status
            row.attempts += 1
            row.error = error
            if status is OutboxStatus.SENT:
                row.sent_at = self.clock()
                row.tg_message_id = message_id
                self.stats.sent += 1
                delivery.delivered(session, row.chat_id)
            else:
                self.stats.failed += 1
                gone = (error or "").startswith("forbidden") or any(
                    s in (error or "") for s in _CHAT_GONE
                )
                delivery.undeliverable(session, row, error or "", person_gone=gone)
                log.warning(
                    "outbox row %s to chat %s failed for good: %s", row_id, row.chat_id, error
                )

    def _release(self, row_id: int, error: str, *, delay: float | None, keep: bool = False) -> None:
        """Record a failed attempt; keep the claim (retrying here) or hand the row back."""
        with session_scope(self.engine) as session:
            row = session.get(Outbox, row_id)
            if row is None:
                return
            row.attempts += 1
            row.error = error
            if keep:
                row.not_before = self.clock() + self.lease
            else:
                row.status = OutboxStatus.PENDING
                row.not_before = self.clock() + timedelta(seconds=delay or 0)

    def _rewrite(self, row_id: int, method: str, payload: dict[str, Any]) -> None:
        with session_scope(self.engine) as session:
            row = session.get(Outbox, row_id)
            if row is not None:
                row.method = method
                row.payload = payload

    def backlog(self) -> int:
        with Session(self.engine) as session:
            return len(
                session.exec(
                    select(Outbox.id).where(
                        col(Outbox.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
                    )
                ).all()
            )
