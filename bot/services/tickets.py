"""Ticket transitions: accept, close, hand over, cancel (rating is in rating.py).

Each function is one transaction that checks who may act, changes the ticket, writes the audit
event and queues every message the change causes (see models/ticket_states.mmd).
"""

from __future__ import annotations

import logging
import re

from sqlmodel import col, select

from bot import callbacks, messages
from bot.callbacks import Verb
from bot.services import attachments, followup, outbox, views
from bot.services.context import Deps, NotAllowed, NotFound, WrongState
from bot.services.intake import notify_holder
from bot.services.steps import (
    Card,
    card,
    held_by,
    holder_of,
    owned_by,
    prompt_row,
    record,
    refresh_card,
    require,
    tell_agent,
    tell_villager,
    township_of,
)
from models import (
    OPEN_STATUSES,
    Agent,
    EventKind,
    Role,
    Ticket,
    TicketStatus,
)
from nlp import Mode

log = logging.getLogger(__name__)
NOTE_REQUIRED = (Mode.PROXY, Mode.GUIDED)  # 代着办/领着办 close with a note the villager reads
_NUMBER = re.compile(r"^\s*(?:(\d{4})\s*-\s*)?0*(\d{1,6})\s*$")


def accept(deps: Deps, *, agent_id: int, ticket_id: int) -> Ticket:
    """接单: the holder takes the matter on; the villager is told who is on it."""
    with deps.tx() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket, [TicketStatus.PENDING])
        agent = session.get(Agent, agent_id)
        assert agent is not None
        ticket.accepted_at = deps.now()
        record(
            session, deps, ticket, EventKind.ACCEPTED, f"agent:{agent_id}", TicketStatus.IN_PROGRESS
        )
        refresh_card(session, deps, ticket, agent)
        tell_villager(
            session,
            ticket,
            messages.ACCEPTED_VILLAGER.format(
                agent=messages.esc(agent.name),
                number=ticket.number,
                matter=messages.esc(ticket.matter_name or "您的事"),
                due=messages.when(ticket.due_at, deps.zone),
            ),
            kind="accepted",
        )
        return ticket


def needs_note(ticket: Ticket) -> bool:
    """代着办/领着办 and reopened matters are closed with a note, never with one tap."""
    return ticket.category in NOTE_REQUIRED or ticket.status is TicketStatus.REOPENED


def close(deps: Deps, *, agent_id: int, ticket_id: int, note: str | None = None) -> Ticket:
    """办结: done; the villager is asked to rate the service (群众评价)."""
    note = (note or "").strip()[:1000] or None
    with deps.tx() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        if note is None and needs_note(ticket):
            reopened = ticket.status is TicketStatus.REOPENED
            mode = messages.REOPENED_MODE if reopened else ticket.category or ""
            raise WrongState(messages.CLOSE_NOTE_REQUIRED, mode=mode)
        agent = session.get(Agent, agent_id)
        assert agent is not None
        now = deps.now()
        ticket.accepted_at = ticket.accepted_at or now
        ticket.closed_at = now
        ticket.close_note = note
        followup.stop(ticket)
        record(
            session, deps, ticket, EventKind.CLOSED, f"agent:{agent_id}", TicketStatus.DONE, note
        )
        refresh_card(session, deps, ticket, agent)
        rate_row = [
            (r.value, callbacks.make(Verb.RATE, ticket.id, i))
            for i, r in enumerate(messages.RATING_BUTTONS, 1)
        ]
        tell_villager(
            session,
            ticket,
            messages.CLOSED_VILLAGER.format(
                number=ticket.number,
                matter=messages.esc(ticket.matter_name or "您的事"),
                note=messages.CLOSED_NOTE.format(note=messages.esc(note)) if note else "",
            ),
            keyboard=[rate_row],
            kind="rate",
        )
        return ticket


def begin_close(deps: Deps, *, agent_id: int, ticket_id: int) -> tuple[Ticket, bool]:
    """办结 pressed: a matter that needs a note gets the note prompt at once (True)."""
    with deps.read() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        if not needs_note(ticket):
            return ticket, False
    return ask_close_note(deps, agent_id=agent_id, ticket_id=ticket_id), True


def ask_close_note(deps: Deps, *, agent_id: int, ticket_id: int) -> Ticket:
    """Ask the holder to reply with a closing note; the reply is matched back by message id."""
    with deps.tx() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        agent = session.get(Agent, agent_id)
        assert agent is not None and agent.telegram_id is not None
        template = messages.CLOSE_NOTE_REQUIRED_PROMPT if needs_note(ticket) else None
        text = (template or messages.CLOSE_NOTE_PROMPT).format(
            number=ticket.number, mode=ticket.category or ""
        )
        outbox.send(
            session,
            agent.telegram_id,
            text,
            force_reply=True,
            placeholder=messages.CLOSE_NOTE_PLACEHOLDER,
            kind="close_note",
            ticket_id=ticket.id,
        )
        return ticket


def close_by_reply(
    deps: Deps, *, agent_id: int, chat_id: int, reply_to: int, note: str
) -> Ticket | None:
    """An agent's reply to a closing-note prompt closes that ticket; None if it is no such reply."""
    with deps.read() as session:
        prompt = prompt_row(session, chat_id, reply_to)
    if prompt is None or prompt.kind != "close_note" or prompt.ticket_id is None:
        return None
    return close(deps, agent_id=agent_id, ticket_id=prompt.ticket_id, note=note)


def handover_candidates(deps: Deps, *, agent_id: int, ticket_id: int) -> list[Agent]:
    """Colleagues in the same township who can take the ticket over (转办)."""
    return handover_options(deps, agent_id=agent_id, ticket_id=ticket_id)[1]


def handover_options(deps: Deps, *, agent_id: int, ticket_id: int) -> tuple[Ticket, list[Agent]]:
    """The ticket and the colleagues in its township who could take it over."""
    with deps.read() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        township_id = township_of(session, ticket.group_id)
        return ticket, list(
            session.exec(
                select(Agent)
                .where(
                    Agent.township_id == township_id,
                    col(Agent.active).is_(True),
                    Agent.id != agent_id,
                    col(Agent.role).in_([Role.AGENT, Role.STATION_HEAD]),
                )
                .order_by(col(Agent.village_id), col(Agent.name))
            ).all()
        )


def handover(deps: Deps, *, agent_id: int, ticket_id: int, to_agent_id: int) -> Ticket:
    """转办: on record, to a colleague in the same township; both agents and the villager told."""
    with deps.tx() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        old = session.get(Agent, agent_id)
        new = session.get(Agent, to_agent_id)
        assert old is not None
        township_id = township_of(session, ticket.group_id)
        if new is None or not new.active or new.township_id != township_id or new.id == agent_id:
            raise NotAllowed(messages.STALE_BUTTON)
        ticket.assignee_id = new.id
        status = TicketStatus.REOPENED if ticket.status is TicketStatus.REOPENED else None
        record(
            session,
            deps,
            ticket,
            EventKind.HANDED_OVER,
            f"agent:{agent_id}",
            status or TicketStatus.PENDING,
            from_agent=agent_id,
            to_agent=new.id,
        )
        refresh_card(
            session,
            deps,
            ticket,
            old,
            footer=messages.HANDED_TO.format(name=messages.esc(new.name)),
        )
        notify_holder(session, deps, ticket, new)
        attachments.forward_all(session, ticket, new)
        tell_villager(
            session,
            ticket,
            messages.HANDED_VILLAGER.format(number=ticket.number, card=views.card(session, new)),
            kind="handover",
        )
        return ticket


def holder_view(
    deps: Deps, *, agent_id: int, ticket_id: int, open_only: bool = True
) -> tuple[Ticket, str]:
    """The holder's card text for a ticket (after checking they hold it)."""
    with deps.read() as session:
        ticket = held_by(session, ticket_id, agent_id)
        if open_only:
            require(ticket)
        return ticket, views.ticket_card(session, ticket, deps.zone, deps.now())


def card_view(deps: Deps, *, agent_id: int, ticket_id: int) -> Card:
    """The holder's card with its buttons, to show again after a sub-menu (« 返回)."""
    with deps.read() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        return card(session, deps, ticket)


def open_card(deps: Deps, *, agent_id: int, ticket_id: int) -> Ticket:
    """Send the holder the ticket's card with its buttons (from a task list or /tasks)."""
    with deps.tx() as session:
        ticket = held_by(session, ticket_id, agent_id)
        agent = session.get(Agent, agent_id)
        assert agent is not None
        if agent.telegram_id is not None:
            outbox.send(
                session,
                agent.telegram_id,
                views.ticket_card(session, ticket, deps.zone, deps.now()),
                keyboard=views.ticket_keyboard(ticket),
                kind="assignment",
                ticket_id=ticket.id,
            )
        return ticket


# ---- the villager withdraws a request ------------------------------------------------------


def find_own(deps: Deps, *, villager_id: int, number: str, open_only: bool = True) -> Ticket:
    """The villager's own ticket by full number (2026-0137) or short sequence (137).

    Someone else's number is "not found", exactly like a number that does not exist.
    """
    found = _NUMBER.match(number.replace("－", "-"))
    if found is None:
        raise NotFound(messages.CANCEL_NOT_FOUND, number=messages.esc(number[:20]))
    year, seq = found.group(1), int(found.group(2))
    with deps.read() as session:
        mine = session.exec(
            select(Ticket)
            .where(Ticket.villager_id == villager_id)
            .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        ).all()
    for ticket in mine:
        t_year, _, t_seq = ticket.number.partition("-")
        if int(t_seq) == seq and (year is None or year == t_year):
            if open_only:
                require(ticket)
            return ticket
    raise NotFound(messages.CANCEL_NOT_FOUND, number=messages.esc(number[:20]))


def cancellable(deps: Deps, *, villager_id: int) -> list[Ticket]:
    """The villager's tickets still being worked on (what /cancel offers)."""
    with deps.read() as session:
        return list(
            session.exec(
                select(Ticket)
                .where(Ticket.villager_id == villager_id, col(Ticket.status).in_(OPEN_STATUSES))
                .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
                .limit(10)
            ).all()
        )


def check_cancel(deps: Deps, *, villager_id: int, ticket_id: int) -> Ticket:
    """The ticket the villager wants to withdraw, if it is theirs and still open."""
    with deps.read() as session:
        ticket = owned_by(session, ticket_id, villager_id)
        require(ticket)
        return ticket


def cancel(deps: Deps, *, villager_id: int, ticket_id: int) -> Ticket:
    """撤销: only the villager's own open ticket; the holder is told, the follow-up stops.

    The villager pressed the button, so their answer is the edited confirmation (the handler's).
    """
    with deps.tx() as session:
        ticket = owned_by(session, ticket_id, villager_id)
        require(ticket)
        followup.stop(ticket)
        ticket.closed_at = None
        record(
            session,
            deps,
            ticket,
            EventKind.CANCELLED,
            f"villager:{villager_id}",
            TicketStatus.CANCELLED,
        )
        holder = holder_of(session, ticket)
        if holder is not None:
            refresh_card(session, deps, ticket, holder, footer=messages.CANCELLED_CARD)
            tell_agent(
                session,
                holder,
                ticket,
                messages.CANCELLED_AGENT.format(
                    number=ticket.number, matter=messages.esc(ticket.matter_name or "待联系")
                ),
                kind="cancelled",
            )
        log.info("ticket %s cancelled by villager %s", ticket.number, villager_id)
        return ticket
