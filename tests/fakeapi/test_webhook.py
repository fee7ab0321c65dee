"""Webhook delivery to a small aiohttp receiver on 127.0.0.1: secret header, order, redelivery."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, Update
from telegram.error import BadRequest, Conflict

from bot.fakeapi import FakeBotAPI
from tests.fakeapi.conftest import VILLAGER


@dataclass
class Receiver:
    """Answers each POST with the next status in ``answers`` (then 200) and keeps what came."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), body))
        return web.Response(status=self.answers.pop(0) if self.answers else 200)

    def texts(self) -> list[str]:
        return [body["message"]["text"] for _, body in self.received]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    recv = Receiver()
    app = web.Application()
    app.router.add_post("/hook", recv.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recv.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield recv
    await runner.cleanup()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_updates_are_posted_with_the_secret(
    fake: FakeBotAPI, bot: Bot, receiver: Receiver
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token="s3cr3t-Token_1")
    fake.send_text(VILLAGER, "第一")
    fake.press(
        VILLAGER, (await bot.send_message(VILLAGER, "选", reply_markup=None)).message_id, "x"
    )
    await fake.wait_until(lambda: len(receiver.received) == 2)
    assert [secret for secret, _ in receiver.received] == ["s3cr3t-Token_1"] * 2
    updates = [Update.de_json(body, bot) for _, body in receiver.received]
    assert updates[0].message.text == "第一"
    assert updates[1].callback_query.data == "x"
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.last_error_message) == (receiver.url, 0, None)
    assert fake.pending_updates() == []


async def test_non_2xx_is_redelivered_in_order(
    fake: FakeBotAPI, bot: Bot, receiver: Receiver
) -> None:
    receiver.answers = [500, 503]
    await bot.set_webhook(receiver.url)
    fake.send_text(VILLAGER, "一")
    fake.send_text(VILLAGER, "二")
    await fake.wait_until(lambda: len(receiver.received) == 4)
    assert receiver.texts() == ["一", "一", "一", "二"]
    first_ids = {body["update_id"] for _, body in receiver.received[:3]}
    assert len(first_ids) == 1
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 503 Service Unavailable"
    assert info.pending_update_count == 0
    assert (fake.stats.webhook_failures, fake.stats.webhook_deliveries) == (2, 2)


async def test_connection_errors_keep_the_update(
    fake: FakeBotAPI, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(f"http://127.0.0.1:{closed_port()}/hook")
    fake.send_text(VILLAGER, "等我")
    await fake.wait_until(lambda: fake.stats.webhook_failures >= 1)
    info = await bot.get_webhook_info()
    assert (info.pending_update_count, info.last_error_message) == (1, "Connection refused")
    await bot.set_webhook(receiver.url)  # the bot comes back on a new address
    await fake.wait_until(lambda: len(receiver.received) == 1)
    assert receiver.texts() == ["等我"]


async def test_get_updates_conflicts_with_a_webhook(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.set_webhook(f"http://127.0.0.1:{closed_port()}/hook")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_drop_pending_updates(fake: FakeBotAPI, bot: Bot, receiver: Receiver) -> None:
    fake.send_text(VILLAGER, "旧消息")
    await bot.set_webhook(receiver.url, drop_pending_updates=True)
    fake.send_text(VILLAGER, "新消息")
    await fake.wait_until(lambda: len(receiver.received) == 1)
    assert receiver.texts() == ["新消息"]
    fake.send_text(VILLAGER, "再一条")
    await fake.wait_until(lambda: len(receiver.received) == 2)
    await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""


async def test_bad_webhook_parameters(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Secret token contains unallowed characters"):
        await bot.set_webhook("http://127.0.0.1:1/hook", secret_token="含中文")
    with pytest.raises(BadRequest, match="Bad webhook"):
        await bot.set_webhook("ftp://127.0.0.1/hook")
