"""Shared fixtures: real databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.db import make_engine, upgrade
from bot.services.context import Deps
from nlp import Classifier
from tests.factories import Clock

# PTB 22 warns about int retry_after unless its timedelta mode is on; the bot's CLI sets it too.
os.environ.setdefault("PTB_TIMEDELTA", "1")
PG_URL = os.environ.get("TEST_DATABASE_URL")
PG_SKIP = (
    "PostgreSQL run skipped: TEST_DATABASE_URL is not set "
    "(.ci/run sets it when 127.0.0.1:5432 answers)"
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite quick)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A fresh, migrated database per test: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        path = tmp_path / "daiban.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    if not PG_URL:
        pytest.skip(PG_SKIP)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    clf = Classifier.load()
    clf.warm_up()
    return clf


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def deps(engine: Engine, classifier: Classifier, clock: Clock) -> Deps:
    return Deps(engine=engine, classifier=classifier, clock=clock)
