"""The web app on 127.0.0.1 (aiohttp's TestServer) over a real database with the demo roster."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlmodel import select
from telegram import Bot

import handlers.web
from bot.dispatch import Dispatcher
from bot.services import weblogin
from bot.services.context import Deps
from bot.settings import WebSettings
from models import Agent
from tests.factories import load_demo_roster

TOKEN = "700000001:AAtest-daiban-fake-bot-api-token-0000"
API_KEY = "hotline-12345-key"
WEBHOOK_SECRET = "hook_Secret-1"
# Roster people of bot/data/demo_roster.csv, by phone
LI_AGENT = "13909430101"  # 李建国, agent of 杏花村一组/二组
ZHAO_HEAD = "13909430103"  # 赵德胜, station head of 杏花村
SUN_AGENT = "13909430104"  # 孙红梅, agent of 石岭村一组
WU_TOWNSHIP = "13909430106"  # 吴振华, 柳湾镇 supervisor
QIAN_TOWNSHIP = "13909430108"  # 钱国庆, 河口乡 supervisor
FENG_COUNTY = "13909430109"  # 冯书记, county supervisor


def web_settings(**overrides: object) -> WebSettings:
    values: dict[str, object] = {
        "open311_api_keys": SecretStr(f"other-key,{API_KEY}"),
        "webhook_url": "https://bot.example.cn/telegram/webhook",
        "webhook_secret": SecretStr(WEBHOOK_SECRET),
        "public_url": "http://127.0.0.1:8080",
    }
    values.update(overrides)
    return WebSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def roster_deps(deps: Deps) -> Deps:
    load_demo_roster(deps)
    return deps


@pytest.fixture
def webapp(roster_deps: Deps) -> web.Application:
    dispatcher = Dispatcher(roster_deps.writer, Bot(TOKEN))
    return handlers.web.build(roster_deps, dispatcher, settings=web_settings(), bot_token=TOKEN)


@pytest.fixture
async def client(
    webapp: web.Application,
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(webapp, host="127.0.0.1")) as test_client:
        yield test_client


def agent_id(deps: Deps, phone: str) -> int:
    with deps.read() as session:
        agent = session.exec(select(Agent).where(Agent.phone == phone)).one()
        return agent.id or 0


async def sign_in(client: TestClient[web.Request, web.Application], deps: Deps, phone: str) -> None:
    """Sign in as a roster person the way a browser does after /web: open the link, press 登录."""
    url = weblogin.issue_link(deps, agent_id=agent_id(deps, phone), base_url="")
    token = url.split("t=", 1)[1]
    response = await client.post("/login/link", data={"t": token}, allow_redirects=False)
    assert response.status == 303, await response.text()
