"""End to end: real PTB Applications (polling, custom webhook, a killed bot process) on the fake."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.fakeapi import FakeBotAPI
from tests.fakeapi.conftest import VILLAGER


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    menu = InlineKeyboardMarkup([[InlineKeyboardButton("办事", callback_data="go")]])
    await update.effective_message.reply_html("<b>欢迎</b>使用代办助手", reply_markup=menu)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("好的")
    await query.edit_message_text("请说说您要办的事")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(f"收到：{update.effective_message.text}")


async def voice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    tg_file = await update.effective_message.voice.get_file()
    data = await tg_file.download_as_bytearray()
    await update.effective_message.reply_text(f"语音 {len(data)} 字节")


def build(fake: FakeBotAPI, **updater: object) -> Application:
    builder = ApplicationBuilder().token(fake.token).base_url(fake.base_url)
    builder = builder.base_file_url(fake.base_file_url)
    if updater.get("none"):
        builder = builder.updater(None)
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.VOICE, voice))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


async def converse(fake: FakeBotAPI) -> None:
    fake.send_text(VILLAGER, "/start")
    welcome = await fake.wait_for_message(VILLAGER, contains="欢迎")
    assert welcome.html == "<b>欢迎</b>使用代办助手"
    qid = fake.press_button(VILLAGER, "办事")
    assert await fake.wait_for_answer(qid) == "好的"
    await fake.wait_for_message(VILLAGER, contains="请说说")
    assert welcome.buttons == []  # the edit removed the keyboard
    fake.send_text(VILLAGER, "俺爹住院的钱能报不")
    await fake.wait_for_message(VILLAGER, contains="收到：俺爹住院的钱能报不")
    fake.send_voice(VILLAGER, duration=3, data=b"OggS" + bytes(96))
    await fake.wait_for_message(VILLAGER, contains="语音 100 字节")


async def test_polling_application(fake: FakeBotAPI) -> None:
    app = build(fake)
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=10)
    await app.start()
    try:
        await converse(fake)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert fake.pending_updates() == []  # PTB confirmed everything when it stopped
    assert fake.transcript()[:3] == [
        "王秀英 → 机器人: /start",
        "机器人 → 王秀英: 欢迎使用代办助手\n    [办事]",
        "王秀英 按下 [办事]",
    ]


@pytest.fixture
async def hook_app(fake: FakeBotAPI) -> AsyncIterator[tuple[Application, str]]:
    """A PTB Application fed by an aiohttp webhook route, as TELEGRAM.md describes."""
    app = build(fake, none=True)
    secret = "daiban-secret"

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != secret:
            return web.Response(status=403)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return web.Response()

    web_app = web.Application()
    web_app.router.add_post("/telegram", receive)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
    async with app:
        await app.start()
        await app.bot.set_webhook(url, secret_token=secret)
        yield app, url
        await app.stop()
    await runner.cleanup()


async def test_webhook_application(fake: FakeBotAPI, hook_app: tuple[Application, str]) -> None:
    await converse(fake)
    assert fake.pending_updates() == []
    assert fake.stats.webhook_failures == 0


BOT_SCRIPT = """
import sys
from telegram.ext import ApplicationBuilder, MessageHandler, filters

async def echo(update, context):
    await update.effective_message.reply_text("回声：" + update.effective_message.text)

token, base_url, file_url = sys.argv[1:4]
app = ApplicationBuilder().token(token).base_url(base_url).base_file_url(file_url).build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0, timeout=10)
"""


@pytest.mark.slow
async def test_bot_process_killed_and_restarted(fake: FakeBotAPI, tmp_path: Path) -> None:
    script = tmp_path / "echo_bot.py"
    script.write_text(BOT_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PTB_TIMEDELTA": "1"}
    argv = [sys.executable, str(script), fake.token, fake.base_url, fake.base_file_url]

    async def launch() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *argv, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )

    proc = await launch()
    try:
        fake.send_text(VILLAGER, "第一条")
        await fake.wait_for_message(VILLAGER, contains="回声：第一条", timeout=30)
        await fake.wait_until(lambda: fake.long_polls_waiting == 1, timeout=30)
        proc.kill()  # SIGKILL: its long poll is left dangling on the server
        await proc.wait()
        fake.send_text(VILLAGER, "第二条")  # arrives while the bot is down
        proc = await launch()
        await fake.wait_for_message(VILLAGER, contains="回声：第二条", timeout=30)
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
    assert [m.text for m in fake.messages(VILLAGER)] == ["回声：第一条", "回声：第二条"]
