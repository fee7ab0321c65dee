"""Typed access to Bot API parameters, whichever way they came: JSON, form, multipart or query.

Form and query values are strings (PTB sends non-string values JSON-encoded), JSON bodies carry
native types; both are coerced the way Telegram does and type errors become 400 answers. Every
value read is recorded in ``typed`` so the call log shows what the fake understood.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from .models import JsonDict, bad_request


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    def __init__(self, raw: JsonDict, uploads: dict[str, Upload] | None = None) -> None:
        self.raw = {k: v for k, v in raw.items() if v is not None}
        self.uploads = uploads or {}
        self.typed: JsonDict = {}

    def has(self, name: str) -> bool:
        return name in self.raw or name in self.uploads

    def for_log(self) -> JsonDict:
        """Params as understood (decoded values), unknown ones as received, files described."""
        out: JsonDict = dict(self.raw)
        out.update(self.typed)
        for name, up in self.uploads.items():
            out.setdefault(name, f"<upload {up.filename or name}: {len(up.data)} bytes>")
        return out

    def _missing(self, name: str, message: str | None) -> Exception:
        return bad_request(message or f'parameter "{name}" is required')

    def _bad(self, name: str, what: str) -> Exception:
        return bad_request(f'parameter "{name}" must be {what}')

    def opt_str(self, name: str) -> str | None:
        if name not in self.raw:
            return None
        value = self.raw[name]
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            value = str(value)
        elif not isinstance(value, str):
            raise self._bad(name, "a String")
        self.typed[name] = value
        return value

    def req_str(self, name: str, missing: str | None = None) -> str:
        value = self.opt_str(name)
        if value is None:
            raise self._missing(name, missing)
        return value

    def opt_int(self, name: str) -> int | None:
        if name not in self.raw:
            return None
        value = self.raw[name]
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise self._bad(name, "an Integer") from None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(name, "an Integer")
        self.typed[name] = value
        return value

    def req_int(self, name: str, missing: str | None = None) -> int:
        value = self.opt_int(name)
        if value is None:
            raise self._missing(name, missing)
        return value

    def opt_float(self, name: str) -> float | None:
        if name not in self.raw:
            return None
        value = self.raw[name]
        try:
            number = float(value) if isinstance(value, str | int) else value
        except ValueError:
            number = None
        if isinstance(value, bool) or not isinstance(number, float) or not math.isfinite(number):
            raise self._bad(name, "a Float")
        self.typed[name] = number
        return number

    def flag(self, name: str) -> bool:
        if name not in self.raw:
            return False
        value = self.raw[name]
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered not in {"true", "false", "1", "0"}:
                raise self._bad(name, "a Boolean")
            value = lowered in {"true", "1"}
        elif isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
            value = bool(value)
        if not isinstance(value, bool):
            raise self._bad(name, "a Boolean")
        self.typed[name] = value
        return value

    def _json(self, name: str, kind: type[Any], what: str) -> Any:
        if name not in self.raw:
            return None
        value = self.raw[name]
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        if not isinstance(value, kind):
            raise self._bad(name, what)
        self.typed[name] = value
        return value

    def opt_obj(self, name: str) -> JsonDict | None:
        value: JsonDict | None = self._json(name, dict, "an Object")
        return value

    def opt_list(self, name: str) -> list[Any] | None:
        value: list[Any] | None = self._json(name, list, "an Array")
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        """An integer chat id or an '@username'; a missing one is 'chat_id is empty'."""
        if name not in self.raw or self.raw[name] == "":
            raise bad_request(f"{name} is empty")
        value = self.raw[name]
        if isinstance(value, str) and value.startswith("@"):
            self.typed[name] = value
            return value
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise bad_request("chat not found") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request("chat not found")
        self.typed[name] = value
        return value

    def input_file(self, name: str) -> Upload | str:
        """A multipart upload (by field name or 'attach://part'), else a file_id/URL string."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.opt_str(name)
        if value is None:
            raise bad_request(f'parameter "{name}" is required')
        if value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if part not in self.uploads:
                raise bad_request(f"wrong file identifier/HTTP URL specified ({value})")
            return self.uploads[part]
        return value
