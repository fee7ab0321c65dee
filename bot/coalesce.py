"""Coalescing: several new task cards waiting for one agent go out as one list, not N pings.

The merged cards are kept (status coalesced) so the ticket's card is sent on its own as soon as
the agent opens it from the list or acts on it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot import callbacks, messages
from bot.callbacks import Verb
from bot.services import outbox
from models import Outbox, OutboxStatus

MIN_CARDS = 3  # fewer than this: the cards go out one by one
MAX_BUTTONS = 20
MAX_TEXT = 3600  # Telegram allows 4096 characters; leave room for the header and the tail


def coalesce_cards(session: Session, chat_id: int, now: datetime) -> Outbox | None:
    """Merge the chat's waiting assignment cards into one list message; None if too few."""
    cards = session.exec(
        select(Outbox)
        .where(
            Outbox.chat_id == chat_id,
            Outbox.kind == "assignment",
            col(Outbox.status) == OutboxStatus.PENDING,
            col(Outbox.not_before) <= now,
        )
        .order_by(col(Outbox.id))
    ).all()
    if len(cards) < MIN_CARDS:
        return None
    summaries = [
        str(c.payload.get("summary") or c.payload["text"].split("\n", 1)[0]) for c in cards
    ]
    lines: list[str] = []
    size = 0
    for s in summaries:
        line = f"• {messages.esc(s)}"
        if size + len(line) + 1 > MAX_TEXT:
            lines.append(messages.TASK_LIST_MORE.format(n=len(summaries) - len(lines)))
            break
        lines.append(line)
        size += len(line) + 1
    keyboard = [
        [(f"📋 {s[:40]}", callbacks.make(Verb.OPEN, c.ticket_id))]
        for s, c in zip(summaries[:MAX_BUTTONS], cards[:MAX_BUTTONS], strict=True)
        if c.ticket_id is not None
    ]
    merged = outbox.send(
        session,
        chat_id,
        messages.join_lines(messages.TASK_LIST.format(n=len(cards)), lines),
        keyboard=keyboard,
        kind="assignment_list",
        priority=min(c.priority for c in cards),
    )
    session.flush()
    for card in cards:
        card.status = OutboxStatus.COALESCED
        card.error = f"merged into outbox #{merged.id}"
    return merged
