"""In a real headless Chromium (Debian's /usr/bin/chromium via Playwright): sign in with the link
the bot sends, open the overdue list and a ticket page on a phone-sized screen, download the 台账.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from bot.services import weblogin
from bot.services.context import Deps
from tests import factories
from tests.web.conftest import ZHAO_HEAD, agent_id

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium: apt-get install -y chromium",
)
Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Any]:
    playwright_api = pytest.importorskip("playwright.async_api")
    async with playwright_api.async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh user-data-dir each time
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            accept_downloads=True,
            viewport={"width": 390, "height": 844},  # a phone
            locale="zh-CN",
        )
        try:
            yield context
        finally:
            await context.close()


async def test_a_station_head_signs_in_reads_overdue_and_a_ticket_and_exports(
    browser: Any, client: Client, roster_deps: Deps, clock: factories.Clock, tmp_path: Path
) -> None:
    wang = factories.villager(roster_deps, 801)
    ticket = factories.ticket(roster_deps, wang)
    clock.advance(days=20)
    base = str(client.make_url("")).rstrip("/")
    link = weblogin.issue_link(
        roster_deps, agent_id=agent_id(roster_deps, ZHAO_HEAD), base_url=base
    )
    page = await browser.new_page()

    await page.goto(link)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(base + "/")
    assert "赵德胜（村便民服务站站长，柳湾镇杏花村）" in await page.inner_text("header")
    assert await page.inner_text("#overdue-count") == "1"
    fits = await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the home page scrolls sideways on a phone"

    await page.get_by_role("link", name="超期事项").first.click()
    await page.wait_for_url(base + "/overdue")
    row = await page.inner_text("#overdue")
    assert ticket.number in row and "新农合/医保报销" in row and "李建国" in row

    await page.get_by_role("link", name=ticket.number).click()
    await page.wait_for_url(f"{base}/tickets/{ticket.number}")
    trail = await page.inner_text("#trail")
    assert "受理（Telegram）" in trail and "分派 → 李建国" in trail

    await page.goto(base + "/")
    await page.fill("input[name=from]", "2026-11-01")
    async with page.expect_download() as waiting:
        await page.click("#export")
    download = await waiting.value
    saved = tmp_path / "ledger.xlsx"
    await download.save_as(saved)
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
    assert sheet is not None
    assert sheet["A3"].value == ticket.number
    assert sheet["H3"].value in ("", None)  # 王秀英 gave no phone
