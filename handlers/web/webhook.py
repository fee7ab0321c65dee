"""Telegram webhook: check the secret, record the update durably, then answer 200.

Telegram repeats a delivery until it gets a 2xx, so answering only after `inbound.record` has
committed makes every update handled at least once; the feeder handles it from the database.
"""

from __future__ import annotations

import json
import logging

from aiohttp import web

from bot.services import inbound
from bot.web_auth import same_secret
from handlers.web.context import WEB

log = logging.getLogger("daiban.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def receive(request: web.Request) -> web.Response:
    ctx = request.app[WEB]
    secret = ctx.settings.webhook_secret
    if secret is None or not same_secret(
        request.headers.get(SECRET_HEADER), secret.get_secret_value()
    ):
        log.warning("webhook call without the right secret from %s refused", request.remote)
        return web.Response(status=403, text="forbidden")
    try:
        payload = json.loads(await request.read())
        update_id = int(payload["update_id"])
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("webhook body is not a Telegram update (%s); answered 400", exc)
        return web.Response(status=400, text="not a Telegram update")
    inbound.record(ctx.deps, [payload], "webhook")  # raises → 500 → Telegram delivers again
    for wake in ctx.on_update:
        wake()
    log.debug("update %s recorded from the webhook", update_id)
    return web.Response(status=200, text="ok")
