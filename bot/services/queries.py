"""Read-side queries, each scoped to what the asking person may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import false
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot import messages
from bot.services import views
from bot.services.context import Deps, NotAllowed
from models import OPEN_STATUSES, Agent, Role, Ticket, Township, Village, VillageGroup

T = TypeVar("T")
MY_LIMIT = 10
LIST_LIMIT = 30


@dataclass(frozen=True)
class OverdueItem:
    ticket: Ticket
    place: str
    holder: str
    late_seconds: float


def villager_tickets(deps: Deps, *, villager_id: int, limit: int = MY_LIMIT) -> list[Ticket]:
    """A villager's own tickets, newest first (never anyone else's)."""
    with deps.read() as session:
        return list(
            session.exec(
                select(Ticket)
                .where(Ticket.villager_id == villager_id)
                .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
                .limit(limit)
            ).all()
        )


def agent_tasks(deps: Deps, *, agent_id: int, limit: int = LIST_LIMIT) -> list[Ticket]:
    """Open tickets the agent holds, most urgent first."""
    with deps.read() as session:
        return tasks_of(session, agent_id, limit)


def tasks_of(session: Session, agent_id: int, limit: int = LIST_LIMIT) -> list[Ticket]:
    return list(
        session.exec(
            select(Ticket)
            .where(Ticket.assignee_id == agent_id, col(Ticket.status).in_(OPEN_STATUSES))
            .order_by(col(Ticket.due_at), col(Ticket.id))
            .limit(limit)
        ).all()
    )


def area_label(deps: Deps, agent: Agent) -> str:
    with deps.read() as session:
        return views.agent_area(session, agent)


def overdue(
    deps: Deps, *, supervisor_id: int, now: datetime | None = None, limit: int = LIST_LIMIT
) -> list[OverdueItem]:
    """Open tickets past their due time in the supervisor's area, the longest overdue first."""
    now = now or deps.now()
    with deps.read() as session:
        supervisor = session.get(Agent, supervisor_id)
        if supervisor is None or not supervisor.role.is_supervisor:
            raise NotAllowed(messages.OVERDUE_ONLY_SUPERVISORS)
        return overdue_in(session, supervisor, now, limit)


def overdue_in(
    session: Session, supervisor: Agent, now: datetime, limit: int = LIST_LIMIT
) -> list[OverdueItem]:
    """Overdue open tickets in a supervisor's area, inside the caller's session."""
    query = (
        select(Ticket)
        .join(VillageGroup, col(VillageGroup.id) == col(Ticket.group_id))
        .join(Village, col(Village.id) == col(VillageGroup.village_id))
        .where(col(Ticket.status).in_(OPEN_STATUSES), col(Ticket.due_at) < now)
    )
    query = in_area(query, supervisor)
    tickets = session.exec(query.order_by(col(Ticket.due_at), col(Ticket.id)).limit(limit)).all()
    return [_item(session, t, now) for t in tickets]


def in_area(query: SelectOfScalar[T], supervisor: Agent) -> SelectOfScalar[T]:
    """Limit a query already joined to Village to the supervisor's area."""
    return area_rule(
        query, supervisor.role, village_id=supervisor.village_id, township_id=supervisor.township_id
    )


def area_rule(
    query: SelectOfScalar[T], role: Role, *, village_id: int | None, township_id: int | None
) -> SelectOfScalar[T]:
    """The one rule for "their area" (the query is already joined to Village): a station head
    sees the village, a township supervisor the township, the county supervisor everything, and
    an agent no area at all (agents see their own tickets, which is a different question)."""
    if role is Role.COUNTY_SUPERVISOR:
        return query
    if role is Role.TOWNSHIP_SUPERVISOR:
        return query.where(col(Village.township_id) == township_id)
    if role is Role.STATION_HEAD:
        return query.where(col(Village.id) == village_id)
    return query.where(false())


def _item(session: Session, ticket: Ticket, now: datetime) -> OverdueItem:
    holder = session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
    return OverdueItem(
        ticket=ticket,
        place=views.place(session, ticket.group_id),
        holder=holder.name if holder else "（无人负责）",
        late_seconds=(now - ticket.due_at).total_seconds(),
    )


def township_names(deps: Deps) -> list[str]:
    with deps.read() as session:
        return [t.name for t in session.exec(select(Township).order_by(col(Township.id))).all()]


def lead_above(session: Session, group_id: int) -> Agent | None:
    """Who answers for a group when its own agent cannot: the village's station head, else the
    township supervisor, else the county (小事不出村、中事不出乡、大事不出县)."""
    group = session.get(VillageGroup, group_id)
    village = session.get(Village, group.village_id) if group else None
    if village is None:
        return None
    for role, column, value in (
        (Role.STATION_HEAD, Agent.village_id, village.id),
        (Role.TOWNSHIP_SUPERVISOR, Agent.township_id, village.township_id),
        (Role.COUNTY_SUPERVISOR, None, None),
    ):
        query = select(Agent).where(Agent.role == role, col(Agent.active).is_(True))
        if column is not None:
            query = query.where(column == value)
        found = session.exec(query.order_by(col(Agent.id))).first()
        if found is not None:
            return found
    return None


def overdue_lines(items: list[OverdueItem]) -> list[str]:
    """One line per overdue ticket: number, matter, place, holder, how late."""
    return [
        messages.overdue_line(
            i.ticket.number,
            i.ticket.matter_name,
            i.place,
            i.holder,
            messages.late_by(i.late_seconds),
        )
        for i in items
    ]
