"""Dashboard sign-in: one-time login links and browser sessions, stored as SHA-256 hashes only."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, enum_type, stamped


class WebTokenKind(enum.StrEnum):
    LOGIN = "login"  # sent by the bot after /web: single use, minutes
    SESSION = "session"  # the browser's cookie after signing in: hours


class WebToken(SQLModel, table=True):
    """A secret handed to one roster person; the table keeps its hash, never the secret."""

    __tablename__ = "web_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    kind: WebTokenKind = Field(sa_type=enum_type(WebTokenKind, 8))
    agent_id: int = Field(foreign_key="agent.id", index=True)
    created_at: datetime = stamped()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
