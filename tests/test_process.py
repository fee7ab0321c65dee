"""The real `daiban` process: polling the fake Bot API over HTTP, and the demo command."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.db import make_engine
from bot.fakeapi import FakeBotAPI
from bot.services.context import Deps
from bot.services.roster import import_roster
from models import Ticket, TicketStatus
from nlp import Classifier
from tests.factories import DEMO_ROSTER, after, register_by_buttons
from tests.processes import TOKEN, bot_env

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as api:
        api.add_user(801, "王秀英")
        api.add_user(700101, "李建国", phone="13909430101")
        yield api


async def test_bot_process_walks_a_request_end_to_end(
    fake: FakeBotAPI, db_url: str, classifier: Classifier, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    try:
        import_roster(Deps(engine=engine, classifier=classifier), DEMO_ROSTER)
        code = await _walk(fake, db_url, tmp_path)
        assert code == 0, (tmp_path / "bot.log").read_text()
        with Session(engine) as s:
            assert s.exec(select(Ticket)).one().status is TicketStatus.IN_PROGRESS
    finally:
        engine.dispose()
    assert "13909430101" not in (tmp_path / "bot.log").read_text()  # phones are masked in logs


async def _walk(fake: FakeBotAPI, db_url: str, tmp_path: Path) -> int | None:
    """Start `daiban run`, walk a request to 接单 as villager and agent, stop it with SIGTERM."""
    log = (tmp_path / "bot.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=tmp_path,
        env=bot_env(fake, db_url),
        stdout=log,
        stderr=log,
    )
    try:
        await fake.wait_until(lambda: fake.long_polls_waiting > 0, timeout=30)
        assert [c["command"] for c in fake.my_commands()] == [
            "start",
            "my",
            "card",
            "me",
            "cancel",
            "help",
        ]
        await register_by_buttons(fake, 801, "柳湾镇", "杏花村", "一组")
        ack = await after(fake, 801, "受理号", lambda: fake.send_text(801, "俺爹住院的钱能报不"))
        assert "代着办" in ack.text
        await fake.wait_for_message(700101, "待接单")
        await after(fake, 801, "已接手", lambda: fake.press_button(700101, "接单"))
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 30)
        log.close()
    return code


async def test_demo_once_prints_the_scene_and_exits_0(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DAIBAN_", "DATABASE_"))
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "demo",
        "--once",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    text = out.decode()
    assert proc.returncode == 0, err.decode()[-3000:]
    for needle in (
        "马上办",
        "代着办",
        "领着办",
        "流动办",
        "按下 [接单]",
        "按下 [满意]",
        "超期事项",
        "便民连心卡",
    ):
        assert needle in text, needle
    assert (tmp_path / "data" / "demo.db").exists()
