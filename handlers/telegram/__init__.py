"""Telegram adapters, registered in one place. Order matters where noted."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import messages
from bot.callbacks import Verb
from handlers.telegram import agent, common, registration, supervisor, villager, web

log = logging.getLogger("daiban.handlers")
PRIVATE = filters.ChatType.PRIVATE
REQUESTS = (
    filters.TEXT
    | filters.CAPTION
    | filters.PHOTO
    | filters.Document.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.LOCATION
    | filters.VENUE
)


def _verbs(verbs: Iterable[Verb]) -> str:
    return "^(" + "|".join(v.value for v in verbs) + r")(:|$)"


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach every handler; group chats only get the "talk to me privately" note."""
    # Group chats first, so nothing below ever answers in a group.
    app.add_handler(ChatMemberHandler(on_added_to_group, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(~PRIVATE & filters.COMMAND, in_group))

    commands = {
        "start": registration.start,
        "help": registration.help_command,
        "me": registration.me_command,
        "my": villager.my_tickets,
        "card": villager.contact_card,
        "cancel": villager.cancel_command,
        "tasks": agent.tasks,
        "overdue": supervisor.overdue,
        "stats": supervisor.stats,
        "review": supervisor.review,
        "night": supervisor.night,
        "web": web.web_link,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=PRIVATE))
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, unknown_command))

    buttons = (
        (registration.on_register_button, registration.REGISTER),
        (registration.on_profile_button, registration.PROFILE),
        (villager.on_villager_button, villager.ACTIONS),
        (agent.on_agent_button, agent.ACTIONS),
        (supervisor.on_supervisor_button, supervisor.ACTIONS),
    )
    for callback, verbs in buttons:
        app.add_handler(CallbackQueryHandler(callback, pattern=_verbs(verbs)))
    # Anything else in callback data was not sent by us: refuse politely and log it.
    app.add_handler(CallbackQueryHandler(stale_button))

    app.add_handler(MessageHandler(PRIVATE & filters.CONTACT, registration.on_contact))
    # Words, photos, files, voice notes and places are requests, or answers to our messages.
    app.add_handler(MessageHandler(PRIVATE & REQUESTS & ~filters.COMMAND, on_message))
    app.add_handler(MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, other_message))
    app.add_error_handler(on_error)


async def on_message(update: Update, context: common.Ctx) -> None:
    """Route by who writes: agents answer prompts and villagers; villagers ask."""
    me = common.who(update, context)
    if me.agent is not None and me.agent.id is not None:
        await agent.on_agent_message(update, context, me.agent.id)
    elif me.villager is not None:
        await villager.on_villager_message(update, context, me.villager.id or 0)
    else:
        common.say(context, common.chat_id(update), messages.NOT_REGISTERED)


async def unknown_command(update: Update, context: common.Ctx) -> None:
    common.say(context, common.chat_id(update), messages.HELP_VILLAGER)


async def stale_button(update: Update, context: common.Ctx) -> None:
    query = update.callback_query
    assert query is not None
    common.parse_callback(query)  # logs the refused data
    await common.refuse(query, messages.STALE_BUTTON)


async def other_message(update: Update, context: common.Ctx) -> None:
    """Stickers, polls, dice…: a helpful answer, never a crash."""
    message = update.effective_message
    assert message is not None
    kind = "sticker" if message.sticker else "other"
    common.say(context, common.chat_id(update), messages.NON_TEXT[kind])


async def in_group(update: Update, context: common.Ctx) -> None:
    common.say(context, common.chat_id(update), messages.GROUP_CHAT)


async def on_added_to_group(update: Update, context: common.Ctx) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type == "private":
        return
    if change.new_chat_member.status in ("member", "administrator"):
        common.say(context, change.chat.id, messages.GROUP_CHAT)


async def on_error(update: object, context: common.Ctx) -> None:
    """Log, hand the failure to the feeder (the update is kept for replay), tell the user."""
    log.error("error while handling update: %s", context.error, exc_info=context.error)
    if not isinstance(update, Update):
        return
    context.bot_data.failures[update.update_id] = repr(context.error)
    chat = update.effective_chat
    if chat is not None and chat.type == "private":
        try:
            common.say(context, chat.id, messages.INTERNAL_ERROR)
        except Exception:
            log.exception("could not queue the error reply for update %s", update.update_id)
