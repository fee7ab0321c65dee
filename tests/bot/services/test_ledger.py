"""The ledger export from the command line: `daiban export` (county-wide or as a roster person)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot import cli
from bot.services.context import Deps
from models import Villager
from tests import factories


@pytest.fixture
def two_tickets(deps: Deps) -> list[str]:
    factories.load_demo_roster(deps)
    wang = factories.villager(deps, 801)
    with deps.tx() as session:
        row = session.get(Villager, wang.id)
        assert row is not None
        row.phone = "13712345678"
    zhang = factories.villager(deps, 802, "张福贵", ("河口乡", "河口村", "一组"))
    return [
        factories.ticket(deps, wang).number,
        factories.ticket(deps, zhang, "身份证过期了，要换新的咋办").number,
    ]


def run_export(monkeypatch: pytest.MonkeyPatch, db_url: str, *args: str) -> int:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return cli.main(["export", *args])


def test_the_operator_export_is_county_wide_with_phones_masked(
    two_tickets: list[str],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "台账.csv"
    code = run_export(monkeypatch, db_url, str(out), "--from", "2026-11-01", "--to", "2026-11-30")
    assert code == 0
    assert "台账已导出" in capsys.readouterr().out
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r[0] for r in rows[1:]] == two_tickets
    assert rows[1][7] == "137****5678"


def test_export_as_a_township_supervisor_is_his_township_with_full_phones(
    two_tickets: list[str], db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "ledger.xlsx"
    args = (str(out), "--from", "2026-11-01", "--to", "2026-11-30", "--as", "13909430106")
    assert run_export(monkeypatch, db_url, *args) == 0
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert [r[0] for r in rows] == two_tickets[:1]  # 柳湾镇 only
    assert rows[0][7] == "13712345678"


def test_export_refuses_a_bad_file_name_or_range(
    two_tickets: list[str],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_export(monkeypatch, db_url, str(tmp_path / "x.pdf")) == 2
    bad = (str(tmp_path / "x.csv"), "--from", "2026-11-30", "--to", "2026-11-01")
    assert run_export(monkeypatch, db_url, *bad) == 1
    assert "结束日期不能早于开始日期" in capsys.readouterr().err
