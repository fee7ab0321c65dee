"""Fixtures for the classifier tests: one loaded classifier, and a helper for catalogue files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nlp import Classifier


@pytest.fixture(scope="session")
def clf() -> Classifier:
    """The shipped catalogue's classifier, warmed up once for the whole run."""
    classifier = Classifier.load()
    classifier.warm_up()
    return classifier


@pytest.fixture
def write_catalog(tmp_path: Path) -> Callable[[str], Path]:
    """Write a catalogue TOML into a temporary file and return its path."""

    def write(text: str, name: str = "catalog.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


MATTER = """
[[matter]]
code = "{code}"
name = "{name}"
mode = "{mode}"
level = "township"
time_limit_days = {days}
description = "一句话说明。"
documents = ["身份证"]
keywords = ["{keyword}"]
"""


def matter(
    code: str = "demo",
    name: str = "演示事项",
    mode: str = "代着办",
    days: str = "5",
    keyword: str = "演示",
) -> str:
    """One [[matter]] table for catalogue tests."""
    return MATTER.format(code=code, name=name, mode=mode, days=days, keyword=keyword)
