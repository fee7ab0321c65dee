"""The supervisor dashboard (督办网页): figures, overdue list, ticket page, ledger export.

Pages are server-rendered Jinja2 in Chinese, with a little CSS that works on a phone and no
script or font from elsewhere (the Telegram Login Widget is the one exception, shown only when
the bot talks to the real Telegram). Every page is limited to the signed-in person's area.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot import messages
from bot.services import dashboard, ledger, weblogin
from bot.services.context import NotAllowed, NotFound
from bot.services.ledger import Viewer
from handlers.web import charts
from handlers.web.context import WEB

log = logging.getLogger("daiban.dashboard")
COOKIE = "daiban_session"
CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "script-src https://telegram.org; frame-src https://oauth.telegram.org; "
    "frame-ancestors 'none'; form-action 'self'"
)


def routes(app: web.Application) -> None:
    app.router.add_get("/", home)
    app.router.add_get("/overdue", overdue)
    app.router.add_get("/tickets/{number}", ticket)
    app.router.add_get("/export", export)


def page(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    ctx = request.app[WEB]
    html = ctx.templates.get_template(template).render(**values)
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # the login link must not leak
    response.headers["Cache-Control"] = "no-store"
    return response


def signed_in(request: web.Request) -> Viewer:
    """The viewer, or a redirect to the sign-in page."""
    viewer = weblogin.viewer_for_session(request.app[WEB].deps, request.cookies.get(COOKIE))
    if viewer is None:
        raise web.HTTPSeeOther("/login")
    return viewer


async def home(request: web.Request) -> web.Response:
    viewer = signed_in(request)
    deps = request.app[WEB].deps
    figures = dashboard.summary(deps, viewer)
    today = deps.now().astimezone(deps.zone).date()
    return page(
        request,
        "home.html",
        me=viewer,
        s=figures,
        trend=charts.weekly_bars(figures.weeks),
        recent=dashboard.recent(deps, viewer),
        start=today.replace(day=1).isoformat(),
        end=today.isoformat(),
    )


async def overdue(request: web.Request) -> web.Response:
    viewer = signed_in(request)
    rows = dashboard.overdue(request.app[WEB].deps, viewer)
    return page(request, "overdue.html", me=viewer, rows=rows)


async def ticket(request: web.Request) -> web.Response:
    viewer = signed_in(request)
    try:
        detail = dashboard.ticket_detail(
            request.app[WEB].deps, viewer, request.match_info["number"]
        )
    except NotFound:
        log.info("agent %s asked for ticket %s outside their area", viewer.agent_id, request.path)
        return page(
            request, "error.html", status=404, me=viewer, message=messages.WEB_TICKET_HIDDEN
        )
    return page(request, "ticket.html", me=viewer, t=detail)


async def export(request: web.Request) -> web.StreamResponse:
    viewer = signed_in(request)
    deps = request.app[WEB].deps
    try:
        start = date.fromisoformat(request.query.get("from", ""))
        end = date.fromisoformat(request.query.get("to", ""))
    except ValueError:
        today = deps.now().astimezone(deps.zone).date()
        start, end = today - timedelta(days=30), today
    fmt = request.query.get("format", "xlsx")
    try:
        name, body, content_type = await asyncio.to_thread(
            ledger.export, deps, viewer, start, end, fmt
        )
    except NotAllowed as exc:
        return page(request, "error.html", status=400, me=viewer, message=exc.message)
    log.info("agent %s exported the ledger %s", viewer.agent_id, name)
    response = web.Response(body=body, content_type=content_type.split(";")[0])
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"ledger.{fmt}\"; filename*=UTF-8''{quote(name)}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
