"""督办 in Telegram: prompting a holder, the area's figures, and reviewing held requests.

Every function checks the person is a supervisor (station head, township or county) and that
the ticket or request lies in their area (`queries.in_area`); outside it, a ticket "does not
exist" for them, as on the dashboard.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from bot import messages
from bot.services import dashboard, flood, intake, ledger, outbox, queries, views
from bot.services.context import Deps, NotAllowed, NotFound, WrongState
from bot.services.dashboard import Summary
from bot.services.flood import Held
from bot.services.queries import OverdueItem
from bot.services.steps import holder_of, load, record, require
from models import (
    Agent,
    EventKind,
    HeldRequest,
    HeldStatus,
    Priority,
    Ticket,
    TicketEvent,
    Village,
    VillageGroup,
    Villager,
)

log = logging.getLogger(__name__)
URGE_EVERY = timedelta(hours=1)  # one 督办 per ticket per supervisor an hour: no nagging storms
WORST = 5


@dataclass(frozen=True)
class Stats:
    area: str
    summary: Summary
    worst: list[OverdueItem]


def _supervisor(session: Session, supervisor_id: int, refusal: str) -> Agent:
    agent = session.get(Agent, supervisor_id)
    if agent is None or not agent.active or not agent.role.is_supervisor:
        raise NotAllowed(refusal)
    return agent


def _in_area(session: Session, supervisor: Agent, ticket_id: int) -> Ticket:
    query = (
        select(Ticket)
        .join(VillageGroup, col(VillageGroup.id) == col(Ticket.group_id))
        .join(Village, col(Village.id) == col(VillageGroup.village_id))
        .where(Ticket.id == ticket_id)
    )
    if session.exec(queries.in_area(query, supervisor)).first() is None:
        log.warning(
            "supervisor %s asked for ticket %s outside their area", supervisor.id, ticket_id
        )
        raise NotFound(messages.NOT_FOUND)
    return load(session, ticket_id)


def urge(deps: Deps, *, supervisor_id: int, ticket_id: int) -> Ticket:
    """督办: a recorded prompt to whoever holds an open ticket in the supervisor's area."""
    now = deps.now()
    with deps.tx() as session:
        supervisor = _supervisor(session, supervisor_id, messages.URGE_ONLY_SUPERVISORS)
        ticket = _in_area(session, supervisor, ticket_id)
        require(ticket)
        holder = holder_of(session, ticket)
        if holder is None:
            raise WrongState(messages.URGE_NO_HOLDER)
        if holder.id == supervisor.id:
            raise WrongState(messages.URGE_SELF)
        actor = f"agent:{supervisor_id}"
        lately = session.exec(
            select(TicketEvent.id).where(
                TicketEvent.ticket_id == ticket.id,
                TicketEvent.kind == EventKind.URGED,
                TicketEvent.actor == actor,
                col(TicketEvent.at) > now - URGE_EVERY,
            )
        ).first()
        if lately is not None:
            raise WrongState(messages.URGE_TOO_SOON)
        record(session, deps, ticket, EventKind.URGED, actor, to_agent=holder.id)
        if holder.telegram_id is not None:
            late = (now - ticket.due_at).total_seconds()
            outbox.send(
                session,
                holder.telegram_id,
                messages.URGED_HOLDER.format(
                    role=messages.ROLE_LABEL[supervisor.role.value],
                    name=messages.esc(supervisor.name),
                    number=ticket.number,
                    matter=messages.esc(ticket.matter_name or "待联系"),
                    place=views.place(session, ticket.group_id),
                    due=messages.when(ticket.due_at, deps.zone),
                    late=messages.URGED_LATE.format(late=messages.late_by(late))
                    if late > 0
                    else "",
                ),
                keyboard=views.ticket_keyboard(ticket),
                kind="urged",
                priority=Priority.NOTIFY,
                ticket_id=ticket.id,
            )
        log.info("ticket %s urged by supervisor %s", ticket.number, supervisor_id)
        return ticket


def stats(deps: Deps, *, supervisor_id: int) -> Stats:
    """/stats: the dashboard's figures for the supervisor's area, and the worst overdue ones."""
    with deps.read() as session:
        supervisor = _supervisor(session, supervisor_id, messages.STATS_ONLY_SUPERVISORS)
        viewer = ledger.viewer_of(session, supervisor)
        worst = queries.overdue_in(session, supervisor, deps.now(), WORST)
    return Stats(viewer.area, dashboard.summary(deps, viewer), worst)


def release(deps: Deps, *, supervisor_id: int, held_id: int) -> list[Held]:
    """受理 a held request: it goes through intake as if it had just arrived (no flood check)."""
    with deps.tx() as session:
        held, supervisor = _held(session, supervisor_id, held_id)
        villager = session.get(Villager, held.villager_id)
        assert villager is not None
        result = intake.process(
            session,
            deps,
            villager,
            held.text,
            held.channel,
            held.source_ref,
            call_back=held.call_back,
            check_flood=False,
        )
        held.status = HeldStatus.RELEASED
        held.decided_by = supervisor_id
        held.decided_at = deps.now()
        held.ticket_id = result.ticket.id if result.ticket else None
        log.info("held request %s released by %s: %s", held_id, supervisor_id, result.outcome)
        return flood.describe(session, flood.in_area(session, supervisor))


def dismiss(deps: Deps, *, supervisor_id: int, held_id: int) -> list[Held]:
    """不受理 a held request: closed on record, the villager told how to reach their agent."""
    with deps.tx() as session:
        held, supervisor = _held(session, supervisor_id, held_id)
        villager = session.get(Villager, held.villager_id)
        assert villager is not None
        held.status = HeldStatus.DISMISSED
        held.decided_by = supervisor_id
        held.decided_at = deps.now()
        if villager.telegram_id is not None:
            outbox.send(
                session,
                villager.telegram_id,
                messages.HELD_DISMISSED.format(
                    when=messages.when(held.created_at, deps.zone),
                    text=messages.esc(held.text[:60]),
                ),
                kind="held_dismissed",
                priority=Priority.NOTIFY,
            )
        log.info("held request %s dismissed by %s", held_id, supervisor_id)
        return flood.describe(session, flood.in_area(session, supervisor))


def _held(session: Session, supervisor_id: int, held_id: int) -> tuple[HeldRequest, Agent]:
    supervisor = flood.supervisor(session, supervisor_id)
    if not flood.in_area(session, supervisor, held_id):
        raise NotFound(messages.HELD_GONE)
    held = session.get(HeldRequest, held_id, with_for_update=True)
    if held is None or held.status is not HeldStatus.HELD:
        raise NotFound(messages.HELD_GONE)
    return held, supervisor
