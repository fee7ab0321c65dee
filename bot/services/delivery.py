"""What the dispatcher learns about people: who cannot be reached, and who can again.

A permanent failure (bot blocked, chat gone) marks the villager or agent as unreachable, which
supervisors see in their digest and dashboard, and records an event on the ticket the message was
about; the next message that does get through clears the mark.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from bot import messages
from models import Agent, EventKind, Outbox, Ticket, TicketEvent, Villager


def reason_label(error: str) -> str:
    lowered = error.lower()
    if "blocked" in lowered or "deactivated" in lowered:
        return messages.UNREACHABLE_REASON["blocked"]
    if "chat not found" in lowered or "user not found" in lowered:
        return messages.UNREACHABLE_REASON["chat not found"]
    return messages.UNREACHABLE_REASON["other"]


def undeliverable(session: Session, row: Outbox, error: str, *, person_gone: bool) -> None:
    """Record a message that will never arrive (inside the dispatcher's transaction)."""
    label = reason_label(error)
    if person_gone:
        for table in (Villager, Agent):
            session.execute(
                update(table).where(col(table.telegram_id) == row.chat_id).values(unreachable=label)
            )
    if row.ticket_id is not None:
        ticket = session.get(Ticket, row.ticket_id)
        status = ticket.status if ticket else None
        session.add(
            TicketEvent(
                ticket_id=row.ticket_id,
                kind=EventKind.UNDELIVERED,
                actor="system",
                from_status=status,
                to_status=status,
                note=label,
                data={"chat_id": row.chat_id, "message": row.kind, "error": error[:200]},
            )
        )


def delivered(session: Session, chat_id: int) -> None:
    """A message got through: whoever was marked unreachable in this chat is reachable again."""
    for table in (Villager, Agent):
        session.execute(
            update(table)
            .where(col(table.telegram_id) == chat_id, col(table.unreachable).is_not(None))
            .values(unreachable=None)
        )
