"""The demo: a demo county in SQLite, the real bot against the in-process fake Bot API, a script.

Several villagers ask for things in all four modes, an agent links Telegram by sharing their
phone, accepts and closes a matter, the villager rates it, and a supervisor checks overdue
matters three working days later. The conversation is printed as a readable transcript.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import web
from sqlalchemy.engine import make_url

from bot.app import Runtime, build, start_web, stop_on_signals
from bot.db import make_engine, upgrade
from bot.fakeapi import FakeBotAPI, SentMessage
from bot.services import registration, weblogin
from bot.services.context import Deps
from bot.services.roster import import_roster
from bot.settings import Settings, TelegramSettings
from models import utcnow

log = logging.getLogger(__name__)
DEMO_ROSTER = Path(__file__).resolve().parent / "data" / "demo_roster.csv"
DEMO_TOKEN = "700000001:AAdemo-daiban-fake-bot-api-token-0000"
DEFAULT_DB = "sqlite:///data/daiban.db"

VILLAGERS = {
    801: "王秀英",
    802: "张福贵",
    803: "刘小军",
    804: "陈桂芳",
    805: "赵大爷",
}
PLACES = [
    ("柳湾镇", "杏花村", "一组"),
    ("柳湾镇", "杏花村", "三组"),
    ("柳湾镇", "杏花村", "二组"),
    ("柳湾镇", "杏花村", "一组"),
    ("柳湾镇", "杏花村", "三组"),
]
AGENT_LI, AGENT_MA, SUPERVISOR = 700101, 700102, 700106
COUNTY = 700109  # 冯书记 on the demo roster


class OffsetClock:
    """Real time plus an offset, so the demo can jump ahead to show overdue matters."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset


def demo_database_url(settings: Settings, workdir: Path) -> str:
    """The demo never touches the real database: SQLite next to it, recreated each run."""
    workdir.mkdir(parents=True, exist_ok=True)
    url = settings.database.url
    if url == DEFAULT_DB or not url.startswith("sqlite"):
        path = workdir / "demo.db"
    else:
        db = make_url(url).database or "daiban.db"
        path = Path(db).with_name("demo.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


async def main(
    settings: Settings,
    *,
    once: bool,
    workdir: Path = Path("data"),
    out: Callable[[str], None] = print,
) -> int:
    url = await asyncio.to_thread(demo_database_url, settings, workdir)
    engine = make_engine(url)
    await asyncio.to_thread(upgrade, engine)
    async with FakeBotAPI(token=DEMO_TOKEN) as fake:
        demo_settings = settings.model_copy(
            update={
                "telegram": TelegramSettings(
                    bot_token=None, base_url=fake.base_url, base_file_url=fake.base_file_url
                )
            }
        )
        clock = OffsetClock()
        runtime = build(demo_settings, engine=engine, token=DEMO_TOKEN)
        runtime.deps.clock = clock
        runtime.dispatcher.chat_interval = 0.0  # the demo's fake has Telegram's limits off
        import_roster(runtime.deps, DEMO_ROSTER)
        _add_people(fake)
        await runtime.open()
        runtime.start_polling(timeout=5)
        try:
            await Scene(fake, runtime.deps, clock).play()
            out(
                "\n".join(["=" * 72, "演示剧本 / demo transcript（数据库：" + url + "）", "=" * 72])
            )
            for line in fake.transcript():
                out(line)
            out("=" * 72)
            if not once:
                out(f"演示机器人仍在运行，假 Bot API：{fake.base_url}；按 Ctrl+C 退出。")
                runner = await _serve_dashboard(runtime, out)
                stop = asyncio.Event()
                stop_on_signals(stop)
                await stop.wait()
                if runner is not None:
                    await runner.cleanup()
        finally:
            await runtime.close()
    return 0


async def _serve_dashboard(runtime: Runtime, out: Callable[[str], None]) -> web.AppRunner | None:
    """The web side too, with a one-time sign-in link for the county supervisor printed."""
    web_settings = runtime.settings.web
    try:
        runner = await start_web(runtime, web_settings.http_host, web_settings.http_port)
    except OSError as exc:
        out(f"督办网页没有启动（{web_settings.http_host}:{web_settings.http_port}：{exc}）")
        return None
    county = registration.identify(runtime.deps, COUNTY).agent
    assert county is not None and county.id is not None
    link = weblogin.issue_link(runtime.deps, agent_id=county.id, base_url=web_settings.base_url)
    out(f"督办网页（县级督办冯书记，15 分钟内有效、只能用一次）：{link}")
    return runner


def _add_people(fake: FakeBotAPI) -> None:
    for uid, name in VILLAGERS.items():
        fake.add_user(uid, name)
    fake.add_user(AGENT_LI, "李建国", phone="13909430101")
    fake.add_user(AGENT_MA, "马兰花", phone="13909430102")
    fake.add_user(SUPERVISOR, "吴振华", phone="13909430106")


class Scene:
    """The script; every step waits for the bot's visible answer before the next one."""

    def __init__(self, fake: FakeBotAPI, deps: Deps, clock: OffsetClock) -> None:
        self.fake = fake
        self.deps = deps
        self.clock = clock

    async def play(self) -> None:
        for uid, place in zip(VILLAGERS, PLACES, strict=True):
            await self.register(uid, *place)

        # 马兰花 is on the roster without a Telegram id: she links by sharing her phone.
        await self.expect(AGENT_MA, "代办员", lambda: self.fake.send_text(AGENT_MA, "/start"))
        await self.expect(
            AGENT_MA,
            "已确认您是",
            lambda: self.fake.send_contact(AGENT_MA, phone="13909430102", contact_user_id=AGENT_MA),
        )

        await self.ask(801, "俺爹上个月住院花了一万多，新农合的钱能报不？")  # 代着办
        await self.ask(802, "我家老汉瘫痪在床好几年了，残疾人补贴咋申请，能上门不")  # 流动办
        await self.ask(803, "麻烦给开个证明，娃上学要家庭情况证明")  # 马上办
        await self.ask(804, "身份证过期了，要换新的咋办")  # 领着办
        await self.expect(805, "有事要办请直接说", lambda: self.fake.send_text(805, "你好"))
        await self.expect(805, "表情", lambda: self.fake.send_sticker(805))

        # The agent accepts 王秀英's matter and closes it with a note; she rates it.
        await self.expect(
            801, "已接手", lambda: self.fake.press_button(AGENT_LI, "接单", contains="新农合")
        )
        # 代着办 is closed with a note: 办结 asks for it straight away.
        prompt = await self.expect(
            AGENT_LI,
            "回复这条消息",
            lambda: self.fake.press_button(AGENT_LI, "办结", contains="新农合"),
        )
        note = "材料已交到镇上，报销款10个工作日内打到一卡通。"
        await self.expect(
            801,
            "请给代办员的服务打个分",
            lambda: self.fake.send_text(AGENT_LI, note, reply_to=prompt.message_id),
        )
        await self.expect(801, "谢谢您的评价", lambda: self.fake.press_button(801, "满意"))
        await self.expect(801, "您的事项", lambda: self.fake.send_text(801, "/my"))
        await self.expect(802, "便民连心卡", lambda: self.fake.send_text(802, "/card"))

        # Two weeks later: the township supervisor checks overdue matters.
        self.clock.offset = timedelta(days=14)
        await self.expect(
            SUPERVISOR, "超期事项", lambda: self.fake.send_text(SUPERVISOR, "/overdue")
        )

    async def expect(self, uid: int, contains: str, act: Callable[[], object]) -> SentMessage:
        """Do something as a user, then wait for a *new* bot message in that chat."""
        last = self.fake.last_message(uid)
        act()
        since = last.message_id if last else 0
        return await self.fake.wait_for_message(uid, contains, since=since)

    async def register(self, uid: int, township: str, village: str, group: str) -> None:
        await self.expect(uid, "选择乡镇", lambda: self.fake.send_text(uid, "/start"))
        self.fake.press_button(uid, township)
        await self.fake.wait_for_message(uid, contains="请选择您的村")
        self.fake.press_button(uid, village)
        await self.fake.wait_for_message(uid, contains="请选择您的村民小组")
        await self.expect(uid, "登记好了", lambda: self.fake.press_button(uid, group))

    async def ask(self, uid: int, text: str) -> None:
        await self.expect(uid, "受理号", lambda: self.fake.send_text(uid, text))
