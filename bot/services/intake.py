"""Intake: a villager's words become a classified, assigned ticket with its messages, in one go.

Every channel (Telegram, Open311, hotline, CLI) calls `submit_request`; `source_ref` (e.g. the
Telegram chat and message id) makes a redelivered request come back as the same ticket.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot import callbacks, messages
from bot.callbacks import Verb
from bot.services import attachments, flood, followup, outbox, queries, views
from bot.services.attachments import Media
from bot.services.context import Deps, NotAllowed, NotFound
from bot.workdays import due_at
from models import (
    OPEN_STATUSES,
    Agent,
    Channel,
    Coverage,
    EventKind,
    HeldRequest,
    PendingRequest,
    Priority,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketStatus,
    Villager,
)
from nlp import Classification, Mode, mask_pii

log = logging.getLogger(__name__)
CALL_BACK_DAYS = 1  # "please call me" requests without a matter: next working day
MAX_TEXT = 4000

Outcome = Literal["created", "duplicate", "clarify", "not_request", "held"]


@dataclass(frozen=True)
class IntakeResult:
    outcome: Outcome
    ticket: Ticket | None
    classification: Classification | None
    pending: PendingRequest | None = None
    held: HeldRequest | None = None


def submit_request(
    deps: Deps,
    *,
    villager_id: int,
    text: str,
    channel: Channel,
    source_ref: str | None = None,
    notify_villager: bool = True,
    matter_code: str | None = None,
    media: Media | None = None,
    call_back: bool = False,
) -> IntakeResult:
    """Classify the text; create and assign a ticket, ask to clarify, or explain how to ask.

    `matter_code` (a catalogue code the caller already chose, e.g. an Open311 service_code)
    fixes the matter; the classifier still decides the mode from the villager's circumstances.
    `call_back` (a voice note or a place, which nobody can classify offline) makes a 流动办
    "please call me back" ticket; `media` is kept on the ticket and copied to the holder.
    """
    text = text.strip()[:MAX_TEXT]
    with deps.tx() as session:
        villager = session.get(Villager, villager_id)
        if villager is None:
            raise NotFound(messages.NOT_REGISTERED)
        if source_ref is not None:
            seen = _seen(session, source_ref, villager, notify_villager)
            if seen is not None:
                return seen
            if media is not None:
                attachments.keep(
                    session, media, source_ref=source_ref, sender=f"villager:{villager_id}"
                )
        return process(
            session,
            deps,
            villager,
            text,
            channel,
            source_ref,
            notify_villager=notify_villager,
            matter_code=matter_code,
            call_back=call_back,
        )


def process(
    session: Session,
    deps: Deps,
    villager: Villager,
    text: str,
    channel: Channel,
    source_ref: str | None,
    *,
    notify_villager: bool = True,
    matter_code: str | None = None,
    call_back: bool = False,
    check_flood: bool = True,
) -> IntakeResult:
    """The intake decision inside the caller's transaction (also used to release held ones)."""
    result = None if call_back else _classify(deps, text, matter_code)
    log.info(
        "intake villager=%s channel=%s mode=%s matter=%s conf=%.2f clarify=%s text=%r",
        villager.id,
        channel,
        result.category if result else "call_back",
        result.matter.code if result and result.matter else None,
        result.confidence if result else 0.0,
        result.clarify if result else False,
        mask_pii(text)[:120],
    )
    wanted = result is None or result.category is not None or result.clarify
    if check_flood and wanted and flood.over_limit(session, deps, villager, channel):
        held = flood.hold(session, deps, villager, text, channel, source_ref, call_back)
        return IntakeResult("held", None, result, held=held)
    if result is None or (result.category is not None and not result.clarify):
        ticket = create_ticket(session, deps, villager, text, channel, source_ref, result)
        if notify_villager:
            lead = messages.CALL_BACK_LEAD if call_back else None
            _ack(session, deps, villager, ticket, lead=lead)
        return IntakeResult("created", ticket, result)
    if not notify_villager:  # no chat to ask in: make it a call-back ticket
        ticket = create_ticket(session, deps, villager, text, channel, source_ref, None)
        return IntakeResult("created", ticket, result)
    pending = PendingRequest(
        villager_id=villager.id or 0,
        text=text,
        channel=channel,
        source_ref=source_ref,
        choices=[m.code for m in result.alternatives] if result.clarify else [],
    )
    session.add(pending)
    session.flush()
    _ask(session, villager, pending, result)
    return IntakeResult("clarify" if result.clarify else "not_request", None, result, pending)


def _classify(deps: Deps, text: str, matter_code: str | None) -> Classification:
    started = time.perf_counter()
    if matter_code is not None:
        result = deps.classifier.resolve(text, matter_code)
    else:
        result = deps.classifier.classify(text)
    deps.observe("classify", time.perf_counter() - started)
    return result


def choose_matter(deps: Deps, *, villager_id: int, pending_id: int, code: str | None) -> Ticket:
    """The villager answered the clarifying question (code None: "please call me")."""
    with deps.tx() as session:
        pending = session.get(PendingRequest, pending_id, with_for_update=True)
        if pending is None:
            raise NotFound(messages.STALE_BUTTON)
        if pending.villager_id != villager_id:
            raise NotAllowed(messages.NOT_ALLOWED)
        if pending.ticket_id is not None:
            done = session.get(Ticket, pending.ticket_id)
            assert done is not None
            return done
        if code is not None and code not in pending.choices:
            raise NotFound(messages.STALE_BUTTON)
        villager = session.get(Villager, villager_id)
        assert villager is not None
        result = deps.classifier.resolve(pending.text, code) if code else None
        ticket = create_ticket(
            session,
            deps,
            villager,
            pending.text,
            pending.channel,
            None,
            result,
            attached_ref=pending.source_ref,
        )
        pending.ticket_id = ticket.id
        _ack(session, deps, villager, ticket)
        return ticket


def create_ticket(
    session: Session,
    deps: Deps,
    villager: Villager,
    text: str,
    channel: Channel,
    source_ref: str | None,
    result: Classification | None,
    *,
    attached_ref: str | None = None,
) -> Ticket:
    """Number, classify, time-limit and assign a new ticket (首问负责), with its audit events.

    Attachments that came with the request (`attached_ref`, else `source_ref`) join the ticket
    and are copied to the holder after the card.
    """
    now = deps.now()
    matter = result.matter if result else None
    mode = (result.category if result else None) or Mode.MOBILE
    days = matter.time_limit_days if matter else CALL_BACK_DAYS
    assignee, rule = responsible_agent(session, villager.group_id)
    ticket = Ticket(
        number=_next_number(session, now.astimezone(deps.zone).year),
        villager_id=villager.id or 0,
        group_id=villager.group_id,
        text=text,
        channel=channel,
        source_ref=source_ref,
        category=mode,
        matter_code=matter.code if matter else None,
        matter_name=matter.name if matter else None,
        documents=list(matter.documents) if matter else [],
        circumstances=list(result.circumstances) if result else [],
        confidence=result.confidence if result else 0.0,
        assignee_id=assignee.id if assignee else None,
        due_at=due_at(now, days, deps.zone, deps.workday_end),
        created_at=now,
        updated_at=now,
        status=TicketStatus.PENDING,
    )
    followup.schedule_new(ticket, deps, now)
    session.add(ticket)
    session.flush()
    actor = f"villager:{villager.id}"
    session.add(
        TicketEvent(
            ticket_id=ticket.id or 0,
            at=now,
            kind=EventKind.CREATED,
            actor=actor,
            to_status=TicketStatus.PENDING,
            data={
                "channel": channel.value,
                "mode": mode.value,
                "matter": ticket.matter_code,
                "confidence": round(ticket.confidence, 3),
                "keywords": list(result.keywords) if result else [],
                "also": [m.code for m in result.also] if result else [],
            },
        )
    )
    session.add(
        TicketEvent(
            ticket_id=ticket.id or 0,
            at=now,
            kind=EventKind.ASSIGNED,
            actor="system",
            data={"agent_id": ticket.assignee_id, "rule": rule},
        )
    )
    attached = attachments.link(session, attached_ref or source_ref, ticket)
    if assignee is not None:
        notify_holder(session, deps, ticket, assignee)
        attachments.to_holder(session, attached, ticket, assignee)
    else:
        log.error("ticket %s has nobody responsible (group %s)", ticket.number, ticket.group_id)
    return ticket


def responsible_agent(session: Session, group_id: int) -> tuple[Agent | None, str]:
    """首问负责: the group's agent; failing that the station head, township, then county."""
    agent = session.exec(
        select(Agent)
        .join(Coverage)
        .where(Coverage.group_id == group_id, col(Agent.active).is_(True))
    ).first()
    if agent is not None:
        return agent, "coverage"
    lead = queries.lead_above(session, group_id)
    if lead is None:
        return None, "none"
    return lead, f"fallback:{lead.role.value}"


def notify_holder(session: Session, deps: Deps, ticket: Ticket, agent: Agent) -> None:
    """Send the ticket card with its action buttons to the agent who now holds it."""
    if agent.telegram_id is None:
        log.warning("agent %s has not linked Telegram; card for %s waits", agent.id, ticket.number)
        return
    outbox.send(
        session,
        agent.telegram_id,
        views.ticket_card(session, ticket, deps.zone, deps.now()),
        keyboard=views.ticket_keyboard(ticket),
        kind="assignment",
        priority=Priority.NOTIFY,
        ticket_id=ticket.id,
        summary=views.ticket_summary(session, ticket),
    )


def _ack(
    session: Session, deps: Deps, villager: Villager, ticket: Ticket, lead: str | None = None
) -> None:
    if villager.telegram_id is None:
        return
    holder = session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
    text = messages.ack(
        number=ticket.number,
        mode=ticket.category or Mode.MOBILE,
        matter=ticket.matter_name,
        documents=ticket.documents,
        due=messages.when(ticket.due_at, deps.zone),
        card=views.card(session, holder) if holder else None,
        circumstances=ticket.circumstances,
        lead=lead,
    )
    outbox.send(session, villager.telegram_id, text, kind="ack", ticket_id=ticket.id)


def _ask(
    session: Session, villager: Villager, pending: PendingRequest, result: Classification
) -> None:
    if villager.telegram_id is None:
        return
    none = (messages.CLARIFY_NONE, callbacks.make(Verb.PICK, pending.id, "-"))
    if result.clarify:
        rows = [
            [(m.name, callbacks.make(Verb.PICK, pending.id, m.code))] for m in result.alternatives
        ]
        text = messages.CLARIFY.format(text=messages.esc(mask_pii(pending.text)[:200]))
        outbox.send(session, villager.telegram_id, text, keyboard=[*rows, [none]], kind="clarify")
    else:
        call_me = (messages.CALL_ME, none[1])
        outbox.send(session, villager.telegram_id, messages.NOT_A_REQUEST, keyboard=[[call_me]])


def _seen(
    session: Session, source_ref: str, villager: Villager, notify: bool
) -> IntakeResult | None:
    """The same inbound message again (redelivery): answer with what it already produced."""
    ticket = session.exec(select(Ticket).where(Ticket.source_ref == source_ref)).first()
    if ticket is not None:
        return IntakeResult("duplicate", ticket, None)
    pending = session.exec(
        select(PendingRequest).where(PendingRequest.source_ref == source_ref)
    ).first()
    if pending is not None:
        return IntakeResult("duplicate", None, None, pending)
    held = session.exec(select(HeldRequest).where(HeldRequest.source_ref == source_ref)).first()
    if held is not None:
        return IntakeResult("duplicate", None, None, held=held)
    return None


def _next_number(session: Session, year: int) -> str:
    """Readable ticket number, e.g. 2026-0137: a per-year counter bumped atomically."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(TicketCounter)
        .values(year=year, value=1)
        .on_conflict_do_update(
            index_elements=["year"],
            set_={"value": col(TicketCounter.value) + 1},
        )
        .returning(col(TicketCounter.value))
    )
    value = session.execute(stmt).scalar_one()
    return f"{year}-{value:04d}"


def count_open(session: Session, agent_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.assignee_id == agent_id, col(Ticket.status).in_(OPEN_STATUSES))
    ).one()


def now_local(deps: Deps) -> datetime:
    return deps.now().astimezone(deps.zone)
