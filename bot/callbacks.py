"""Inline-button callback data: short ASCII verbs and ids only (Telegram allows 64 bytes).

Clients can send anything in callback data, so `parse` accepts only the exact shapes built here;
what it refuses is answered politely as a stale button. Whether the presser may act on the ids is
checked by the service layer, never here.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

MAX_BYTES = 64


class Verb(enum.StrEnum):
    TOWNSHIP = "rt"  # registration: chose township id
    VILLAGE = "rv"  # chose village id
    GROUP = "rg"  # chose group id
    RESTART = "rs"  # back to the township list
    ACCEPT = "acc"  # agent: 接单 ticket id
    CLOSE = "fin"  # agent: 办结 → ask how
    CLOSE_NOW = "fn"  # agent: close without note
    CLOSE_NOTE = "fnn"  # agent: ask for a note, then close
    CLOSE_BACK = "fb"  # agent: back to the card buttons
    HANDOVER = "ho"  # agent: 转办 → list colleagues
    HANDOVER_TO = "hot"  # agent: hand ticket id over to agent id
    RATE = "rate"  # villager: ticket id, rating index
    PICK = "pick"  # villager: pending request id, matter code or "-" for "call me"
    OPEN = "op"  # agent: show the card of ticket id (from a task list)
    DOCS = "doc"  # agent: 需补材料 → the matter's documents as toggles
    DOCS_TOGGLE = "dt"  # agent: ticket id, bitmask of the documents ticked so far
    DOCS_SEND = "ds"  # agent: ticket id, bitmask → ask the villager for those documents
    DOCS_NOTE = "dn"  # agent: ticket id, bitmask → reply with a note, then ask
    RECLASS = "rc"  # agent: 改类 → the four modes and the likely matters
    RECLASS_PAGE = "rcp"  # agent: ticket id, page of the whole matter list
    RECLASS_MODE = "rcm"  # agent: ticket id, mode 1-4 (马上办, 代着办, 领着办, 流动办)
    RECLASS_MATTER = "rcx"  # agent: ticket id, matter code
    RELAY = "say"  # agent: 联系村民 → reply with the words to pass on
    CANCEL = "cx"  # villager: 撤销 ticket id → are you sure?
    CANCEL_YES = "cxy"  # villager: yes, withdraw it
    CANCEL_NO = "cxn"  # villager: no, keep it
    PHONE = "ph"  # villager (/me): share or change the phone number
    PHONE_DEL = "phd"  # villager (/me): remove the phone number
    URGE = "ug"  # supervisor: 督办 ticket id (a recorded prompt to the holder)
    RELEASE = "rl"  # supervisor: take a held request on (held request id)
    DISMISS = "rd"  # supervisor: do not take a held request on


_SHAPES: dict[Verb, re.Pattern[str]] = {
    Verb.TOWNSHIP: re.compile(r"\d{1,9}"),
    Verb.VILLAGE: re.compile(r"\d{1,9}"),
    Verb.GROUP: re.compile(r"\d{1,9}"),
    Verb.RESTART: re.compile(r""),
    Verb.ACCEPT: re.compile(r"\d{1,12}"),
    Verb.CLOSE: re.compile(r"\d{1,12}"),
    Verb.CLOSE_NOW: re.compile(r"\d{1,12}"),
    Verb.CLOSE_NOTE: re.compile(r"\d{1,12}"),
    Verb.CLOSE_BACK: re.compile(r"\d{1,12}"),
    Verb.HANDOVER: re.compile(r"\d{1,12}"),
    Verb.HANDOVER_TO: re.compile(r"\d{1,12}:\d{1,9}"),
    Verb.RATE: re.compile(r"\d{1,12}:[123]"),
    Verb.PICK: re.compile(r"\d{1,12}:(?:-|[a-z0-9_]{1,24})"),
    Verb.OPEN: re.compile(r"\d{1,12}"),
    Verb.DOCS: re.compile(r"\d{1,12}"),
    Verb.DOCS_TOGGLE: re.compile(r"\d{1,12}:\d{1,5}"),
    Verb.DOCS_SEND: re.compile(r"\d{1,12}:\d{1,5}"),
    Verb.DOCS_NOTE: re.compile(r"\d{1,12}:\d{1,5}"),
    Verb.RECLASS: re.compile(r"\d{1,12}"),
    Verb.RECLASS_PAGE: re.compile(r"\d{1,12}:\d{1,2}"),
    Verb.RECLASS_MODE: re.compile(r"\d{1,12}:[1-4]"),
    Verb.RECLASS_MATTER: re.compile(r"\d{1,12}:[a-z0-9_]{1,24}"),
    Verb.RELAY: re.compile(r"\d{1,12}"),
    Verb.CANCEL: re.compile(r"\d{1,12}"),
    Verb.CANCEL_YES: re.compile(r"\d{1,12}"),
    Verb.CANCEL_NO: re.compile(r"\d{1,12}"),
    Verb.PHONE: re.compile(r""),
    Verb.PHONE_DEL: re.compile(r""),
    Verb.URGE: re.compile(r"\d{1,12}"),
    Verb.RELEASE: re.compile(r"\d{1,12}"),
    Verb.DISMISS: re.compile(r"\d{1,12}"),
}


class BadCallback(ValueError):
    """Callback data this bot never sent (forged, truncated or from an old version)."""


@dataclass(frozen=True, slots=True)
class Callback:
    verb: Verb
    args: tuple[str, ...]

    def int(self, index: int = 0) -> int:
        return int(self.args[index])


def make(verb: Verb, *args: object) -> str:
    data = ":".join([verb.value, *(str(a) for a in args)])
    if len(data.encode()) > MAX_BYTES or not _SHAPES[verb].fullmatch(data[len(verb) + 1 :]):
        raise ValueError(f"callback data out of shape: {data!r}")
    return data


def parse(data: str | None) -> Callback:
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        raise BadCallback(repr(data))
    head, _, rest = data.partition(":")
    try:
        verb = Verb(head)
    except ValueError:
        raise BadCallback(repr(data)) from None
    if not _SHAPES[verb].fullmatch(rest):
        raise BadCallback(repr(data))
    return Callback(verb, tuple(rest.split(":")) if rest else ())
