"""Readable transcript lines: who said what to whom, buttons shown as [接单] [办结]."""

from __future__ import annotations

from .models import ChatRec, JsonDict, SentMessage

BOT = "机器人"
_INDENT = "\n    "


def describe(msg: JsonDict) -> str:
    """One message's content as a person would see it (HTML already parsed away)."""
    if "text" in msg:
        return str(msg["text"])
    caption = msg.get("caption")
    tail = f" {caption}" if caption else ""
    if "photo" in msg:
        return "[图片]" + tail
    if "voice" in msg:
        return f"[语音 {msg['voice'].get('duration', 0)}秒]" + tail
    if "document" in msg:
        return f"[文件 {msg['document'].get('file_name') or '未命名'}]" + tail
    if "sticker" in msg:
        return f"[贴纸 {msg['sticker'].get('emoji', '')}]".replace(" ]", "]")
    if "location" in msg:
        loc = msg["location"]
        return f"[位置 {loc['latitude']}, {loc['longitude']}]"
    if "contact" in msg:
        contact = msg["contact"]
        return f"[联系人 {contact.get('first_name', '')} {contact['phone_number']}]"
    if "new_chat_members" in msg:
        names = "、".join(str(u.get("first_name", "")) for u in msg["new_chat_members"])
        return f"[{names} 加入了群]"
    if "left_chat_member" in msg:
        return f"[{msg['left_chat_member'].get('first_name', '')} 离开了群]"
    return "[消息]"


def markup_lines(markup: JsonDict | None) -> str:
    """Keyboard rows under a message: inline buttons, a reply keyboard, or a removal note."""
    if not markup:
        return ""
    if "inline_keyboard" in markup:
        rows = [
            " ".join(f"[{b.get('text', '')}]" for b in row) for row in markup["inline_keyboard"]
        ]
        return "".join(_INDENT + row for row in rows if row)
    if "keyboard" in markup:
        rows = [
            " ".join(f"[{b if isinstance(b, str) else b.get('text', '')}]" for b in row)
            for row in markup["keyboard"]
        ]
        return "".join(_INDENT + "键盘 " + row for row in rows if row)
    if markup.get("remove_keyboard"):
        return _INDENT + "(收起键盘)"
    if markup.get("force_reply"):
        return _INDENT + "(请直接回复)"
    return ""


def _body(text: str) -> str:
    return text.replace("\n", _INDENT)


def user_line(chat: ChatRec, sender: str, msg: JsonDict) -> str:
    target = BOT if chat.type == "private" else chat.name
    return f"{sender} → {target}: {_body(describe(msg))}"


def bot_line(chat: ChatRec, sent: SentMessage, source: str | None = None) -> str:
    """A bot message; a copy or forward names whose message it was."""
    prefix = ""
    if source:
        prefix = f"(转自{source}) " if sent.kind == "forward" else f"(复制自{source}) "
    body = _body(describe(sent.raw))
    return f"{BOT} → {chat.name}: {prefix}{body}{markup_lines(sent.reply_markup)}"


def edit_line(chat: ChatRec, sent: SentMessage) -> str:
    body = _body(describe(sent.raw))
    return f"{BOT} (修改消息) → {chat.name}: {body}{markup_lines(sent.reply_markup)}"


def delete_line(chat: ChatRec, msg: JsonDict) -> str:
    return f"{BOT} (删除消息) → {chat.name}: {_body(describe(msg))}"


def press_line(sender: str, sent: SentMessage, data: str) -> str:
    labels = [text for text, cb in sent.buttons if cb == data]
    label = labels[0] if labels else f"? callback_data={data}"
    return f"{sender} 按下 [{label}]"


def answer_line(user: str, text: str, show_alert: bool) -> str:
    how = "弹窗" if show_alert else "提示"
    return f"{BOT} ({how}) → {user}: {_body(text)}"


def dump_chat(chat: ChatRec) -> str:
    """The bot's messages in one chat, for assertion and timeout messages."""
    if not chat.sent:
        return f"  (the bot has sent nothing to {chat.name} [{chat.id}])"
    lines = []
    for sent in chat.sent.values():
        gone = " (deleted)" if sent.deleted else ""
        lines.append(f"  #{sent.message_id} {sent.kind}{gone}: {_body(describe(sent.raw))}")
        lines[-1] += markup_lines(sent.reply_markup).replace(_INDENT, _INDENT + "  ")
    return "\n".join(lines)
