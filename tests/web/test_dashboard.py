"""The supervisor dashboard: signing in, what each role sees, the ticket page and the export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from aiohttp import web
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from bot import web_auth
from bot.services import rating as rating_service
from bot.services import tickets as ticket_service
from bot.services import weblogin
from bot.services.context import Deps
from models import Rating
from tests import factories
from tests.web.conftest import (
    FENG_COUNTY,
    LI_AGENT,
    QIAN_TOWNSHIP,
    SUN_AGENT,
    TOKEN,
    WU_TOWNSHIP,
    ZHAO_HEAD,
    agent_id,
    sign_in,
)

Client = TestClient[web.Request, web.Application]
ID_TEXT = "俺爹住院花了不少钱，新农合能报销不，他身份证620102199001011234"


def two_villages(deps: Deps) -> tuple[str, str]:
    """A ticket in 杏花村 (王秀英, phone 13712345678) and one in 石岭村; numbers returned."""
    wang = factories.villager(deps, 801)
    with deps.tx() as session:
        from models import Villager

        row = session.get(Villager, wang.id)
        assert row is not None
        row.phone = "13712345678"
    zhang = factories.villager(deps, 802, "张福贵", ("柳湾镇", "石岭村", "一组"))
    a = factories.ticket(deps, wang, ID_TEXT)
    b = factories.ticket(deps, zhang, "身份证过期了，要换新的咋办")
    return a.number, b.number


async def test_pages_need_sign_in(client: Client) -> None:
    for path in ("/", "/overdue", "/tickets/2026-0001", "/export"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/login"
    login = await (await client.get("/login")).text()
    assert "在 Telegram 里给便民代办机器人发送 <code>/web</code>" in login
    assert "telegram-widget.js" not in login  # only with the real Telegram


async def test_a_one_time_link_signs_in_once(client: Client, roster_deps: Deps) -> None:
    url = weblogin.issue_link(roster_deps, agent_id=agent_id(roster_deps, WU_TOWNSHIP), base_url="")
    token = url.split("t=", 1)[1]
    shown = await client.get(f"/login/link?t={token}")
    assert '<button class="btn" type="submit">登录</button>' in await shown.text()
    first = await client.post("/login/link", data={"t": token}, allow_redirects=False)
    assert first.status == 303 and first.headers["Location"] == "/"
    home = await (await client.get("/")).text()
    assert "吴振华（乡镇督办，柳湾镇）" in home
    client.session.cookie_jar.clear()
    again = await client.post("/login/link", data={"t": token})
    assert again.status == 403
    assert "这个登录链接已经用过或过期了" in await again.text()


async def test_an_expired_link_does_not_sign_in(
    client: Client, roster_deps: Deps, clock: factories.Clock
) -> None:
    url = weblogin.issue_link(roster_deps, agent_id=agent_id(roster_deps, WU_TOWNSHIP), base_url="")
    clock.advance(minutes=weblogin.LINK_MINUTES + 1)
    response = await client.post("/login/link", data={"t": url.split("t=", 1)[1]})
    assert response.status == 403
    assert "过期" in await response.text()


async def test_the_login_widget_hash_is_checked_with_the_bot_token(
    client: Client, roster_deps: Deps, clock: factories.Clock
) -> None:
    fields = {
        "id": "700106",
        "first_name": "吴振华",
        "username": "wuzh",
        "auth_date": str(int(clock.now.timestamp())),
    }
    forged = {**fields, "hash": web_auth.widget_hash(fields, "123:another-bot-token")}
    refused = await client.get("/login/telegram", params=forged)
    assert refused.status == 403
    assert "Telegram 登录信息无效或已过期" in await refused.text()

    old = {**fields, "auth_date": str(int((clock.now - timedelta(days=2)).timestamp()))}
    old["hash"] = web_auth.widget_hash(old, TOKEN)
    assert (await client.get("/login/telegram", params=old)).status == 403

    genuine = {**fields, "hash": web_auth.widget_hash(fields, TOKEN)}
    signed = await client.get("/login/telegram", params=genuine, allow_redirects=False)
    assert signed.status == 303
    assert "吴振华（乡镇督办，柳湾镇）" in await (await client.get("/")).text()


async def test_a_villager_on_telegram_cannot_sign_in_with_the_widget(
    client: Client, roster_deps: Deps, clock: factories.Clock
) -> None:
    factories.villager(roster_deps, 801)
    fields = {"id": "801", "first_name": "王秀英", "auth_date": str(int(clock.now.timestamp()))}
    fields["hash"] = web_auth.widget_hash(fields, TOKEN)
    response = await client.get("/login/telegram", params=fields)
    assert response.status == 403
    assert "名册里没有您" in await response.text()


async def test_each_role_sees_only_its_area(client: Client, roster_deps: Deps) -> None:
    xinghua, shiling = two_villages(roster_deps)
    expectations = {
        FENG_COUNTY: {xinghua, shiling},
        WU_TOWNSHIP: {xinghua, shiling},
        QIAN_TOWNSHIP: set(),
        ZHAO_HEAD: {xinghua},
        LI_AGENT: {xinghua},
        SUN_AGENT: {shiling},
    }
    for phone, visible in expectations.items():
        client.session.cookie_jar.clear()
        await sign_in(client, roster_deps, phone)
        home = await (await client.get("/")).text()
        for number in (xinghua, shiling):
            page = await client.get(f"/tickets/{number}")
            if number in visible:
                assert page.status == 200, (phone, number)
                assert f'href="/tickets/{number}">{number}</a>' in home
            else:
                assert page.status == 404, (phone, number)
                assert "没有找到这个事项，或者它不在您的辖区" in await page.text()
                assert number not in home


async def test_the_ticket_page_shows_the_audit_trail_and_masks_numbers(
    client: Client, roster_deps: Deps
) -> None:
    xinghua, _ = two_villages(roster_deps)
    [first] = [t for t in factories.tickets(roster_deps) if t.number == xinghua]
    li = agent_id(roster_deps, LI_AGENT)
    ticket_service.accept(roster_deps, agent_id=li, ticket_id=first.id or 0)
    ticket_service.close(
        roster_deps, agent_id=li, ticket_id=first.id or 0, note="已报，回电13712345678"
    )
    rating_service.rate(
        roster_deps, villager_id=first.villager_id, ticket_id=first.id or 0, rating=Rating.SATISFIED
    )
    await sign_in(client, roster_deps, ZHAO_HEAD)
    page = await (await client.get(f"/tickets/{xinghua}")).text()
    for step in (
        "受理（Telegram）",
        "分派 → 李建国",
        "接单，状态：办理中",
        "办结，状态：已办结，待评价",
        "评价：满意",
    ):
        assert step in page
    assert "620102********1234" in page and "620102199001011234" not in page
    assert "137****5678" in page and "13712345678" not in page  # station head: masked phone

    client.session.cookie_jar.clear()
    await sign_in(client, roster_deps, WU_TOWNSHIP)
    page = await (await client.get(f"/tickets/{xinghua}")).text()
    assert '<dd id="phone">13712345678</dd>' in page  # the township supervisor calls back
    assert "回电137****5678" in page  # numbers inside notes stay masked for everyone


async def test_overdue_list_and_figures(
    client: Client, roster_deps: Deps, clock: factories.Clock
) -> None:
    xinghua, shiling = two_villages(roster_deps)
    clock.advance(days=30)
    await sign_in(client, roster_deps, WU_TOWNSHIP)
    overdue = await (await client.get("/overdue")).text()
    assert "柳湾镇 · 超期事项 2 件" in overdue
    assert xinghua in overdue and shiling in overdue
    home = await (await client.get("/")).text()
    assert '<b id="overdue-count">2</b>' in home
    assert "<svg" in home and "每周新受理和办结的事项" in home
    client.session.cookie_jar.clear()
    await sign_in(client, roster_deps, QIAN_TOWNSHIP)
    assert "目前没有超期事项" in await (await client.get("/overdue")).text()


async def test_export_is_scoped_and_masked_by_role(client: Client, roster_deps: Deps) -> None:
    xinghua, shiling = two_villages(roster_deps)
    params = {"from": "2026-11-01", "to": "2026-11-30"}
    await sign_in(client, roster_deps, ZHAO_HEAD)
    response = await client.get("/export", params={**params, "format": "csv"})
    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    body = (await response.read()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["受理号", "受理时间", "渠道"]
    assert [r[0] for r in rows[1:]] == [xinghua]  # his village only
    assert rows[1][7] == "137****5678"
    assert "620102********1234" in rows[1][10]

    client.session.cookie_jar.clear()
    await sign_in(client, roster_deps, FENG_COUNTY)
    response = await client.get("/export", params={**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(await response.read())).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert sorted(v[0] for v in values) == sorted([xinghua, shiling])
    wang = next(v for v in values if v[0] == xinghua)
    assert wang[7] == "13712345678"  # county supervisor: full phone
    assert "620102199001011234" not in str(values)


async def test_logout_ends_the_session(client: Client, roster_deps: Deps) -> None:
    await sign_in(client, roster_deps, FENG_COUNTY)
    assert (await client.get("/", allow_redirects=False)).status == 200
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["daiban_session"].value
    await client.post("/logout")
    client.session.cookie_jar.update_cookies({"daiban_session": cookie})  # a copied cookie
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_the_login_page_offers_the_telegram_widget_with_the_real_telegram(
    roster_deps: Deps,
) -> None:
    from aiohttp.test_utils import TestServer
    from telegram import Bot

    import handlers.web
    from bot.dispatch import Dispatcher

    app = handlers.web.build(
        roster_deps, Dispatcher(roster_deps.writer, Bot(TOKEN)), bot_token=TOKEN, widget=True
    )
    app[handlers.web.WEB].bot_username = "daiban_bot"
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        page = await (await client.get("/login")).text()
    assert 'data-telegram-login="daiban_bot"' in page
    assert 'data-auth-url="/login/telegram"' in page
