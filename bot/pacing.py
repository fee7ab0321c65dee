"""Pacing below Telegram's limits: per chat a short burst then ~1/s, globally under 30 a second.

Per chat it is a GCRA bucket: `chat_burst` messages at once, then one per `chat_interval` seconds
(Telegram tolerates a short burst to one chat, then about one a second). A chat's sends go one
after another (one lane per chat), and the bucket is charged when a send is *answered*, not when it
starts: Telegram counts the moment a request arrives, which lies between the two, so however the
latency varies from one request to the next, the arrivals are spaced at least as widely as the
bucket allows (charging at the start drew an occasional 429 when an early request was slow to
arrive and a later one quick). Globally a send may start
only while fewer than `global_limit` sends are in flight or were answered within the last second:
a request reaches Telegram before its answer comes back, so no 1-second window at Telegram holds
more than `global_limit` arrivals, whatever the network latency does. A 429's retry_after pauses
everything.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class Pacer:
    """Decides when the next message to a chat may start; one per sending process."""

    def __init__(
        self,
        *,
        global_limit: int = 29,
        chat_interval: float = 1.1,
        chat_burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self.global_limit = global_limit
        self.chat_interval = chat_interval
        self.chat_burst = chat_burst
        self._recent: deque[float] = deque()  # when recent sends got their answer (monotonic)
        self._in_flight = 0
        self._slot_freed: asyncio.Event | None = None
        self._chat_tat: dict[int, float] = {}  # per chat: when its bucket is next empty
        self._paused_until = 0.0

    async def turn(self, chat_id: int) -> None:
        """Wait until a message to `chat_id` may start; call `done(chat_id)` when answered.

        Messages to one chat must be sent one after another (the dispatcher's lanes do that).
        """
        allowance = (self.chat_burst - 1) * self.chat_interval
        while True:
            now = self._clock()
            tat = self._chat_tat.get(chat_id, now)
            ready = max(tat - allowance, self._paused_until)
            if ready <= now:
                break
            await self._sleep(ready - now)
        await self._global_slot()

    def done(self, chat_id: int) -> None:
        """The request to `chat_id` started by `turn()` got its answer (or failed)."""
        now = self._clock()
        self._in_flight -= 1
        self._recent.append(now)
        self._chat_tat[chat_id] = max(self._chat_tat.get(chat_id, now), now) + self.chat_interval
        if len(self._chat_tat) > 10_000:
            self._chat_tat = {c: t for c, t in self._chat_tat.items() if t > now}
        if self._slot_freed is not None:
            self._slot_freed.set()

    def pause(self, seconds: float) -> None:
        """Telegram said retry_after: nothing goes out before then."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def remember(self, chat_id: int, at: float) -> None:
        """A message went to `chat_id` at monotonic time `at` (sent by an earlier sender)."""
        if at > self._clock() - 1.0:
            self._recent.append(at)
            self._recent = deque(sorted(self._recent))
        tat = self._chat_tat.get(chat_id, at)
        self._chat_tat[chat_id] = max(tat, at) + self.chat_interval

    async def _global_slot(self) -> None:
        if self._slot_freed is None:
            self._slot_freed = asyncio.Event()
        while True:
            now = self._clock()
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            if len(self._recent) + self._in_flight < self.global_limit:
                self._in_flight += 1
                return
            self._slot_freed.clear()
            if self._recent:
                await self._sleep(self._recent[0] + 1.0 - now)
            else:  # every slot is a request still in flight: wait for one to finish
                await self._slot_freed.wait()
