"""Bot API methods that change what is already there: edits, deletions, callback answers."""

from __future__ import annotations

from typing import Any

from . import transcript
from .content import check_markup, format_text, same_markup
from .models import ChatRec, Edit, JsonDict, SentMessage, bad_request
from .params import Params
from .store import MethodFn, Store, now

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
MAX_ANSWER = 200


def _target(store: Store, p: Params) -> tuple[ChatRec, SentMessage]:
    if p.has("inline_message_id") and not p.has("chat_id"):
        raise bad_request("MESSAGE_ID_INVALID")  # inline-mode messages are not modelled
    chat = store.writable(p.chat_id())
    message_id = p.req_int("message_id", "message identifier is not specified")
    store.find_message(chat, message_id, "message to edit not found")
    sent = chat.sent.get(message_id)
    if sent is None:
        raise bad_request("message can't be edited")
    return chat, sent


def _apply(
    store: Store,
    chat: ChatRec,
    sent: SentMessage,
    markup: JsonDict | None,
    text: tuple[str, list[JsonDict], str, str | None] | None = None,
) -> JsonDict:
    """Apply an edit (new text/caption if given, and the markup) and return the Message JSON."""
    msg = sent.raw
    if text is not None:
        plain, entities, html, parse_mode = text
        key, ent_key = ("text", "entities") if "text" in msg else ("caption", "caption_entities")
        msg.pop(key, None)
        msg.pop(ent_key, None)
        if plain or key == "text":
            msg[key] = plain
        if entities:
            msg[ent_key] = entities
        sent.text, sent.entities, sent.html, sent.parse_mode = plain, entities, html, parse_mode
    if markup is not None and markup.get("inline_keyboard"):
        msg["reply_markup"] = markup
    else:
        msg.pop("reply_markup", None)
    sent.reply_markup = markup
    msg["edit_date"] = now()
    sent.edits.append(Edit(sent.text, sent.html, markup, msg["edit_date"]))
    store.log(transcript.edit_line(chat, sent))
    return dict(msg)


async def edit_message_text(store: Store, p: Params) -> Any:
    chat, sent = _target(store, p)
    html = p.req_str("text", "message text is empty")
    parse_mode = p.opt_str("parse_mode")
    plain, entities = format_text(html, parse_mode, p.opt_list("entities"))
    markup = check_markup(p.opt_obj("reply_markup"), inline_only=True)
    p.opt_obj("link_preview_options")
    if "text" not in sent.raw:
        raise bad_request("there is no text in the message to edit")
    if plain == sent.text and entities == sent.entities and same_markup(markup, sent.reply_markup):
        raise bad_request(NOT_MODIFIED)
    return _apply(store, chat, sent, markup, (plain, entities, html, parse_mode))


async def edit_message_caption(store: Store, p: Params) -> Any:
    chat, sent = _target(store, p)
    html = p.opt_str("caption") or ""
    parse_mode = p.opt_str("parse_mode")
    plain, entities = format_text(html, parse_mode, p.opt_list("caption_entities"), caption=True)
    markup = check_markup(p.opt_obj("reply_markup"), inline_only=True)
    if "text" in sent.raw or sent.content_type in {"location", "contact", "sticker"}:
        raise bad_request("there is no caption in the message to edit")
    if plain == sent.text and entities == sent.entities and same_markup(markup, sent.reply_markup):
        raise bad_request(NOT_MODIFIED)
    return _apply(store, chat, sent, markup, (plain, entities, html, parse_mode))


async def edit_message_reply_markup(store: Store, p: Params) -> Any:
    chat, sent = _target(store, p)
    markup = check_markup(p.opt_obj("reply_markup"), inline_only=True)
    if same_markup(markup, sent.reply_markup):
        raise bad_request(NOT_MODIFIED)
    return _apply(store, chat, sent, markup)


async def delete_message(store: Store, p: Params) -> Any:
    chat = store.chat(p.chat_id())
    message_id = p.req_int("message_id", "message identifier is not specified")
    msg = store.find_message(chat, message_id, "message to delete not found")
    sent = chat.sent.get(message_id)
    if sent is None and chat.type != "private":
        raise bad_request("message can't be deleted")  # the bot is no admin in the fake's groups
    del chat.messages[message_id]
    if sent is not None:
        sent.deleted = True
    store.log(transcript.delete_line(chat, msg))
    return True


async def answer_callback_query(store: Store, p: Params) -> Any:
    query_id = p.req_str("callback_query_id", QUERY_TOO_OLD)
    rec = store.callbacks.get(query_id)
    if rec is None or rec.answered:
        raise bad_request(QUERY_TOO_OLD)
    text = p.opt_str("text")
    if text is not None and len(text) > MAX_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    rec.answered, rec.text, rec.show_alert = True, text or None, p.flag("show_alert")
    rec.url = p.opt_str("url")
    p.opt_int("cache_time")
    if rec.text:
        user = store.users.get(rec.from_user)
        store.log(
            transcript.answer_line(
                user.name if user else str(rec.from_user), rec.text, rec.show_alert
            )
        )
    return True


METHODS: dict[str, MethodFn] = {
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
}
