"""What every HTTP handler reaches through `request.app[WEB]` (typed, set once by `build`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from aiohttp import web

from bot.dispatch import Dispatcher
from bot.services.context import Deps
from bot.settings import WebSettings
from handlers.web.metrics import Metrics

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class WebContext:
    deps: Deps
    dispatcher: Dispatcher
    settings: WebSettings
    metrics: Metrics
    bot_token: str | None = None  # checks Login Widget data; None in the demo
    widget: bool = False  # show the Telegram Login Widget (needs the real Telegram)
    bot_username: str | None = None  # known once PTB has called getMe
    on_update: list[Callable[[], None]] = field(default_factory=list)  # wake the feeder
    templates: jinja2.Environment = field(
        default_factory=lambda: jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=jinja2.select_autoescape(("html",)),
            trim_blocks=True,
            lstrip_blocks=True,
        )
    )


WEB = web.AppKey("web", WebContext)
