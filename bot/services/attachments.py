"""Photos, files, voice notes and places sent about a ticket: kept on record, copied to the holder.

They are forwarded with copyMessage through the outbox, so the holder sees the photo or hears the
voice without seeing who sent it (no Telegram account shown), with a caption saying whose it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot import messages
from bot.services import outbox
from models import Agent, Attachment, Priority, Ticket, Villager
from nlp import mask_pii

CAPTIONLESS = ("location",)  # Telegram takes no caption for these: a line of text goes first


@dataclass(frozen=True)
class Media:
    """An attachment as it arrived: what it is and where the original message is."""

    kind: str  # photo, document, voice, audio, video, video_note, location
    chat_id: int
    message_id: int
    file_id: str | None = None
    file_unique_id: str | None = None
    caption: str | None = None


def keep(
    session: Session,
    media: Media,
    *,
    source_ref: str,
    sender: str,
    ticket_id: int | None = None,
) -> Attachment:
    """Record an attachment (waiting on `source_ref` until its request becomes a ticket)."""
    row = Attachment(
        ticket_id=ticket_id,
        source_ref=source_ref,
        kind=media.kind,
        file_id=media.file_id,
        file_unique_id=media.file_unique_id,
        caption=(media.caption or "")[:1024] or None,
        chat_id=media.chat_id,
        message_id=media.message_id,
        sender=sender,
    )
    session.add(row)
    session.flush()
    return row


def link(session: Session, source_ref: str | None, ticket: Ticket) -> list[Attachment]:
    """Attachments that came with the request behind `source_ref` now belong to the ticket."""
    if source_ref is None:
        return []
    waiting = session.exec(
        select(Attachment).where(
            Attachment.source_ref == source_ref, col(Attachment.ticket_id).is_(None)
        )
    ).all()
    for row in waiting:
        row.ticket_id = ticket.id
    return list(waiting)


def mask_except(text: str, keep: str | None = None) -> str:
    """Mask phone and ID numbers, except `keep` (an agent's published card phone)."""
    if not keep:
        return mask_pii(text)
    pieces = re.split(rf"(?<!\d){re.escape(keep)}(?!\d)", text)
    return keep.join(mask_pii(piece) for piece in pieces)


def forward(
    session: Session,
    row: Attachment,
    ticket: Ticket,
    to_chat: int,
    *,
    header: str,
    keep_phone: str | None = None,
) -> None:
    """Copy one attachment to a chat, captioned with whose it is (numbers masked)."""
    caption = header
    if row.caption:
        caption += "：" + messages.esc(mask_except(row.caption, keep_phone))
    context = {"attachment": row.id}
    if row.kind in CAPTIONLESS:
        outbox.send(
            session,
            to_chat,
            caption,
            kind="attachment",
            priority=Priority.NOTIFY,
            ticket_id=ticket.id,
        )
        outbox.copy(
            session,
            to_chat,
            row.chat_id,
            row.message_id,
            ticket_id=ticket.id,
            context=context,
        )
        return
    outbox.copy(
        session,
        to_chat,
        row.chat_id,
        row.message_id,
        caption=caption,
        ticket_id=ticket.id,
        context=context,
    )


def from_villager_header(session: Session, row: Attachment, ticket: Ticket) -> str:
    villager = session.get(Villager, ticket.villager_id)
    return messages.ATTACHMENT_FROM_VILLAGER.format(
        villager=messages.esc(villager.name if villager else ""),
        number=ticket.number,
        kind=messages.KIND_LABEL.get(row.kind, messages.KIND_LABEL["other"]),
    )


def to_holder(session: Session, rows: list[Attachment], ticket: Ticket, holder: Agent) -> None:
    """Copy a villager's attachments to the agent holding the ticket."""
    if holder.telegram_id is None:
        return
    for row in rows:
        forward(
            session,
            row,
            ticket,
            holder.telegram_id,
            header=from_villager_header(session, row, ticket),
        )


def forward_all(session: Session, ticket: Ticket, holder: Agent) -> None:
    """Every attachment the villager sent about a ticket, to its new holder (after 转办)."""
    rows = session.exec(
        select(Attachment)
        .where(Attachment.ticket_id == ticket.id, col(Attachment.sender).startswith("villager:"))
        .order_by(col(Attachment.id))
    ).all()
    to_holder(session, list(rows), ticket, holder)
