"""Flood control: past DAIBAN_FLOOD_PER_HOUR requests in an hour, a villager's requests wait.

A held request is stored (never lost), the villager is told politely, and the station head of
their village — or the next level up when the village has none — is told once per hour and
reviews it with /review: 受理 makes it a ticket as if it had just arrived, 不受理 closes it with a
note to the villager. Only Telegram requests count (the hotline and Open311 are staffed channels).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import messages
from bot.services import outbox, queries, views
from bot.services.context import Deps, NotAllowed
from models import (
    Agent,
    Channel,
    HeldRequest,
    HeldStatus,
    Priority,
    Ticket,
    Village,
    VillageGroup,
    Villager,
)

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=1)
REVIEW_LIMIT = 20


@dataclass(frozen=True)
class Held:
    """A held request as the reviewer sees it."""

    id: int
    villager: str
    place: str
    text: str
    at: datetime
    call_back: bool


def sent_lately(session: Session, villager_id: int, now: datetime) -> int:
    """Requests from this villager in the last hour: tickets made and requests held."""
    since = now - WINDOW
    tickets = session.exec(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.villager_id == villager_id,
            Ticket.channel == Channel.TELEGRAM,
            col(Ticket.created_at) >= since,
        )
    ).one()
    held = session.exec(
        select(func.count())
        .select_from(HeldRequest)
        .where(HeldRequest.villager_id == villager_id, col(HeldRequest.created_at) >= since)
    ).one()
    return int(tickets) + int(held)


def over_limit(session: Session, deps: Deps, villager: Villager, channel: Channel) -> bool:
    limit = deps.flood_per_hour
    if limit is None or channel is not Channel.TELEGRAM:
        return False
    return sent_lately(session, villager.id or 0, deps.now()) >= limit


def hold(
    session: Session,
    deps: Deps,
    villager: Villager,
    text: str,
    channel: Channel,
    source_ref: str | None,
    call_back: bool,
) -> HeldRequest:
    """Keep the request for review; tell the villager, and the reviewer once an hour."""
    now = deps.now()
    first = not session.exec(
        select(HeldRequest.id).where(
            HeldRequest.villager_id == villager.id, col(HeldRequest.created_at) >= now - WINDOW
        )
    ).first()
    held = HeldRequest(
        villager_id=villager.id or 0,
        text=text,
        channel=channel,
        source_ref=source_ref,
        call_back=call_back,
        created_at=now,
    )
    session.add(held)
    session.flush()
    log.warning("request %s from villager %s held for review (flood)", held.id, villager.id)
    if villager.telegram_id is not None:
        outbox.send(
            session,
            villager.telegram_id,
            messages.HELD.format(n=deps.flood_per_hour),
            kind="held",
        )
    reviewer = reviewer_for(session, villager.group_id)
    if first and reviewer is not None and reviewer.telegram_id is not None:
        outbox.send(
            session,
            reviewer.telegram_id,
            messages.HELD_NOTICE.format(
                villager=messages.esc(villager.name),
                place=views.place(session, villager.group_id),
                limit=deps.flood_per_hour,
            ),
            kind="held_notice",
            priority=Priority.NOTIFY,
        )
    return held


def reviewer_for(session: Session, group_id: int) -> Agent | None:
    """The station head of the village, else the township supervisor, else the county."""
    return queries.lead_above(session, group_id)


def supervisor(session: Session, supervisor_id: int) -> Agent:
    agent = session.get(Agent, supervisor_id)
    if agent is None or not agent.active or not agent.role.is_supervisor:
        raise NotAllowed(messages.REVIEW_ONLY_SUPERVISORS)
    return agent


def in_area(session: Session, who: Agent, held_id: int | None = None) -> list[HeldRequest]:
    """Held requests of villagers in the supervisor's area (one of them, given `held_id`)."""
    query = (
        select(HeldRequest)
        .join(Villager, col(Villager.id) == col(HeldRequest.villager_id))
        .join(VillageGroup, col(VillageGroup.id) == col(Villager.group_id))
        .join(Village, col(Village.id) == col(VillageGroup.village_id))
        .where(HeldRequest.status == HeldStatus.HELD)
    )
    if held_id is not None:
        query = query.where(HeldRequest.id == held_id)
    query = queries.in_area(query, who)
    return list(session.exec(query.order_by(col(HeldRequest.id)).limit(REVIEW_LIMIT)).all())


def waiting(deps: Deps, *, supervisor_id: int) -> list[Held]:
    """/review: held requests in the supervisor's area, oldest first."""
    with deps.read() as session:
        return describe(session, in_area(session, supervisor(session, supervisor_id)))


def describe(session: Session, rows: list[HeldRequest]) -> list[Held]:
    out = []
    for row in rows:
        villager = session.get(Villager, row.villager_id)
        assert villager is not None
        out.append(
            Held(
                id=row.id or 0,
                villager=villager.name,
                place=views.place(session, villager.group_id),
                text=row.text,
                at=row.created_at,
                call_back=row.call_back,
            )
        )
    return out
