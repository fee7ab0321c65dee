"""The web section of the settings: listen address, webhook secret rules, Open311 keys."""

from __future__ import annotations

import pytest

from bot.settings import ENV_VARS, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]  # no stray .env


def test_defaults_listen_on_loopback_without_webhook_or_keys() -> None:
    web = load_settings().web
    assert (web.http_host, web.http_port, web.webhook_url) == ("127.0.0.1", 8080, None)
    assert web.api_keys == ()
    assert web.base_url == "http://127.0.0.1:8080"


def test_webhook_settings_and_keys_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://daiban.example.cn/tg/hook/")
    monkeypatch.setenv("WEBHOOK_SECRET", "Abc_123-xyz")
    monkeypatch.setenv("OPEN311_API_KEYS", " key-one , key-two ,")
    monkeypatch.setenv("DAIBAN_PUBLIC_URL", "https://daiban.example.cn")
    web = load_settings().web
    assert web.webhook_url == "https://daiban.example.cn/tg/hook"
    assert web.api_keys == ("key-one", "key-two")
    assert web.base_url == "https://daiban.example.cn"
    assert "Abc_123" not in repr(web)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"WEBHOOK_URL": "https://x.cn/hook"},
            "WEBHOOK_SECRET is required when WEBHOOK_URL is set",
        ),
        (
            {"WEBHOOK_URL": "https://x.cn/hook", "WEBHOOK_SECRET": "has space"},
            "WEBHOOK_SECRET: use 1-256 characters of A-Z a-z 0-9 _ - (Telegram's secret_token)",
        ),
        ({"DAIBAN_HTTP_PORT": "70000"}, "DAIBAN_HTTP_PORT:"),
        ({"WEBHOOK_URL": "ftp://x.cn"}, "WEBHOOK_URL: must start with https://"),
    ],
)
def test_bad_web_settings_give_one_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)
