"""/web: a roster person asks for a one-time sign-in link to the supervisor dashboard."""

from __future__ import annotations

from telegram import Update

from bot import messages
from bot.services import weblogin
from bot.services.context import ServiceError
from handlers.telegram.common import Ctx, chat_id, deps, say, who


async def web_link(update: Update, context: Ctx) -> None:
    """Queue the link through the outbox (sent to the person's own private chat only)."""
    me = who(update, context)
    if me.agent is None:
        say(context, chat_id(update), messages.WEB_ONLY_STAFF)
        return
    base_url = context.bot_data.web_base_url
    try:
        weblogin.send_link(deps(context), telegram_id=me.telegram_id, base_url=base_url)
    except ServiceError as exc:
        say(context, chat_id(update), exc.message)
