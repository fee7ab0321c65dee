"""Outgoing Telegram messages, written in the same transaction as the change that causes them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, enum_type, stamped


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a dispatcher; back to pending if it dies
    SENT = "sent"
    FAILED = "failed"  # permanent: blocked, chat not found, rejected message
    COALESCED = "coalesced"  # merged into one list message with others for the same chat


class Priority(enum.IntEnum):
    """Lower is sent first: a villager's acknowledgement goes before a digest."""

    REPLY = 10
    NOTIFY = 20
    REMINDER = 30
    DIGEST = 40


class DigestSent(SQLModel, table=True):
    """One row per person per day: the morning digest goes out once, even across restarts."""

    __tablename__ = "digest_sent"

    day: date = Field(primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", primary_key=True)
    created_at: datetime = stamped()


class Outbox(SQLModel, table=True):
    """One Bot API call to make: method plus PTB keyword arguments (reply_markup as a dict)."""

    __table_args__ = (Index("ix_outbox_due", "status", "priority", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, index=True)
    method: str = Field(default="sendMessage", sa_type=String(32))
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    kind: str = Field(default="reply", sa_type=String(24))
    priority: int = Priority.NOTIFY
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=enum_type(OutboxStatus))
    attempts: int = 0
    not_before: datetime = stamped()
    created_at: datetime = stamped()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    tg_message_id: int | None = Field(default=None, sa_type=BigInteger)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    error: str | None = Field(default=None, sa_type=Text)
