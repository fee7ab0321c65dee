"""Tickets (one villager matter each), their audit trail, and requests awaiting clarification."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, enum_type, stamped
from nlp import Mode


class TicketStatus(enum.StrEnum):
    """Where a matter stands; see models/ticket_states.mmd for the transitions."""

    PENDING = "pending"  # 待接单: assigned, the agent has not accepted yet
    IN_PROGRESS = "in_progress"  # 办理中
    DONE = "done"  # 已办结, waiting for the villager's rating
    RATED = "rated"  # 已评价 (closed for good)
    CANCELLED = "cancelled"  # 已撤销 by the villager
    REOPENED = "reopened"  # 不满意: back open, held by the station head (or the next level up)

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = (TicketStatus.PENDING, TicketStatus.IN_PROGRESS, TicketStatus.REOPENED)


class Channel(enum.StrEnum):
    """How a request came in (民情快车: more than one intake channel)."""

    TELEGRAM = "telegram"
    OPEN311 = "open311"
    HOTLINE = "hotline"
    CLI = "cli"


class Rating(enum.StrEnum):
    """群众评价."""

    SATISFIED = "满意"
    BASIC = "基本满意"
    UNSATISFIED = "不满意"


class EventKind(enum.StrEnum):
    """What an audit event records."""

    CREATED = "created"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    CLOSED = "closed"
    RATED = "rated"
    HANDED_OVER = "handed_over"
    CANCELLED = "cancelled"
    NOTE = "note"
    REMINDED = "reminded"  # the holder was reminded (before due / overdue)
    ESCALATED = "escalated"  # 督办: the next level up was told
    UNDELIVERED = "undelivered"  # a message about this ticket could not be delivered
    DOCUMENTS_REQUESTED = "docs_requested"  # 需补材料: the villager was asked for documents
    RECLASSIFIED = "reclassified"  # 改类: mode and/or matter changed, due date recomputed
    REOPENED = "reopened"  # 不满意: back to the station head (or the next level up)
    URGED = "urged"  # 督办 button: a supervisor prompted the holder


class TicketBase(SQLModel):
    """Fields every view of a ticket shares."""

    number: str = Field(sa_type=String(24), unique=True)
    text: str = Field(sa_type=Text)
    channel: Channel = Field(sa_type=enum_type(Channel))
    category: Mode | None = Field(default=None, sa_type=enum_type(Mode, 8))
    matter_code: str | None = Field(default=None, sa_type=String(32))
    matter_name: str | None = Field(default=None, sa_type=String(64))
    status: TicketStatus = Field(default=TicketStatus.PENDING, sa_type=enum_type(TicketStatus))
    due_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = stamped()


class Ticket(TicketBase, table=True):
    """One matter, from intake to rating; every change also writes a TicketEvent."""

    __table_args__ = (
        Index("ix_ticket_status_due", "status", "due_at"),
        Index("ix_ticket_assignee_status", "assignee_id", "status"),
        Index("ix_ticket_next_check", "next_check_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    villager_id: int = Field(foreign_key="villager.id", index=True)
    group_id: int = Field(foreign_key="village_group.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="agent.id")
    source_ref: str | None = Field(default=None, sa_type=String(96), unique=True)
    documents: list[str] = Field(default_factory=list, sa_type=JSON)
    circumstances: list[str] = Field(default_factory=list, sa_type=JSON)
    confidence: float = 0.0
    updated_at: datetime = stamped(on_update=True)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    close_note: str | None = Field(default=None, sa_type=Text)
    rating: Rating | None = Field(default=None, sa_type=enum_type(Rating, 8))
    rating_comment: str | None = Field(default=None, sa_type=Text)
    rated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Follow-up state (scheduler): when to look again, what was sent, how far it went up.
    next_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminder_stage: int = 0  # 0 nothing yet, 1 reminded before due, 2 told it is overdue
    escalation_level: int = 0  # 0 the holder, 1 station head, 2 township, 3 county
    reopened: int = 0  # times a 不满意 rating reopened it (only the first one does)


class TicketPublic(TicketBase):
    """What the ledger and the APIs show (text masked by the caller where needed)."""

    id: int
    assignee_id: int | None
    closed_at: datetime | None
    rating: Rating | None


class TicketEvent(SQLModel, table=True):
    """Audit trail (民情访问记录): one row per change, written with the change."""

    __tablename__ = "ticket_event"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = stamped()
    kind: EventKind = Field(sa_type=enum_type(EventKind))
    actor: str = Field(sa_type=String(32))  # "villager:3", "agent:7", "system"
    from_status: TicketStatus | None = Field(default=None, sa_type=enum_type(TicketStatus))
    to_status: TicketStatus | None = Field(default=None, sa_type=enum_type(TicketStatus))
    note: str | None = Field(default=None, sa_type=Text)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # The inbound message behind a relayed note ("tg:chat:message"): a redelivery adds nothing.
    source_ref: str | None = Field(default=None, sa_type=String(96), unique=True)


class PendingRequest(SQLModel, table=True):
    """A request the classifier was unsure about, kept until the villager picks a matter."""

    __tablename__ = "pending_request"

    id: int | None = Field(default=None, primary_key=True)
    villager_id: int = Field(foreign_key="villager.id", index=True)
    text: str = Field(sa_type=Text)
    channel: Channel = Field(sa_type=enum_type(Channel))
    source_ref: str | None = Field(default=None, sa_type=String(96), unique=True)
    choices: list[str] = Field(default_factory=list, sa_type=JSON)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    created_at: datetime = stamped()


class TicketCounter(SQLModel, table=True):
    """Per-year sequence behind readable ticket numbers such as 2026-0137."""

    __tablename__ = "ticket_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    value: int = 0


class Attachment(SQLModel, table=True):
    """A photo, document, voice note or location sent about a ticket (forwarded by copyMessage).

    `source_ref` is the message it came with; a request's attachment waits there (ticket_id
    None) until the request becomes a ticket (after a clarifying question or a review).
    """

    __tablename__ = "ticket_attachment"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    source_ref: str = Field(sa_type=String(96), index=True)
    kind: str = Field(sa_type=String(16))  # photo, document, voice, audio, video, location
    file_id: str | None = Field(default=None, sa_type=String(200))
    file_unique_id: str | None = Field(default=None, sa_type=String(64))
    caption: str | None = Field(default=None, sa_type=Text)
    chat_id: int = Field(sa_type=BigInteger)  # where the original message is (for copyMessage)
    message_id: int = Field(sa_type=BigInteger)
    sender: str = Field(sa_type=String(32))  # "villager:3", "agent:7"
    created_at: datetime = stamped()


class HeldStatus(enum.StrEnum):
    HELD = "held"  # waiting for the station head or a supervisor
    RELEASED = "released"  # made into a ticket (or a clarifying question) after review
    DISMISSED = "dismissed"  # not taken on


class HeldRequest(SQLModel, table=True):
    """A request over the flood limit (DAIBAN_FLOOD_PER_HOUR): kept for review, never lost."""

    __tablename__ = "held_request"

    id: int | None = Field(default=None, primary_key=True)
    villager_id: int = Field(foreign_key="villager.id", index=True)
    text: str = Field(sa_type=Text)
    channel: Channel = Field(sa_type=enum_type(Channel))
    source_ref: str | None = Field(default=None, sa_type=String(96), unique=True)
    call_back: bool = False  # a voice note or a location: becomes a 流动办 call-back ticket
    status: HeldStatus = Field(default=HeldStatus.HELD, sa_type=enum_type(HeldStatus, 12))
    created_at: datetime = stamped()
    decided_by: int | None = Field(default=None, foreign_key="agent.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
