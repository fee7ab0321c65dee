"""The fake's world: users, chats, messages, files, the update queue, and a change notifier."""

from __future__ import annotations

import asyncio
import json
import mimetypes
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .models import (
    ApiCall,
    CallbackRec,
    ChatRec,
    FileData,
    JsonDict,
    Stats,
    UserRec,
    bad_request,
    forbidden,
)
from .params import Params

# What Telegram sends when allowed_updates is empty or was never given.
DEFAULT_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_FILE_KINDS = {
    "document": ("BQACAgUAAx", "documents"),
    "photo": ("AgACAgUAAx", "photos"),
    "voice": ("AwACAgUAAx", "voice"),
    "sticker": ("CAACAgUAAx", "stickers"),
}


class Notifier:
    """Wakes every waiter on each change; waiters re-check their condition (no polling)."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        event, self._event = self._event, None
        if event is not None:
            event.set()

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float | None,  # noqa: ASYNC109 (every waiter needs its own deadline)
    ) -> None:
        """Return once predicate() is true; raise TimeoutError after ``timeout`` seconds."""
        async with asyncio.timeout(timeout):
            while not predicate():
                if self._event is None:
                    self._event = asyncio.Event()
                await self._event.wait()


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    ip_address: str | None


def now() -> int:
    return int(time.time())


def commands_key(scope: JsonDict | None, language_code: str) -> str:
    """Where setMyCommands keeps a command list: per scope and language."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True) + "|" + language_code


class Store:
    """All mutable state of one fake Bot API server; single event loop, so no locks."""

    def __init__(self, bot_user: JsonDict, *, group_privacy: bool) -> None:
        self.bot_user = bot_user
        self.group_privacy = group_privacy
        self.users: dict[int, UserRec] = {}
        self.chats: dict[int, ChatRec] = {}
        self.files: dict[str, FileData] = {}
        self.files_by_path: dict[str, FileData] = {}
        self.updates: list[JsonDict] = []  # created, not yet confirmed (polling) or delivered
        self.last_update_id = 10_000
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATES
        self.callbacks: dict[str, CallbackRec] = {}
        self.transcript: list[str] = []
        self.calls: list[ApiCall] = []
        self.stats = Stats()
        self.commands: dict[str, list[JsonDict]] = {}
        self.webhook: Webhook | None = None
        self.webhook_error: tuple[int, str] | None = None
        self.poll_generation = 0
        self.polls_waiting = 0
        self.closing = False
        self.changed = Notifier()
        self.on_transcript: Callable[[str], None] | None = None
        self._counter = 0

    def next_id(self) -> int:
        self._counter += 1
        return self._counter

    def notify(self) -> None:
        self.changed.notify()

    def log(self, line: str) -> None:
        self.transcript.append(line)
        if self.on_transcript is not None:
            self.on_transcript(line)

    # --- chats -------------------------------------------------------------------------------

    def chat(self, chat_id: int | str) -> ChatRec:
        """The chat with this id; 400 chat not found otherwise.

        '@username' is always not found: Telegram resolves it only for public groups and
        channels, which the fake does not model (users cannot be addressed that way).
        """
        found = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if found is None:
            raise bad_request("chat not found")
        return found

    def writable(self, chat_id: int | str) -> ChatRec:
        """A chat the bot may post in now, or the 403 Telegram gives."""
        rec = self.chat(chat_id)
        if rec.user is not None:
            if rec.user.blocked:
                raise forbidden("bot was blocked by the user")
            if not rec.user.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif not rec.bot_member:
            kind = "supergroup" if rec.type == "supergroup" else "group"
            raise forbidden(f"bot is not a member of the {kind} chat")
        return rec

    def user(self, user_id: int) -> UserRec:
        rec = self.users.get(user_id)
        if rec is None:
            raise KeyError(f"unknown user {user_id}: call add_user({user_id}, ...) first")
        return rec

    # --- messages ----------------------------------------------------------------------------

    def add_message(
        self, chat: ChatRec, sender: JsonDict, content: JsonDict, reply_to: JsonDict | None = None
    ) -> JsonDict:
        """Store a new message in the chat (user's or bot's: one message_id sequence per chat)."""
        chat.last_message_id += 1
        msg: JsonDict = {
            "message_id": chat.last_message_id,
            "from": sender,
            "chat": chat.as_json(),
            "date": now(),
        }
        if reply_to is not None:
            msg["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
        msg.update(content)
        chat.messages[msg["message_id"]] = msg
        return msg

    def find_message(self, chat: ChatRec, message_id: int, missing: str) -> JsonDict:
        """A live (not deleted) message of the chat, or 400 with the given reason."""
        msg = chat.messages.get(message_id)
        if msg is None:
            raise bad_request(missing)
        return msg

    # --- updates -----------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: JsonDict) -> JsonDict | None:
        """Queue an update for the bot unless allowed_updates filters this kind out."""
        if kind not in self.allowed_updates:
            return None
        self.last_update_id += 1
        update: JsonDict = {"update_id": self.last_update_id, kind: payload}
        self.updates.append(update)
        self.stats.updates_created += 1
        self.notify()
        return update

    def set_allowed(self, allowed: list[str] | None) -> None:
        if allowed is not None:
            self.allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATES

    def confirm_below(self, offset: int) -> None:
        self.updates = [u for u in self.updates if u["update_id"] >= offset]

    # --- files -------------------------------------------------------------------------------

    def add_file(
        self, data: bytes, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> FileData:
        prefix, folder = _FILE_KINDS.get(kind, _FILE_KINDS["document"])
        n = self.next_id()
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        ext = {"photo": ".jpg", "voice": ".oga", "sticker": ".webp"}.get(kind, "")
        if kind == "document" and file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1].lower()
            if not ext[1:].isalnum():
                ext = ""
        rec = FileData(
            file_id=f"{prefix}{n:06d}",
            file_unique_id=f"AgAD{n:06d}",
            file_path=f"{folder}/file_{n}{ext}",
            file_name=file_name,
            mime_type=mime_type,
            data=data,
        )
        self.files[rec.file_id] = rec
        self.files_by_path[rec.file_path] = rec
        return rec

    def file(self, file_id: str) -> FileData:
        rec = self.files.get(file_id)
        if rec is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return rec


MethodFn = Callable[[Store, Params], Awaitable[Any]]
