"""Shared pieces of the Telegram adapters: typed context, replying through the outbox, refusals."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from telegram import CallbackQuery, Message, Update
from telegram.ext import CallbackContext, ExtBot

from bot import callbacks, messages
from bot.callbacks import BadCallback, Callback, Verb
from bot.services import outbox
from bot.services.attachments import Media
from bot.services.context import Deps, ServiceError
from bot.services.conversation import Incoming
from bot.services.registration import Identity, identify
from nlp import mask_pii

log = logging.getLogger("daiban.handlers")


@dataclass
class BotData:
    """Typed `context.bot_data`: the service dependencies, set once by the app factory."""

    deps_: Deps | None = None
    web_base_url: str = ""  # where the dashboard is reached (links sent by /web)
    # update_id -> error, written by the error handler and read by bot.updates.Feeder, which
    # then records the update as failed (kept for replay) instead of done.
    failures: dict[int, str] = field(default_factory=dict)

    @property
    def deps(self) -> Deps:
        if self.deps_ is None:
            raise RuntimeError("BotData.deps used before the application was built")
        return self.deps_


Ctx: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
Handler: TypeAlias = Callable[[Update, Ctx], Awaitable[None]]


def deps(context: Ctx) -> Deps:
    return context.bot_data.deps


def who(update: Update, context: Ctx) -> Identity:
    assert update.effective_user is not None
    return identify(deps(context), update.effective_user.id)


def say(context: Ctx, chat_id: int, text: str, **kw: Any) -> None:
    """Reply through the outbox (paced, retried, never lost)."""
    d = deps(context)
    with d.tx() as session:
        outbox.send(session, chat_id, text, **kw)


def show(
    context: Ctx, query: CallbackQuery, text: str, keyboard: outbox.Keyboard | None = None
) -> None:
    """Replace the text and buttons of the message whose button was pressed."""
    message = query.message
    if message is None:
        return
    d = deps(context)
    with d.tx() as session:
        outbox.edit(
            session, message.chat.id, text, message_id=message.message_id, keyboard=keyboard
        )


def chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def parse_callback(query: CallbackQuery) -> Callback | None:
    try:
        return callbacks.parse(query.data)
    except BadCallback:
        user = query.from_user.id if query.from_user else None
        log.warning("refused callback data %r from user %s", query.data, user)
        return None


async def refuse(query: CallbackQuery, text: str) -> None:
    """Answer a button press with a polite popup (callback answers are not chat messages)."""
    await query.answer(text[:200], show_alert=True)


async def guarded(query: CallbackQuery, action: Callable[[], str | None]) -> None:
    """Run a button action; a ServiceError becomes a polite popup, a success a short toast."""
    try:
        toast = action()
    except ServiceError as exc:
        log.info("button refused for user %s: %s", query.from_user.id, exc.message)
        await refuse(query, exc.message)
        return
    await query.answer(toast)


def logged_text(text: str | None) -> str:
    return mask_pii(text or "")[:120]


# A button's action: runs the service, may render, returns the toast (ServiceError: a popup).
Action: TypeAlias = Callable[[Ctx, CallbackQuery, Callback, Identity], str | None]
Gate: TypeAlias = Callable[[Identity], str | None]  # a refusal for who may not press at all


async def press(update: Update, context: Ctx, actions: dict[Verb, Action], gate: Gate) -> None:
    """Every button: strict parse, private chat only, who may press, then one action."""
    query = update.callback_query
    assert query is not None
    cb = parse_callback(query)
    chat = query.message.chat if query.message else None
    if cb is None or cb.verb not in actions or (chat is not None and chat.type != "private"):
        if cb is not None:
            log.warning("refused %r from user %s here", query.data, query.from_user.id)
        await refuse(query, messages.STALE_BUTTON)
        return
    me = who(update, context)
    refusal = gate(me)
    if refusal is not None:
        log.info("button %s refused for user %s: %s", cb.verb, query.from_user.id, refusal)
        await refuse(query, refusal)
        return
    await guarded(query, lambda: actions[cb.verb](context, query, cb, me))


def reply(context: Ctx, update: Update, action: Callable[[], str | None]) -> None:
    """Run a command's service call; its text (or a refusal) goes back through the outbox."""
    try:
        text = action()
    except ServiceError as exc:
        text = exc.message
    if text:
        say(context, chat_id(update), text)


def incoming(message: Message) -> Incoming:
    """A user's message as the services see it: words, one attachment, what it replies to."""
    media = None
    chat, mid, caption = message.chat_id, message.message_id, message.caption
    if message.photo:
        big = message.photo[-1]
        media = Media("photo", chat, mid, big.file_id, big.file_unique_id, caption)
    elif message.location or message.venue:
        media = Media("location", chat, mid)
    else:
        for kind in ("document", "voice", "audio", "video", "video_note"):
            found = getattr(message, kind)
            if found is not None:
                media = Media(kind, chat, mid, found.file_id, found.file_unique_id, caption)
                break
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    return Incoming(chat, mid, message.text or caption, media, reply_to)


STALE = messages.STALE_BUTTON
