"""The inbound log: updates are written here before anything acts on them.

A process may die after Telegram considers an update delivered (polling confirms on the next
getUpdates, a webhook on the 200). Recording first and marking done after handling makes every
update handled at least once; `update_id` and the idempotent services make it count once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.services.context import Deps
from models import InboundStatus, InboundUpdate


def record(deps: Deps, payloads: Iterable[dict[str, Any]], source: str) -> int:
    """Store updates not seen before; returns how many were new."""
    rows = [
        {
            "update_id": int(p["update_id"]),
            "payload": p,
            "source": source,
            "status": InboundStatus.RECEIVED.value,
        }
        for p in payloads
    ]
    if not rows:
        return 0
    with deps.tx() as session:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(InboundUpdate)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(col(InboundUpdate.update_id))
        )
        return len(session.execute(stmt).all())


def claim(deps: Deps, *, limit: int = 10) -> list[InboundUpdate]:
    """SQLite (one process): mark the oldest received updates as being handled."""
    with deps.tx() as session:
        rows = session.exec(
            select(InboundUpdate)
            .where(col(InboundUpdate.status) == InboundStatus.RECEIVED)
            .order_by(col(InboundUpdate.update_id))
            .limit(limit)
        ).all()
        for row in rows:
            row.attempts += 1
            row.status = InboundStatus.HANDLING
        return list(rows)


def release_all(deps: Deps) -> int:
    """SQLite at start-up: updates a killed process was handling are received again."""
    with deps.tx() as session:
        result = session.execute(
            update(InboundUpdate)
            .where(col(InboundUpdate.status) == InboundStatus.HANDLING)
            .values(status=InboundStatus.RECEIVED)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def lock_next(session: Session) -> InboundUpdate | None:
    """PostgreSQL: lock the oldest received update for the caller's open transaction.

    The row lock is the claim: no other process sees it while we handle it, and if this process
    dies the lock goes with its connection, so another process takes the update at once.
    """
    return session.exec(
        select(InboundUpdate)
        .where(col(InboundUpdate.status) == InboundStatus.RECEIVED)
        .order_by(col(InboundUpdate.update_id))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def finish(row: InboundUpdate, now: datetime, error: str | None) -> None:
    """Mark a handled update done, or failed with the handler's error (kept for replay)."""
    row.attempts += 0 if row.status is InboundStatus.HANDLING else 1
    row.status = InboundStatus.FAILED if error else InboundStatus.DONE
    row.error = error[:2000] if error else None
    row.handled_at = now


def finish_by_id(deps: Deps, update_id: int, error: str | None) -> None:
    with deps.tx() as session:
        row = session.get(InboundUpdate, update_id)
        if row is not None:
            finish(row, deps.now(), error)


def counts(deps: Deps) -> dict[str, int]:
    with deps.read() as session:
        rows = session.exec(select(InboundUpdate.status)).all()
    out: dict[str, int] = {}
    for status in rows:
        out[str(status)] = out.get(str(status), 0) + 1
    return out
