"""Requests from outside Telegram: the county's 12345 hotline/SMS platform speaking Open311.

A POST finds the villager (by phone) or creates one without Telegram in the group that
`address_string` names, then goes through `intake.submit_request` like any Telegram message.
Retries make no duplicates: the same API key, caller (device_id or phone), service, place and
description on the same local day are the same request (`source_ref` = a hash of them).
Reading requests is county-wide; without an API key the description is left out and the place
is given to the village only (villagers' words are personal data).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import messages
from bot.services import intake
from bot.services.context import Deps, ServiceError
from bot.services.roster import normalize_phone
from models import (
    Agent,
    Channel,
    Ticket,
    TicketStatus,
    Township,
    Village,
    VillageGroup,
    Villager,
)
from nlp import Matter, mask_pii

log = logging.getLogger(__name__)
MAX_DESCRIPTION = 4000
MAX_RANGE = timedelta(days=90)
MAX_RESULTS = 1000


class InvalidRequest(ServiceError):
    """Open311 answers these as [{code, description}] with HTTP `status`."""

    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.status = status


@dataclass(frozen=True)
class NewRequest:
    """The form fields of POST requests (GeoReport v2) that daiban uses."""

    key_label: str  # which API key (not the key itself)
    service_code: str
    description: str
    address_string: str = ""
    lat: str = ""
    long: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    device_id: str = ""
    account_id: str = ""


@dataclass(frozen=True)
class Receipt:
    service_request_id: str
    service_notice: str
    account_id: str
    duplicate: bool


@dataclass(frozen=True)
class RequestView:
    """One ticket as GeoReport v2 shows it."""

    service_request_id: str
    status: str  # open | closed
    status_notes: str
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str
    service_notice: str
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime
    address: str


def catalogue(deps: Deps) -> list[Matter]:
    return list(deps.classifier.catalog)


def service(deps: Deps, code: str) -> Matter:
    matter = deps.classifier.catalog.get(code)
    if matter is None:
        raise InvalidRequest(f"service_code {code!r} not found", status=404)
    return matter


def submit(deps: Deps, req: NewRequest) -> Receipt:
    """Validate, find or create the villager, and file the request through intake."""
    matter = _validate(deps, req)
    ref = source_ref(deps, req)
    with deps.read() as session:  # one session at a time: SQLite reads take the lock too
        seen = session.exec(select(Ticket).where(Ticket.source_ref == ref)).first()
        group_id = find_group(session, req.address_string) if seen is None else 0
    if seen is not None:
        return _receipt(deps, seen, duplicate=True)
    villager_id = _villager(deps, req, group_id)
    try:
        result = intake.submit_request(
            deps,
            villager_id=villager_id,
            text=req.description,
            channel=Channel.OPEN311,
            source_ref=ref,
            matter_code=matter.code,
        )
    except IntegrityError:  # the same request arrived twice at once: the other one won
        with deps.read() as session:
            seen = session.exec(select(Ticket).where(Ticket.source_ref == ref)).first()
        if seen is None:
            raise
        return _receipt(deps, seen, duplicate=True)
    assert result.ticket is not None, "a chosen matter always makes a ticket"
    log.info("open311 request %s filed as %s", ref, result.ticket.number)
    return _receipt(deps, result.ticket, duplicate=result.outcome == "duplicate")


def _validate(deps: Deps, req: NewRequest) -> Matter:
    if not req.service_code:
        raise InvalidRequest("service_code is required")
    matter = deps.classifier.catalog.get(req.service_code)
    if matter is None:
        raise InvalidRequest(f"service_code {req.service_code!r} is not in the service list")
    if not req.description.strip():
        raise InvalidRequest("description is required: the villager's words")
    if len(req.description) > MAX_DESCRIPTION:
        raise InvalidRequest(f"description is longer than {MAX_DESCRIPTION} characters")
    if not req.address_string.strip():
        if req.lat or req.long:
            raise InvalidRequest(
                "lat/long alone cannot be placed (villages have no coordinates here): "
                "send address_string naming the village and group, e.g. 柳湾镇杏花村一组"
            )
        raise InvalidRequest("address_string is required: the village and group, e.g. 杏花村一组")
    if req.phone and normalize_phone(req.phone) is None:
        raise InvalidRequest("phone is not a mainland mobile or landline number")
    return matter


def source_ref(deps: Deps, req: NewRequest) -> str:
    """Same key, caller, service, place and words on the same local day: the same request."""
    day = deps.now().astimezone(deps.zone).date().isoformat()
    caller = req.device_id or normalize_phone(req.phone) or ""
    parts = (req.key_label, caller, req.service_code, req.address_string, req.description, day)
    return "open311:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def find_group(session: Session, address: str) -> int:
    """The village group an address names: "[乡镇]村[小组]" with or without spaces."""
    text = "".join(address.split())
    found: list[tuple[int, int, str]] = []  # (score, group id, full name)
    rows = session.exec(
        select(VillageGroup.id, VillageGroup.name, Village.name, Township.name)
        .join(Village, col(Village.id) == col(VillageGroup.village_id))
        .join(Township, col(Township.id) == col(Village.township_id))
    ).all()
    for group_id, group, village, township in rows:
        at = text.find(village)
        if at < 0 or group not in text[at + len(village) :]:
            continue
        score = len(village) + len(group) + (len(township) if township in text[:at] else 0)
        found.append((score, group_id or 0, f"{township}{village}{group}"))
    if not found:
        raise InvalidRequest(
            f"address_string {address!r} names no village group on the roster "
            "(write village and group, e.g. 杏花村一组)"
        )
    best = max(score for score, _, _ in found)
    top = sorted({name for score, _, name in found if score == best})
    if len(top) > 1:
        raise InvalidRequest(
            f"address_string {address!r} could be {'、'.join(top)}: add the township"
        )
    return next(gid for score, gid, _ in found if score == best)


def _villager(deps: Deps, req: NewRequest, group_id: int) -> int:
    """The villager with this phone, or a new one without Telegram in the named group."""
    phone = normalize_phone(req.phone) if req.phone else None
    with deps.tx() as session:
        if phone is not None:
            known = session.exec(
                select(Villager).where(Villager.phone == phone).order_by(col(Villager.id))
            ).first()
            if known is not None:
                return known.id or 0
        name = (req.last_name + req.first_name).strip() or messages.HOTLINE_CALLER
        villager = Villager(telegram_id=None, name=name[:64], phone=phone, group_id=group_id)
        session.add(villager)
        session.flush()
        return villager.id or 0


def _receipt(deps: Deps, ticket: Ticket, *, duplicate: bool) -> Receipt:
    with deps.read() as session:
        notice = _notice(session, deps, ticket)
    return Receipt(ticket.number, notice, str(ticket.villager_id), duplicate)


def _notice(session: Session, deps: Deps, ticket: Ticket) -> str:
    """一次告知 in one line: the documents to bring, the due date and who handles it."""
    docs = "；".join(f"{i}. {d}" for i, d in enumerate(ticket.documents, 1))
    return messages.OPEN311_NOTICE.format(
        mode=ticket.category.value if ticket.category else "流动办",
        documents=docs or "无需材料",
        due=messages.when(ticket.due_at, deps.zone),
        agency=_agency(session, ticket),
    )


def _agency(session: Session, ticket: Ticket) -> str:
    holder = session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
    if holder is not None:
        return f"{messages.ROLE_LABEL[holder.role.value]} {holder.name}（{holder.phone}）"
    group = session.get(VillageGroup, ticket.group_id)
    village = session.get(Village, group.village_id) if group else None
    township = session.get(Township, village.township_id) if village else None
    return f"{township.name if township else ''}便民服务中心"


# ---- reading ------------------------------------------------------------------------------------

OPEN311_STATUS = {
    TicketStatus.PENDING: "open",
    TicketStatus.IN_PROGRESS: "open",
    TicketStatus.DONE: "closed",
    TicketStatus.RATED: "closed",
    TicketStatus.CANCELLED: "closed",
    TicketStatus.REOPENED: "open",  # 不满意: the station head follows it up
}


def find_requests(
    deps: Deps,
    *,
    ids: list[str] | None = None,
    codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
    full: bool = False,
) -> list[RequestView]:
    """GET requests: by ids (which overrides the rest), else codes/dates (≤ 90 days)/status."""
    query = select(Ticket)
    if ids:
        query = query.where(col(Ticket.number).in_(ids))
    else:
        if start is None:
            end = end or deps.now()
            start = end - MAX_RANGE
        elif end is None:
            end = start + MAX_RANGE
        if end < start:
            raise InvalidRequest("end_date is before start_date")
        if end - start > MAX_RANGE:
            raise InvalidRequest("start_date to end_date may not span more than 90 days")
        query = query.where(col(Ticket.created_at) >= start, col(Ticket.created_at) <= end)
        if codes:
            query = query.where(col(Ticket.matter_code).in_(codes))
        if statuses:
            bad = set(statuses) - {"open", "closed"}
            if bad:
                raise InvalidRequest("status must be open or closed")
            wanted = [s for s, label in OPEN311_STATUS.items() if label in statuses]
            query = query.where(col(Ticket.status).in_(wanted))
    with deps.read() as session:
        tickets = session.exec(
            query.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc()).limit(MAX_RESULTS)
        ).all()
        return [_view(session, deps, t, full) for t in tickets]


def get_request(deps: Deps, number: str, *, full: bool = False) -> RequestView:
    with deps.read() as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
        if ticket is None:
            raise InvalidRequest(f"service_request_id {number!r} not found", status=404)
        return _view(session, deps, ticket, full)


def _view(session: Session, deps: Deps, ticket: Ticket, full: bool) -> RequestView:
    group = session.get(VillageGroup, ticket.group_id)
    assert group is not None
    village = session.get(Village, group.village_id)
    assert village is not None
    township = session.get(Township, village.township_id)
    assert township is not None
    address = f"{township.name}{village.name}" + (group.name if full else "")
    return RequestView(
        service_request_id=ticket.number,
        status=OPEN311_STATUS[ticket.status],
        status_notes=_status_notes(ticket),
        service_name=ticket.matter_name or "请代办员联系",
        service_code=ticket.matter_code or "",
        description=mask_pii(ticket.text) if full else None,
        agency_responsible=_agency(session, ticket),
        service_notice=_notice(session, deps, ticket),
        requested_datetime=ticket.created_at.astimezone(deps.zone),
        updated_datetime=ticket.updated_at.astimezone(deps.zone),
        expected_datetime=ticket.due_at.astimezone(deps.zone),
        address=address,
    )


def _status_notes(ticket: Ticket) -> str:
    note = messages.STATUS_LABEL[ticket.status]
    if ticket.close_note:
        note += "：" + mask_pii(ticket.close_note)
    if ticket.rating:
        note += f"（群众评价：{ticket.rating.value}）"
    return note
