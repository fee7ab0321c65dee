"""The application factory: build(settings) -> Runtime holding the PTB Application and the web app.

Nothing is created at import time. Resources open in `Runtime.open()` and close in
`Runtime.close()` (PTB's post_init hooks only run under run_polling, and we run PTB ourselves so
the aiohttp server and the dispatcher share its event loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import Engine
from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

import handlers.telegram
import handlers.web
from bot import messages
from bot.db import make_engine
from bot.dispatch import Dispatcher
from bot.leader import Leadership
from bot.services.context import Deps, FollowUpPolicy
from bot.settings import OFFICIAL_BASE_URL, Settings, parse_hhmm
from bot.updates import Feeder, Poller
from handlers.telegram.common import BotData
from handlers.web.context import WEB
from nlp import Classifier
from scheduler import Scheduler

log = logging.getLogger(__name__)
PTBApp = Application[Any, Any, Any, Any, BotData, Any]


@dataclass
class Runtime:
    """Everything a running daiban process holds."""

    settings: Settings
    deps: Deps
    ptb: PTBApp
    web: web.Application
    dispatcher: Dispatcher
    scheduler: Scheduler
    feeder: Feeder
    leadership: Leadership
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def open(self) -> None:
        """Warm the classifier, connect PTB, set the command menu, start feeder and jobs."""
        await asyncio.to_thread(self.deps.classifier.warm_up)
        await self._initialize()
        self.web[WEB].bot_username = self.ptb.bot.username
        commands = [BotCommand(name, text) for name, text in messages.VILLAGER_COMMANDS.items()]
        try:  # everyone's menu; staff get theirs in their own chat (handlers.telegram.common)
            await self.ptb.bot.set_my_commands(commands)
        except Exception:  # a menu is a nicety: never block start-up on it
            log.warning("could not set the command menu", exc_info=True)
        await self.ptb.start()
        self.scheduler.start(self.ptb)
        self.tasks.append(asyncio.create_task(self.feeder.run(), name="update-feeder"))

    async def _initialize(self, max_backoff: float = 30.0) -> None:
        """Connect PTB (getMe); while Telegram is unreachable keep trying instead of dying."""
        backoff = 0.5
        while True:
            try:
                await self.ptb.initialize()
                return
            except InvalidToken:
                raise
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                log.warning("Telegram unreachable at start (%s); retry in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, max_backoff)

    def lead(self, *, polling: bool, timeout: int = 10) -> None:
        """Send the outbox (and poll, in polling mode) whenever this process is the sender."""
        work: list[Callable[[], Coroutine[Any, Any, None]]] = [self.dispatcher.run]
        if polling:
            work.append(Poller(self.deps, self.ptb, self.feeder, timeout=timeout).run)
        self.tasks.append(asyncio.create_task(self.leadership.hold(work), name="sender"))

    def start_polling(self, timeout: int = 10) -> None:
        """Long polling: getUpdates results are recorded before they are confirmed."""
        self.lead(polling=True, timeout=timeout)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()
        if self.ptb.running:
            await self.ptb.stop()
        await self.ptb.shutdown()
        await asyncio.to_thread(self.deps.close)
        self.deps.engine.dispose()


def policy(settings: Settings) -> FollowUpPolicy:
    """The follow-up schedule from DAIBAN_* settings."""
    quiet_start, quiet_end = settings.app.quiet
    return FollowUpPolicy(
        remind_before=timedelta(hours=settings.app.remind_before_hours),
        escalate_after_days=settings.app.escalate_after_days,
        digest_at=parse_hhmm(settings.app.digest_at),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
    )


def build(
    settings: Settings,
    *,
    engine: Engine | None = None,
    classifier: Classifier | None = None,
    token: str | None = None,
) -> Runtime:
    """Wire settings, database, classifier, PTB and aiohttp together (no network yet)."""
    engine = engine or make_engine(settings.database.url)
    classifier = classifier or Classifier.load(settings.app.catalog)
    deps = Deps(
        engine=engine,
        classifier=classifier,
        zone=settings.app.zone,
        workday_end=parse_hhmm(settings.app.workday_end),
        policy=policy(settings),
        flood_per_hour=settings.app.flood_per_hour,
        workers=settings.app.workers,
    )
    bot_token = settings.telegram.bot_token
    secret = token or (bot_token.get_secret_value() if bot_token else None)
    if secret is None:
        raise ValueError("a bot token is needed to build the application")
    ptb: PTBApp = (
        ApplicationBuilder()
        .token(secret)
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.base_file_url)
        .context_types(ContextTypes(bot_data=BotData))
        .defaults(Defaults(tzinfo=settings.app.zone))
        .rate_limiter(AIORateLimiter(max_retries=0))
        .updater(None)  # bot.updates.Poller records updates before confirming them
        .build()
    )
    ptb.bot_data.deps_ = deps
    ptb.bot_data.web_base_url = settings.web.base_url
    dispatcher = Dispatcher(engine, ptb.bot, clock=deps.now)
    deps.on_commit.append(dispatcher.wake)
    scheduler = Scheduler(deps)
    feeder = Feeder(deps, ptb)
    handlers.telegram.register(ptb)
    webapp = handlers.web.build(
        deps,
        dispatcher,
        settings=settings.web,
        bot_token=secret,
        widget=settings.telegram.base_url == OFFICIAL_BASE_URL,
    )
    webapp[WEB].on_update.append(feeder.wake)
    leadership = Leadership(engine)
    return Runtime(settings, deps, ptb, webapp, dispatcher, scheduler, feeder, leadership)


async def start_web(runtime: Runtime, host: str, port: int) -> web.AppRunner:
    """Serve the web app (health, metrics, webhook, Open311, dashboard) on host:port."""
    runner = web.AppRunner(runtime.web, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("web server on http://%s:%s", host, port)
    return runner


async def serve_polling(
    runtime: Runtime,
    stop: asyncio.Event,
    *,
    web_port: int | None = None,
    web_host: str = "127.0.0.1",
) -> None:
    """Run the bot with long polling (and the web server when a port is given) until `stop`."""
    runner: web.AppRunner | None = None
    await runtime.open()
    try:
        runtime.start_polling()
        if web_port is not None:
            try:
                runner = await start_web(runtime, web_host, web_port)
            except OSError as exc:  # the bot itself keeps working without its web side
                log.error("web server not started on %s:%s: %s", web_host, web_port, exc)
        log.info("daiban is running (long polling)")
        await stop.wait()
    finally:
        if runner is not None:
            await runner.cleanup()
        await runtime.close()


async def serve_webhook(runtime: Runtime, stop: asyncio.Event) -> None:
    """Run with a webhook: serve the web app, register WEBHOOK_URL with its secret, no poller.

    Updates are recorded before they are answered (handlers/web/webhook.py) and handled by the
    feeder. The webhook is left registered on exit so Telegram keeps updates for the restart.
    """
    web_settings = runtime.settings.web
    url, secret = web_settings.webhook_url, web_settings.webhook_secret
    if url is None or secret is None:
        raise ValueError("serve_webhook needs WEBHOOK_URL and WEBHOOK_SECRET")
    runner: web.AppRunner | None = None
    await runtime.open()
    try:
        runtime.lead(polling=False)  # the sender process drains the outbox
        runner = await start_web(runtime, web_settings.http_host, web_settings.http_port)
        await runtime.ptb.bot.set_webhook(
            url, secret_token=secret.get_secret_value(), allowed_updates=Update.ALL_TYPES
        )
        log.info("daiban is running (webhook %s)", url)
        await stop.wait()
    finally:
        if runner is not None:
            await runner.cleanup()
        await runtime.close()


def stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
