"""Acting as villagers and agents: their messages and button presses become real updates."""

from __future__ import annotations

import re

from . import transcript
from .methods_send import media_json
from .models import CallbackRec, ChatRec, JsonDict, SentMessage, UserRec
from .store import Store, now

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[JsonDict]:
    """bot_command entities as Telegram's clients mark them: /word, optionally /word@bot."""
    return [
        {"type": "bot_command", "offset": _utf16(text[: m.start()]), "length": _utf16(m.group())}
        for m in _COMMAND.finditer(text)
    ]


class UserActions:
    """Mixin for FakeBotAPI: set up users and groups, and act as them."""

    store: Store

    # --- people and chats ----------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        phone: str | None = None,
        *,
        language_code: str | None = "zh-hans",
        started: bool = True,
    ) -> JsonDict:
        """A user whose private chat with the bot has id == user_id; returns the User JSON.

        With started=False the user has never opened the bot: sends to them get 403 until they
        write to it.
        """
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = UserRec(user_id, first_name, last_name, username, phone, language_code)
        user.started = started
        self.store.users[user_id] = user
        chat = self.store.chats.setdefault(user_id, ChatRec(user_id, "private"))
        chat.user = user  # adding a user again updates them and keeps the chat's history
        return user.as_json()

    def add_group(
        self, chat_id: int, title: str, *, supergroup: bool = False, bot_member: bool = False
    ) -> JsonDict:
        """A group chat (negative id); the bot joins it with add_bot_to_group()."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind = "supergroup" if supergroup else "group"
        chat = ChatRec(chat_id, kind, title=title, bot_member=bot_member)
        self.store.chats[chat_id] = chat
        return chat.as_json()

    def add_bot_to_group(self, chat_id: int, by_user: int) -> JsonDict:
        """A member adds the bot: a my_chat_member update, then a new_chat_members message."""
        chat, user = self._chat(chat_id), self.store.user(by_user)
        bot = self.store.bot_user
        chat.bot_member = True
        self._member_update(chat, user, "left", "member")
        msg = self.store.add_message(chat, user.as_json(), {"new_chat_members": [bot]})
        msg["new_chat_member"] = bot
        msg["new_chat_participant"] = bot
        self.store.log(f"{user.name} 把{transcript.BOT}拉进了 {chat.name}")
        self.store.enqueue("message", msg)
        return msg

    def block_user(self, user_id: int) -> None:
        """The user blocks the bot: my_chat_member 'kicked'; sends to them get 403."""
        user = self.store.user(user_id)
        if not user.blocked:
            user.blocked = True
            self.store.log(f"{user.name} 屏蔽了{transcript.BOT}")
            self._member_update(self.store.chats[user_id], user, "member", "kicked")

    def unblock_user(self, user_id: int) -> None:
        user = self.store.user(user_id)
        if user.blocked:
            user.blocked = False
            self.store.log(f"{user.name} 解除屏蔽{transcript.BOT}")
            self._member_update(self.store.chats[user_id], user, "kicked", "member")

    # --- messages ------------------------------------------------------------------------------

    def send_text(
        self, chat_id: int, text: str, *, from_user: int | None = None, reply_to: int | None = None
    ) -> JsonDict:
        """The user writes text (reply_to: id of a message in that chat); returns the Message."""
        content: JsonDict = {"text": text}
        if entities := command_entities(text):
            content["entities"] = entities
        return self._user_message(chat_id, from_user, content, reply_to)

    def send_contact(
        self,
        chat_id: int,
        phone: str,
        *,
        contact_user_id: int | None = None,
        first_name: str | None = None,
        from_user: int | None = None,
    ) -> JsonDict:
        """The user shares a contact card (their own when contact_user_id is their id)."""
        if first_name is None:
            known = self.store.users.get(contact_user_id or 0)
            first_name = known.first_name if known else "联系人"
        contact: JsonDict = {"phone_number": phone, "first_name": first_name}
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return self._user_message(chat_id, from_user, {"contact": contact})

    def send_sticker(
        self, chat_id: int, emoji: str = "👍", *, from_user: int | None = None
    ) -> JsonDict:
        rec = self.store.add_file(b"RIFF\x00\x00\x00\x00WEBP", "sticker", mime_type="image/webp")
        sticker = {**media_json("sticker", rec), "emoji": emoji}
        return self._user_message(chat_id, from_user, {"sticker": sticker})

    def send_voice(
        self,
        chat_id: int,
        duration: int = 5,
        *,
        data: bytes | None = None,
        caption: str | None = None,
        from_user: int | None = None,
        reply_to: int | None = None,
    ) -> JsonDict:
        """A voice note; ``data`` are the bytes the bot downloads (fake Ogg bytes by default)."""
        payload = data if data is not None else b"OggS" + bytes(16 * max(duration, 1))
        rec = self.store.add_file(payload, "voice", mime_type="audio/ogg")
        media = media_json("voice", rec, duration)
        return self._media(chat_id, from_user, "voice", media, caption, reply_to)

    def send_photo(
        self,
        chat_id: int,
        caption: str | None = None,
        *,
        data: bytes | None = None,
        from_user: int | None = None,
        reply_to: int | None = None,
    ) -> JsonDict:
        payload = data if data is not None else b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9"
        rec = self.store.add_file(payload, "photo", mime_type="image/jpeg")
        media = media_json("photo", rec)
        return self._media(chat_id, from_user, "photo", media, caption, reply_to)

    def send_document(
        self,
        chat_id: int,
        file_name: str = "file.pdf",
        caption: str | None = None,
        *,
        data: bytes | None = None,
        mime_type: str | None = None,
        from_user: int | None = None,
        reply_to: int | None = None,
    ) -> JsonDict:
        payload = data if data is not None else b"%PDF-1.4 fake document"
        rec = self.store.add_file(payload, "document", file_name, mime_type)
        media = media_json("document", rec)
        return self._media(chat_id, from_user, "document", media, caption, reply_to)

    def send_location(
        self,
        chat_id: int,
        latitude: float,
        longitude: float,
        *,
        from_user: int | None = None,
        reply_to: int | None = None,
    ) -> JsonDict:
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(chat_id, from_user, {"location": location}, reply_to)

    def edit_text(self, chat_id: int, message_id: int, text: str) -> JsonDict:
        """The user edits a text message they sent: an edited_message update."""
        chat = self._chat(chat_id)
        msg = chat.messages.get(message_id)
        if msg is None or msg["from"].get("is_bot") or "text" not in msg:
            raise AssertionError(f"no text message #{message_id} by a user in chat {chat_id}")
        msg["text"], msg["edit_date"] = text, now()
        msg.pop("entities", None)
        if entities := command_entities(text):
            msg["entities"] = entities
        self.store.log(f"{msg['from']['first_name']} (修改消息) → {transcript.BOT}: {text}")
        self.store.enqueue("edited_message", dict(msg))
        return msg

    # --- buttons -------------------------------------------------------------------------------

    def press(
        self, chat_id: int, message_id: int, data: str, *, from_user: int | None = None
    ) -> str:
        """Press an inline button with this callback_data on a bot message; returns the query id.

        The data is not checked against the message's buttons (to simulate stale or forged
        presses); press_button() finds a real button by its label.
        """
        chat = self._chat(chat_id)
        sent = chat.sent.get(message_id)
        if sent is None or sent.deleted:
            raise AssertionError(f"no live bot message #{message_id} in chat {chat_id}")
        user = self._sender(chat, from_user)
        query_id = str(9_000_000_000_000_000 + self.store.next_id())
        self.store.callbacks[query_id] = CallbackRec(query_id, chat_id, message_id, data, user.id)
        self.store.log(transcript.press_line(user.name, sent, data))
        query: JsonDict = {
            "id": query_id,
            "from": user.as_json(),
            "message": dict(sent.raw),
            "chat_instance": str(abs(chat_id) * 7919 + 13),
            "data": data,
        }
        self.store.enqueue("callback_query", query)
        return query_id

    def press_button(
        self,
        chat_id: int,
        text: str,
        *,
        message_id: int | None = None,
        contains: str | None = None,
        from_user: int | None = None,
    ) -> str:
        """Press the button labelled ``text`` on the newest bot message showing one.

        An exact label wins, else the first label containing ``text``. message_id picks the
        message; contains= restricts to messages whose text contains that string.
        """
        chat = self._chat(chat_id)
        candidates = [
            s
            for s in reversed(chat.sent.values())
            if not s.deleted
            and s.buttons
            and (message_id is None or s.message_id == message_id)
            and (contains is None or contains in s.text)
        ]
        for exact in (True, False):
            for sent in candidates:
                for label, data in sent.buttons:
                    if (label == text) if exact else (text in label):
                        if data is None:
                            raise AssertionError(
                                f"button [{label}] opens a URL, it has no callback"
                            )
                        return self.press(chat_id, sent.message_id, data, from_user=from_user)
        raise AssertionError(self._no_button(chat, text, candidates))

    @staticmethod
    def _no_button(chat: ChatRec, text: str, candidates: list[SentMessage]) -> str:
        shown = [
            f"  #{s.message_id} {s.text[:40]!r}: " + " ".join(f"[{b}]" for b, _ in s.buttons)
            for s in candidates
        ] or ["  (no bot message with inline buttons matches)"]
        return (
            f"no button [{text}] in chat {chat.name} [{chat.id}]; visible buttons:\n"
            + "\n".join(shown)
        )

    # --- helpers -------------------------------------------------------------------------------

    def _chat(self, chat_id: int) -> ChatRec:
        chat = self.store.chats.get(chat_id)
        if chat is None:
            raise KeyError(f"unknown chat {chat_id}: call add_user() or add_group() first")
        return chat

    def _sender(self, chat: ChatRec, from_user: int | None) -> UserRec:
        if chat.user is not None:
            if from_user not in (None, chat.user.id):
                raise ValueError(f"only user {chat.user.id} writes in their private chat")
            return chat.user
        if from_user is None:
            raise ValueError(f"{chat.name} is a group: say who acts with from_user=")
        return self.store.user(from_user)

    def _member_update(self, chat: ChatRec, user: UserRec, old: str, new: str) -> None:
        def member(status: str) -> JsonDict:
            out: JsonDict = {"status": status, "user": self.store.bot_user}
            if status == "kicked":
                out["until_date"] = 0
            return out

        payload = {
            "chat": chat.as_json(),
            "from": user.as_json(),
            "date": now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self.store.enqueue("my_chat_member", payload)

    def _media(
        self,
        chat_id: int,
        from_user: int | None,
        kind: str,
        media: object,
        caption: str | None,
        reply_to: int | None = None,
    ) -> JsonDict:
        content: JsonDict = {kind: media}
        if caption:
            content["caption"] = caption
        return self._user_message(chat_id, from_user, content, reply_to)

    def _user_message(
        self, chat_id: int, from_user: int | None, content: JsonDict, reply_to: int | None = None
    ) -> JsonDict:
        chat = self._chat(chat_id)
        user = self._sender(chat, from_user)
        if chat.user is not None:
            user.started = True
            self.unblock_user(user.id)  # writing to a blocked bot means restarting it
        replied = None
        if reply_to is not None:
            replied = chat.messages.get(reply_to)
            if replied is None:
                raise KeyError(f"no message #{reply_to} in chat {chat_id} to reply to")
        msg = self.store.add_message(chat, user.as_json(), content, replied)
        self.store.log(transcript.user_line(chat, user.name, msg))
        if self._bot_sees(chat, msg):
            self.store.enqueue("message", msg)
        return msg

    def _bot_sees(self, chat: ChatRec, msg: JsonDict) -> bool:
        """Private chats always; groups only with the bot in them and, in privacy mode, only
        commands, replies to the bot and @mentions of it."""
        if chat.user is not None:
            return True
        if not chat.bot_member:
            return False
        if not self.store.group_privacy:
            return True
        text = str(msg.get("text", msg.get("caption", "")))
        replied = msg.get("reply_to_message") or {}
        mention = f"@{self.store.bot_user.get('username', '')}".lower()
        return (
            text.startswith("/")
            or bool(replied.get("from", {}).get("is_bot"))
            or mention in text.lower()
        )
