"""Injected failures and flood limits, as PTB and raw HTTP clients see them."""

from __future__ import annotations

import asyncio
import datetime as dtm

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.fakeapi import FakeBotAPI
from tests.fakeapi.conftest import AGENT, GROUP, VILLAGER


async def test_fail_next_any_method(fake: FakeBotAPI, bot: Bot) -> None:
    fake.fail_next(1)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(VILLAGER, "一")
    await bot.send_message(VILLAGER, "二")
    assert [m.text for m in fake.messages(VILLAGER)] == ["二"]  # the failed call had no effect
    assert fake.stats.errors[500] == 1


async def test_fail_next_for_one_method(fake: FakeBotAPI, bot: Bot) -> None:
    fake.fail_next(2, method="sendMessage", status=400, description="Bad Request: injected")
    await bot.get_me()
    for _ in range(2):
        with pytest.raises(BadRequest, match="Injected"):
            await bot.send_message(VILLAGER, "x")
    await bot.send_message(VILLAGER, "x")
    assert [c.status for c in fake.calls_to("sendMessage")] == [400, 400, 200]


async def test_injected_429_raises_retry_after(fake: FakeBotAPI, bot: Bot) -> None:
    fake.fail_next(1, status=429, description="Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(VILLAGER, "x")
    assert info.value.retry_after == dtm.timedelta(seconds=7)


async def test_outage_until_cleared(fake: FakeBotAPI, bot: Bot, http: httpx.AsyncClient) -> None:
    fake.set_outage(True)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_me()
    resp = await http.post("sendMessage", json={"chat_id": VILLAGER, "text": "x"})
    assert resp.status_code == 502
    assert resp.json() == {"ok": False, "error_code": 502, "description": "Bad Gateway"}
    fake.set_outage(False)
    assert (await bot.get_me()).username == "daiban_test_bot"


async def test_outage_that_drops_connections(fake: FakeBotAPI, bot: Bot) -> None:
    fake.set_outage(True, drop=True)
    with pytest.raises(NetworkError):
        await bot.send_message(VILLAGER, "x")
    fake.set_outage(False)
    await bot.send_message(VILLAGER, "x")
    assert [c.status for c in fake.calls_to("sendMessage")] == [0, 200]


async def test_timed_outage_ends_by_itself(fake: FakeBotAPI, bot: Bot) -> None:
    fake.fail_for(3600)
    with pytest.raises(NetworkError):
        await bot.get_me()
    fake.fail_for(0)  # an outage whose end has already passed
    await bot.get_me()


async def test_drop_connection_next(fake: FakeBotAPI, bot: Bot, http: httpx.AsyncClient) -> None:
    fake.drop_connection_next(1, method="sendMessage")
    await bot.get_me()
    with pytest.raises(NetworkError):
        await bot.send_message(VILLAGER, "x")
    fake.drop_connection_next(1)
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post("getMe")
    assert (await http.post("getMe")).status_code == 200
    assert fake.messages(VILLAGER) == []


async def test_clear_faults(fake: FakeBotAPI, bot: Bot) -> None:
    fake.fail_next(5)
    fake.drop_connection_next(5)
    fake.set_outage(True)
    fake.clear_faults()
    await bot.get_me()


async def test_rate_limits_off_by_default(fake: FakeBotAPI, bot: Bot) -> None:
    await asyncio.gather(*(bot.send_message(VILLAGER, f"第{i}条") for i in range(10)))
    assert fake.stats.too_many_requests == 0


async def test_private_chat_flood(fake: FakeBotAPI, bot: Bot, http: httpx.AsyncClient) -> None:
    fake.rate_limits = True
    for text in ("收到", "已受理", "请评价"):
        await bot.send_message(VILLAGER, text)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(VILLAGER, "我的事项")
    assert info.value.retry_after == dtm.timedelta(seconds=1)
    body = (await http.post("sendMessage", json={"chat_id": VILLAGER, "text": "x"})).json()
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    await bot.send_message(AGENT, "另一个人不受影响")
    await bot.get_me()  # only sending and editing count
    assert fake.stats.too_many_requests == 2
    assert fake.stats.errors[429] == 2
    fake.reset_rate_limits()
    await bot.send_message(VILLAGER, "重新计数")


async def test_edits_count_towards_the_limit(fake: FakeBotAPI, bot: Bot) -> None:
    msg = await bot.send_message(VILLAGER, "v0")
    fake.rate_limits = True
    await bot.edit_message_text("v1", VILLAGER, msg.message_id)
    await bot.edit_message_text("v2", VILLAGER, msg.message_id)
    await bot.edit_message_text("v3", VILLAGER, msg.message_id)
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("v4", VILLAGER, msg.message_id)


async def test_group_flood(fake: FakeBotAPI, bot: Bot) -> None:
    fake.add_bot_to_group(GROUP, by_user=VILLAGER)
    fake.rate_limits = True
    for i in range(20):
        await bot.send_message(GROUP, f"通知{i}")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(GROUP, "第21条")
    assert dtm.timedelta(seconds=55) <= info.value.retry_after <= dtm.timedelta(seconds=60)


async def test_global_flood() -> None:
    async with FakeBotAPI(rate_limits=True) as fake:
        for uid in range(1, 32):
            fake.add_user(uid, f"村民{uid}")
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            results = await asyncio.gather(
                *(bot.send_message(uid, "通知") for uid in range(1, 32)), return_exceptions=True
            )
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert len(refused) >= 1 and fake.stats.messages_sent <= 30
