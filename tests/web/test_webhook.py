"""Webhook mode: the secret is checked, updates are recorded before the 200, the bot answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import select

import handlers.web
from bot.app import Runtime, build, start_web
from bot.fakeapi import FakeBotAPI
from bot.services.context import Deps
from bot.services.roster import import_roster
from bot.settings import AppSettings, DatabaseSettings, Settings, TelegramSettings
from models import InboundUpdate
from nlp import Classifier
from tests.factories import DEMO_ROSTER, Clock, after, register_by_buttons
from tests.web.conftest import TOKEN, WEBHOOK_SECRET, web_settings

Client = TestClient[web.Request, web.Application]
HOOK = "/telegram/webhook"
UPDATE = {
    "update_id": 5001,
    "message": {
        "message_id": 1,
        "date": 1700000000,
        "chat": {"id": 801, "type": "private"},
        "from": {"id": 801, "is_bot": False, "first_name": "王秀英"},
        "text": "/start",
    },
}


def recorded(deps: Deps) -> list[InboundUpdate]:
    with deps.read() as session:
        return list(session.exec(select(InboundUpdate)).all())


async def test_a_call_without_the_right_secret_is_refused_and_not_recorded(
    client: Client, roster_deps: Deps
) -> None:
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
        response = await client.post(HOOK, json=UPDATE, headers=headers)
        assert response.status == 403
    assert recorded(roster_deps) == []


async def test_a_body_that_is_not_an_update_is_a_400(client: Client, roster_deps: Deps) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    for body in (b"{not json", b'{"message": {}}', b"[1, 2]"):
        response = await client.post(HOOK, data=body, headers=headers)
        assert response.status == 400
    assert recorded(roster_deps) == []


async def test_an_update_is_recorded_once_before_the_200(
    client: Client, roster_deps: Deps, webapp: web.Application
) -> None:
    woken: list[bool] = []
    webapp[handlers.web.WEB].on_update.append(lambda: woken.append(True))
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    for _ in range(2):  # Telegram redelivers when it missed our answer
        response = await client.post(HOOK, json=UPDATE, headers=headers)
        assert response.status == 200
    [row] = recorded(roster_deps)
    assert (row.update_id, row.source, row.payload["message"]["text"]) == (
        5001,
        "webhook",
        "/start",
    )
    assert woken == [True, True]


def test_no_webhook_route_without_a_secret(roster_deps: Deps) -> None:
    from telegram import Bot

    from bot.dispatch import Dispatcher

    app = handlers.web.build(
        roster_deps,
        Dispatcher(roster_deps.writer, Bot(TOKEN)),
        settings=web_settings(webhook_url=None, webhook_secret=None),
    )
    assert all(r.resource is None or r.resource.canonical != HOOK for r in app.router.routes())


@pytest.fixture
async def hooked(
    engine: Engine, classifier: Classifier, clock: Clock, db_url: str
) -> AsyncIterator[tuple[FakeBotAPI, Runtime]]:
    """The real bot in webhook mode: the fake Bot API POSTs updates to our web server."""
    async with FakeBotAPI(token=TOKEN) as fake:
        fake.add_user(801, "王秀英")
        settings = Settings(
            telegram=TelegramSettings(base_url=fake.base_url, base_file_url=fake.base_file_url),
            database=DatabaseSettings(url=db_url),
            app=AppSettings(),
            web=web_settings(webhook_url="http://127.0.0.1/telegram/webhook", http_port=1),
        )
        runtime = build(settings, engine=engine, classifier=classifier, token=TOKEN)
        runtime.deps.clock = clock
        runtime.dispatcher.chat_interval = 0.0
        import_roster(runtime.deps, DEMO_ROSTER)
        await runtime.open()
        runtime.lead(polling=False)  # this process sends; updates come by webhook
        runner = await start_web(runtime, "127.0.0.1", 0)
        port = runner.addresses[0][1]
        try:
            await runtime.ptb.bot.set_webhook(
                f"http://127.0.0.1:{port}{HOOK}",
                secret_token=SecretStr(WEBHOOK_SECRET).get_secret_value(),
            )
            yield fake, runtime
        finally:
            await runner.cleanup()
            await runtime.close()


async def test_the_bot_answers_a_villager_through_the_webhook(
    hooked: tuple[FakeBotAPI, Runtime],
) -> None:
    fake, runtime = hooked
    # Runtime.open() learns the bot's username for the dashboard's Login Widget
    assert runtime.web[handlers.web.WEB].bot_username == "daiban_test_bot"
    await register_by_buttons(fake, 801, "柳湾镇", "杏花村", "一组")
    reply = await after(fake, 801, "受理号", lambda: fake.send_text(801, "麻烦给开个证明"))
    assert "证明开具" in reply.text
    assert fake.stats.webhook_deliveries >= 5
    sources = {row.source for row in recorded(runtime.deps)}
    assert sources == {"webhook"}


async def test_serve_webhook_registers_the_secret_and_never_polls(
    engine: Engine, classifier: Classifier, db_url: str
) -> None:
    import asyncio
    import socket

    from bot.app import serve_webhook

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    async with FakeBotAPI(token=TOKEN) as fake:
        settings = Settings(
            telegram=TelegramSettings(base_url=fake.base_url, base_file_url=fake.base_file_url),
            database=DatabaseSettings(url=db_url),
            app=AppSettings(),
            web=web_settings(
                webhook_url=f"http://127.0.0.1:{port}{HOOK}", http_port=port, public_url=None
            ),
        )
        runtime = build(settings, engine=engine, classifier=classifier, token=TOKEN)
        stop = asyncio.Event()
        task = asyncio.create_task(serve_webhook(runtime, stop))
        await fake.wait_until(lambda: bool(fake.calls_to("setWebhook")), timeout=20)
        [call] = fake.calls_to("setWebhook")
        assert call.params["url"] == f"http://127.0.0.1:{port}{HOOK}"
        assert call.params["secret_token"] == WEBHOOK_SECRET
        assert "callback_query" in call.params["allowed_updates"]
        fake.add_user(801, "王秀英")
        fake.send_text(801, "/help")
        await fake.wait_for_message(801, contains="/my")
        stop.set()
        await task
        assert fake.calls_to("getUpdates") == []
