"""Text clean-up before matching (full-width, traditional, control characters) and PII masking.

Villagers type on whatever phone they have: full-width digits and letters, traditional characters
(身份證過期了), emoji, zero-width joiners. Everything is folded to one form first so the
catalogue's keywords are written once. ID and phone numbers are masked in anything shown to
other people or written to logs.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MAX_CHARS = 1000  # longer messages keep their start and (where the need usually is) their end
_HEAD = 300
# C0/C1 controls (except tab and newline), zero-width and bidi marks, BOM, specials, surrogates
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff0-\uffff\ud800-\udfff]+"
)
_PUNCTUATION = (("，", ","), ("？", "?"), ("！", "!"), ("：", ":"), ("；", ";"), ("　", " "))
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_T2S: dict[int, str] | None = None
_T2S_LOCK = threading.Lock()
_T2S_CHARS: frozenset[str] | None = None
_PLAIN: re.Pattern[str] | None = None
_CJK = (0x4E00, 0x9FFF)  # CJK Unified Ideographs: NFKC-stable, caseless, visible
_MARKS = (0x21, 0x7E), (0x2010, 0x2027), (0x3001, 0x303F)  # ASCII, quotes and dashes, 、。《》

_D = "[0-9\uff10-\uff19]"  # ASCII or full-width digit
_ID_RE = re.compile(
    rf"(?<![0-9\uff10-\uff19])({_D}{{6}})[ -]?({_D}{{8}})[ -]?"
    rf"({_D}{{3}}[0-9\uff10-\uff19Xx\uff38\uff58])(?![0-9\uff10-\uff19])"
)
_PHONE_RE = re.compile(
    r"(?<![0-9\uff10-\uff19])((?:[+\uff0b]|00)?(?:86|\uff18\uff16)[ \-\uff0d\u3000]*)?"
    rf"([1\uff11][3-9\uff13-\uff19]{_D})[ \-\uff0d]?({_D}{{4}})[ \-\uff0d]?({_D}{{4}})"
    r"(?![0-9\uff10-\uff19])"
)
_CARD_RE = re.compile(
    rf"(?<![0-9\uff10-\uff19])({_D}{{4}}){_D}{{8,11}}({_D}{{4}})(?![0-9\uff10-\uff19])"
)
_ASCII_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


@contextmanager
def without_pkg_resources() -> Iterator[None]:
    """Import jieba/zhconv without pkg_resources: saves ~0.2 s and its deprecation warning.

    Both libraries fall back to reading their data files directly when the import fails; the
    block is lifted again afterwards so other code can still import pkg_resources.
    """
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if blocked and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]


def t2s_table() -> dict[int, str]:
    """Traditional → simplified character table from zhconv's data file (loaded once, ~15 ms)."""
    global _T2S
    if _T2S is None:
        with _T2S_LOCK:
            if _T2S is None:
                with without_pkg_resources():
                    from zhconv import zhconv

                data = Path(zhconv.__file__).with_name(zhconv.DICTIONARY).read_bytes()
                pairs = json.loads(data.decode("utf-8"))["zh2Hans"].items()
                _T2S = {ord(k): v for k, v in pairs if len(k) == 1 and k != v}
    return _T2S


def cap(text: str) -> str:
    """Keep at most MAX_CHARS characters: the start and the end, where the need usually is."""
    if len(text) <= MAX_CHARS:
        return text
    return text[:_HEAD] + "\n" + text[-(MAX_CHARS - _HEAD - 1) :]


def normalize(text: str) -> str:
    """Fold to one form: NFKC (full-width → ASCII), simplified, lower case, no control chars."""
    if len(text) <= MAX_CHARS and _plain().fullmatch(text):
        for wide, narrow in _PUNCTUATION:  # nothing else below would change such a text
            if wide in text:
                text = text.replace(wide, narrow)
        return text
    text = _INVISIBLE.sub("", cap(text))
    for wide, narrow in _PUNCTUATION:  # the usual full-width marks, cheaper than NFKC
        if wide in text:
            text = text.replace(wide, narrow)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if not _traditional().isdisjoint(text):
        text = text.translate(t2s_table())
    text = text.lower().replace("\r\n", "\n").replace("\r", "\n")
    return _SPACES.sub(" ", text).strip()


def _traditional() -> frozenset[str]:
    """Every character the t2s table changes (a fast "anything to do?" before translating)."""
    global _T2S_CHARS
    if _T2S_CHARS is None:
        _T2S_CHARS = frozenset(chr(code) for code in t2s_table())
    return _T2S_CHARS


def _plain() -> re.Pattern[str]:
    """Texts of simplified characters, ASCII without capitals, common marks, and single spaces
    between them (none leading, trailing or doubled: the whitespace pass would change those).

    For these normalize() only swaps the usual full-width marks (，？！：；), so most requests
    skip NFKC, the traditional-character and the whitespace passes (built once, ~15 ms).
    """
    global _PLAIN
    if _PLAIN is None:
        traditional = t2s_table()
        codes = [c for c in range(_CJK[0], _CJK[1] + 1) if c not in traditional]
        for low, high in _MARKS:
            codes.extend(c for c in range(low, high + 1) if _unchanged(chr(c), traditional))
        codes.extend(ord(wide) for wide, _ in _PUNCTUATION[:5])
        codes.sort()
        spans: list[list[int]] = []
        for code in codes:
            if spans and spans[-1][1] == code - 1:
                spans[-1][1] = code
            else:
                spans.append([code, code])
        body = "".join(
            re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in spans
        )
        # single spaces between words too (村里能开证明不 娃上学要用): the space pass keeps them
        _PLAIN = re.compile(f"(?:[{body}]+(?: [{body}]+)*)?")
    return _PLAIN


def _unchanged(char: str, traditional: dict[int, str]) -> bool:
    """Would every step of normalize() leave this character alone?"""
    return (
        ord(char) not in traditional
        and unicodedata.is_normalized("NFKC", char)
        and not unicodedata.combining(char)
        and char.lower() == char
        and not char.isspace()
        and not _INVISIBLE.match(char)
    )


def mask_pii(text: str) -> str:
    """Mask ID-card, mobile and bank-card numbers (ASCII or full-width) for logs and other eyes."""
    text = _ID_RE.sub(_mask_id, text)
    text = _PHONE_RE.sub(_mask_phone, text)
    return _CARD_RE.sub(_mask_card, text)


def _mask_id(found: re.Match[str]) -> str:
    """620102199001011234 → 620102********1234."""
    head, tail = found.group(1), found.group(3)[-4:]
    return f"{head.translate(_ASCII_DIGITS)}********{tail.translate(_ASCII_DIGITS)}"


def _mask_phone(found: re.Match[str]) -> str:
    """+86 138-1234-5678 → +86 138****5678 (the country prefix is not personal)."""
    prefix = found.group(1) or ""
    first, last = found.group(2), found.group(4)
    return f"{prefix}{first.translate(_ASCII_DIGITS)}****{last.translate(_ASCII_DIGITS)}"


def _mask_card(found: re.Match[str]) -> str:
    """A 16-19 digit bank card number keeps its first and last four digits."""
    return f"{found.group(1).translate(_ASCII_DIGITS)}****{found.group(2).translate(_ASCII_DIGITS)}"
