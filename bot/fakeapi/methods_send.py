"""Bot API methods that post into a chat: text, media, copies, forwards, chat actions."""

from __future__ import annotations

from typing import Any

from . import transcript
from .content import check_markup, format_text
from .models import ChatRec, Edit, FileData, JsonDict, SentMessage, bad_request
from .params import Params, Upload
from .store import MethodFn, Store

COPYABLE = (
    "text",
    "entities",
    "photo",
    "voice",
    "document",
    "sticker",
    "location",
    "contact",
    "caption",
    "caption_entities",
)
CONTENT_TYPES = ("text", "photo", "voice", "document", "sticker", "location", "contact")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def content_type(msg: JsonDict) -> str:
    return next((key for key in CONTENT_TYPES if key in msg), "service")


def _reply_target(store: Store, chat: ChatRec, p: Params) -> JsonDict | None:
    params = p.opt_obj("reply_parameters")
    if params is not None:
        message_id, allow = (
            params.get("message_id"),
            bool(params.get("allow_sending_without_reply")),
        )
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise bad_request('field "message_id" of reply_parameters must be an Integer')
        if params.get("chat_id") not in (None, chat.id):
            chat = store.chat(params["chat_id"])
    else:
        maybe_id, allow = p.opt_int("reply_to_message_id"), p.flag("allow_sending_without_reply")
        if maybe_id is None:
            return None
        message_id = maybe_id
    msg = chat.messages.get(message_id)
    if msg is None and not allow:
        raise bad_request("message to be replied not found")
    return msg


def deliver(
    store: Store,
    chat: ChatRec,
    p: Params,
    content: JsonDict,
    *,
    kind: str,
    html: str,
    parse_mode: str | None,
    markup: JsonDict | None,
    file: FileData | None = None,
    copied_from: tuple[ChatRec, int] | None = None,
) -> JsonDict:
    """Store a bot message built from validated content; log it; return its Message JSON."""
    reply_to = _reply_target(store, chat, p)
    for name in ("disable_notification", "protect_content", "disable_web_page_preview"):
        p.flag(name)
    p.opt_obj("link_preview_options")
    content = dict(content)
    if markup is not None and "inline_keyboard" in markup:
        content["reply_markup"] = markup
    if p.typed.get("protect_content"):
        content["has_protected_content"] = True
    msg = store.add_message(chat, store.bot_user, content, reply_to)
    plain = str(msg.get("text", msg.get("caption", "")))
    entities = list(msg.get("entities") or msg.get("caption_entities") or [])
    sent = SentMessage(
        message_id=msg["message_id"],
        chat_id=chat.id,
        kind=kind,
        content_type=content_type(msg),
        text=plain,
        html=html,
        parse_mode=parse_mode,
        entities=entities,
        reply_markup=markup,
        raw=msg,
        date=msg["date"],
        file=file,
        copied_from=(copied_from[0].id, copied_from[1]) if copied_from else None,
    )
    sent.original = Edit(plain, html, markup, sent.date)
    chat.sent[sent.message_id] = sent
    store.stats.messages_sent += 1
    source = copied_from[0].name if copied_from else None
    store.log(transcript.bot_line(chat, sent, source))
    return msg


async def send_message(store: Store, p: Params) -> Any:
    chat = store.writable(p.chat_id())
    html = p.req_str("text", "message text is empty")
    parse_mode = p.opt_str("parse_mode")
    text, entities = format_text(html, parse_mode, p.opt_list("entities"))
    markup = check_markup(p.opt_obj("reply_markup"))
    content: JsonDict = {"text": text}
    if entities:
        content["entities"] = entities
    return deliver(
        store, chat, p, content, kind="text", html=html, parse_mode=parse_mode, markup=markup
    )


def caption_content(p: Params) -> tuple[JsonDict, str, str | None]:
    html = p.opt_str("caption") or ""
    parse_mode = p.opt_str("parse_mode")
    caption, entities = format_text(html, parse_mode, p.opt_list("caption_entities"), caption=True)
    content: JsonDict = {}
    if caption:
        content["caption"] = caption
    if entities:
        content["caption_entities"] = entities
    return content, html, parse_mode


def _stored_file(store: Store, source: Upload | str, kind: str) -> FileData:
    if isinstance(source, str):
        if source.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        return store.file(source)
    if not source.data:
        raise bad_request("file must be non-empty")
    name = source.filename if kind == "document" else None
    mime = source.content_type if kind == "document" else None
    return store.add_file(source.data, kind, name, mime)


def media_json(kind: str, rec: FileData, duration: int | None = None) -> Any:
    ids: JsonDict = {
        "file_id": rec.file_id,
        "file_unique_id": rec.file_unique_id,
        "file_size": rec.size,
    }
    if kind == "photo":
        return [{**ids, "width": 1280, "height": 960}]
    if kind == "voice":
        return {**ids, "duration": duration or 1, "mime_type": rec.mime_type or "audio/ogg"}
    if kind == "sticker":
        return {
            **ids,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    out = {**ids, "file_name": rec.file_name or rec.file_path.rsplit("/", 1)[-1]}
    if rec.mime_type:
        out["mime_type"] = rec.mime_type
    return out


def _media_sender(kind: str) -> MethodFn:
    async def send(store: Store, p: Params) -> Any:
        chat = store.writable(p.chat_id())
        rec = _stored_file(store, p.input_file(kind), kind)
        content, html, parse_mode = caption_content(p)
        content[kind] = media_json(kind, rec, p.opt_int("duration"))
        markup = check_markup(p.opt_obj("reply_markup"))
        return deliver(
            store,
            chat,
            p,
            content,
            kind=kind,
            html=html,
            parse_mode=parse_mode,
            markup=markup,
            file=rec,
        )

    send.__name__ = f"send_{kind}"
    return send


send_document = _media_sender("document")
send_photo = _media_sender("photo")
send_voice = _media_sender("voice")


async def send_location(store: Store, p: Params) -> Any:
    chat = store.writable(p.chat_id())
    lat, lon = p.opt_float("latitude"), p.opt_float("longitude")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise bad_request("wrong latitude or longitude specified")
    content: JsonDict = {"location": {"latitude": lat, "longitude": lon}}
    markup = check_markup(p.opt_obj("reply_markup"))
    return deliver(
        store, chat, p, content, kind="location", html="", parse_mode=None, markup=markup
    )


async def send_contact(store: Store, p: Params) -> Any:
    chat = store.writable(p.chat_id())
    contact: JsonDict = {
        "phone_number": p.req_str("phone_number"),
        "first_name": p.req_str("first_name"),
    }
    if last := p.opt_str("last_name"):
        contact["last_name"] = last
    markup = check_markup(p.opt_obj("reply_markup"))
    content: JsonDict = {"contact": contact}
    return deliver(store, chat, p, content, kind="contact", html="", parse_mode=None, markup=markup)


def _copy(store: Store, p: Params, kind: str) -> tuple[ChatRec, JsonDict]:
    chat = store.writable(p.chat_id())
    source_chat = store.chat(p.chat_id("from_chat_id"))
    message_id = p.req_int("message_id", "message identifier is not specified")
    missing = "message to copy not found" if kind == "copy" else "message to forward not found"
    source = store.find_message(source_chat, message_id, missing)
    content = {key: source[key] for key in COPYABLE if key in source}
    if not content:
        raise bad_request("message can't be copied")
    html = str(source.get("text", source.get("caption", "")))
    if kind == "copy" and "text" not in source and p.has("caption"):
        content.pop("caption", None)
        content.pop("caption_entities", None)
        extra, html, _ = caption_content(p)
        content.update(extra)
    if kind == "forward":
        origin = {"type": "user", "sender_user": source["from"], "date": source["date"]}
        content["forward_origin"] = origin
    markup = check_markup(p.opt_obj("reply_markup")) if kind == "copy" else None
    msg = deliver(
        store,
        chat,
        p,
        content,
        kind=kind,
        html=html,
        parse_mode=p.typed.get("parse_mode"),
        markup=markup,
        file=_source_file(store, source),
        copied_from=(source_chat, message_id),
    )
    return chat, msg


def _source_file(store: Store, msg: JsonDict) -> FileData | None:
    media = next((msg[k] for k in ("document", "voice", "photo", "sticker") if k in msg), None)
    if isinstance(media, list):
        media = media[-1]
    return store.files.get(str(media["file_id"])) if media else None


async def copy_message(store: Store, p: Params) -> Any:
    _, msg = _copy(store, p, "copy")
    return {"message_id": msg["message_id"]}


async def forward_message(store: Store, p: Params) -> Any:
    return _copy(store, p, "forward")[1]


async def send_chat_action(store: Store, p: Params) -> Any:
    chat = store.writable(p.chat_id())
    action = p.req_str("action", "wrong parameter action in request")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    return True


METHODS: dict[str, MethodFn] = {
    "sendMessage": send_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "sendVoice": send_voice,
    "sendLocation": send_location,
    "sendContact": send_contact,
    "copyMessage": copy_message,
    "forwardMessage": forward_message,
    "sendChatAction": send_chat_action,
}
