"""FakeBotAPI: a Telegram Bot API server on 127.0.0.1 for tests and the demo mode."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType

from aiohttp import web

from .actors import UserActions
from .models import ApiError, JsonDict
from .observe import Observers
from .ratelimit import RateLimitConfig, RateLimiter
from .server import ApiServer
from .store import Store
from .updates import WebhookSender, stop_task


class FakeBotAPI(UserActions, Observers):
    """Speaks the Bot API over real HTTP; the test or demo acts as the users through it.

    Point PTB at it with ``ApplicationBuilder().token(fake.token).base_url(fake.base_url)
    .base_file_url(fake.base_file_url)``.
    """

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limits: bool = False,
        rate_limit_config: RateLimitConfig | None = None,
        bot_name: str = "代办助手",
        bot_username: str = "daiban_test_bot",
        group_privacy: bool = True,
        webhook_timeout: float = 10.0,
        webhook_retry_delay: float = 0.05,
        on_transcript: Callable[[str], None] | None = None,
    ) -> None:
        bot_id, sep, _ = token.partition(":")
        if not sep or not bot_id.isdigit():
            raise ValueError("a bot token looks like '123456:secret'")
        self.token = token
        self.host = host
        self.port = port
        bot_user = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.store = Store(bot_user, group_privacy=group_privacy)
        self.store.on_transcript = on_transcript  # e.g. the demo prints each line as it happens
        self.server = ApiServer(self.store, token, rate_limits=rate_limits)
        if rate_limit_config is not None:
            self.server.limiter = RateLimiter(rate_limit_config)
        self._webhook = WebhookSender(
            self.store, timeout=webhook_timeout, retry_delay=webhook_retry_delay
        )
        self._runner: web.AppRunner | None = None
        self._sender_task: asyncio.Task[None] | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI is already running")
        self.store.closing = False
        runner = web.AppRunner(
            self.server.app(), access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        self._sender_task = asyncio.create_task(self._webhook.run(), name="fakeapi-webhook")

    async def stop(self) -> None:
        """Stop serving: long polls return at once, the webhook sender ends, sockets close."""
        if self._runner is None:
            return
        self.store.closing = True
        self.store.notify()
        await stop_task(self._sender_task)
        self._sender_task = None
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- addresses -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._runner is None:
            raise RuntimeError("start() the FakeBotAPI first")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ApplicationBuilder().base_url(): PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> JsonDict:
        return dict(self.store.bot_user)

    # --- flood limits --------------------------------------------------------------------------

    @property
    def rate_limits(self) -> bool:
        return self.server.rate_limits

    @rate_limits.setter
    def rate_limits(self, on: bool) -> None:
        self.server.rate_limits = on

    def reset_rate_limits(self) -> None:
        """Forget all messages counted so far (e.g. between test phases)."""
        self.server.limiter = RateLimiter(self.server.limiter.config)

    # --- fault injection -----------------------------------------------------------------------

    def fail_next(
        self,
        n: int = 1,
        *,
        method: str | None = None,
        status: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
    ) -> None:
        """Answer the next n calls (of ``method``, or any) with this error instead."""
        if status == 429 and retry_after is None:
            retry_after = 1
        error = ApiError(status, description, retry_after=retry_after)
        self.server.faults.add_failures(n, method, error)

    def drop_connection_next(self, n: int = 1, *, method: str | None = None) -> None:
        """Close the TCP connection without answering the next n calls (of ``method``)."""
        self.server.faults.add_failures(n, method, None)

    def set_outage(
        self,
        on: bool = True,
        *,
        drop: bool = False,
        status: int = 502,
        description: str = "Bad Gateway",
    ) -> None:
        """Every call (and file download) fails with 502 — or, with drop=True, gets its
        connection closed unanswered — until set_outage(False)."""
        if on:
            self.server.faults.set_outage(ApiError(status, description), drop=drop, until=None)
        else:
            self.server.faults.clear_outage()

    def fail_for(
        self,
        seconds: float,
        *,
        drop: bool = False,
        status: int = 502,
        description: str = "Bad Gateway",
    ) -> None:
        """An outage that ends by itself after ``seconds`` (or earlier with set_outage(False))."""
        until = asyncio.get_running_loop().time() + seconds
        self.server.faults.set_outage(ApiError(status, description), drop=drop, until=until)

    def clear_faults(self) -> None:
        """Cancel pending fail_next/drop_connection_next rules and any outage."""
        self.server.faults.clear()
