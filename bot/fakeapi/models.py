"""Records the fake keeps: users, chats, messages the bot sent, files, calls and counters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

JsonDict = dict[str, Any]


class ApiError(Exception):
    """An error answer in the Bot API's shape: HTTP status, description, optional retry_after."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class Described(NamedTuple):
    """A successful result that Telegram answers with a description, e.g. 'Webhook was set'."""

    result: Any
    description: str


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


@dataclass
class UserRec:
    """A simulated Telegram user; their private chat with the bot has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    phone: str | None = None
    language_code: str | None = "zh-hans"
    blocked: bool = False  # the user blocked the bot
    started: bool = True  # the user has opened the chat with the bot (/start)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def as_json(self) -> JsonDict:
        out: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        if self.language_code:
            out["language_code"] = self.language_code
        return out


@dataclass
class ChatRec:
    """A chat the bot can be in: a user's private chat or a group; all its messages by id."""

    id: int
    type: str  # private, group or supergroup
    title: str | None = None
    user: UserRec | None = None
    bot_member: bool = True
    last_message_id: int = 0
    messages: dict[int, JsonDict] = field(default_factory=dict)
    sent: dict[int, SentMessage] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.user.name if self.user else (self.title or str(self.id))

    def as_json(self) -> JsonDict:
        if self.user:
            out = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                out["last_name"] = self.user.last_name
            if self.user.username:
                out["username"] = self.user.username
            return out
        return {"id": self.id, "type": self.type, "title": self.title or ""}


@dataclass
class FileData:
    """A stored file: uploaded by the bot or sent by a simulated user."""

    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str | None
    mime_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class Edit:
    """One version of a bot message (the original or the state after an edit)."""

    text: str
    html: str
    reply_markup: JsonDict | None
    date: int


@dataclass
class SentMessage:
    """A message the bot sent, as a test or the demo sees it (kept up to date on edits).

    ``text`` is the plain text (or caption) after entity parsing; ``html`` is the raw string the
    bot sent. ``kind`` is text/document/photo/voice/location/contact/copy/forward;
    ``content_type`` is what the message holds (for a copy, the type of the copied message).
    """

    message_id: int
    chat_id: int
    kind: str
    content_type: str
    text: str
    html: str
    parse_mode: str | None
    entities: list[JsonDict]
    reply_markup: JsonDict | None
    raw: JsonDict
    date: int
    file: FileData | None = None
    copied_from: tuple[int, int] | None = None  # (from_chat_id, message_id)
    edits: list[Edit] = field(default_factory=list)
    deleted: bool = False
    original: Edit | None = field(default=None, repr=False)

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline buttons as (text, callback_data), row by row; URL buttons have None data."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [(str(b.get("text", "")), b.get("callback_data")) for row in rows for b in row]

    @property
    def keyboard(self) -> list[str]:
        """Texts of a reply keyboard's buttons (the custom keyboard under the input field)."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [b if isinstance(b, str) else str(b.get("text", "")) for row in rows for b in row]

    @property
    def document(self) -> FileData | None:
        return self.file if self.content_type == "document" else None

    @property
    def history(self) -> list[Edit]:
        """All versions, oldest first: what was first sent, then each edit."""
        return [self.original, *self.edits] if self.original else list(self.edits)


@dataclass
class CallbackRec:
    """A callback query a simulated user made, and the bot's answer to it."""

    id: str
    chat_id: int
    message_id: int
    data: str
    from_user: int
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


class ApiCall(NamedTuple):
    """One HTTP call to the fake; status 0 means the connection was dropped unanswered."""

    method: str
    params: JsonDict
    status: int
    timestamp: float


@dataclass
class Stats:
    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    too_many_requests: int = 0
    messages_sent: int = 0
    updates_created: int = 0
    webhook_deliveries: int = 0
    webhook_failures: int = 0
