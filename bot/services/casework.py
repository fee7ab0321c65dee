"""The holder's tools on a ticket card: 需补材料 (ask for named documents) and 改类 (reclassify).

The documents picker keeps its ticks in the callback data (a bitmask over the ticket's document
list), so nothing is stored until the agent sends the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import messages
from bot.services import followup, outbox
from bot.services.context import Deps, NotFound, WrongState
from bot.services.steps import (
    Card,
    card,
    held_by,
    record,
    refresh_card,
    require,
    tell_villager,
)
from bot.workdays import due_at
from models import Agent, EventKind, Ticket
from nlp import Matter, Mode

MODES: tuple[Mode, ...] = (Mode.IMMEDIATE, Mode.PROXY, Mode.GUIDED, Mode.MOBILE)
PAGE_SIZE = 8
SUGGESTIONS = 5


@dataclass(frozen=True)
class DocsPicker:
    ticket: Ticket
    documents: list[str]
    mask: int


@dataclass(frozen=True)
class ReclassMenu:
    ticket: Ticket
    suggestions: list[Matter]
    page: list[Matter]  # empty unless a page of the whole list was asked for
    page_no: int
    pages: int


def _check_mask(ticket: Ticket, mask: int) -> None:
    if mask < 0 or mask >= 1 << len(ticket.documents):
        raise NotFound(messages.STALE_BUTTON)


def documents_picker(deps: Deps, *, agent_id: int, ticket_id: int, mask: int = 0) -> DocsPicker:
    """需补材料: the ticket's documents with the ones ticked so far."""
    with deps.read() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        _check_mask(ticket, mask)
        return DocsPicker(ticket, list(ticket.documents), mask)


def ask_documents_note(deps: Deps, *, agent_id: int, ticket_id: int, mask: int) -> Ticket:
    """The agent wants to add words: a prompt they answer by replying (the ticks go with it)."""
    with deps.tx() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        _check_mask(ticket, mask)
        agent = session.get(Agent, agent_id)
        assert agent is not None and agent.telegram_id is not None
        outbox.send(
            session,
            agent.telegram_id,
            messages.DOCS_NOTE_PROMPT.format(number=ticket.number),
            force_reply=True,
            placeholder=messages.DOCS_NOTE_PLACEHOLDER,
            kind="docs_note",
            ticket_id=ticket.id,
            context={"mask": mask},
        )
        return ticket


def request_documents(
    deps: Deps,
    *,
    agent_id: int,
    ticket_id: int,
    mask: int,
    note: str | None = None,
    source_ref: str | None = None,
) -> Card:
    """Tell the villager exactly what to bring (the ticked documents and/or a note), on record."""
    note = (note or "").strip()[:1000] or None
    with deps.tx() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        _check_mask(ticket, mask)
        wanted = [doc for i, doc in enumerate(ticket.documents) if mask & (1 << i)]
        if not wanted and note is None:
            raise WrongState(messages.DOCS_EMPTY)
        agent = session.get(Agent, agent_id)
        assert agent is not None
        record(
            session,
            deps,
            ticket,
            EventKind.DOCUMENTS_REQUESTED,
            f"agent:{agent_id}",
            note=note,
            source_ref=source_ref,
            documents=wanted,
        )
        tell_villager(
            session,
            ticket,
            messages.documents_request(
                agent=agent.name,
                number=ticket.number,
                matter=ticket.matter_name,
                documents=wanted,
                note=note,
            ),
            kind="need_docs",
        )
        if source_ref is not None:  # asked by a reply: the card (still the picker) shows again
            refresh_card(session, deps, ticket, agent, footer=messages.DOCS_SENT_FOOTER)
        return card(session, deps, ticket, footer=messages.DOCS_SENT_FOOTER)


def reclass_menu(
    deps: Deps, *, agent_id: int, ticket_id: int, page: int | None = None
) -> ReclassMenu:
    """改类: the likely matters for the villager's words, or a page of the whole catalogue."""
    matters = list(deps.classifier.catalog)
    pages = (len(matters) + PAGE_SIZE - 1) // PAGE_SIZE
    with deps.read() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
    if page is not None:
        if page >= pages:
            raise NotFound(messages.STALE_BUTTON)
        chunk = matters[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        return ReclassMenu(ticket, [], chunk, page, pages)
    result = deps.classifier.classify(ticket.text)
    seen: set[str] = {ticket.matter_code or ""}
    suggestions = []
    for matter in (result.matter, *result.alternatives, *result.also):
        if matter is not None and matter.code not in seen:
            seen.add(matter.code)
            suggestions.append(matter)
    return ReclassMenu(ticket, suggestions[:SUGGESTIONS], [], 0, pages)


def reclassify(
    deps: Deps,
    *,
    agent_id: int,
    ticket_id: int,
    mode: Mode | None = None,
    matter_code: str | None = None,
) -> Card:
    """改类: another mode and/or matter; a new matter brings its documents and time limit.

    The limit counts in working days from when the villager asked (限时办结 starts with the
    request), so a reclassification never buys the agent extra time.
    """
    with deps.tx() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        before = (ticket.category, ticket.matter_code, ticket.due_at)
        if matter_code is not None and matter_code != ticket.matter_code:
            if deps.classifier.catalog.get(matter_code) is None:
                raise NotFound(messages.STALE_BUTTON)
            result = deps.classifier.resolve(ticket.text, matter_code)
            assert result.matter is not None
            ticket.matter_code = result.matter.code
            ticket.matter_name = result.matter.name
            ticket.documents = list(result.matter.documents)
            ticket.category = mode or result.category
            ticket.due_at = due_at(
                ticket.created_at, result.matter.time_limit_days, deps.zone, deps.workday_end
            )
        elif mode is not None:
            ticket.category = mode
        if (ticket.category, ticket.matter_code, ticket.due_at) == before:
            raise WrongState(messages.RECLASS_SAME)
        followup.schedule_new(ticket, deps, deps.now())
        record(
            session,
            deps,
            ticket,
            EventKind.RECLASSIFIED,
            f"agent:{agent_id}",
            from_mode=before[0].value if before[0] else None,
            to_mode=ticket.category.value if ticket.category else None,
            from_matter=before[1],
            to_matter=ticket.matter_code,
        )
        tell_villager(
            session,
            ticket,
            messages.reclassified(
                number=ticket.number,
                mode=ticket.category or Mode.MOBILE,
                matter=ticket.matter_name,
                documents=ticket.documents if ticket.matter_code != before[1] else [],
                due=messages.when(ticket.due_at, deps.zone),
            ),
            kind="reclassified",
        )
        return card(session, deps, ticket)
