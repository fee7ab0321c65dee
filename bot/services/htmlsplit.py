"""Splitting Telegram HTML that is over the length limit into messages that each fit.

Telegram counts a message's length in UTF-16 code units *after* entity parsing: tags count
nothing and `&lt;` counts one. Parts break at line ends (a single longer line breaks between
characters), never inside a tag or an entity, and a tag open across a break is closed at the end
of one part and opened again at the start of the next.
"""

from __future__ import annotations

import html
import re

MAX_TEXT = 4096  # sendMessage / editMessageText
MAX_CAPTION = 1024  # copyMessage caption

# A tag, an entity Telegram decodes (others stay literal), or one character.
_TOKEN = re.compile(r"<[^>]*>|&(?:lt|gt|amp|quot|#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8});|[^<&]|[<&]")
_TAG = re.compile(r"<\s*(/)?\s*([a-zA-Z][\w-]*)")


def units(text: str) -> int:
    """UTF-16 code units of plain text (what Telegram counts)."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(markup: str) -> int:
    """Length of Telegram HTML as Telegram counts it: tags are free, entities are one character."""
    return sum(_token_units(tok) for tok in _TOKEN.findall(markup))


def _token_units(tok: str) -> int:
    if tok.startswith("<") and tok.endswith(">") and len(tok) > 1:
        return 0
    if tok.startswith("&") and tok.endswith(";") and len(tok) > 2:
        return units(html.unescape(tok))
    return units(tok)


def split_html(markup: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of `markup` each at most `limit` long, balanced tags, nothing lost but blank parts."""
    if visible_length(markup) <= limit:
        return [markup]
    pieces: list[tuple[str, int]] = []  # (raw line or slice of a line, its visible length)
    for line in markup.splitlines(keepends=True):
        size = visible_length(line)
        if size <= limit:
            pieces.append((line, size))
        else:
            pieces.extend(_hard_split(line, limit))
    groups: list[list[str]] = [[]]
    size = 0
    for raw, n in pieces:
        if size + n > limit and groups[-1]:
            groups.append([])
            size = 0
        groups[-1].append(raw)
        size += n
    return _balance(["".join(g) for g in groups])


def _hard_split(line: str, limit: int) -> list[tuple[str, int]]:
    """A line longer than the limit, cut between characters (never inside a tag or entity)."""
    out: list[tuple[str, int]] = []
    current: list[str] = []
    size = 0
    for tok in _TOKEN.findall(line):
        n = _token_units(tok)
        if size + n > limit and size > 0:
            out.append(("".join(current), size))
            current, size = [], 0
        current.append(tok)
        size += n
    if current:
        out.append(("".join(current), size))
    return out


def _balance(parts: list[str]) -> list[str]:
    """Close tags still open at the end of a part and reopen them at the start of the next."""
    balanced: list[str] = []
    stack: list[tuple[str, str]] = []  # (tag name, opening tag as written)
    for part in parts:
        prefix = "".join(opening for _, opening in stack)
        for tok in _TOKEN.findall(part):
            found = _TAG.match(tok) if tok.startswith("<") else None
            if found is None:
                continue
            name = found.group(2).lower()
            if found.group(1):
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i][0] == name:
                        del stack[i]
                        break
            elif not tok.endswith("/>"):
                stack.append((name, tok))
        suffix = "".join(f"</{name}>" for name, _ in reversed(stack))
        text = prefix + part.rstrip("\n") + suffix
        if html.unescape(re.sub(r"<[^>]*>", "", text)).strip():
            balanced.append(text)
    return balanced
