"""Cost of one reminder sweep with 1,000,000 tickets of which 100,000 are open.

    .venv/bin/python bench/bench_sweep.py --db sqlite
    .venv/bin/python bench/bench_sweep.py --db postgresql   # TEST_DATABASE_URL or the local server

Builds the table once per store (a fresh SQLite file / a PostgreSQL schema of its own), then times
`bot.services.followup.sweep` — the query for due tickets through the ix_ticket_next_check index,
plus the work on each due ticket — with nothing due, 10 due (a normal 30-second sweep for a county)
and 500 due (a full batch). Prints the median and worst of several runs, and the query plan.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db import make_engine, upgrade  # noqa: E402
from bot.services import followup  # noqa: E402
from bot.services.context import Deps  # noqa: E402
from bot.services.roster import import_roster  # noqa: E402
from nlp import Classifier  # noqa: E402

TOTAL, OPEN, VILLAGERS = 1_000_000, 100_000, 5_000
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai, outside quiet hours


def database(kind: str) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp()}/sweep.db", None
    base = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(base).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{base}?options=-csearch_path%3D{schema}", schema


def fill(engine: Engine) -> None:
    """The demo roster, 5,000 villagers and 1,000,000 tickets: 900,000 rated, 100,000 open."""
    deps = Deps(engine=engine, classifier=Classifier.load())
    import_roster(deps, ROOT / "bot" / "data" / "demo_roster.csv")
    with engine.begin() as conn:
        groups = [r[0] for r in conn.execute(text("SELECT id FROM village_group"))]
        agents = {r[0]: r[1] for r in conn.execute(text("SELECT group_id, agent_id FROM coverage"))}
        conn.execute(
            text(
                "INSERT INTO villager (name, group_id, created_at, updated_at)"
                " VALUES (:n, :g, :t, :t)"
            ),
            [{"n": f"村民{i}", "g": groups[i % len(groups)], "t": NOW} for i in range(VILLAGERS)],
        )
        villagers = [(r[0], r[1]) for r in conn.execute(text("SELECT id, group_id FROM villager"))]
        insert = text(
            "INSERT INTO ticket (number, text, channel, category, matter_code, matter_name, status,"
            " due_at, created_at, villager_id, group_id, assignee_id, documents, circumstances,"
            " confidence, updated_at, next_check_at, reminder_stage, escalation_level)"
            " VALUES (:number, '开证明', 'telegram', '马上办', 'certificate', '证明开具', :status,"
            " :due, :created, :villager, :grp, :agent, '[]', '[]', 0.9, :created, :check, 0, 0)"
        )
        batch: list[dict[str, object]] = []
        for i in range(TOTAL):
            villager, group = villagers[i % len(villagers)]
            is_open = i >= TOTAL - OPEN
            created = NOW - timedelta(minutes=TOTAL - i)
            due = created + timedelta(days=3) if is_open else created + timedelta(days=1)
            batch.append(
                {
                    "number": f"B-{i}",
                    "status": "pending" if is_open else "rated",
                    "due": due,
                    "created": created,
                    "villager": villager,
                    "grp": group,
                    "agent": agents.get(group),
                    # open tickets: next check spread over the coming days, none due yet
                    "check": NOW + timedelta(seconds=30 + (i % 400_000)) if is_open else None,
                }
            )
            if len(batch) == 20_000:
                conn.execute(insert, batch)
                batch.clear()
        if batch:
            conn.execute(insert, batch)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE ticket"))
        else:
            conn.execute(text("ANALYZE"))


def make_due(engine: Engine, n: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE ticket SET next_check_at = :t, reminder_stage = 0 WHERE id IN"
                " (SELECT id FROM ticket WHERE status = 'pending' ORDER BY id LIMIT :n)"
            ),
            {"t": NOW - timedelta(seconds=1), "n": n},
        )


def timed(deps: Deps, due: int, runs: int) -> tuple[float, float, int]:
    times, handled = [], 0
    for _ in range(runs):
        make_due(deps.engine, due)
        start = time.perf_counter()
        handled = followup.sweep(deps, NOW)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), handled


def plan(engine: Engine) -> str:
    query = "SELECT id FROM ticket WHERE next_check_at <= :t ORDER BY next_check_at LIMIT 500"
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        rows = conn.execute(text(prefix + query), {"t": NOW}).all()
    return "\n".join("    " + " ".join(str(c) for c in r) for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    url, schema = database(args.db)
    engine = make_engine(url)
    upgrade(engine)
    start = time.perf_counter()
    fill(engine)
    print(
        f"{args.db}: filled {TOTAL:,} tickets ({OPEN:,} open) in {time.perf_counter() - start:.0f}s"
    )
    print("query plan for the sweep's select:\n" + plan(engine))
    deps = Deps(engine=engine, classifier=Classifier.load(), clock=lambda: NOW)
    for due in (0, 10, 500):
        median, worst, handled = timed(deps, due, args.runs)
        print(
            f"  sweep with {due:>3} due: median {median:7.2f} ms, worst {worst:7.2f} ms"
            f" (handled {handled})"
        )
    engine.dispose()
    if schema:
        with create_engine(url.split("?")[0]).begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
