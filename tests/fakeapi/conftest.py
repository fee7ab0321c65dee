"""Fixtures: a running FakeBotAPI with two users, a PTB Bot and a raw httpx client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot

from bot.fakeapi import FakeBotAPI

VILLAGER = 1001
AGENT = 2001
GROUP = -100500


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns on int time periods (RetryAfter.retry_after); warnings are errors here."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        server.add_user(VILLAGER, "王秀英", phone="13800001001")
        server.add_user(AGENT, "李代办", username="li_agent")
        server.add_group(GROUP, "某村群")
        yield server


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as ptb:
        yield ptb


@pytest.fixture
async def http(fake: FakeBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Raw HTTP to the fake: relative URLs are method names."""
    async with httpx.AsyncClient(base_url=f"{fake.base_url}{fake.token}/") as client:
        yield client
