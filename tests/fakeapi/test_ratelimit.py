"""The flood-limit model, with time as a parameter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.fakeapi.ratelimit import RateLimitConfig, RateLimiter


def send(limiter: RateLimiter, chat: int, private: bool, now: float) -> int | None:
    wait = limiter.check(chat, private, now)
    if wait is None:
        limiter.record(chat, private, now)
    return wait


def test_private_chat_allows_a_burst_of_three_then_one_per_second() -> None:
    limiter = RateLimiter()
    assert [send(limiter, 1, True, 0.0) for _ in range(4)] == [None, None, None, 1]
    assert send(limiter, 1, True, 0.5) == 1
    assert send(limiter, 1, True, 1.0) is None
    assert send(limiter, 1, True, 1.5) == 1
    assert send(limiter, 1, True, 2.0) is None
    assert send(limiter, 2, True, 2.0) is None  # another chat has its own bucket


def test_group_chat_allows_twenty_per_minute() -> None:
    limiter = RateLimiter()
    assert all(send(limiter, -5, False, i * 0.1) is None for i in range(20))
    assert send(limiter, -5, False, 10.0) == 50  # the first one leaves the window at t=60
    assert send(limiter, -5, False, 60.0) is None


def test_thirty_per_second_in_total() -> None:
    limiter = RateLimiter()
    assert all(send(limiter, chat, True, 0.0) is None for chat in range(30))
    assert send(limiter, 99, True, 0.5) == 1
    assert send(limiter, 99, True, 1.0) is None


def test_refused_calls_cost_nothing() -> None:
    limiter = RateLimiter(RateLimitConfig(private_burst=1))
    assert send(limiter, 1, True, 0.0) is None
    for _ in range(10):
        assert limiter.check(1, True, 0.2) == 1
    assert send(limiter, 1, True, 1.0) is None


@given(st.lists(st.floats(min_value=0, max_value=0.999), max_size=60))
def test_never_more_than_burst_plus_elapsed_seconds(offsets: list[float]) -> None:
    limiter = RateLimiter()
    times = sorted(offsets)
    allowed = [t for t in times if send(limiter, 1, True, t) is None]
    assert len(allowed) <= RateLimitConfig().private_burst


@given(st.lists(st.floats(min_value=0, max_value=120), min_size=1, max_size=80))
def test_group_window_never_exceeded(stamps: list[float]) -> None:
    limiter = RateLimiter()
    allowed = [t for t in sorted(stamps) if send(limiter, -1, False, t) is None]
    for t in allowed:
        in_window = [s for s in allowed if t - 60 < s <= t]
        assert len(in_window) <= 20
