"""Signing in to the dashboard: one-time links from the bot, the Telegram Login Widget, sign-out.

The session cookie holds a random token; the database keeps only its hash (bot.services.weblogin).
"""

from __future__ import annotations

from aiohttp import web

from bot import messages
from bot.services import weblogin
from bot.services.context import NotAllowed
from handlers.web.context import WEB, WebContext
from handlers.web.dashboard import COOKIE, page


def routes(app: web.Application) -> None:
    app.router.add_get("/login", login_page)
    app.router.add_get("/login/telegram", login_widget)
    app.router.add_get("/login/link", link_page)
    app.router.add_post("/login/link", link_redeem)
    app.router.add_post("/logout", logout)


def _widget(ctx: WebContext) -> str | None:
    return ctx.bot_username if ctx.widget and ctx.bot_token else None


async def login_page(request: web.Request) -> web.Response:
    ctx = request.app[WEB]
    return page(request, "login.html", me=None, bot_username=_widget(ctx), error=None)


def _session(request: web.Request, token: str) -> web.HTTPSeeOther:
    response = web.HTTPSeeOther("/")
    response.set_cookie(
        COOKIE,
        token,
        max_age=weblogin.SESSION_HOURS * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.app[WEB].settings.base_url.startswith("https://"),
        path="/",
    )
    return response


async def login_widget(request: web.Request) -> web.Response:
    """Where the Telegram Login Widget sends the browser, with the signed user fields."""
    ctx = request.app[WEB]
    if ctx.bot_token is None:
        return page(
            request,
            "login.html",
            status=400,
            me=None,
            bot_username=None,
            error=messages.WEB_DEMO_NO_WIDGET,
        )
    fields = {k: v for k, v in request.query.items()}
    try:
        token = weblogin.widget_sign_in(ctx.deps, fields, ctx.bot_token)
    except NotAllowed as exc:
        return page(
            request, "login.html", status=403, me=None, bot_username=_widget(ctx), error=exc.message
        )
    raise _session(request, token)


async def link_page(request: web.Request) -> web.Response:
    """A GET only shows a button: link previews and scanners must not spend the link."""
    token = request.query.get("t", "")
    return page(request, "link.html", me=None, token=token)


async def link_redeem(request: web.Request) -> web.Response:
    form = await request.post()
    token = str(form.get("t", ""))
    try:
        session_token = weblogin.redeem_link(request.app[WEB].deps, token)
    except NotAllowed as exc:
        ctx = request.app[WEB]
        return page(
            request, "login.html", status=403, me=None, bot_username=_widget(ctx), error=exc.message
        )
    raise _session(request, session_token)


async def logout(request: web.Request) -> web.Response:
    weblogin.sign_out(request.app[WEB].deps, request.cookies.get(COOKIE))
    response = web.HTTPSeeOther("/login")
    response.del_cookie(COOKIE, path="/")
    raise response
