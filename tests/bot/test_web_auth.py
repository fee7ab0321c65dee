"""Telegram Login Widget check and token helpers (pure functions)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from bot import web_auth

TOKEN = "700000001:AAtest-daiban-fake-bot-api-token-0000"
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def signed(**fields: str) -> dict[str, str]:
    """Sign as Telegram documents it, written out independently of web_auth."""
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    key = hashlib.sha256(TOKEN.encode()).digest()
    return {**fields, "hash": hmac.new(key, check.encode(), hashlib.sha256).hexdigest()}


def test_genuine_fresh_data_gives_the_user_id() -> None:
    data = signed(id="700106", first_name="吴振华", auth_date=str(int(NOW.timestamp()) - 60))
    assert web_auth.verify_widget(data, TOKEN, NOW) == 700106


@pytest.mark.parametrize(
    "change",
    [
        {"first_name": "别人"},  # a field changed after signing
        {"id": "700109"},
        {"hash": "0" * 64},
    ],
)
def test_tampered_data_is_rejected(change: dict[str, str]) -> None:
    data = signed(id="700106", first_name="吴振华", auth_date=str(int(NOW.timestamp())))
    with pytest.raises(web_auth.LoginRejected):
        web_auth.verify_widget({**data, **change}, TOKEN, NOW)


def test_old_or_incomplete_data_is_rejected() -> None:
    old = signed(id="1", auth_date=str(int((NOW - timedelta(days=1, minutes=1)).timestamp())))
    with pytest.raises(web_auth.LoginRejected, match="old"):
        web_auth.verify_widget(old, TOKEN, NOW)
    with pytest.raises(web_auth.LoginRejected, match="missing"):
        web_auth.verify_widget({"id": "1"}, TOKEN, NOW)


def test_tokens_are_random_and_stored_only_as_hashes() -> None:
    a, b = web_auth.new_token(), web_auth.new_token()
    assert a != b and len(a) >= 43
    assert web_auth.token_hash(a) == hashlib.sha256(a.encode()).hexdigest() != a
    assert web_auth.same_secret("s3cret", "s3cret")
    assert not web_auth.same_secret(None, "s3cret")
    assert not web_auth.same_secret("s3cre", "s3cret")
