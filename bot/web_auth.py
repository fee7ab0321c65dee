"""Pure sign-in checks for the dashboard: the Telegram Login Widget hash and random tokens.

Telegram Login Widget (core.telegram.org/widgets/login): data_check_string is every received
field except `hash`, sorted by key, as `key=value` lines joined by "\\n"; the secret key is
SHA256(bot_token); the data is genuine when hex(HMAC_SHA256(secret_key, data_check_string))
equals `hash`. An old `auth_date` is refused so a leaked URL does not work forever.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

MAX_AUTH_AGE = timedelta(days=1)


class LoginRejected(Exception):
    """The widget data is not genuine or too old (the message is for the log, not the user)."""


def data_check_string(fields: Mapping[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def widget_hash(fields: Mapping[str, str], bot_token: str) -> str:
    """What Telegram puts in `hash` for these fields (also used by tests to sign data)."""
    secret_key = hashlib.sha256(bot_token.encode()).digest()
    message = data_check_string(fields).encode()
    return hmac.new(secret_key, message, hashlib.sha256).hexdigest()


def verify_widget(
    fields: Mapping[str, str], bot_token: str, now: datetime, max_age: timedelta = MAX_AUTH_AGE
) -> int:
    """The Telegram user id when the widget data is genuine and fresh; else LoginRejected."""
    received = fields.get("hash", "")
    if not received or "id" not in fields or "auth_date" not in fields:
        raise LoginRejected("hash, id or auth_date missing")
    if not hmac.compare_digest(widget_hash(fields, bot_token), received.lower()):
        raise LoginRejected("hash does not match")
    try:
        auth_date = int(fields["auth_date"])
        user_id = int(fields["id"])
    except ValueError as exc:
        raise LoginRejected("id or auth_date is not a number") from exc
    age = now.timestamp() - auth_date
    if age > max_age.total_seconds() or age < -300:
        raise LoginRejected(f"auth_date is {age:.0f}s old")
    return user_id


def new_token() -> str:
    """A URL-safe random secret (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented secret (webhook header, API key)."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
