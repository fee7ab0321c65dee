"""Every Telegram update, recorded durably before it is acted on (at-least-once, deduplicated)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, enum_type, stamped


class InboundStatus(enum.StrEnum):
    RECEIVED = "received"  # recorded, not handled yet (or a handler was cut off by a crash)
    HANDLING = "handling"  # claimed by a process; back to received if its lease runs out
    DONE = "done"
    FAILED = "failed"  # a handler raised; kept with the error for the operator to replay


class InboundUpdate(SQLModel, table=True):
    """One update as Telegram sent it; `update_id` makes a redelivery a no-op."""

    __tablename__ = "inbound_update"
    __table_args__ = (Index("ix_inbound_status_id", "status", "update_id"),)

    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    payload: dict[str, Any] = Field(sa_type=JSON)
    source: str = Field(default="polling", sa_type=String(16))
    status: InboundStatus = Field(default=InboundStatus.RECEIVED, sa_type=enum_type(InboundStatus))
    attempts: int = 0
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = stamped()
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=Text)
