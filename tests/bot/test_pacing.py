"""The pacer against the fake Bot API's own flood-limit model, in virtual time.

The event loop here keeps a virtual clock: when nothing is ready to run it jumps straight to the
next timer instead of waiting, so minutes of sending take milliseconds and every run is exact.
Each simulated request reaches "Telegram" some time after it starts and is answered some time
after that; the fake's RateLimiter judges each arrival, as the real fake does.
"""

from __future__ import annotations

import asyncio
import random
import selectors
from collections.abc import Coroutine
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.fakeapi.ratelimit import RateLimitConfig, RateLimiter
from bot.pacing import Pacer


class _JumpingSelector:
    """Polls the real selector without blocking; a wait for a timer moves the clock instead."""

    def __init__(self, loop: VirtualLoop, real: selectors.BaseSelector) -> None:
        self._loop = loop
        self._real = real

    def select(self, timeout: float | None = None) -> list[Any]:
        events = self._real.select(0)
        if timeout is not None:  # every turn of the loop takes a microsecond, as on a real machine
            self._loop.now += 1e-6 if events else max(timeout, 1e-6)
        return events

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.now = 0.0
        super().__init__(selector=_JumpingSelector(self, selectors.DefaultSelector()))  # type: ignore[arg-type]

    def time(self) -> float:
        return self.now


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    loop = VirtualLoop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


async def send_all(
    chats: int, per_chat: int, latency: tuple[float, float], seed: int
) -> tuple[int, float]:
    """Send `per_chat` messages to each of `chats` chats; return (429s drawn, seconds taken)."""
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    pacer = Pacer(clock=loop.time, sleep=asyncio.sleep)
    telegram = RateLimiter(RateLimitConfig())
    refused = 0

    async def lane(chat: int) -> None:  # one chat's messages, one after another
        nonlocal refused
        for _ in range(per_chat):
            await pacer.turn(chat)
            await asyncio.sleep(rng.uniform(*latency))  # on the way to Telegram
            if telegram.check(chat, True, loop.time()) is None:
                telegram.record(chat, True, loop.time())
            else:
                refused += 1
            await asyncio.sleep(rng.uniform(*latency))  # the answer on its way back
            pacer.done(chat)

    await asyncio.gather(*(lane(1000 + c) for c in range(chats)))
    return refused, loop.time()


@settings(max_examples=25, deadline=None)
@given(
    chats=st.integers(min_value=1, max_value=40),
    per_chat=st.integers(min_value=1, max_value=12),
    slowest=st.floats(min_value=0.0005, max_value=0.8),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_no_429_however_the_latency_varies(
    chats: int, per_chat: int, slowest: float, seed: int
) -> None:
    refused, _ = run(send_all(chats, per_chat, (0.0, slowest), seed))
    assert refused == 0


def test_a_busy_agent_gets_a_burst_of_three_then_about_one_a_second() -> None:
    refused, took = run(send_all(1, 13, (0.001, 0.002), seed=1))
    assert refused == 0
    # 3 at once, then the other 10 at 1.1 s intervals (plus a few ms of latency each).
    assert 11.0 <= took < 11.5


def test_many_villagers_share_the_global_limit_near_thirty_a_second() -> None:
    refused, took = run(send_all(600, 1, (0.001, 0.002), seed=2))
    assert refused == 0
    assert 600 / took >= 28.0, f"{600 / took:.1f} messages/s"
