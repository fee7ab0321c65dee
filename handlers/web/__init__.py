"""HTTP adapters on one aiohttp server: health, metrics, Telegram webhook, Open311, dashboard.

/healthz                      database, dispatcher loop, outbox backlog (200 or 503)
/metrics                      Prometheus text format
<path of WEBHOOK_URL>         Telegram updates (only when WEBHOOK_URL is set)
/open311/v2/...               GeoReport v2 (handlers/web/open311.py)
/, /overdue, /tickets/..., /export, /login...   the supervisor dashboard
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import text

from bot.dispatch import Dispatcher
from bot.services.context import Deps
from bot.settings import WebSettings
from handlers.web import dashboard, open311, signin, webhook
from handlers.web.context import WEB, WebContext
from handlers.web.metrics import CONTENT_TYPE, Metrics

DEPS = web.AppKey("deps", Deps)
DISPATCHER = web.AppKey("dispatcher", Dispatcher)
STALE_LOOP_SECONDS = 30.0
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"


def webhook_path(settings: WebSettings) -> str:
    """The path Telegram posts to: the path of WEBHOOK_URL (a proxy in front keeps it)."""
    path = urlsplit(settings.webhook_url or "").path
    return path if path and path != "/" else DEFAULT_WEBHOOK_PATH


def build(
    deps: Deps,
    dispatcher: Dispatcher,
    *,
    settings: WebSettings | None = None,
    bot_token: str | None = None,
    widget: bool = False,
) -> web.Application:
    settings = settings or WebSettings()
    metrics = Metrics(deps, dispatcher)
    app = web.Application(middlewares=[metrics.middleware], client_max_size=64 * 1024)
    app[DEPS] = deps
    app[DISPATCHER] = dispatcher
    app[WEB] = WebContext(
        deps=deps,
        dispatcher=dispatcher,
        settings=settings,
        metrics=metrics,
        bot_token=bot_token,
        widget=widget,
    )
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    if settings.webhook_secret is not None:
        app.router.add_post(webhook_path(settings), webhook.receive)
    open311.routes(app)
    dashboard.routes(app)
    signin.routes(app)
    return app


async def healthz(request: web.Request) -> web.Response:
    """Database reachable, dispatcher loop alive, outbox backlog: 200 when healthy, else 503."""
    deps, dispatcher = request.app[DEPS], request.app[DISPATCHER]
    report: dict[str, object] = {}
    try:
        with deps.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        report["database"] = "ok"
    except Exception as exc:
        report["database"] = f"error: {type(exc).__name__}"
    loop_age = time.monotonic() - dispatcher.stats.last_loop
    report["dispatcher"] = "ok" if loop_age < STALE_LOOP_SECONDS else f"stalled {loop_age:.0f}s"
    report["outbox_backlog"] = dispatcher.backlog() if report["database"] == "ok" else None
    healthy = report["database"] == "ok" and report["dispatcher"] == "ok"
    return web.json_response(report, status=200 if healthy else 503)


async def metrics_page(request: web.Request) -> web.Response:
    body = request.app[WEB].metrics.render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
