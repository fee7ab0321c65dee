"""Telegram's flood limits for sending and editing, as a pure object whose clock is a parameter.

The model (Telegram publishes only approximate figures, see the Bot FAQ):
- all chats together: at most ``global_per_second`` (30) messages in any sliding 1 s window;
- one private chat: a token bucket of ``private_burst`` (3) messages refilled at
  ``private_per_second`` (1) message per second, i.e. a short burst is tolerated, then about
  1 message/s; the fourth quick message to one villager draws a 429;
- one group chat: at most ``group_per_minute`` (20) messages in any sliding 60 s window.
Only successful calls are charged (``record``); a refused one costs nothing. ``retry_after`` is
the whole number of seconds (>= 1) until the call would pass.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RateLimitConfig:
    global_per_second: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class RateLimiter:
    config: RateLimitConfig = field(default_factory=RateLimitConfig)
    _all: deque[float] = field(default_factory=deque)
    _groups: dict[int, deque[float]] = field(default_factory=dict)
    _private: dict[int, _Bucket] = field(default_factory=dict)

    @staticmethod
    def _window_wait(stamps: deque[float], limit: int, window: float, now: float) -> float:
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        if len(stamps) < limit:
            return 0.0
        return stamps[len(stamps) - limit] + window - now

    def _bucket(self, chat_id: int, now: float) -> _Bucket:
        cfg = self.config
        bucket = self._private.setdefault(chat_id, _Bucket(float(cfg.private_burst), now))
        refill = (now - bucket.stamp) * cfg.private_per_second
        bucket.tokens = min(float(cfg.private_burst), bucket.tokens + refill)
        bucket.stamp = now
        return bucket

    def check(self, chat_id: int, private: bool, now: float) -> int | None:
        """Seconds to wait before a message to this chat is allowed, or None if it is now."""
        cfg = self.config
        wait = self._window_wait(self._all, cfg.global_per_second, 1.0, now)
        if private:
            bucket = self._bucket(chat_id, now)
            if bucket.tokens < 1.0:
                wait = max(wait, (1.0 - bucket.tokens) / cfg.private_per_second)
        else:
            stamps = self._groups.setdefault(chat_id, deque())
            wait = max(wait, self._window_wait(stamps, cfg.group_per_minute, 60.0, now))
        if wait <= 0:
            return None
        return max(1, math.ceil(wait))

    def record(self, chat_id: int, private: bool, now: float) -> None:
        """Charge one message to this chat (call after a successful send or edit)."""
        self._all.append(now)
        if private:
            self._bucket(chat_id, now).tokens -= 1.0
        else:
            self._groups.setdefault(chat_id, deque()).append(now)
