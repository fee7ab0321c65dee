"""Observing the bot: what it sent, answered and called, and waiting for it without sleeps."""

from __future__ import annotations

from collections.abc import Callable

from .models import ApiCall, CallbackRec, JsonDict, SentMessage, Stats
from .store import Store, commands_key
from .transcript import dump_chat


class Observers:
    """Mixin for FakeBotAPI: read-only views and event-driven waits."""

    store: Store

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Messages the bot sent to this chat, oldest first (deleted ones flagged .deleted)."""
        chat = self.store.chats.get(chat_id)
        return list(chat.sent.values()) if chat else []

    def last_message(self, chat_id: int) -> SentMessage | None:
        sent = self.messages(chat_id)
        return sent[-1] if sent else None

    def chat_actions(self, chat_id: int) -> list[str]:
        """sendChatAction actions the bot sent to this chat, in order."""
        chat = self.store.chats.get(chat_id)
        return list(chat.actions) if chat else []

    def file_bytes(self, file_id: str) -> bytes:
        return self.store.file(file_id).data

    def my_commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """The commands the bot set with setMyCommands for this scope and language."""
        return list(self.store.commands.get(commands_key(scope, language_code), []))

    @property
    def callback_answers(self) -> dict[str, str | None]:
        """Answered callback queries: query id -> the answer text (None if answered silently)."""
        return {qid: rec.text for qid, rec in self.store.callbacks.items() if rec.answered}

    @property
    def callback_queries(self) -> dict[str, CallbackRec]:
        return dict(self.store.callbacks)

    def answered(self, query_id: str) -> bool:
        rec = self.store.callbacks.get(query_id)
        return rec is not None and rec.answered

    @property
    def calls(self) -> list[ApiCall]:
        """Every HTTP call so far: (method, params, status, timestamp); status 0 = dropped."""
        return list(self.store.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.store.calls if call.method.lower() == method.lower()]

    @property
    def stats(self) -> Stats:
        return self.store.stats

    @property
    def update_count(self) -> int:
        """Updates created for the bot so far (delivered or not)."""
        return self.store.stats.updates_created

    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by getUpdates (or not yet taken by the webhook)."""
        return list(self.store.updates)

    @property
    def long_polls_waiting(self) -> int:
        """getUpdates calls now waiting for an update (lets a test know the bot is polling)."""
        return self.store.polls_waiting

    def transcript(self) -> list[str]:
        """The conversation in all chats, oldest first, one entry per event."""
        return list(self.store.transcript)

    # --- waiting -------------------------------------------------------------------------------

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109 (the documented test API)
    ) -> None:
        """Return once condition() holds; it is re-checked after every call and every change."""
        try:
            await self.store.changed.wait_for(condition, timeout)
        except TimeoutError:
            raise TimeoutError(f"condition not met within {timeout}s") from None

    async def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        *,
        predicate: Callable[[SentMessage], bool] | None = None,
        since: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109 (the documented test API)
    ) -> SentMessage:
        """The first live bot message in the chat with message_id > since whose text contains
        ``contains`` and that satisfies ``predicate``; already-sent messages count."""

        def match() -> SentMessage | None:
            for sent in self.messages(chat_id):
                if sent.deleted or sent.message_id <= since:
                    continue
                if contains is not None and contains not in sent.text:
                    continue
                if predicate is None or predicate(sent):
                    return sent
            return None

        try:
            await self.store.changed.wait_for(lambda: match() is not None, timeout)
        except TimeoutError:
            chat = self.store.chats.get(chat_id)
            dump = dump_chat(chat) if chat else f"  (no chat {chat_id})"
            wanted = f" containing {contains!r}" if contains is not None else ""
            raise TimeoutError(
                f"no bot message to chat {chat_id}{wanted} within {timeout}s; it sent:\n{dump}"
            ) from None
        found = match()
        assert found is not None
        return found

    async def wait_for_answer(
        self,
        query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109 (the documented test API)
    ) -> str | None:
        """Wait until the bot answers this callback query; return the answer text."""
        try:
            await self.store.changed.wait_for(lambda: self.answered(query_id), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"callback query {query_id} not answered within {timeout}s"
            ) from None
        return self.store.callbacks[query_id].text
