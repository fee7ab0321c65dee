"""Validation of what the bot sends: formatted text, captions and reply markup."""

from __future__ import annotations

from typing import Any

from .htmlparse import HtmlError, parse_html, utf16_len
from .models import JsonDict, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes of UTF-8
_SPACE = " \t\r\n"
_INLINE_ACTIONS = (
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "web_app",
    "callback_game",
    "pay",
    "copy_text",
)


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Strip leading/trailing blanks as Telegram does, moving and clipping entities."""
    stripped = text.lstrip(_SPACE)
    shift = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip(_SPACE)
    size = utf16_len(stripped)
    out: list[JsonDict] = []
    for ent in entities:
        start = max(0, int(ent["offset"]) - shift)
        end = min(size, int(ent["offset"]) + int(ent["length"]) - shift)
        if end > start:
            out.append({**ent, "offset": start, "length": end - start})
    return stripped, out


def format_text(
    raw: str, parse_mode: str | None, entities: list[Any] | None, *, caption: bool = False
) -> tuple[str, list[JsonDict]]:
    """Plain text and entities as Telegram stores them, or the 400 Telegram answers.

    Only HTML is parsed; Markdown/MarkdownV2 text is kept as sent, without entities.
    """
    mode = (parse_mode or "").lower()
    if entities is not None:
        if not all(
            isinstance(e, dict) and {"type", "offset", "length"} <= e.keys() for e in entities
        ):
            raise bad_request("can't parse entities JSON object")
        plain, ents = raw, [dict(e) for e in entities]
    elif mode == "html":
        try:
            plain, ents = parse_html(raw)
        except HtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    elif mode in {"", "markdown", "markdownv2"}:
        plain, ents = raw, []
    else:
        raise bad_request("unsupported parse_mode")
    plain, ents = _trim(plain, ents)
    if caption:
        if len(plain) > MAX_CAPTION:
            raise bad_request("message caption is too long")
    elif not plain:
        raise bad_request("message text is empty")
    elif len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, ents


def _rows(markup: JsonDict, key: str) -> list[list[Any]]:
    rows = markup[key]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request(f'field "{key}" of the reply markup must be an Array of Arrays')
    return rows


def _check_inline_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    elif "url" in button:
        if not isinstance(button["url"], str) or not button["url"].strip():
            raise bad_request("BUTTON_URL_INVALID")
    elif not any(key in button for key in _INLINE_ACTIONS):
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")


def check_markup(markup: JsonDict | None, *, inline_only: bool = False) -> JsonDict | None:
    """Validate reply_markup as Telegram does; return it unchanged (None if absent)."""
    if markup is None:
        return None
    if "inline_keyboard" in markup:
        for row in _rows(markup, "inline_keyboard"):
            for button in row:
                _check_inline_button(button)
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        for row in _rows(markup, "keyboard"):
            for button in row:
                text = button if isinstance(button, str) else None
                if isinstance(button, dict):
                    text = button.get("text")
                if not isinstance(text, str) or not text:
                    raise bad_request("can't parse keyboard button: text must be non-empty")
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def same_markup(a: JsonDict | None, b: JsonDict | None) -> bool:
    """Whether two inline markups show the same thing (an empty keyboard equals none)."""

    def rows(m: JsonDict | None) -> Any:
        return (m or {}).get("inline_keyboard") or []

    return bool(rows(a) == rows(b))
