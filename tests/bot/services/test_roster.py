from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import select

from bot import cli
from bot.services.context import Deps
from bot.services.roster import RosterError, import_roster, normalize_phone
from models import Agent, Coverage, Role, Township, Village, VillageGroup
from tests.factories import DEMO_ROSTER

HEADER = "township,village,group,agent_name,agent_phone,telegram_id,role\n"


def write(tmp_path: Path, body: str, *, bom: bool = False, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((("\ufeff" if bom else "") + HEADER + body).encode())
    return path


def counts(deps: Deps) -> tuple[int, int, int, int, int]:
    with deps.read() as s:
        return (
            len(s.exec(select(Township)).all()),
            len(s.exec(select(Village)).all()),
            len(s.exec(select(VillageGroup)).all()),
            len(s.exec(select(Agent)).all()),
            len(s.exec(select(Coverage)).all()),
        )


def test_demo_roster_imports_everything(deps: Deps) -> None:
    summary = import_roster(deps, DEMO_ROSTER)
    assert summary.rows == 9
    assert counts(deps) == (2, 3, 8, 9, 8)
    with deps.read() as s:
        li = s.exec(select(Agent).where(Agent.phone == "13909430101")).one()
        assert li.role is Role.AGENT and li.telegram_id == 700101
        assert len(s.exec(select(Coverage).where(Coverage.agent_id == li.id)).all()) == 2
        county = s.exec(select(Agent).where(Agent.role == Role.COUNTY_SUPERVISOR)).one()
        assert county.township_id is None


def test_reimport_of_the_same_file_changes_nothing(deps: Deps) -> None:
    import_roster(deps, DEMO_ROSTER)
    before = counts(deps)
    summary = import_roster(deps, DEMO_ROSTER)
    assert not summary.changed
    assert counts(deps) == before


def test_bom_and_chinese_separators(deps: Deps, tmp_path: Path) -> None:
    path = write(tmp_path, "东乡,上村,一组，二组,甲,139 0943 0001,,agent\n", bom=True)
    import_roster(deps, path)
    assert counts(deps) == (1, 1, 2, 1, 2)
    with deps.read() as s:
        assert s.exec(select(Agent)).one().phone == "13909430001"


def test_xlsx_with_numbers_as_cells(deps: Deps, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    sheet.append(["东乡", "上村", "一组", "甲", 13909430001, 5550001, "agent"])
    sheet.append(["东乡", "", "", "乙", 13909430002, None, "township_supervisor"])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    import_roster(deps, path)
    with deps.read() as s:
        agent = s.exec(select(Agent).where(Agent.name == "甲")).one()
        assert (agent.phone, agent.telegram_id) == ("13909430001", 5550001)


def test_every_bad_row_is_listed_and_nothing_is_written(deps: Deps, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "东乡,上村,一组,甲,13909430001,,agent\n"
        "东乡,上村,二组,乙,12345,,agent\n"  # bad phone
        "东乡,上村,三组,丙,13909430003,,boss\n"  # unknown role
        "东乡,上村,四组,丁,13909430001,,agent\n"  # duplicate agent (phone of row 2)
        "东乡,上村,五组,,,,agent\n"  # group without an agent
        "东乡,上村,一组,戊,13909430005,,agent\n"  # group already covered
        "东乡,上村,,己,13909430006,,agent\n",  # agent without a group
    )
    with pytest.raises(RosterError) as err:
        import_roster(deps, path)
    text = "\n".join(err.value.errors)
    for line in ("第3行", "第4行", "第5行", "第6行", "第7行", "第8行"):
        assert line in text
    assert not any(e.startswith("第2行") for e in err.value.errors)  # row 2 is fine
    assert "不认识" in text and "重复" in text and "没有代办员" in text
    assert counts(deps) == (0, 0, 0, 0, 0)


def test_missing_column_is_reported(deps: Deps, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("township,village,agent_name\n东乡,上村,甲\n")
    with pytest.raises(RosterError, match="缺少列"):
        import_roster(deps, path)


def test_non_utf8_file_is_refused_with_advice(deps: Deps, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "东乡,上村,一组,甲,13909430001,,agent\n").encode("gbk"))
    with pytest.raises(RosterError, match="UTF-8"):
        import_roster(deps, path)


def test_agent_left_out_of_a_new_file_is_deactivated(deps: Deps, tmp_path: Path) -> None:
    import_roster(
        deps,
        write(
            tmp_path, "东乡,上村,一组,甲,13909430001,,agent\n东乡,上村,二组,乙,13909430002,,agent\n"
        ),
    )
    summary = import_roster(deps, write(tmp_path, "东乡,上村,一组、二组,甲,13909430001,,agent\n"))
    assert summary.deactivated == 1
    with deps.read() as s:
        b = s.exec(select(Agent).where(Agent.name == "乙")).one()
        assert not b.active
        assert {c.agent_id for c in s.exec(select(Coverage)).all()} == {
            s.exec(select(Agent).where(Agent.name == "甲")).one().id
        }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13909430001", "13909430001"),
        ("+86 139-0943-0001", "13909430001"),
        ("8613909430001", "13909430001"),
        ("0932-1234567", "09321234567"),
        ("12345", None),
        ("23909430001", None),
    ],
)
def test_phone_normalisation(raw: str, expected: str | None) -> None:
    assert normalize_phone(raw) == expected


def test_cli_lists_errors_and_exits_1(
    tmp_path: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    bad = write(tmp_path, "东乡,上村,一组,甲,1,,agent\n")
    assert cli.main(["roster", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "第2行" in err and "未写入" in err
    assert cli.main(["roster", "import", str(DEMO_ROSTER)]) == 0
    assert "名册已导入" in capsys.readouterr().out
    assert cli.main(["roster", "import", str(DEMO_ROSTER)]) == 0
    assert "没有变化" in capsys.readouterr().out
