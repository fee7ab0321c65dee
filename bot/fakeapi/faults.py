"""Injected failures: error answers, outages and dropped connections."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import ApiError


@dataclass
class _Rule:
    method: str | None  # lower-case method name, or None for any method
    remaining: int
    error: ApiError | None = None  # None: drop the connection

    def matches(self, method: str) -> bool:
        return self.remaining > 0 and (self.method is None or self.method == method.lower())


@dataclass
class Faults:
    rules: list[_Rule] = field(default_factory=list)
    outage: ApiError | None = None  # None with outage_drop: drop every connection
    outage_on: bool = False
    outage_drop: bool = False
    outage_until: float | None = None  # loop time at which a timed outage ends

    def add_failures(self, n: int, method: str | None, error: ApiError | None) -> None:
        if n > 0:
            self.rules.append(_Rule(method.lower() if method else None, n, error))

    def take(self, method: str) -> tuple[bool, ApiError | None]:
        """Consume the first rule matching this call: (matched, error or None to drop)."""
        for rule in self.rules:
            if rule.matches(method):
                rule.remaining -= 1
                if rule.remaining == 0:
                    self.rules.remove(rule)
                return True, rule.error
        return False, None

    def outage_now(self, now: float) -> bool:
        if self.outage_on and self.outage_until is not None and now >= self.outage_until:
            self.clear_outage()
        return self.outage_on

    def set_outage(self, error: ApiError | None, *, drop: bool, until: float | None) -> None:
        self.outage_on, self.outage, self.outage_drop, self.outage_until = True, error, drop, until

    def clear_outage(self) -> None:
        self.outage_on, self.outage, self.outage_drop, self.outage_until = False, None, False, None

    def clear(self) -> None:
        self.rules.clear()
        self.clear_outage()
