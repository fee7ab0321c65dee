import pytest
from pydantic import ValidationError

from bot import cli
from bot.settings import (
    ENV_VARS,
    AppSettings,
    DatabaseSettings,
    Settings,
    SettingsError,
    TelegramSettings,
    load_settings,
)

GOOD_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]  # no stray .env


def test_defaults_run_the_demo_on_sqlite() -> None:
    s = load_settings()
    assert s.demo
    assert s.database.url == "sqlite:///data/daiban.db"
    assert s.app.tz == "Asia/Shanghai"
    assert s.telegram.base_url == "https://api.telegram.org/bot"


def test_environment_and_dotenv_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    Path(".env").write_text(f"TELEGRAM_BOT_TOKEN={GOOD_TOKEN}\nDAIBAN_TZ=Asia/Urumqi\n")
    monkeypatch.setenv("DATABASE_URL", "postgresql://daiban@db:5432/daiban")
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot/")
    s = load_settings()
    assert not s.demo
    assert s.telegram.bot_token is not None
    assert s.telegram.bot_token.get_secret_value() == GOOD_TOKEN
    assert s.database.url == "postgresql+psycopg://daiban@db:5432/daiban"
    assert s.telegram.base_url == "http://127.0.0.1:8081/bot"
    assert s.app.tz == "Asia/Urumqi"


@pytest.mark.parametrize("token", ["changeme", "your-token-here", "12345:short", "<TOKEN>"])
def test_placeholder_tokens_are_refused(token: str) -> None:
    with pytest.raises(ValidationError):
        TelegramSettings(bot_token=token)


def test_token_is_secret_in_repr() -> None:
    assert GOOD_TOKEN not in repr(Settings(telegram=TelegramSettings(bot_token=GOOD_TOKEN)))


@pytest.mark.parametrize(
    ("var", "value", "words"),
    [
        ("TELEGRAM_BOT_TOKEN", "changeme", "BotFather"),
        ("DATABASE_URL", "mysql://x", "sqlite:///"),
        ("DAIBAN_TZ", "Mars/Olympus", "time zone"),
        ("DAIBAN_CATALOG", "/no/such/catalog.toml", "file not found"),
        ("TELEGRAM_BASE_URL", "ftp://x", "http"),
    ],
)
def test_bad_setting_gives_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str, words: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    line = str(err.value)
    assert line.startswith(var + ":")
    assert words in line
    assert "\n" not in line


def test_cli_prints_the_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DAIBAN_TZ", "Nowhere/Land")
    assert cli.main(["db", "current"]) == 2
    err = capsys.readouterr().err
    assert "DAIBAN_TZ" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_sections_can_be_built_explicitly() -> None:
    s = Settings(
        database=DatabaseSettings(url="sqlite:///x.db"),
        app=AppSettings(tz="Asia/Shanghai", workday_end="17:30"),
    )
    assert s.app.zone.key == "Asia/Shanghai"
    assert s.database.url == "sqlite:///x.db"
