"""`daiban classify`: readable Chinese for people, one JSON object per line for machines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from nlp.cli import run

KEYS = {"text", "category", "matter", "confidence", "keywords", "clarify", "alternatives"}


def call(argv: list[str], stdin: str = "", catalog: str | None = None) -> tuple[int, str]:
    """Run the command with in-memory streams."""
    out = io.StringIO()
    code = run(argv, io.StringIO(stdin), out, catalog_path=catalog)
    return code, out.getvalue()


def test_human_output_explains_mode_matter_documents_and_limit() -> None:
    code, out = call(["俺爹住院的钱能报不，电话13812345678"])
    assert code == 0
    assert "代着办" in out and "新农合/医保报销" in out
    assert "限时办结 10 个工作日" in out
    assert "一次告知" in out and "住院发票原件" in out
    assert "依据：" in out and "把握：" in out
    assert "138****5678" in out and "13812345678" not in out


def test_human_output_for_circumstances_clarify_and_non_requests() -> None:
    code, out = call(["我在外地打工家里老人的养老认证咋弄", "补贴的事想问问", "你好"])
    assert code == 0
    first, second, third = out.split("\n\n")
    assert "流动办" in first and "情况：在外地打工" in first
    assert "要问一句" in second and "1)" in second and "2)" in second
    assert "不像要办事" in third


def test_jsonl_round_trip() -> None:
    lines = ["俺爹住院的钱能报不", "", "身份證過期了", "你好", "补贴的事想问问", "请给我回个电话"]
    code, out = call(["--jsonl"], "\n".join(lines) + "\n")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["text"] for row in rows] == [line for line in lines if line]
    assert all(set(row) == KEYS for row in rows)
    assert [row["category"] for row in rows] == [
        "代着办",
        "领着办",
        None,
        rows[3]["category"],
        "流动办",
    ]
    assert rows[3]["clarify"] is True and len(rows[3]["alternatives"]) >= 2
    assert rows[4]["matter"] is None
    assert all(0 <= row["confidence"] <= 1 for row in rows)


def test_jsonl_masks_on_request() -> None:
    code, out = call(["--jsonl", "--mask"], "身份证620102199001011234丢了\n")
    assert code == 0
    assert json.loads(out)["text"] == "身份证620102********1234丢了"
    _, plain = call(["--jsonl"], "身份证620102199001011234丢了\n")
    assert json.loads(plain)["text"] == "身份证620102199001011234丢了"


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert call([])[0] == 2
    assert call(["--no-such-flag", "x"])[0] == 2
    assert "daiban classify" in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert call(["--help"])[0] == 0
    assert "--jsonl" in capsys.readouterr().out


def test_broken_catalogue_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "county.toml"
    broken.write_text('[[matter]]\ncode = "x"\nmode = "快办"\n', encoding="utf-8")
    code, out = call(["身份证丢了"], catalog=str(broken))
    assert code == 1 and out == ""
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "catalogue error" in err and str(broken) in err and "还有" in err
    assert call(["--catalog", str(tmp_path / "none.toml"), "x"])[0] == 1


def test_the_catalog_flag_beats_the_setting(tmp_path: Path) -> None:
    county = tmp_path / "county.toml"
    county.write_text(
        '[[matter]]\ncode = "water"\nname = "饮水报修"\nmode = "马上办"\nlevel = "village"\n'
        'time_limit_days = 2\ndescription = "水管坏了报修。"\ndocuments = ["无"]\n'
        'keywords = ["没水"]\n',
        encoding="utf-8",
    )
    code, out = call(["--jsonl", "--catalog", str(county)], "家里没水了\n", catalog="/nowhere.toml")
    assert code == 0 and json.loads(out)["matter"] == "饮水报修"


def test_undecodable_input_still_writes_utf8() -> None:
    code, out = call(["--jsonl"], "身份证丢了\udcff\n")
    assert code == 0
    out.encode("utf-8")
