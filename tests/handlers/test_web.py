"""/web in Telegram: a roster person gets a one-time dashboard link; a villager is told no."""

from __future__ import annotations

import re

from bot.app import Runtime
from bot.fakeapi import FakeBotAPI
from bot.services import weblogin
from tests.factories import after, register_by_buttons


async def test_a_supervisor_gets_a_single_use_link(fake: FakeBotAPI, live: Runtime) -> None:
    reply = await after(fake, 700106, "督办网页登录链接", lambda: fake.send_text(700106, "/web"))
    assert "15 分钟内有效，只能用一次" in reply.text
    found = re.search(r"(https?://\S+)/login/link\?t=([\w-]+)", reply.text)
    assert found is not None, reply.text
    assert found.group(1) == live.settings.web.base_url
    token = found.group(2)
    session = weblogin.redeem_link(live.deps, token)
    viewer = weblogin.viewer_for_session(live.deps, session)
    assert viewer is not None and viewer.name == "吴振华"


async def test_a_villager_cannot_ask_for_a_link(fake: FakeBotAPI, live: Runtime) -> None:
    await register_by_buttons(fake, 801, "柳湾镇", "杏花村", "一组")
    reply = await after(fake, 801, "督办网页", lambda: fake.send_text(801, "/web"))
    assert reply.text == "督办网页只对名册上的代办员、站长和督办人员开放。"
