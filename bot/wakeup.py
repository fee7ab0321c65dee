"""A wake-up call that any thread may make: service work runs on worker threads (Deps.call)."""

from __future__ import annotations

import asyncio
import contextlib


class Wakeup:
    """An asyncio.Event bound to the loop that waits on it; `set()` is safe from any thread."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def set(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            self._event.set()  # nobody waits yet: the next wait() returns at once
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._event.set()
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody to wake
                loop.call_soon_threadsafe(self._event.set)

    def clear(self) -> None:
        self._event.clear()

    async def wait(self, seconds: float) -> bool:
        """Wait until set, or for `seconds` at most; True when woken."""
        self._loop = asyncio.get_running_loop()
        # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._event.wait()
                return True
        return False
