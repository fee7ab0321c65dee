"""台账: who may see which tickets on the web, and the ledger export (.xlsx / .csv).

Scope (the same for the dashboard, a ticket page and the export):
    county_supervisor    the whole county
    township_supervisor  tickets of villages in their township
    station_head         tickets of their village
    agent                tickets they hold now
Personal data: ID-card, phone and bank-card numbers inside free text (request, notes, comments)
are always masked. The villager's phone field is shown in full only to township and county
supervisors (they make the follow-up calls, 回访), and on a ticket page to the agent holding it
(who already has it on the Telegram card); everyone else gets 138****5678.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot import messages
from bot.services import queries
from bot.services.context import Deps, NotAllowed, NotFound
from models import Agent, Role, Ticket, Township, Village, VillageGroup, Villager
from nlp import mask_pii

T = TypeVar("T")
MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class Viewer:
    """A signed-in roster person, as the web side sees them."""

    agent_id: int
    name: str
    role: Role
    township_id: int | None
    village_id: int | None
    area: str
    full_phones: bool | None = None  # None: by role (the operator's CLI export says False)

    @property
    def sees_phones(self) -> bool:
        if self.full_phones is not None:
            return self.full_phones
        return self.role in (Role.TOWNSHIP_SUPERVISOR, Role.COUNTY_SUPERVISOR)

    @property
    def role_label(self) -> str:
        return messages.ROLE_LABEL[self.role.value]


def viewer_of(session: Session, agent: Agent) -> Viewer:
    from bot.services import views

    return Viewer(
        agent_id=agent.id or 0,
        name=agent.name,
        role=Role(agent.role),
        township_id=agent.township_id,
        village_id=agent.village_id,
        area=views.agent_area(session, agent),
    )


def viewer_by_phone(deps: Deps, phone: str) -> Viewer:
    """The roster person with this phone (for `daiban export --as PHONE`)."""
    with deps.read() as session:
        agent = session.exec(
            select(Agent).where(Agent.phone == phone.strip(), col(Agent.active).is_(True))
        ).first()
        if agent is None:
            raise NotFound(messages.WEB_NOT_ON_ROSTER)
        return viewer_of(session, agent)


def joined() -> SelectOfScalar[Ticket]:
    """Tickets joined to their group and village, ready for `scoped`."""
    return (
        select(Ticket)
        .join(VillageGroup, col(VillageGroup.id) == col(Ticket.group_id))
        .join(Village, col(Village.id) == col(VillageGroup.village_id))
    )


def scoped(query: SelectOfScalar[T], viewer: Viewer) -> SelectOfScalar[T]:
    """Limit a query already joined to Village to what the viewer may see: a supervisor their
    area, an agent the tickets they hold."""
    if viewer.role is Role.AGENT:
        return query.where(col(Ticket.assignee_id) == viewer.agent_id)
    return queries.area_rule(
        query, viewer.role, village_id=viewer.village_id, township_id=viewer.township_id
    )


def visible_ticket(session: Session, viewer: Viewer, number: str) -> Ticket:
    """The ticket with this number if the viewer may see it; NotFound otherwise (no leak)."""
    ticket = session.exec(scoped(joined().where(col(Ticket.number) == number), viewer)).first()
    if ticket is None:
        raise NotFound(messages.NOT_FOUND)
    return ticket


def phone_for(viewer: Viewer, ticket: Ticket, phone: str | None) -> str:
    if not phone:
        return ""
    if viewer.sees_phones or ticket.assignee_id == viewer.agent_id:
        return phone
    return mask_pii(phone) if mask_pii(phone) != phone else "****"


def local_range(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) local time, as aware datetimes."""
    if end < start:
        raise NotAllowed(messages.LEDGER_BAD_RANGE)
    if (end - start).days > MAX_RANGE_DAYS:
        raise NotAllowed(messages.LEDGER_RANGE_TOO_LONG, days=MAX_RANGE_DAYS)
    return (
        datetime.combine(start, time(0), zone),
        datetime.combine(end + timedelta(days=1), time(0), zone),
    )


# ---- the ledger ---------------------------------------------------------------------------------

HEADERS = (
    "受理号",
    "受理时间",
    "渠道",
    "乡镇",
    "村",
    "村民小组",
    "村民",
    "村民电话",
    "事项",
    "办法",
    "村民原话",
    "状态",
    "经办人",
    "办结时限",
    "办结时间",
    "是否按时",
    "评价",
    "办结说明",
)
CHANNEL_LABEL = {
    "telegram": "Telegram",
    "open311": "12345/Open311",
    "hotline": "热线",
    "cli": "后台",
}


def ledger_rows(deps: Deps, viewer: Viewer, start: date, end: date) -> list[list[str]]:
    """One row per ticket created in [start, end] (local dates) in the viewer's scope."""
    since, until = local_range(start, end, deps.zone)
    now = deps.now()
    with deps.read() as session:
        tickets = session.exec(
            scoped(joined(), viewer)
            .where(col(Ticket.created_at) >= since, col(Ticket.created_at) < until)
            .order_by(col(Ticket.created_at), col(Ticket.id))
        ).all()
        places = _places(session)
        people = {a.id: a.name for a in session.exec(select(Agent)).all()}
        villager_ids = {t.villager_id for t in tickets}
        villagers = {
            v.id: v
            for v in session.exec(select(Villager).where(col(Villager.id).in_(villager_ids))).all()
        }
    rows = []
    for t in tickets:
        villager = villagers[t.villager_id]
        township, village, group = places[t.group_id]
        rows.append(
            [
                t.number,
                _local(t.created_at, deps.zone),
                CHANNEL_LABEL.get(t.channel.value, t.channel.value),
                township,
                village,
                group,
                villager.name,
                (villager.phone or "") if viewer.sees_phones else _masked(villager),
                t.matter_name or "待联系",
                t.category.value if t.category else "",
                mask_pii(t.text),
                messages.STATUS_LABEL[t.status],
                people.get(t.assignee_id, "") if t.assignee_id else "（无人负责）",
                _local(t.due_at, deps.zone),
                _local(t.closed_at, deps.zone) if t.closed_at else "",
                on_time_label(t, now),
                t.rating.value if t.rating else "",
                mask_pii(t.close_note or ""),
            ]
        )
    return rows


def on_time_label(ticket: Ticket, now: datetime) -> str:
    if ticket.closed_at is not None:
        return "按时" if ticket.closed_at <= ticket.due_at else "超期办结"
    return "已超期" if ticket.due_at < now and ticket.status.is_open else "未到期"


def _masked(villager: Villager) -> str:
    return mask_pii(villager.phone) if villager.phone else ""


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _places(session: Session) -> dict[int, tuple[str, str, str]]:
    rows = session.exec(
        select(VillageGroup.id, Township.name, Village.name, VillageGroup.name)
        .join(Village, col(Village.id) == col(VillageGroup.village_id))
        .join(Township, col(Township.id) == col(Village.township_id))
    ).all()
    return {gid or 0: (t, v, g) for gid, t, v, g in rows}


def export(deps: Deps, viewer: Viewer, start: date, end: date, fmt: str) -> tuple[str, bytes, str]:
    """(file name, bytes, content type) of the ledger as .xlsx or .csv."""
    rows = ledger_rows(deps, viewer, start, end)
    name = f"台账_{viewer.area}_{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return name, to_csv(rows), "text/csv; charset=utf-8"
    if fmt == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return name, to_xlsx(rows, f"{viewer.area} {start}至{end}"), content_type
    raise NotAllowed(messages.LEDGER_BAD_FORMAT)


def to_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """UTF-8 with a BOM, so Excel on a village office PC shows the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(_safe(row) for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[Sequence[str]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "台账"
    sheet.append([f"民事代办台账　{title}"])
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(_safe(row))
    widths = (11, 17, 12, 8, 8, 8, 8, 13, 14, 8, 40, 12, 8, 17, 17, 9, 8, 30)
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(row: Sequence[str]) -> list[str]:
    """No spreadsheet formulas from villagers' words (CSV/formula injection)."""
    return ["'" + v if v[:1] in ("=", "+", "-", "@") else v for v in row]
