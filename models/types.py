"""Column types shared by the tables: UTC timestamps and enums stored by value."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy import Enum as SAEnum
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes, stored as UTC on SQLite and as timestamptz on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum_cls: type[enum.Enum], length: int = 24) -> SAEnum:
    """A VARCHAR holding the enum's *value* (no native PostgreSQL enum to migrate)."""

    def values(cls: type[enum.Enum]) -> list[Any]:
        return [member.value for member in cls]

    return SAEnum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=values,
        validate_strings=True,
    )


CLOCK = "daiban_clock"  # execution option: the Callable[[], datetime] every write stamps with


def utcnow() -> datetime:
    """The wall clock: only the default of `Deps.clock` and the dispatcher's, never a column."""
    return datetime.now(UTC)


def _stamp(context: Any) -> datetime:
    """Column default: the clock of the engine the write goes through (`bot.db.clocked`).

    No clock there means someone writes outside `Deps.tx()` (or the dispatcher's own clocked
    engine); refusing beats a wall-clock time that a test on another day cannot reproduce.
    """
    clock = context.execution_options.get(CLOCK)
    if clock is None:
        raise RuntimeError("a row was written without a clock: write through Deps.tx()")
    now = clock()
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise RuntimeError(f"the clock gave {now!r}, not an aware datetime")
    return now


def stamped(*, on_update: bool = False) -> Any:
    """A UTC timestamp field filled from the session's clock on insert (and update)."""
    kwargs: dict[str, Any] = {"default": _stamp}
    if on_update:
        kwargs["onupdate"] = _stamp
    return Field(default=None, sa_type=UTCDateTime, nullable=False, sa_column_kwargs=kwargs)
