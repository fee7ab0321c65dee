"""Follow-up on a schedule: reminders to the holder, escalation up the chain, morning digests.

小事不出村、中事不出乡、大事不出县: the holder is reminded `remind_before` the due time and again
when it passes; every `escalate_after_days` working days after that an overdue matter goes one
level up — station head (village), township supervisor, county supervisor — skipping levels with
nobody on the roster. Each step is an audit event.

State lives in the database (Ticket.next_check_at / reminder_stage / escalation_level and the
digest_sent table), so a restart neither drops nor repeats a reminder; on PostgreSQL the sweep
claims tickets with FOR UPDATE SKIP LOCKED, so two processes never fire the same one. Quiet hours
hold pings to agents until morning (outbox not_before); supervisors may opt in to night alerts.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot import messages
from bot.services import outbox, queries, views
from bot.services.context import Deps
from bot.workdays import add_workdays, is_workday
from models import (
    Agent,
    DigestSent,
    EventKind,
    Priority,
    Role,
    Ticket,
    TicketEvent,
    Village,
    VillageGroup,
    Villager,
)

log = logging.getLogger(__name__)
LEVEL_ROLES = {1: Role.STATION_HEAD, 2: Role.TOWNSHIP_SUPERVISOR, 3: Role.COUNTY_SUPERVISOR}
TOP_LEVEL = 3


def schedule_new(ticket: Ticket, deps: Deps, now: datetime) -> None:
    """First look at a new ticket: `remind_before` its due time (or now, if that has passed)."""
    ticket.reminder_stage = 0
    ticket.next_check_at = max(now, ticket.due_at - deps.policy.remind_before)


def stop(ticket: Ticket) -> None:
    """A closed or cancelled ticket needs no more follow-up."""
    ticket.next_check_at = None


def quiet_until(deps: Deps, moment: datetime) -> datetime | None:
    """If `moment` falls in the quiet hours, the local time they end; else None."""
    start, end = deps.policy.quiet_start, deps.policy.quiet_end
    local = moment.astimezone(deps.zone)
    now_t = local.time()
    spans_midnight = start > end
    inside = (now_t >= start or now_t < end) if spans_midnight else (start <= now_t < end)
    if not inside:
        return None
    wake = datetime.combine(local.date(), end, tzinfo=deps.zone)
    return wake if wake > local else wake + timedelta(days=1)


def after_workdays(deps: Deps, moment: datetime, days: int) -> datetime:
    """The same local time of day, `days` working days later."""
    local = moment.astimezone(deps.zone)
    return datetime.combine(add_workdays(local.date(), days), local.timetz())


def sweep(deps: Deps, now: datetime | None = None, limit: int = 500) -> int:
    """Handle every ticket whose next check is due; returns how many were looked at."""
    now = now or deps.now()
    with deps.tx() as session:
        query = (
            select(Ticket)
            .where(col(Ticket.next_check_at) <= now)
            .order_by(col(Ticket.next_check_at))
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        due = session.exec(query).all()
        holder_ids = {t.assignee_id for t in due if t.assignee_id is not None}
        holders = {
            a.id: a for a in session.exec(select(Agent).where(col(Agent.id).in_(holder_ids)))
        }
        with session.no_autoflush:  # one batch of inserts at commit, not a flush per ticket
            for ticket in due:
                holder = holders.get(ticket.assignee_id) if ticket.assignee_id else None
                _follow(session, deps, ticket, holder, now)
        return len(due)


def _follow(
    session: Session, deps: Deps, ticket: Ticket, holder: Agent | None, now: datetime
) -> None:
    if not ticket.status.is_open:
        stop(ticket)
        return
    if now < ticket.due_at:
        if ticket.reminder_stage < 1:
            _remind(session, deps, ticket, holder, now, messages.REMIND_BEFORE)
            ticket.reminder_stage = 1
        ticket.next_check_at = ticket.due_at
        return
    if ticket.reminder_stage < 2:
        _remind(session, deps, ticket, holder, now, messages.REMIND_OVERDUE)
        ticket.reminder_stage = 2
        ticket.next_check_at = after_workdays(deps, ticket.due_at, deps.policy.escalate_after_days)
        return
    level, target = _next_supervisor(session, ticket, holder)
    if target is None:
        ticket.next_check_at = None  # nobody further up the roster
        return
    _escalate(session, deps, ticket, holder, target, level, now)
    ticket.escalation_level = level
    top = level >= TOP_LEVEL
    ticket.next_check_at = (
        None if top else after_workdays(deps, now, deps.policy.escalate_after_days)
    )


def _remind(
    session: Session, deps: Deps, ticket: Ticket, holder: Agent | None, now: datetime, template: str
) -> None:
    if holder is None or holder.telegram_id is None:
        return
    nxt = min(ticket.escalation_level + 1, TOP_LEVEL)
    text = template.format(
        number=ticket.number,
        matter=messages.esc(ticket.matter_name or "待联系"),
        due=messages.when(ticket.due_at, deps.zone),
        days=deps.policy.escalate_after_days,
        next=messages.LEVEL_NAME[nxt],
    )
    outbox.send(
        session,
        holder.telegram_id,
        text,
        keyboard=views.ticket_keyboard(ticket),
        kind="reminder",
        priority=Priority.REMINDER,
        ticket_id=ticket.id,
        not_before=quiet_until(deps, now),
    )
    stage = "before_due" if template is messages.REMIND_BEFORE else "overdue"
    _event(session, ticket, now, EventKind.REMINDED, stage=stage, agent_id=holder.id)


def _next_supervisor(
    session: Session, ticket: Ticket, holder: Agent | None
) -> tuple[int, Agent | None]:
    group = session.get(VillageGroup, ticket.group_id)
    village = session.get(Village, group.village_id) if group else None
    level = ticket.escalation_level + 1
    while level <= TOP_LEVEL and village is not None:
        query = select(Agent).where(Agent.role == LEVEL_ROLES[level], col(Agent.active).is_(True))
        if level == 1:
            query = query.where(Agent.village_id == village.id)
        elif level == 2:
            query = query.where(Agent.township_id == village.township_id)
        found = session.exec(query.order_by(col(Agent.id))).first()
        if found is not None and (holder is None or found.id != holder.id):
            return level, found
        level += 1
    return level, None


def _escalate(
    session: Session,
    deps: Deps,
    ticket: Ticket,
    holder: Agent | None,
    target: Agent,
    level: int,
    now: datetime,
) -> None:
    if target.telegram_id is not None:
        text = messages.ESCALATION.format(
            place=views.place(session, ticket.group_id),
            number=ticket.number,
            matter=messages.esc(ticket.matter_name or "待联系"),
            late=messages.late_by((now - ticket.due_at).total_seconds()),
            holder=messages.esc(holder.name if holder else "（无人负责）"),
            phone=messages.esc(holder.phone if holder else "—"),
        )
        outbox.send(
            session,
            target.telegram_id,
            text,
            kind="escalation",
            priority=Priority.REMINDER,
            ticket_id=ticket.id,
            not_before=None if target.night_alerts else quiet_until(deps, now),
        )
    if holder is not None and holder.telegram_id is not None:
        outbox.send(
            session,
            holder.telegram_id,
            messages.ESCALATED_HOLDER.format(
                number=ticket.number, level=messages.LEVEL_NAME[level]
            ),
            kind="reminder",
            priority=Priority.REMINDER,
            ticket_id=ticket.id,
            not_before=quiet_until(deps, now),
        )
    _event(session, ticket, now, EventKind.ESCALATED, level=level, to_agent=target.id)
    log.info("ticket %s escalated to level %s (agent %s)", ticket.number, level, target.id)


def _event(
    session: Session, ticket: Ticket, now: datetime, kind: EventKind, **data: object
) -> None:
    session.add(
        TicketEvent(
            ticket_id=ticket.id or 0,
            at=now,
            kind=kind,
            actor="system",
            from_status=ticket.status,
            to_status=ticket.status,
            data=dict(data),
        )
    )


# ---- morning digest -----------------------------------------------------------------------------


def send_digests(deps: Deps, now: datetime | None = None) -> int:
    """Once per working day after DAIBAN_DIGEST_AT: each agent's open tickets, each supervisor's
    overdue ones. Returns how many digests were queued."""
    now = now or deps.now()
    local = now.astimezone(deps.zone)
    if local.time() < deps.policy.digest_at or not is_workday(local.date()):
        return 0
    day = local.date()
    sent = 0
    with deps.tx() as session:
        done = set(session.exec(select(DigestSent.agent_id).where(DigestSent.day == day)).all())
        people = session.exec(
            select(Agent).where(col(Agent.active).is_(True), col(Agent.telegram_id).is_not(None))
        ).all()
        for person in people:
            if person.id in done or not _claim_digest(session, day, person.id or 0, now):
                continue
            text = _digest(session, deps, person, now)
            if text is not None and person.telegram_id is not None:
                outbox.send(
                    session, person.telegram_id, text, kind="digest", priority=Priority.DIGEST
                )
                sent += 1
    return sent


def _claim_digest(session: Session, day: date, agent_id: int, now: datetime) -> bool:
    """Insert the day's marker; False when another process got there first."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(DigestSent)
        .values(day=day, agent_id=agent_id, created_at=now)
        .on_conflict_do_nothing()
        .returning(col(DigestSent.agent_id))
    )
    return session.execute(stmt).first() is not None


def _digest(session: Session, deps: Deps, person: Agent, now: datetime) -> str | None:
    lines: list[str] = []
    if person.role.is_supervisor:
        items = queries.overdue_in(session, person, now)
        if items:
            area = messages.esc(views.agent_area(session, person))
            lines.append(messages.DIGEST_SUPERVISOR.format(area=area, n=len(items)))
            lines.extend(queries.overdue_lines(items))
        unreachable = _unreachable_in_area(session, person)
        if unreachable:
            lines.append(messages.DIGEST_UNREACHABLE.format(names="、".join(unreachable)))
    tasks = queries.tasks_of(session, person.id or 0)
    if tasks:
        if lines:
            lines.append("")
        lines.append(messages.DIGEST_AGENT.format(n=len(tasks)))
        for t in tasks:
            mark = messages.OVERDUE_MARK if t.due_at < now else "•"
            line = messages.my_line(
                t.number, t.matter_name, t.status, messages.when(t.due_at, deps.zone)
            )
            lines.append(line.replace("•", mark, 1))
    return "\n".join(lines) if lines else None


def _unreachable_in_area(session: Session, supervisor: Agent, limit: int = 10) -> list[str]:
    query = (
        select(Villager)
        .join(VillageGroup, col(VillageGroup.id) == col(Villager.group_id))
        .join(Village, col(Village.id) == col(VillageGroup.village_id))
        .where(col(Villager.unreachable).is_not(None))
    )
    villagers = session.exec(queries.in_area(query, supervisor).limit(limit)).all()
    return [f"{messages.esc(v.name)}（{messages.esc(v.unreachable or '')}）" for v in villagers]
