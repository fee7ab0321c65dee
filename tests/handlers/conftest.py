"""A live bot: the real PTB Application polling the fake Bot API over 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine

from bot.app import Runtime, build
from bot.fakeapi import FakeBotAPI
from bot.services.roster import import_roster
from bot.settings import AppSettings, DatabaseSettings, Settings, TelegramSettings
from nlp import Classifier
from tests.factories import DEMO_ROSTER, Clock

TOKEN = "700000001:AAtest-daiban-fake-bot-api-token-0000"
VILLAGERS = {801: "王秀英", 802: "张福贵", 803: "刘小军", 804: "陈桂芳"}
AGENTS = {
    700101: ("李建国", "13909430101"),
    700102: ("马兰花", "13909430102"),
    700103: ("赵德胜", "13909430103"),
    700104: ("孙红梅", "13909430104"),
    700106: ("吴振华", "13909430106"),
    700107: ("郑玉兰", "13909430107"),
    700108: ("钱国庆", "13909430108"),
    700109: ("冯书记", "13909430109"),
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as api:
        for uid, name in VILLAGERS.items():
            api.add_user(uid, name)
        for uid, (name, phone) in AGENTS.items():
            api.add_user(uid, name, phone=phone)
        yield api


@pytest.fixture
async def live(
    fake: FakeBotAPI, engine: Engine, classifier: Classifier, clock: Clock, db_url: str
) -> AsyncIterator[Runtime]:
    settings = Settings(
        telegram=TelegramSettings(base_url=fake.base_url, base_file_url=fake.base_file_url),
        database=DatabaseSettings(url=db_url),
        app=AppSettings(),
    )
    runtime = build(settings, engine=engine, classifier=classifier, token=TOKEN)
    runtime.deps.clock = clock
    runtime.dispatcher.chat_interval = (
        0.0  # the fake's flood limits are off here (see tests/scheduler)
    )
    import_roster(runtime.deps, DEMO_ROSTER)
    await runtime.open()
    runtime.start_polling(timeout=1)
    try:
        yield runtime
    finally:
        await runtime.close()
