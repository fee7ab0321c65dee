"""Telegram's HTML parse mode: text + entities, or the error Telegram gives for bad markup.

Follows TDLib's ``parse_html``: supported tags b/strong, i/em, u/ins, s/strike/del,
tg-spoiler and span class="tg-spoiler", a href, code, pre (with code class="language-x"),
blockquote [expandable] and tg-emoji; named entities &lt; &gt; &amp; &quot; plus numeric
ones; an unknown ``&name;`` stays literal. Offsets are in bytes of the UTF-8 source, entity
offsets and lengths in UTF-16 code units, as the Bot API reports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import JsonDict

_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
SUPPORTED_TAGS = frozenset({*_SIMPLE, "a", "span", "blockquote", "tg-emoji"})
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_SPECIAL = re.compile(r"[<&]")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlError(ValueError):
    """Malformed markup; str(self) is TDLib's reason, e.g. 'Unsupported start tag "br" ...'."""


@dataclass
class _Open:
    tag: str
    offset: int  # UTF-16 offset in the output
    argument: str
    spoiler_class: bool = False
    expandable: bool = False


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    m = _ENTITY.match(text, i)
    if not m:
        return None
    if m.group(1):
        return _NAMED[m.group(1)], m.end()
    code = int(m.group(2), 10) if m.group(2) else int(m.group(3), 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), m.end()


def unescape(text: str) -> str:
    """Decode the HTML entities Telegram accepts, leaving any other '&' as it is."""
    out: list[str] = []
    i = 0
    while i < len(text):
        decoded = _decode_entity(text, i) if text[i] == "&" else None
        if decoded:
            out.append(decoded[0])
            i = decoded[1]
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.i = 0
        self.out: list[str] = []
        self.out_len = 0  # UTF-16 length of the output so far
        self.stack: list[_Open] = []
        self.entities: list[JsonDict] = []

    def at(self) -> int:
        return len(self.src[: self.i].encode("utf-8"))

    def peek(self) -> str:
        return self.src[self.i] if self.i < len(self.src) else ""

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.out_len += utf16_len(chunk)

    def skip_spaces(self) -> None:
        while self.peek().isspace():
            self.i += 1

    def run(self) -> tuple[str, list[JsonDict]]:
        while self.i < len(self.src):
            c = self.src[self.i]
            if c == "&":
                decoded = _decode_entity(self.src, self.i)
                if decoded:
                    self.emit(decoded[0])
                    self.i = decoded[1]
                    continue
            if c != "<":
                special = _SPECIAL.search(self.src, self.i + 1)
                end = special.start() if special else len(self.src)
                self.emit(self.src[self.i : end])
                self.i = end
                continue
            if self.src.startswith("</", self.i):
                self.end_tag()
            else:
                self.start_tag()
        if self.stack:
            raise HtmlError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def start_tag(self) -> None:
        begin = self.at()
        self.i += 1
        start = self.i
        while self.peek() and not self.peek().isspace() and self.peek() != ">":
            self.i += 1
        if not self.peek():
            raise HtmlError(f"Unclosed start tag at byte offset {begin}")
        tag = self.src[start : self.i].lower()
        if tag not in SUPPORTED_TAGS:
            raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {begin}')
        opened = _Open(tag, self.out_len, "")
        while True:
            self.skip_spaces()
            if not self.peek():
                raise HtmlError(f"Unclosed start tag at byte offset {begin}")
            if self.peek() == ">":
                self.i += 1
                break
            self.attribute(opened, begin)
        if tag == "span" and not opened.spoiler_class:
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.stack.append(opened)

    def attribute(self, opened: _Open, begin: int) -> None:
        name_start = self.i
        while self.peek() and not self.peek().isspace() and self.peek() not in "=>":
            self.i += 1
        name = self.src[name_start : self.i].lower()
        if not name:
            raise HtmlError(
                f'Empty attribute name in the tag "{opened.tag}" at byte offset {begin}'
            )
        self.skip_spaces()
        if self.peek() != "=":
            if opened.tag == "blockquote" and name == "expandable":
                opened.expandable = True
                return
            raise HtmlError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{opened.tag}" at byte offset {begin}'
            )
        self.i += 1
        self.skip_spaces()
        quote = self.peek()
        if not quote:
            raise HtmlError(f"Unclosed start tag at byte offset {begin}")
        if quote in "\"'":
            end = self.src.find(quote, self.i + 1)
            if end < 0:
                raise HtmlError(f"Unclosed start tag at byte offset {begin}")
            value = self.src[self.i + 1 : end]
            self.i = end + 1
        else:
            start = self.i
            while self.peek() and not self.peek().isspace() and self.peek() != ">":
                self.i += 1
            value = self.src[start : self.i]
        value = unescape(value)
        if (opened.tag, name) in {("a", "href"), ("tg-emoji", "emoji-id")}:
            opened.argument = value
        elif opened.tag == "code" and name == "class" and value.startswith("language-"):
            opened.argument = value.removeprefix("language-")
        elif opened.tag == "span" and name == "class" and value == "tg-spoiler":
            opened.spoiler_class = True

    def end_tag(self) -> None:
        begin = self.at()
        self.i += 2
        start = self.i
        while self.peek() and not self.peek().isspace() and self.peek() != ">":
            self.i += 1
        tag = self.src[start : self.i].lower()
        self.skip_spaces()
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {begin}")
        expected = self.stack[-1].tag
        if tag != expected:
            raise HtmlError(
                f'Unmatched end tag at byte offset {begin}, expected "</{expected}>", '
                f'found "</{tag}>"'
            )
        if self.peek() != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {begin}")
        self.i += 1
        self.close(self.stack.pop())

    def close(self, opened: _Open) -> None:
        length = self.out_len - opened.offset
        if length <= 0:
            return
        entity: JsonDict = {"offset": opened.offset, "length": length}
        tag, arg = opened.tag, opened.argument
        if tag == "a":
            if not arg:
                return
            entity.update(type="text_link", url=arg)
        elif tag == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=arg)
        elif tag == "span":
            entity["type"] = "spoiler"
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if opened.expandable else "blockquote"
        elif tag == "code" and arg and self.stack and self.stack[-1].tag == "pre":
            self.stack[-1].argument = arg  # <pre><code class="language-x"> is one pre entity
            return
        else:
            entity["type"] = _SIMPLE[tag]
            if tag == "pre" and arg:
                entity["language"] = arg
        self.entities.append(entity)


def parse_html(source: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram HTML into (plain text, entities); raise HtmlError on malformed markup."""
    return _Parser(source).run()


def strip_html(source: str) -> str:
    """Plain text of an HTML string for display; the raw string if it does not parse."""
    try:
        return parse_html(source)[0]
    except HtmlError:
        return source
