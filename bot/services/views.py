"""Rendering that needs the database: place names, contact cards, the agent's ticket card."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import callbacks, messages
from bot.callbacks import Verb
from bot.services.outbox import Keyboard
from models import (
    Agent,
    Attachment,
    Coverage,
    Role,
    Ticket,
    TicketStatus,
    Township,
    Village,
    VillageGroup,
)
from nlp import mask_pii


def place_names(session: Session, group_id: int) -> tuple[str, str, str]:
    """(township, village, group) names of a group."""
    group = session.get(VillageGroup, group_id)
    assert group is not None
    village = session.get(Village, group.village_id)
    assert village is not None
    township = session.get(Township, village.township_id)
    assert township is not None
    return township.name, village.name, group.name


def place(session: Session, group_id: int) -> str:
    return messages.place(*place_names(session, group_id))


def agent_area(session: Session, agent: Agent) -> str:
    """What an agent is responsible for, in words: their groups, village, township or county."""
    if agent.role is Role.COUNTY_SUPERVISOR:
        return "全县"
    if agent.role is Role.TOWNSHIP_SUPERVISOR and agent.township_id is not None:
        township = session.get(Township, agent.township_id)
        return township.name if township else "本乡镇"
    if agent.role is Role.STATION_HEAD and agent.village_id is not None:
        village = session.get(Village, agent.village_id)
        township = session.get(Township, village.township_id) if village else None
        return f"{township.name if township else ''}{village.name if village else ''}"
    groups = session.exec(
        select(VillageGroup)
        .join(Coverage, col(Coverage.group_id) == col(VillageGroup.id))
        .where(Coverage.agent_id == agent.id)
        .order_by(col(VillageGroup.id))
    ).all()
    if not groups:
        return "（未分配小组）"
    township_name, village_name, _ = place_names(session, groups[0].id or 0)
    return f"{township_name}{village_name}" + "、".join(g.name for g in groups)


def card(session: Session, agent: Agent) -> str:
    return messages.agent_card(agent.name, agent.phone, agent_area(session, agent))


def ticket_keyboard(ticket: Ticket) -> Keyboard:
    """Buttons the holder sees on the ticket card, by status."""
    tid = ticket.id
    if not TicketStatus(ticket.status).is_open:
        return []
    first = [
        (messages.BUTTON_CLOSE, callbacks.make(Verb.CLOSE, tid)),
        (messages.BUTTON_HANDOVER, callbacks.make(Verb.HANDOVER, tid)),
    ]
    if ticket.status is TicketStatus.PENDING:
        first.insert(0, (messages.BUTTON_ACCEPT, callbacks.make(Verb.ACCEPT, tid)))
    return [
        first,
        [
            (messages.BUTTON_DOCUMENTS, callbacks.make(Verb.DOCS, tid)),
            (messages.BUTTON_RECLASSIFY, callbacks.make(Verb.RECLASS, tid)),
            (messages.BUTTON_RELAY, callbacks.make(Verb.RELAY, tid)),
        ],
    ]


def ticket_summary(session: Session, ticket: Ticket) -> str:
    """One line for a task list: number, mode, matter, who asked."""
    from models import Villager

    villager = session.get(Villager, ticket.villager_id)
    who = villager.name if villager else ""
    return f"{ticket.number} {ticket.category or ''} {ticket.matter_name or '待联系'}（{who}）"


def ticket_card(
    session: Session, ticket: Ticket, zone: ZoneInfo, now: datetime, handled_by: str | None = None
) -> str:
    """The agent's view of a ticket; the villager's phone is shown to the responsible agent only."""
    from models import Villager

    villager = session.get(Villager, ticket.villager_id)
    assert villager is not None
    attached = session.exec(
        select(func.count()).select_from(Attachment).where(Attachment.ticket_id == ticket.id)
    ).one()
    return messages.assignment_card(
        number=ticket.number,
        status=TicketStatus(ticket.status),
        mode=ticket.category or "待定",
        matter=ticket.matter_name,
        text=mask_pii(ticket.text),
        villager=villager.name,
        villager_phone=villager.phone,
        place=place(session, ticket.group_id),
        due=messages.when(ticket.due_at, zone),
        documents=ticket.documents,
        circumstances=ticket.circumstances,
        overdue=ticket.due_at < now,
        handled_by=handled_by,
        attachments=attached,
        reopened=ticket.status is TicketStatus.REOPENED,
    )
