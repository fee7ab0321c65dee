"""The service network from the roster: townships, villages, groups, agents and who covers what."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import enum_type, stamped


class Role(enum.StrEnum):
    """What a roster person does; the supervisor roles see an area, not a group."""

    AGENT = "agent"
    STATION_HEAD = "station_head"
    TOWNSHIP_SUPERVISOR = "township_supervisor"
    COUNTY_SUPERVISOR = "county_supervisor"

    @property
    def is_supervisor(self) -> bool:
        return self is not Role.AGENT


class Township(SQLModel, table=True):
    """乡镇 (with its 便民服务中心)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(64), unique=True)


class Village(SQLModel, table=True):
    """行政村 (with its 便民服务站)."""

    __table_args__ = (UniqueConstraint("township_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="township.id", index=True)
    name: str = Field(sa_type=String(64))


class VillageGroup(SQLModel, table=True):
    """村民小组 (with its 便民服务点); `group` is a reserved word in SQL."""

    __tablename__ = "village_group"
    __table_args__ = (UniqueConstraint("village_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    name: str = Field(sa_type=String(64))


class Agent(SQLModel, table=True):
    """A person on the roster: proxy agent (代办员) or supervisor (督办)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(64))
    phone: str = Field(sa_type=String(20), unique=True)
    telegram_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    role: Role = Field(sa_type=enum_type(Role))
    township_id: int | None = Field(default=None, foreign_key="township.id", index=True)
    village_id: int | None = Field(default=None, foreign_key="village.id", index=True)
    active: bool = True
    night_alerts: bool = False  # supervisors who opt in get escalations during quiet hours
    unreachable: str | None = Field(default=None, sa_type=String(200))  # why messages fail
    created_at: datetime = stamped()
    updated_at: datetime = stamped(on_update=True)


class Coverage(SQLModel, table=True):
    """两包一访: the one agent responsible for a group (首问负责 follows from it)."""

    group_id: int = Field(foreign_key="village_group.id", primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)


class Villager(SQLModel, table=True):
    """村民 registered through the bot (or created by the hotline channel)."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    name: str = Field(sa_type=String(64))
    phone: str | None = Field(default=None, sa_type=String(20), index=True)
    group_id: int = Field(foreign_key="village_group.id", index=True)
    unreachable: str | None = Field(default=None, sa_type=String(200))  # why messages fail
    created_at: datetime = stamped()
    updated_at: datetime = stamped(on_update=True)
