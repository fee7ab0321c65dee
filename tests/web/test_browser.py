"""In a real headless Chromium (Debian's /usr/bin/chromium via Playwright): sign in with the link
the bot sends, open the overdue list and a ticket page on a phone-sized screen, download the 台账.
"""

from __future__ import annotations

import io
import os
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
if not CHROMIUM.exists() and os.environ.get("DAIBAN_REQUIRE_BROWSER"):
    # CI (.ci/run) installs Chromium and fonts-noto-cjk: there, no browser is a failure, not a skip.
    raise RuntimeError("DAIBAN_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium: apt-get install -y chromium fonts-noto-cjk",
)
Client = TestClient[web.Request, web.Application]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

# Layout problems a phone user would see: the page wider than the screen, and words that
# wrap one character per line. `.nw` marks names, statuses and ticket numbers: one line each.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const width = window.innerWidth;
  const page = document.documentElement.scrollWidth;
  if (page > width) {
    const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
      (e.className && typeof e.className === "string" ? "." + e.className.split(" ")[0] : "");
    const over = [...document.querySelectorAll("body *")]
      .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest("svg *"))
      .slice(-3).map(name).join(", ");
    problems.push(`the page is ${page}px wide on a ${width}px screen (${over})`);
  }
  const lines = (node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top));
    return new Set(tops).size;
  };
  for (const el of document.querySelectorAll("body *")) {
    for (const node of el.childNodes) {
      const text = node.nodeType === 3 ? node.textContent.trim() : "";
      const chars = [...text].length;
      if (chars >= 2 && lines(node) >= chars) {
        problems.push(`"${text}" breaks one character per line`);
      }
    }
    if (el.matches(".nw") && el.textContent.trim() && lines(el) > 1) {
      problems.push(`"${el.textContent.trim()}" wraps`);
    }
  }
  return problems;
}"""


async def cjk_fonts(page: Any) -> set[str]:
    """The fonts Chromium actually drew the page's heading with (DevTools CSS domain)."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("DOM.enable")
    await cdp.send("CSS.enable")
    root = await cdp.send("DOM.getDocument")
    node = await cdp.send("DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": "h1"})
    used = await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    await cdp.detach()
    return {
        f["familyName"] for f in used["fonts"] if f["glyphCount"] > 0 and "CJK" in f["familyName"]
    }


async def fits_a_phone(page: Any, name: str) -> None:
    """Real Chinese glyphs (not boxes), no sideways scrolling, nothing broken per character."""
    problems = await page.evaluate(LAYOUT_PROBLEMS)
    fonts = await cjk_fonts(page)
    if not fonts:
        problems.append("the heading was not drawn with a CJK font (install fonts-noto-cjk)")
    if problems:
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert problems == [], f"{name} on a phone (screenshot in tests/web/artifacts/)"


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
            # The browser is the user's phone, not the server: it keeps the real clock when the
            # suite runs under faketime (Chromium spins under libfaketime's LD_PRELOAD).
            env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and "FAKETIME" not in k},
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
    await fits_a_phone(page, "link")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(base + "/")
    assert "赵德胜（村便民服务站站长，柳湾镇杏花村）" in await page.inner_text("header")
    assert await page.inner_text("#overdue-count") == "1"
    await fits_a_phone(page, "home")

    await page.get_by_role("link", name="超期事项").first.click()
    await page.wait_for_url(base + "/overdue")
    row = await page.inner_text("#overdue")
    assert ticket.number in row and "新农合/医保报销" in row and "李建国" in row
    await fits_a_phone(page, "overdue")

    await page.get_by_role("link", name=ticket.number).click()
    await page.wait_for_url(f"{base}/tickets/{ticket.number}")
    trail = await page.inner_text("#trail")
    assert "受理（Telegram）" in trail and "分派 → 李建国" in trail
    await fits_a_phone(page, "ticket")

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


async def test_the_sign_in_and_error_pages_fit_a_phone(browser: Any, client: Client) -> None:
    base = str(client.make_url("")).rstrip("/")
    page = await browser.new_page()
    await page.goto(base + "/login")
    await fits_a_phone(page, "login")
    await page.goto(base + "/tickets/2026-9999")
    await fits_a_phone(page, "error")
