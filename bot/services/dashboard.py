"""What the supervisor dashboard shows: figures, the overdue list and one ticket with its trail.

Everything is limited to the viewer's area by `ledger.scoped` (see bot/services/ledger.py for
the scope and masking rules).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import messages
from bot.services import ledger, views
from bot.services.context import Deps
from bot.services.ledger import Viewer
from models import (
    OPEN_STATUSES,
    Agent,
    Rating,
    Ticket,
    TicketEvent,
    TicketStatus,
    Village,
    VillageGroup,
    Villager,
)
from nlp import Mode, mask_pii

TREND_WEEKS = 8
OVERDUE_LIMIT = 200


@dataclass(frozen=True)
class VillageFigures:
    name: str
    total: int
    open: int
    overdue: int


@dataclass(frozen=True)
class Week:
    label: str  # "11/16" = the Monday that starts it
    created: int
    closed: int


@dataclass(frozen=True)
class Summary:
    total: int
    open: int
    overdue: int
    by_mode: list[tuple[str, int]]
    by_status: list[tuple[str, int]]
    by_village: list[VillageFigures]
    closed: int
    closed_on_time: int
    rated: int
    satisfied: int  # 满意 + 基本满意
    weeks: list[Week]

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed if self.closed else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


@dataclass(frozen=True)
class Row:
    """A ticket as a list line."""

    number: str
    matter: str
    mode: str
    place: str
    holder: str
    status: str
    due: str
    late: str


@dataclass(frozen=True)
class Step:
    at: str
    what: str
    who: str
    note: str


@dataclass(frozen=True)
class Detail:
    number: str
    status: str
    mode: str
    matter: str
    text: str
    channel: str
    place: str
    villager: str
    phone: str
    holder: str
    holder_phone: str
    created: str
    due: str
    closed: str
    on_time: str
    documents: list[str]
    circumstances: list[str]
    rating: str
    close_note: str
    trail: list[Step]


def _base(*columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(Ticket)
        .join(VillageGroup, col(VillageGroup.id) == col(Ticket.group_id))
        .join(Village, col(Village.id) == col(VillageGroup.village_id))
    )


def summary(deps: Deps, viewer: Viewer, weeks: int = TREND_WEEKS) -> Summary:
    """Counts by mode, status and village, on-time and satisfaction rates, a weekly trend."""
    now = deps.now()
    with deps.read() as session:

        def rows(*columns: Any, where: Any = None, group: Any = None) -> list[Any]:
            query = ledger.scoped(_base(*columns), viewer)
            if where is not None:
                query = query.where(where)
            if group is not None:
                query = query.group_by(*group)
            return list(session.execute(query).all())

        count = func.count(col(Ticket.id))
        mode_status = rows(
            col(Ticket.category),
            col(Ticket.status),
            count,
            group=(col(Ticket.category), col(Ticket.status)),
        )
        overdue_cond = col(Ticket.status).in_(OPEN_STATUSES) & (col(Ticket.due_at) < now)
        per_village = rows(
            col(Village.name),
            col(Ticket.status),
            count,
            group=(col(Village.name), col(Ticket.status)),
        )
        late_village = rows(
            col(Village.name), count, where=overdue_cond, group=(col(Village.name),)
        )
        closed = rows(count, where=col(Ticket.closed_at).is_not(None))[0][0]
        on_time = rows(count, where=col(Ticket.closed_at) <= col(Ticket.due_at))[0][0]
        ratings = rows(
            col(Ticket.rating),
            count,
            where=col(Ticket.rating).is_not(None),
            group=(col(Ticket.rating),),
        )
        start = _monday(now.astimezone(deps.zone)) - timedelta(weeks=weeks - 1)
        created_at = rows(col(Ticket.created_at), where=col(Ticket.created_at) >= start)
        closed_at = rows(col(Ticket.closed_at), where=col(Ticket.closed_at) >= start)

    modes: Counter[str] = Counter()
    statuses: Counter[TicketStatus] = Counter()
    for mode, status, n in mode_status:
        modes[str(mode.value if mode else "待定")] += n
        statuses[TicketStatus(status)] += n
    villages: dict[str, list[int]] = {}
    for name, status, n in per_village:
        figures = villages.setdefault(name, [0, 0, 0])
        figures[0] += n
        figures[1] += n if TicketStatus(status).is_open else 0
    for name, n in late_village:
        villages.setdefault(name, [0, 0, 0])[2] = n
    rated = Counter({Rating(r): n for r, n in ratings})
    return Summary(
        total=sum(statuses.values()),
        open=sum(n for s, n in statuses.items() if s.is_open),
        overdue=sum(v[2] for v in villages.values()),
        by_mode=[(m.value, modes.get(m.value, 0)) for m in Mode]
        + ([("待定", modes["待定"])] if modes.get("待定") else []),
        by_status=[(messages.STATUS_LABEL[s], statuses.get(s, 0)) for s in TicketStatus],
        by_village=sorted(
            (VillageFigures(name, *figures) for name, figures in villages.items()),
            key=lambda v: (-v.overdue, -v.open, v.name),
        ),
        closed=closed,
        closed_on_time=on_time,
        rated=sum(rated.values()),
        satisfied=rated[Rating.SATISFIED] + rated[Rating.BASIC],
        weeks=_weeks(start, weeks, [r[0] for r in created_at], [r[0] for r in closed_at], deps),
    )


def _monday(local: datetime) -> datetime:
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def _weeks(
    start: datetime, weeks: int, created: list[datetime], closed: list[datetime], deps: Deps
) -> list[Week]:
    def bucket(moments: list[datetime]) -> Counter[int]:
        return Counter((m.astimezone(deps.zone) - start).days // 7 for m in moments)

    made, done = bucket(created), bucket(closed)
    return [
        Week(f"{(start + timedelta(weeks=i)):%m/%d}", made.get(i, 0), done.get(i, 0))
        for i in range(weeks)
    ]


def overdue(deps: Deps, viewer: Viewer, limit: int = OVERDUE_LIMIT) -> list[Row]:
    """Open tickets past due in the viewer's scope, the longest overdue first."""
    now = deps.now()
    with deps.read() as session:
        tickets = session.exec(
            ledger.scoped(ledger.joined(), viewer)
            .where(col(Ticket.status).in_(OPEN_STATUSES), col(Ticket.due_at) < now)
            .order_by(col(Ticket.due_at), col(Ticket.id))
            .limit(limit)
        ).all()
        return [_row(session, t, deps, now) for t in tickets]


def recent(deps: Deps, viewer: Viewer, limit: int = 20) -> list[Row]:
    """The newest tickets in the viewer's scope."""
    now = deps.now()
    with deps.read() as session:
        tickets = session.exec(
            ledger.scoped(ledger.joined(), viewer)
            .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
            .limit(limit)
        ).all()
        return [_row(session, t, deps, now) for t in tickets]


def _row(session: Session, ticket: Ticket, deps: Deps, now: datetime) -> Row:
    holder = session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
    late = (now - ticket.due_at).total_seconds()
    return Row(
        number=ticket.number,
        matter=ticket.matter_name or "待联系",
        mode=ticket.category.value if ticket.category else "待定",
        place="".join(views.place_names(session, ticket.group_id)),
        holder=holder.name if holder else "（无人负责）",
        status=messages.STATUS_LABEL[ticket.status],
        due=messages.when(ticket.due_at, deps.zone),
        late=messages.late_by(late) if late > 0 and ticket.status.is_open else "",
    )


EVENT_LABEL = {
    "created": "受理",
    "assigned": "分派",
    "accepted": "接单",
    "closed": "办结",
    "rated": "评价",
    "handed_over": "转办",
    "cancelled": "撤销",
    "note": "备注",
    "docs_requested": "需补材料",
    "reclassified": "改类",
    "reopened": "不满意，重新办理",
    "urged": "督办",
    "reminded": "提醒",
    "escalated": "逐级督办",
    "undelivered": "消息未送达",
}


def ticket_detail(deps: Deps, viewer: Viewer, number: str) -> Detail:
    """One ticket and its whole audit trail (民情访问记录); NotFound outside the viewer's area."""
    now = deps.now()
    with deps.read() as session:
        ticket = ledger.visible_ticket(session, viewer, number)
        villager = session.get(Villager, ticket.villager_id)
        assert villager is not None
        holder = session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
        events = session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(col(TicketEvent.at), col(TicketEvent.id))
        ).all()
        names = {a.id: a.name for a in session.exec(select(Agent)).all()}
        trail = [_step(e, names, villager, deps) for e in events]
        return Detail(
            number=ticket.number,
            status=messages.STATUS_LABEL[ticket.status],
            mode=ticket.category.value if ticket.category else "待定",
            matter=ticket.matter_name or "待联系",
            text=mask_pii(ticket.text),
            channel=ledger.CHANNEL_LABEL.get(ticket.channel.value, ticket.channel.value),
            place="".join(views.place_names(session, ticket.group_id)),
            villager=villager.name,
            phone=ledger.phone_for(viewer, ticket, villager.phone),
            holder=holder.name if holder else "（无人负责）",
            holder_phone=holder.phone if holder else "",
            created=messages.when(ticket.created_at, deps.zone),
            due=messages.when(ticket.due_at, deps.zone),
            closed=messages.when(ticket.closed_at, deps.zone) if ticket.closed_at else "",
            on_time=ledger.on_time_label(ticket, now),
            documents=list(ticket.documents),
            circumstances=list(ticket.circumstances),
            rating=ticket.rating.value if ticket.rating else "",
            close_note=mask_pii(ticket.close_note or ""),
            trail=trail,
        )


def _step(event: TicketEvent, names: dict[int | None, str], villager: Villager, deps: Deps) -> Step:
    kind, _, ident = event.actor.partition(":")
    if kind == "agent" and ident.isdigit():
        who = names.get(int(ident), event.actor)
    elif kind == "villager":
        who = f"村民 {villager.name}"
    else:
        who = "系统"
    what = EVENT_LABEL.get(event.kind.value, event.kind.value)
    if event.kind.value == "assigned":
        agent_id = event.data.get("agent_id")
        what += f" → {names.get(agent_id, '（无人负责）')}"
    elif event.kind.value == "handed_over":
        what += f" → {names.get(event.data.get('to_agent'), '')}"
    elif event.kind.value == "rated":
        what += f"：{event.data.get('rating', '')}"
    elif event.kind.value == "created":
        what += f"（{ledger.CHANNEL_LABEL.get(str(event.data.get('channel')), '')}）"
    if event.to_status is not None and event.from_status != event.to_status:
        what += f"，状态：{messages.STATUS_LABEL[TicketStatus(event.to_status)]}"
    return Step(
        at=event.at.astimezone(deps.zone).strftime("%Y-%m-%d %H:%M"),
        what=what,
        who=who,
        note=mask_pii(event.note or ""),
    )


def ticket_counts(deps: Deps) -> list[tuple[str, str, int]]:
    """(mode, status, count) over the whole county, for /metrics."""
    with deps.read() as session:
        rows = session.execute(
            select(col(Ticket.category), col(Ticket.status), func.count(col(Ticket.id))).group_by(
                col(Ticket.category), col(Ticket.status)
            )
        ).all()
    return [(mode.value if mode else "none", str(status.value), n) for mode, status, n in rows]
