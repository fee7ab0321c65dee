"""The matter catalogue: the shipped file is complete, and broken files are reported clearly."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from nlp import DEFAULT_CATALOG_PATH, Catalog, CatalogError, Level, Matter, Mode, load_catalog
from tests.nlp.conftest import matter

Write = Callable[[str], Path]
REQUIRED = (
    "证明", "医保报销", "低保", "认证", "残疾人两项补贴", "临时救助", "危房", "身份证", "户口",
    "结婚", "不动产", "社保卡", "高龄", "独生子女", "农业补贴", "确权", "宅基地", "法律援助",
)  # fmt: skip


def test_shipped_catalogue_has_sixty_real_matters() -> None:
    catalog = load_catalog()
    assert catalog.path == DEFAULT_CATALOG_PATH
    assert DEFAULT_CATALOG_PATH.name == "catalog.toml"
    assert len(catalog) >= 60
    names = " ".join(m.name for m in catalog)
    missing = [word for word in REQUIRED if word not in names]
    assert not missing
    assert {m.mode for m in catalog} == set(Mode)
    assert {m.level for m in catalog} == set(Level)


@pytest.mark.parametrize("item", list(load_catalog()), ids=lambda m: m.code)
def test_every_shipped_matter_is_complete(item: Matter) -> None:
    assert re.fullmatch(r"[a-z0-9_]{1,24}", item.code)
    assert item.time_limit_days >= 1
    assert item.documents and all(doc.strip() for doc in item.documents)
    assert item.keywords
    assert item.description and "\n" not in item.description
    if item.in_person:
        assert item.mode is Mode.GUIDED


def test_catalog_is_an_ordered_immutable_lookup() -> None:
    catalog = load_catalog()
    first = next(iter(catalog))
    assert catalog.get(first.code) is first
    assert first.code in catalog
    assert catalog.get("no_such_matter") is None
    assert [m.code for m in catalog] == [m.code for m in catalog]
    with pytest.raises(AttributeError):
        catalog.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        catalog.path = Path("elsewhere.toml")  # type: ignore[misc]
    with pytest.raises(AttributeError):
        first.name = "x"  # type: ignore[misc]


def test_a_county_catalogue_loads_from_its_own_path(write_catalog: Write) -> None:
    path = write_catalog(
        matter("a1", "甲", keyword="甲事") + matter("b2", "乙", "领着办", keyword="乙事")
    )
    catalog = load_catalog(str(path))
    assert isinstance(catalog, Catalog)
    assert [m.code for m in catalog] == ["a1", "b2"]
    assert catalog.path == path
    assert catalog.get("b2") is not None and catalog.get("b2").person_bound  # type: ignore[union-attr]


def problems(path: Path) -> list[str]:
    """The lines of the CatalogError raised for a file."""
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    lines = str(caught.value).splitlines()
    assert len(lines) == len(caught.value.problems)
    assert all(line.startswith(str(path)) for line in lines)
    return lines


def test_missing_fields_are_named(write_catalog: Write) -> None:
    text = matter().replace("time_limit_days = 5\n", "").replace('documents = ["身份证"]\n', "")
    lines = problems(write_catalog(text))
    assert any("matter #1 (demo): missing field 'time_limit_days'" in line for line in lines)
    assert any("missing field 'documents'" in line for line in lines)


def test_unknown_mode_lists_the_four_modes(write_catalog: Write) -> None:
    (line,) = problems(write_catalog(matter(mode="马上")))
    assert "matter #1 (demo): unknown mode '马上'" in line
    assert all(mode.value in line for mode in Mode)


def test_duplicate_code_names_both_matters(write_catalog: Write) -> None:
    (line,) = problems(write_catalog(matter("same", "一") + matter("same", "二")))
    assert "matter #2 (same): duplicate code, already used by matter #1" in line


@pytest.mark.parametrize("days", ["0", "-3", '"5"', "true", "1.5", "400"])
def test_bad_time_limit_is_refused(write_catalog: Write, days: str) -> None:
    (line,) = problems(write_catalog(matter(days=days)))
    assert "time_limit_days must be a whole number of working days" in line


def test_every_problem_is_reported_at_once(write_catalog: Write) -> None:
    text = (
        matter("ok", "好的")
        + matter("Bad-Code", "坏", mode="快办")
        + matter("ok", "好的", days="0")
        + matter("kw", "关键词", keyword="a+b+c")
    )
    lines = problems(write_catalog(text))
    assert len(lines) >= 5
    joined = "\n".join(lines)
    assert "matter #2 (Bad-Code): code must be" in joined
    assert "matter #2 (Bad-Code): unknown mode '快办'" in joined
    assert "matter #3 (ok): time_limit_days" in joined
    assert "matter #4 (kw): keywords 'a+b+c' joins more than two parts" in joined


@pytest.mark.parametrize(
    ("keyword", "message"),
    [
        ("补", "a single word must be 2+ characters"),
        ("补贴+", "empty or spaced alternative"),
        ("补贴+到账^9", "weight must be from 0.1 to 3.0"),
        ("补贴^x", "write a weight as ^1.5"),
    ],
)
def test_keyword_syntax_is_checked(write_catalog: Write, keyword: str, message: str) -> None:
    (line,) = problems(write_catalog(matter(keyword=keyword)))
    assert message in line


def test_unknown_fields_and_keys_are_typos(write_catalog: Write) -> None:
    text = "titel = 'x'\n" + matter().replace("keywords", "keyword")
    joined = "\n".join(problems(write_catalog(text)))
    assert "unknown top-level key(s): titel" in joined
    assert "unknown field 'keyword'" in joined
    assert "missing field 'keywords'" in joined


def test_unreadable_files_are_one_clear_problem(tmp_path: Path, write_catalog: Write) -> None:
    assert "file not found" in problems(tmp_path / "nowhere.toml")[0]
    assert "not valid TOML" in problems(write_catalog("[[matter]\ncode = 1"))[0]
    assert "only TOML" in problems(write_catalog("matter: []", name="catalog.yaml"))[0]
    assert "no matters" in problems(write_catalog("version = 1\n"))[0]
