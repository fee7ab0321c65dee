"""jieba word segmentation on a trimmed dictionary plus the catalogue's words, loaded fast.

jieba's own 350,000-word dictionary takes ~1.6 s to load; daiban ships the 30,000 most frequent
words (nlp/data/jieba_top.txt, cut from jieba's MIT-licensed dict.txt by `python -m nlp.segment`)
and adds every catalogue and cue word, so domain words such as 新农合 or 养老认证 segment whole.
jieba's prefix-dictionary cache goes to DAIBAN_CACHE_DIR, ~/.cache/daiban or the temp directory.

Segmentation is only needed where a keyword could be part of a different word (证明 in
保证明天): `is_whole` answers from the dictionary directly when no other word crosses the
keyword's edges, and runs jieba on the clause only when one does.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nlp.normalize import without_pkg_resources

DICT_PATH = Path(__file__).with_name("data") / "jieba_top.txt"
TOP_WORDS = 30_000
_MAX_CROSS = 4  # longest general word considered when looking for a crossing word
_CACHE_SIZE = 4096


def cache_dir() -> str:
    """A writable directory for jieba's marshal cache (falls back to the temp directory)."""
    wanted = os.environ.get("DAIBAN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "daiban"
    )
    try:
        os.makedirs(wanted, exist_ok=True)
        if os.access(wanted, os.W_OK):
            return wanted
    except OSError:
        pass
    return tempfile.gettempdir()


class Segmenter:
    """A private jieba Tokenizer (the global one is left alone) with the catalogue's words."""

    def __init__(self, words: Iterable[str], dictionary: Path = DICT_PATH) -> None:
        self._words = tuple(sorted({w for w in words if len(w) >= 2}))
        self._dictionary = dictionary
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._freq: dict[str, int] = {}
        self._added: frozenset[str] = frozenset()
        self._pairs: frozenset[str] = frozenset()  # character pairs inside general words
        self._cuts: dict[str, frozenset[int]] = {}

    def ready(self) -> None:
        """Load the dictionary (jieba's cache when fresh) and add our words; idempotent."""
        if self._tokenizer is not None:
            return
        with self._lock:
            if self._tokenizer is not None:
                return
            with without_pkg_resources():
                import jieba

            logging.getLogger("jieba").setLevel(logging.WARNING)  # no "Building prefix dict" log
            tokenizer = jieba.Tokenizer(dictionary=str(self._dictionary))
            tokenizer.tmp_dir = cache_dir()
            tokenizer.initialize()
            added = [w for w in self._words if not tokenizer.FREQ.get(w)]
            for word in added:
                tokenizer.add_word(word)  # jieba's suggest_freq: just whole against its pieces
            self._added = frozenset(added)
            self._freq = tokenizer.FREQ
            self._pairs = frozenset(
                word[i : i + 2]
                for word, freq in tokenizer.FREQ.items()
                if freq and 1 < len(word) <= _MAX_CROSS and word not in self._added
                for i in range(len(word) - 1)
            )
            self._tokenizer = tokenizer

    def crossing_pairs(self) -> frozenset[str]:
        """Character pairs inside general words: a keyword's edge without one is never crossed."""
        self.ready()
        return self._pairs

    def cut(self, text: str) -> list[str]:
        """Segment text (HMM off: unknown words stay as single characters)."""
        self.ready()
        return list(self._tokenizer.cut(text, HMM=False))

    def is_whole(self, text: str, start: int, end: int, lo: int, hi: int) -> bool:
        """Would jieba keep text[start:end] as one word inside the clause text[lo:hi]?"""
        if end - start < 2 or not self._crossed(text, start, end, lo, hi):
            return True
        cuts = self._boundaries(text[lo:hi])
        return (start - lo) in cuts and (end - lo) in cuts

    def _crossed(self, text: str, start: int, end: int, lo: int, hi: int) -> bool:
        """Is there a general word (not one of ours) over the span's start or end edge?

        Clashes between catalogue words are the scorer's business; jieba only arbitrates between
        a keyword and the ordinary words around it.
        """
        self.ready()
        pairs = self._pairs
        if text[start - 1 : start + 1] not in pairs and text[end - 1 : end + 1] not in pairs:
            return False  # no general word can contain the characters on either side of an edge
        freq, ours = self._freq, self._added
        for edge in (start, end):
            for p in range(max(lo, edge - _MAX_CROSS + 1), edge):
                for q in range(edge + 1, min(hi, p + _MAX_CROSS) + 1):
                    word = text[p:q]
                    if (p, q) != (start, end) and freq.get(word) and word not in ours:
                        return True
        return False

    def _boundaries(self, clause: str) -> frozenset[int]:
        """Token edges of a clause, remembered for repeated clauses."""
        found = self._cuts.get(clause)
        if found is None:
            edges, at = {0}, 0
            for token in self.cut(clause):
                at += len(token)
                edges.add(at)
            found = frozenset(edges)
            if len(self._cuts) >= _CACHE_SIZE:
                self._cuts.clear()
            self._cuts[clause] = found
        return found


def build_dictionary(source: Path, dest: Path, top: int = TOP_WORDS) -> int:
    """Write the `top` most frequent words of a jieba dictionary as "word freq" lines."""
    rows: list[tuple[int, str]] = []
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                rows.append((int(parts[1]), parts[0]))
    rows.sort(key=lambda row: (-row[0], row[1]))
    kept = sorted(rows[:top], key=lambda row: row[1])
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("".join(f"{word} {freq}\n" for freq, word in kept), encoding="utf-8")
    return len(kept)


if __name__ == "__main__":
    with without_pkg_resources():
        import jieba

    source = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(jieba.__file__).with_name("dict.txt")
    count = build_dictionary(source, DICT_PATH)
    sys.stdout.write(f"wrote {count} words to {DICT_PATH}\n")
