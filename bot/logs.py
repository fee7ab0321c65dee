"""Logging set-up: one readable line per event, with phone and ID numbers masked everywhere."""

from __future__ import annotations

import logging
import sys

from nlp import mask_pii


class MaskPII(logging.Filter):
    """Mask phone and 18-digit ID numbers in every record, whoever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_pii(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def setup(level: str = "INFO") -> None:
    """Configure the root logger once (like basicConfig: a process that already logs keeps it)."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskPII())
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
