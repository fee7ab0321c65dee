"""Roster import: the file is the whole truth about townships, villages, groups and agents.

All-or-nothing: every bad row is reported by its row number and nothing is written. A valid file is
synchronised: new people and places are added, changed ones updated, agents missing from the file
deactivated (their Telegram binding is kept). Importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlmodel import Session, select

from bot.services.context import Deps
from models import Agent, Coverage, Role, Township, Village, VillageGroup

COLUMNS = ("township", "village", "group", "agent_name", "agent_phone", "telegram_id", "role")
_HEADER_ALIASES = {
    "乡镇": "township",
    "村": "village",
    "行政村": "village",
    "组": "group",
    "小组": "group",
    "村民小组": "group",
    "代办员": "agent_name",
    "姓名": "agent_name",
    "电话": "agent_phone",
    "手机": "agent_phone",
    "手机号": "agent_phone",
    "角色": "role",
}
_ROLE_ALIASES = {
    "代办员": Role.AGENT,
    "站长": Role.STATION_HEAD,
    "村站长": Role.STATION_HEAD,
    "乡镇督办": Role.TOWNSHIP_SUPERVISOR,
    "县级督办": Role.COUNTY_SUPERVISOR,
    "县督办": Role.COUNTY_SUPERVISOR,
}
_GROUP_SPLIT = re.compile(r"[、,，;；]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")
MAX_TELEGRAM_ID = 2**52


class RosterError(Exception):
    """The file was refused; `errors` holds one Chinese line per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class RosterRow:
    line: int
    township: str
    village: str
    groups: tuple[str, ...]
    name: str
    phone: str
    telegram_id: int | None
    role: Role


@dataclass
class ImportSummary:
    rows: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deactivated: int = 0

    def bump(self, bucket: dict[str, int], key: str) -> None:
        bucket[key] = bucket.get(key, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


def normalize_phone(raw: str) -> str | None:
    """Digits only, no +86; None unless a mainland mobile or a landline with area code."""
    digits = re.sub(r"[\s\-()（）]", "", raw)
    digits = digits.removeprefix("+86") if digits.startswith("+86") else digits
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    return None


def read_table(path: Path) -> list[list[str]]:
    """Rows of cell strings from .csv (UTF-8, BOM or not) or .xlsx (first sheet)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RosterError(
                ["文件不是 UTF-8 编码：在 Excel 里请“另存为 → CSV UTF-8（逗号分隔）”。"]
            ) from None
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise RosterError([f"无法读取 Excel 文件：{exc}"]) from None
        try:
            return [
                ["" if cell is None else _cell_text(cell) for cell in row]
                for row in book.worksheets[0].iter_rows(values_only=True)
            ]
        finally:
            book.close()
    raise RosterError([f"只支持 .csv 和 .xlsx 文件，收到的是 {path.name}"])


def _cell_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # Excel stores phone numbers and ids as numbers
    return str(cell).strip()


def parse(table: list[list[str]]) -> list[RosterRow]:
    """Validate every row; raise RosterError listing all problems at once."""
    if not table:
        raise RosterError(["文件是空的。"])
    header = [_HEADER_ALIASES.get(h.strip(), h.strip().lower()) for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RosterError([f"第1行（表头）缺少列：{', '.join(missing)}；需要 {','.join(COLUMNS)}"])
    index = {name: header.index(name) for name in COLUMNS}
    errors: list[str] = []
    rows: list[RosterRow] = []
    for line, raw in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        cells = {name: (raw[i].strip() if i < len(raw) else "") for name, i in index.items()}
        row = _parse_row(line, cells, errors)
        if row is not None:
            rows.append(row)
    _check_duplicates(rows, errors)
    errors.sort(key=_line_of)
    if not rows and not errors:
        errors.append("文件里没有数据行。")
    if errors:
        raise RosterError(errors)
    return rows


def _line_of(error: str) -> int:
    found = re.match(r"第(\d+)行", error)
    return int(found.group(1)) if found else 0


def _parse_row(line: int, c: dict[str, str], errors: list[str]) -> RosterRow | None:
    where = f"第{line}行"
    problems: list[str] = []
    groups = tuple(g.strip() for g in _GROUP_SPLIT.split(c["group"]) if g.strip())
    role_text = c["role"]
    role = _ROLE_ALIASES.get(role_text)
    if role is None:
        try:
            role = Role(role_text.lower() or "agent")
        except ValueError:
            problems.append(
                f"角色“{role_text}”不认识（可用 agent、station_head、"
                "township_supervisor、county_supervisor）"
            )
    if not c["agent_name"] and not c["agent_phone"]:
        errors.append(f"{where}：小组“{c['group'] or '（空）'}”没有代办员（姓名和电话都空着）")
        return None
    if not c["agent_name"]:
        problems.append("缺少代办员姓名")
    phone = normalize_phone(c["agent_phone"])
    if phone is None:
        problems.append(f"电话“{c['agent_phone']}”不是有效的手机号或带区号的座机号")
    telegram_id: int | None = None
    if c["telegram_id"]:
        if c["telegram_id"].isdigit() and 0 < int(c["telegram_id"]) < MAX_TELEGRAM_ID:
            telegram_id = int(c["telegram_id"])
        else:
            problems.append(f"telegram_id“{c['telegram_id']}”应为正整数或留空")
    if role is not None:
        problems.extend(_area_problems(role, c, groups))
    if problems:
        errors.extend(f"{where}：{p}" for p in problems)
        return None
    assert role is not None and phone is not None
    return RosterRow(
        line, c["township"], c["village"], groups, c["agent_name"], phone, telegram_id, role
    )


def _area_problems(role: Role, c: dict[str, str], groups: tuple[str, ...]) -> list[str]:
    out = []
    if role is not Role.COUNTY_SUPERVISOR and not c["township"]:
        out.append("缺少乡镇")
    if role in (Role.AGENT, Role.STATION_HEAD) and not c["village"]:
        out.append("缺少村")
    if role is Role.AGENT and not groups:
        out.append("代办员必须负责至少一个小组（group 列）")
    if role in (Role.TOWNSHIP_SUPERVISOR, Role.COUNTY_SUPERVISOR) and groups:
        out.append("督办不负责小组，group 列应留空")
    return out


def _check_duplicates(rows: list[RosterRow], errors: list[str]) -> None:
    by_phone: dict[str, RosterRow] = {}
    by_tg: dict[int, RosterRow] = {}
    by_group: dict[tuple[str, str, str], RosterRow] = {}
    for row in rows:
        first = by_phone.setdefault(row.phone, row)
        if first is not row:
            errors.append(
                f"第{row.line}行：代办员“{row.name}”（电话 {row.phone}）与第{first.line}行重复"
            )
        if row.telegram_id is not None:
            first = by_tg.setdefault(row.telegram_id, row)
            if first is not row:
                errors.append(
                    f"第{row.line}行：telegram_id {row.telegram_id} 与第{first.line}行重复"
                )
        for group in row.groups:
            key = (row.township, row.village, group)
            first = by_group.setdefault(key, row)
            if first is not row:
                errors.append(
                    f"第{row.line}行：{''.join(key)} 已由第{first.line}行的“{first.name}”负责，"
                    "一个小组只能有一名负责的代办员"
                )


def import_roster(deps: Deps, path: Path, *, dry_run: bool = False) -> ImportSummary:
    """Validate the whole file, then bring the database in line with it in one transaction."""
    rows = parse(read_table(path))
    summary = ImportSummary(rows=len(rows))
    if dry_run:
        return summary
    with deps.tx() as session:
        _sync(session, rows, summary)
    return summary


def _sync(session: Session, rows: list[RosterRow], summary: ImportSummary) -> None:
    places = _Places(session, summary)
    agents = {a.phone: a for a in session.exec(select(Agent)).all()}
    wanted_tg = {r.telegram_id: r.phone for r in rows if r.telegram_id is not None}
    for known in agents.values():  # free Telegram ids the file gives to someone else
        if known.telegram_id in wanted_tg and wanted_tg[known.telegram_id] != known.phone:
            known.telegram_id = None
            summary.bump(summary.updated, "agents")
    session.flush()
    coverage: dict[int, int] = {}
    seen: set[str] = set()
    for row in rows:
        township = places.township(row.township) if row.township else None
        village = places.village(township, row.village) if township and row.village else None
        fields: dict[str, object] = {
            "name": row.name,
            "role": row.role,
            "township_id": township.id if township else None,
            "village_id": village.id if village else None,
            "active": True,
        }
        if row.telegram_id is not None:
            fields["telegram_id"] = row.telegram_id
        agent = agents.get(row.phone)
        if agent is None:
            agent = Agent.model_validate({"phone": row.phone, **fields})
            session.add(agent)
            agents[row.phone] = agent
            summary.bump(summary.created, "agents")
        elif _assign_changes(agent, fields):
            summary.bump(summary.updated, "agents")
        session.flush()
        seen.add(row.phone)
        for name in row.groups:
            assert village is not None
            group = places.group(village, name)
            assert group.id is not None and agent.id is not None
            coverage[group.id] = agent.id
    for phone, agent in agents.items():
        if phone not in seen and agent.active:
            agent.active = False
            summary.deactivated += 1
    _sync_coverage(session, coverage, summary)


def _assign_changes(agent: Agent, fields: dict[str, object]) -> bool:
    changed = False
    for key, value in fields.items():
        if getattr(agent, key) != value:
            setattr(agent, key, value)
            changed = True
    return changed


def _sync_coverage(session: Session, wanted: dict[int, int], summary: ImportSummary) -> None:
    current = {c.group_id: c for c in session.exec(select(Coverage)).all()}
    for group_id, row in current.items():
        if group_id not in wanted:
            session.delete(row)
            summary.bump(summary.updated, "coverage")
        elif row.agent_id != wanted[group_id]:
            row.agent_id = wanted[group_id]
            summary.bump(summary.updated, "coverage")
    for group_id, agent_id in wanted.items():
        if group_id not in current:
            session.add(Coverage(group_id=group_id, agent_id=agent_id))
            summary.bump(summary.created, "coverage")


_Place = TypeVar("_Place", Township, Village, VillageGroup)


class _Places:
    """Find-or-create townships, villages and groups by name, counting what is new."""

    def __init__(self, session: Session, summary: ImportSummary) -> None:
        self.session = session
        self.summary = summary
        self.townships = {t.name: t for t in session.exec(select(Township)).all()}
        self.villages = {(v.township_id, v.name): v for v in session.exec(select(Village)).all()}
        self.groups = {(g.village_id, g.name): g for g in session.exec(select(VillageGroup)).all()}

    def township(self, name: str) -> Township:
        if name not in self.townships:
            self.townships[name] = self._add(Township(name=name), "townships")
        return self.townships[name]

    def village(self, township: Township, name: str) -> Village:
        assert township.id is not None
        key = (township.id, name)
        if key not in self.villages:
            self.villages[key] = self._add(Village(township_id=township.id, name=name), "villages")
        return self.villages[key]

    def group(self, village: Village, name: str) -> VillageGroup:
        assert village.id is not None
        key = (village.id, name)
        if key not in self.groups:
            self.groups[key] = self._add(VillageGroup(village_id=village.id, name=name), "groups")
        return self.groups[key]

    def _add(self, obj: _Place, bucket: str) -> _Place:
        self.session.add(obj)
        self.session.flush()
        self.summary.bump(self.summary.created, bucket)
        return obj
