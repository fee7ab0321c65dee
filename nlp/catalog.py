"""The matter catalogue (事项目录): a TOML data file, loaded once and checked completely at start.

A county can point DAIBAN_CATALOG at its own copy; `load_catalog` reports every problem at once,
one per line, with the matter's number and code, so a broken file is fixed in one pass.
"""

from __future__ import annotations

import enum
import os
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

DEFAULT_CATALOG_PATH = Path(__file__).with_name("catalog.toml")
CODE_RE = re.compile(r"[a-z0-9_]{1,24}")
MAX_KEYWORD_LEN = 12
MAX_TIME_LIMIT_DAYS = 365
_REQUIRED = (
    "code",
    "name",
    "mode",
    "level",
    "time_limit_days",
    "description",
    "documents",
    "keywords",
)
_OPTIONAL = ("weak_keywords", "in_person", "person_bound")
_WEIGHT_RE = re.compile(r"\^(\d+(?:\.\d+)?)$")
_E = TypeVar("_E", bound=enum.StrEnum)


class Mode(enum.StrEnum):
    """The four handling modes of 民事代办; values are stored in the database as they are."""

    IMMEDIATE = "马上办"
    PROXY = "代着办"
    GUIDED = "领着办"
    MOBILE = "流动办"


class Level(enum.StrEnum):
    """Who handles a matter: 小事不出村、中事不出乡、大事不出县."""

    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"


@dataclass(frozen=True, slots=True)
class Matter:
    """One kind of service a villager can ask for, with everything told at once (一次告知)."""

    code: str
    name: str
    mode: Mode
    level: Level
    time_limit_days: int
    documents: tuple[str, ...]
    keywords: tuple[str, ...]
    description: str
    weak_keywords: tuple[str, ...] = ()
    in_person: bool = False
    person_bound: bool = False  # the person it is for takes part (刷脸, 照相, 签字)


@dataclass(frozen=True, slots=True)
class Pattern:
    """A parsed keyword: one or two groups of alternatives that must occur close together."""

    parts: tuple[tuple[str, ...], ...]
    weight: float | None


class CatalogError(ValueError):
    """The catalogue file cannot be used; str() lists every problem, one per line."""

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{path}: {problem}" for problem in self.problems))


class Catalog:
    """An immutable, ordered collection of matters, looked up by code."""

    __slots__ = ("_by_code", "_matters", "_path")

    def __init__(self, matters: Sequence[Matter], path: Path) -> None:
        self._matters = tuple(matters)
        self._by_code = {m.code: m for m in self._matters}
        self._path = path

    @property
    def path(self) -> Path:
        """The file the catalogue was read from."""
        return self._path

    def __iter__(self) -> Iterator[Matter]:
        return iter(self._matters)

    def __len__(self) -> int:
        return len(self._matters)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __repr__(self) -> str:
        return f"Catalog({len(self)} matters from {self.path})"

    def get(self, code: str) -> Matter | None:
        """The matter with this code, or None."""
        return self._by_code.get(code)


def parse_pattern(keyword: str) -> Pattern:
    """Split "身份证+丢|掉^1.3" into its alternative groups and optional weight (no checks)."""
    weight = None
    found = _WEIGHT_RE.search(keyword)
    if found:
        weight = float(found.group(1))
        keyword = keyword[: found.start()]
    parts = tuple(tuple(alt for alt in part.split("|")) for part in keyword.split("+"))
    return Pattern(parts, weight)


def load_catalog(path: str | os.PathLike[str] | None = None) -> Catalog:
    """Read and validate a catalogue file (None: the one shipped with daiban)."""
    where = Path(path) if path is not None else DEFAULT_CATALOG_PATH
    if where.suffix.lower() != ".toml":
        raise CatalogError(where, ["only TOML catalogue files are supported (name ending .toml)"])
    try:
        data = tomllib.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(where, ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(where, [f"cannot read the file: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(where, [f"not valid TOML: {exc}"]) from None
    problems: list[str] = []
    matters = _matters(data, problems)
    if problems:
        raise CatalogError(where, problems)
    return Catalog(matters, where)


def _matters(data: Mapping[str, object], problems: list[str]) -> list[Matter]:
    """Validate the [[matter]] tables, collecting every problem instead of stopping at the first."""
    unknown = sorted(set(data) - {"matter", "version"})
    if unknown:
        problems.append(
            f"unknown top-level key(s): {', '.join(unknown)} (expected [[matter]] tables)"
        )
    raw = data.get("matter")
    if not isinstance(raw, list) or not raw:
        problems.append("no matters: the file needs at least one [[matter]] table")
        return []
    matters: list[Matter] = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for number, table in enumerate(raw, 1):
        if not isinstance(table, dict):
            problems.append(f"matter #{number}: is not a table")
            continue
        label = f"matter #{number} ({table.get('code', '?')})"
        before = len(problems)
        matter = _matter(table, label, problems)
        for field, seen in (("code", seen_codes), ("name", seen_names)):
            value = table.get(field)
            if isinstance(value, str) and value in seen:
                problems.append(
                    f"{label}: duplicate {field}, already used by matter #{seen[value]}"
                )
            elif isinstance(value, str):
                seen[value] = number
        if matter is not None and len(problems) == before:
            matters.append(matter)
    return matters


def _matter(table: Mapping[str, object], label: str, problems: list[str]) -> Matter | None:
    """One matter table → Matter, or None with its problems appended."""
    missing = [key for key in _REQUIRED if key not in table]
    for key in missing:
        problems.append(f"{label}: missing field '{key}'")
    for key in sorted(set(table) - set(_REQUIRED) - set(_OPTIONAL)):
        problems.append(f"{label}: unknown field '{key}'")
    if missing:
        return None
    code, name, desc = table["code"], table["name"], table["description"]
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        problems.append(f"{label}: code must be 1-24 characters of a-z, 0-9 and _ (got {code!r})")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{label}: name must be a non-empty string")
    if not isinstance(desc, str) or not desc.strip() or "\n" in desc:
        problems.append(f"{label}: description must be one non-empty line")
    mode = _enum(Mode, table["mode"], "mode", label, problems)
    level = _enum(Level, table["level"], "level", label, problems)
    days = table["time_limit_days"]
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_TIME_LIMIT_DAYS:
        problems.append(
            f"{label}: time_limit_days must be a whole number of working days from 1 to "
            f"{MAX_TIME_LIMIT_DAYS} (got {days!r})"
        )
    documents = _strings(table["documents"], "documents", label, problems, required=True)
    keywords = _keywords(table["keywords"], "keywords", label, problems, required=True)
    weak = _keywords(
        table.get("weak_keywords", []), "weak_keywords", label, problems, required=False
    )
    in_person = table.get("in_person", False)
    person_bound = table.get("person_bound", mode is Mode.GUIDED or in_person is True)
    for field, flag in (("in_person", in_person), ("person_bound", person_bound)):
        if not isinstance(flag, bool):
            problems.append(f"{label}: {field} must be true or false (got {flag!r})")
    if mode is None or level is None or not isinstance(days, int):
        return None
    return Matter(
        code=str(code),
        name=str(name).strip(),
        mode=mode,
        level=level,
        time_limit_days=days,
        documents=documents,
        keywords=keywords,
        description=str(desc).strip(),
        weak_keywords=weak,
        in_person=bool(in_person),
        person_bound=bool(person_bound),
    )


def _enum(kind: type[_E], value: object, field: str, label: str, problems: list[str]) -> _E | None:
    """Parse an enum field, naming every allowed value when it is wrong."""
    for member in kind:
        if member.value == value:
            return member
    allowed = ", ".join(member.value for member in kind)
    problems.append(f"{label}: unknown {field} {value!r} (expected one of {allowed})")
    return None


def _strings(
    value: object, field: str, label: str, problems: list[str], *, required: bool
) -> tuple[str, ...]:
    """A list of non-empty strings, without duplicates."""
    if not isinstance(value, list) or (required and not value):
        need = "a non-empty list" if required else "a list"
        problems.append(f"{label}: {field} must be {need} of strings")
        return ()
    items: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            problems.append(f"{label}: {field} has an empty or non-string entry {item!r}")
        elif item.strip() in items:
            problems.append(f"{label}: {field} lists {item!r} twice")
        else:
            items.append(item.strip())
    return tuple(items)


def _keywords(
    value: object, field: str, label: str, problems: list[str], *, required: bool
) -> tuple[str, ...]:
    """Keywords with their "a+b|c^w" syntax checked."""
    items = _strings(value, field, label, problems, required=required)
    for item in items:
        pattern = parse_pattern(item)
        words = [alt for part in pattern.parts for alt in part]
        if len(pattern.parts) > 2:
            problems.append(f"{label}: {field} {item!r} joins more than two parts with '+'")
        elif any(not w or w != w.strip() or " " in w for w in words):
            problems.append(f"{label}: {field} {item!r} has an empty or spaced alternative")
        elif any(len(w) > MAX_KEYWORD_LEN for w in words):
            problems.append(
                f"{label}: {field} {item!r} has a word over {MAX_KEYWORD_LEN} characters"
            )
        elif len(pattern.parts) == 1 and any(len(w) < 2 for w in words):
            problems.append(f"{label}: {field} {item!r}: a single word must be 2+ characters")
        elif pattern.weight is not None and not 0.1 <= pattern.weight <= 3.0:
            problems.append(f"{label}: {field} {item!r}: weight must be from 0.1 to 3.0")
        elif "^" in item and pattern.weight is None:
            problems.append(f"{label}: {field} {item!r}: write a weight as ^1.5 at the end")
    return items
