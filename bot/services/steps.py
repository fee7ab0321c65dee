"""Building blocks every ticket transition uses, inside the caller's transaction.

Who may act (the holder, the villager who asked), the status check, the audit event, the
holder's card kept up to date and the villager told — so each workflow in tickets.py,
casework.py, rating.py and conversation.py stays one short transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot import messages
from bot.services import outbox, views
from bot.services.context import Deps, NotAllowed, NotFound, WrongState
from models import (
    OPEN_STATUSES,
    Agent,
    EventKind,
    Outbox,
    Priority,
    Ticket,
    TicketEvent,
    TicketStatus,
    Village,
    VillageGroup,
    Villager,
)

log = logging.getLogger("bot.services.tickets")


@dataclass(frozen=True)
class Card:
    """The holder's card for a ticket, to show in place of the message whose button was pressed."""

    ticket: Ticket
    text: str
    keyboard: outbox.Keyboard


def card(session: Session, deps: Deps, ticket: Ticket, footer: str | None = None) -> Card:
    text = views.ticket_card(session, ticket, deps.zone, deps.now(), handled_by=footer)
    return Card(ticket, text, views.ticket_keyboard(ticket))


def load(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id, with_for_update=True)
    if ticket is None:
        raise NotFound(messages.NOT_FOUND)
    return ticket


def held_by(session: Session, ticket_id: int, agent_id: int) -> Ticket:
    """The ticket, provided `agent_id` holds it (an agent acts only on their own tickets)."""
    ticket = load(session, ticket_id)
    if ticket.assignee_id != agent_id:
        log.warning(
            "agent %s tried to act on ticket %s held by %s", agent_id, ticket_id, ticket.assignee_id
        )
        raise NotAllowed(messages.NOT_ALLOWED)
    return ticket


def owned_by(session: Session, ticket_id: int, villager_id: int) -> Ticket:
    """The ticket, provided this villager asked for it (never anyone else's: no leak either)."""
    ticket = load(session, ticket_id)
    if ticket.villager_id != villager_id:
        log.warning("villager %s tried to act on ticket %s", villager_id, ticket_id)
        raise NotAllowed(messages.NOT_ALLOWED)
    return ticket


def require(ticket: Ticket, allowed: Iterable[TicketStatus] = OPEN_STATUSES) -> None:
    if ticket.status not in tuple(allowed):
        raise WrongState(
            messages.WRONG_STATE,
            number=ticket.number,
            status=messages.STATUS_LABEL[TicketStatus(ticket.status)],
        )


def record(
    session: Session,
    deps: Deps,
    ticket: Ticket,
    kind: EventKind,
    actor: str,
    to_status: TicketStatus | None = None,
    note: str | None = None,
    source_ref: str | None = None,
    **data: object,
) -> None:
    """Change status (if given) and write the audit event, stamped with the same time."""
    now = deps.now()
    before = TicketStatus(ticket.status)
    if to_status is not None:
        ticket.status = to_status
    ticket.updated_at = now
    session.add(
        TicketEvent(
            ticket_id=ticket.id or 0,
            at=now,
            kind=kind,
            actor=actor,
            from_status=before,
            to_status=TicketStatus(ticket.status),
            note=note,
            data=dict(data),
            source_ref=source_ref,
        )
    )


def seen(session: Session, source_ref: str | None) -> bool:
    """An event already recorded for this inbound message (a redelivered update)."""
    if source_ref is None:
        return False
    found = session.exec(select(TicketEvent.id).where(TicketEvent.source_ref == source_ref))
    return found.first() is not None


def refresh_card(
    session: Session, deps: Deps, ticket: Ticket, agent: Agent, footer: str | None = None
) -> None:
    """Update the agent's card for this ticket in place (or send it anew if it never went out)."""
    if agent.telegram_id is None:
        return
    card = session.exec(
        select(Outbox)
        .where(
            Outbox.ticket_id == ticket.id,
            Outbox.chat_id == agent.telegram_id,
            Outbox.kind == "assignment",
        )
        .order_by(col(Outbox.id).desc())
    ).first()
    text = views.ticket_card(session, ticket, deps.zone, deps.now(), handled_by=footer)
    keyboard = views.ticket_keyboard(ticket) if ticket.assignee_id == agent.id else []
    if card is None:
        outbox.send(
            session,
            agent.telegram_id,
            text,
            keyboard=keyboard,
            kind="assignment",
            ticket_id=ticket.id,
        )
    else:
        outbox.edit(
            session,
            agent.telegram_id,
            text,
            edit_of=card.id,
            keyboard=keyboard,
            ticket_id=ticket.id,
        )


def villager_of(session: Session, ticket: Ticket) -> Villager:
    villager = session.get(Villager, ticket.villager_id)
    assert villager is not None
    return villager


def holder_of(session: Session, ticket: Ticket) -> Agent | None:
    return session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None


def tell_villager(
    session: Session,
    ticket: Ticket,
    text: str,
    *,
    kind: str,
    keyboard: outbox.Keyboard | None = None,
    force_reply: bool = False,
    placeholder: str | None = None,
) -> None:
    villager = villager_of(session, ticket)
    if villager.telegram_id is not None:
        outbox.send(
            session,
            villager.telegram_id,
            text,
            keyboard=keyboard,
            kind=kind,
            ticket_id=ticket.id,
            priority=Priority.NOTIFY,
            force_reply=force_reply,
            placeholder=placeholder,
        )


def tell_agent(
    session: Session, agent: Agent | None, ticket: Ticket, text: str, *, kind: str
) -> None:
    if agent is not None and agent.telegram_id is not None:
        outbox.send(
            session,
            agent.telegram_id,
            text,
            kind=kind,
            priority=Priority.NOTIFY,
            ticket_id=ticket.id,
        )


def township_of(session: Session, group_id: int) -> int:
    return village_of(session, group_id).township_id


def village_of(session: Session, group_id: int) -> Village:
    group = session.get(VillageGroup, group_id)
    village = session.get(Village, group.village_id) if group else None
    assert village is not None
    return village


def prompt_row(session: Session, chat_id: int, reply_to: int) -> Outbox | None:
    """The bot's message (an outbox row) that a user's reply answers, if we sent it."""
    return session.exec(
        select(Outbox)
        .where(Outbox.chat_id == chat_id, Outbox.tg_message_id == reply_to)
        .order_by(col(Outbox.id).desc())
    ).first()
