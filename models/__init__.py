"""SQLModel tables and enums; Alembic migrations live in models/migrations."""

from models.inbound import InboundStatus, InboundUpdate
from models.outbox import DigestSent, Outbox, OutboxStatus, Priority
from models.roster import Agent, Coverage, Role, Township, Village, VillageGroup, Villager
from models.ticket import (
    OPEN_STATUSES,
    Attachment,
    Channel,
    EventKind,
    HeldRequest,
    HeldStatus,
    PendingRequest,
    Rating,
    Ticket,
    TicketBase,
    TicketCounter,
    TicketEvent,
    TicketPublic,
    TicketStatus,
)
from models.types import UTCDateTime, utcnow
from models.web import WebToken, WebTokenKind

__all__ = [
    "OPEN_STATUSES",
    "Agent",
    "Attachment",
    "Channel",
    "Coverage",
    "DigestSent",
    "EventKind",
    "HeldRequest",
    "HeldStatus",
    "InboundStatus",
    "InboundUpdate",
    "Outbox",
    "OutboxStatus",
    "PendingRequest",
    "Priority",
    "Rating",
    "Role",
    "Ticket",
    "TicketBase",
    "TicketCounter",
    "TicketEvent",
    "TicketPublic",
    "TicketStatus",
    "Township",
    "UTCDateTime",
    "Village",
    "VillageGroup",
    "Villager",
    "WebToken",
    "WebTokenKind",
    "utcnow",
]
