"""Writing outgoing messages into the outbox, inside the caller's transaction.

Text over Telegram's limit is split here (bot/services/htmlsplit.py): several rows, in order, the
keyboard on the last one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.services.htmlsplit import MAX_CAPTION, split_html
from models import Outbox, Priority

Button = tuple[str, str]  # (label, callback data)
Keyboard = Sequence[Sequence[Button]]


def inline(rows: Keyboard) -> dict[str, Any]:
    """Bot API InlineKeyboardMarkup as a plain dict (stored as JSON in the outbox)."""
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in rows
        ]
    }


def contact_keyboard(label: str) -> dict[str, Any]:
    """A one-button reply keyboard that shares the user's own phone number."""
    return {
        "keyboard": [[{"text": label, "request_contact": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


def send(
    session: Session,
    chat_id: int,
    text: str,
    *,
    keyboard: Keyboard | None = None,
    markup: dict[str, Any] | None = None,
    kind: str = "reply",
    priority: int = Priority.REPLY,
    ticket_id: int | None = None,
    reply_to_message_id: int | None = None,
    force_reply: bool = False,
    placeholder: str | None = None,
    not_before: datetime | None = None,
    summary: str | None = None,
    context: dict[str, Any] | None = None,
) -> Outbox:
    """Queue a text message (Telegram HTML) to one chat; `summary` is its line in a merged list.

    Over 4096 characters it becomes several messages; the last one (returned) has the buttons.
    `context` is kept with the row for whoever reads a reply to it (never sent to Telegram).
    """
    parts = split_html(text)
    for part in parts[:-1]:
        _queue(
            session, chat_id, "sendMessage", {"text": part}, kind, priority, ticket_id, not_before
        )
    payload: dict[str, Any] = {"text": parts[-1]}
    if summary is not None:
        payload["summary"] = summary
    if context is not None:
        payload["context"] = context
    if keyboard:  # an empty keyboard is no keyboard (Telegram refuses an empty one)
        payload["reply_markup"] = inline(keyboard)
    elif markup is not None:
        payload["reply_markup"] = markup
    elif force_reply:
        payload["reply_markup"] = {"force_reply": True}
        if placeholder:
            payload["reply_markup"]["input_field_placeholder"] = placeholder[:64]
    if reply_to_message_id is not None and len(parts) == 1:
        payload["reply_to_message_id"] = reply_to_message_id
    return _queue(session, chat_id, "sendMessage", payload, kind, priority, ticket_id, not_before)


def copy(
    session: Session,
    chat_id: int,
    from_chat_id: int,
    message_id: int,
    *,
    caption: str | None = None,
    kind: str = "attachment",
    priority: int = Priority.NOTIFY,
    ticket_id: int | None = None,
    context: dict[str, Any] | None = None,
) -> Outbox:
    """Queue a copyMessage: the photo, file, voice or place, without showing who sent it.

    `caption` (Telegram HTML, cut to 1024 characters) replaces the original caption.
    """
    payload: dict[str, Any] = {"from_chat_id": from_chat_id, "message_id": message_id}
    if caption is not None:
        payload["caption"] = split_html(caption, MAX_CAPTION)[0]
    if context is not None:
        payload["context"] = context
    return _queue(session, chat_id, "copyMessage", payload, kind, priority, ticket_id, None)


def set_menu(session: Session, chat_id: int, commands: dict[str, str]) -> Outbox:
    """Queue setMyCommands for one chat: the command menu this person sees (name → description)."""
    payload: dict[str, Any] = {
        "commands": [{"command": name, "description": text} for name, text in commands.items()],
        "scope": {"type": "chat", "chat_id": chat_id},
    }
    return _queue(session, chat_id, "setMyCommands", payload, "menu", Priority.DIGEST, None, None)


def _queue(
    session: Session,
    chat_id: int,
    method: str,
    payload: dict[str, Any],
    kind: str,
    priority: int,
    ticket_id: int | None,
    not_before: datetime | None,
) -> Outbox:
    row = Outbox(
        chat_id=chat_id,
        method=method,
        payload=payload,
        kind=kind,
        priority=priority,
        ticket_id=ticket_id,
    )
    if not_before is not None:
        row.not_before = not_before
    session.add(row)
    return row


def edit(
    session: Session,
    chat_id: int,
    text: str,
    *,
    message_id: int | None = None,
    edit_of: int | None = None,
    keyboard: Keyboard | None = None,
    kind: str = "edit",
    priority: int = Priority.REPLY,
    ticket_id: int | None = None,
) -> Outbox:
    """Queue an edit of a message: by Telegram message id, or of an earlier outbox row once sent."""
    if message_id is None and edit_of is None:
        raise ValueError("edit needs message_id or edit_of")
    payload: dict[str, Any] = {"text": split_html(text)[0]}  # an edit cannot become two messages
    if keyboard:  # an edit without reply_markup removes the buttons, as Telegram does
        payload["reply_markup"] = inline(keyboard)
    if message_id is not None:
        payload["message_id"] = message_id
    else:
        payload["edit_of"] = edit_of
    return _queue(session, chat_id, "editMessageText", payload, kind, priority, ticket_id, None)
