"""The Bot API calls an outbox row can stand for, made through PTB, and their small helpers."""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter


async def telegram_call(bot: Bot, method: str, chat_id: int, payload: dict[str, Any]) -> int | None:
    """Make one outbox row's Bot API call; the message id Telegram gave it."""
    kwargs = dict(payload)
    markup = _markup(kwargs.pop("reply_markup", None))
    if method == "sendMessage":
        reply_to = kwargs.pop("reply_to_message_id", None)
        sent: Message = await bot.send_message(
            chat_id=chat_id,
            text=kwargs["text"],
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            allow_sending_without_reply=True if reply_to else None,
        )
        return sent.message_id
    if method == "editMessageText":
        edited = await bot.edit_message_text(
            chat_id=chat_id,
            message_id=kwargs["message_id"],
            text=kwargs["text"],
            parse_mode=ParseMode.HTML,
            reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
        )
        return edited.message_id if isinstance(edited, Message) else int(kwargs["message_id"])
    if method == "copyMessage":  # attachments and relays: the copy does not show the sender
        caption = kwargs.get("caption")
        copied = await bot.copy_message(
            chat_id=chat_id,
            from_chat_id=kwargs["from_chat_id"],
            message_id=kwargs["message_id"],
            caption=caption,
            parse_mode=ParseMode.HTML if caption is not None else None,
            reply_markup=markup,
        )
        return copied.message_id
    if method == "setMyCommands":  # a staff member's own menu in their chat
        await bot.set_my_commands(
            [BotCommand(c["command"], c["description"]) for c in kwargs["commands"]],
            scope=BotCommandScopeChat(chat_id),
        )
        return None
    raise BadRequest(f"unsupported outbox method {method}")


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after in seconds, whichever type this PTB version returns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _markup(
    data: dict[str, Any] | None,
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None:
    if not data:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.de_json(data, None)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.de_json(data, None)
    if data.get("remove_keyboard"):
        return ReplyKeyboardRemove()
    if data.get("force_reply"):
        return ForceReply(input_field_placeholder=data.get("input_field_placeholder"))
    return None
