from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from bot import cli
from bot.db import alembic_config, current_revision, make_engine
from models import Township, Village

TABLES = {
    "inbound_update",
    "township",
    "village",
    "village_group",
    "agent",
    "coverage",
    "villager",
    "ticket",
    "ticket_event",
    "outbox",
    "pending_request",
    "ticket_counter",
    "ticket_attachment",
    "held_request",
}


def test_migrations_create_every_table_and_match_the_models(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert current_revision(engine) is not None
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    assert diff == [], "models and migrations disagree: write a migration"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/sub/dir/x.db")  # folders are created
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    from sqlmodel import Session

    with Session(engine) as s, pytest.raises(IntegrityError):
        s.add(Village(township_id=12345, name="无主村"))
        s.commit()
    with Session(engine) as s:
        s.add(Township(name="甲乡"))
        s.commit()
        assert s.execute(text("select count(*) from township")).scalar() == 1


def test_cli_upgrade_is_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/fresh.db")
    assert cli.main(["db", "upgrade"]) == 0
    assert cli.main(["db", "upgrade"]) == 0
    assert cli.main(["db", "current"]) == 0
    out = capsys.readouterr().out
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None and out.count(head) == 3
    engine = make_engine(f"sqlite:///{tmp_path}/fresh.db")
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()
