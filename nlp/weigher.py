"""One text's layout and cue words, and the questions asked of every piece of evidence in it.

Negated? Would jieba keep the word whole? Which factor applies here (a question, a clause that
only names a purpose, after 顺便)? Which circumstances still count? The Analyzer asks these for
every keyword and rule it weighs, so the answers come from lists filled once per text, and the
small helpers at the end loop where `any(...)` would build a generator for every test.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from nlp import cues
from nlp.evidence import Circumstance, Evidence
from nlp.matching import CIRCUMSTANCES, Hit, Kind
from nlp.segment import Segmenter

NEGATE_REACH = 6  # a negating word reaches this many characters forward, within its clause
PAST_REACH = 4
HARDSHIP_REACH = 4  # 腿断了干不了活: frailty as the reason for hardship
AFTER_SECOND = 0.6
PURPOSE = 0.6
ASKING = 1.1
_BREAK_RE = re.compile("[" + re.escape(cues.SENTENCE_ENDS + cues.CLAUSE_ENDS) + "]+")
_SENTENCE_CHARS = frozenset(cues.SENTENCE_ENDS)
_ENDS = cues.SENTENCE_ENDS + cues.CLAUSE_ENDS
# Enum members bound once: `Kind.X` is a slow class-attribute look-up inside the loops
_REQUEST, _NEGATE, _NEGATE_NEXT, _SPAM = Kind.REQUEST, Kind.NEGATE, Kind.NEGATE_NEXT, Kind.SPAM
_COMPLAINT, _DONE, _SECOND, _PAST = Kind.COMPLAINT, Kind.DONE, Kind.SECOND, Kind.PAST
_BACK, _ELSEWHERE, _HARDSHIP = Kind.BACK, Kind.ELSEWHERE, Kind.HARDSHIP
_AWAY, _FRAIL, _ALONE, _CANT = Kind.AWAY, Kind.FRAIL, Kind.ALONE, Kind.CANT
_CHATTER = Kind.CHATTER


class Weigher:
    """Where one text's sentences, clauses and cue words are (a plain class: one per message)."""

    __slots__ = (
        "_factors",
        "asking",
        "back",
        "clauses",
        "denials",
        "elsewhere",
        "hardship",
        "negators",
        "openers",
        "pairs",
        "past",
        "seconds",
        "segmenter",
        "sentences",
        "text",
    )

    def __init__(self, segmenter: Segmenter, text: str, pairs: frozenset[str]) -> None:
        self.segmenter, self.text = segmenter, text
        self.sentences, self.clauses = [0], [0]  # where each sentence and clause starts
        for stop in _BREAK_RE.finditer(text):
            self.clauses.append(stop.end())
            if not _SENTENCE_CHARS.isdisjoint(stop.group()):
                self.sentences.append(stop.end())
        # where the cue words are (filled in by read_cues)
        self.negators: list[tuple[int, int, bool]] = []  # start, end, negates only the next word
        self.denials = False  # 不是 or 并非 among the negators (不是贷款, 是助学金)
        self.asking: set[int] = set()  # sentence numbers
        self.past: list[int] = []
        self.seconds: list[int] = []
        self.openers: list[int] = []  # clause-opening 还有/另外: the needs split here
        self.elsewhere: list[tuple[int, int]] = []
        self.hardship: list[int] = []
        self.back = False
        self._factors: dict[int, float] = {}  # by clause (which also fixes the sentence)
        self.pairs = pairs  # segmenter.crossing_pairs(), fetched once by the Analyzer

    def read_cues(self, found: Evidence, cue_hits: list[Hit]) -> None:
        """Record every cue word: circumstance, negation, request, spam, complaint, thanks …"""
        sentences, clauses = self.sentences, self.clauses
        questions: list[tuple[int, int]] = []  # one hit alone is never inside another
        thanks: list[tuple[int, int]] = []
        if len(cue_hits) > 1:
            questions = [(h[0], h[1]) for h in cue_hits if h[3].request]
            thanks = [(h[0], h[1]) for h in cue_hits if h[3].done]
        for start, end, phrase, meaning in cue_hits:
            for entry in meaning.cues:
                kind = entry.kind
                if kind is _REQUEST:
                    if not thanks or not span_inside(start, end, thanks):  # 多亏你们帮忙
                        self.asking.add(bisect_right(sentences, start) if len(sentences) > 1 else 1)
                elif kind in CIRCUMSTANCES:
                    found.circumstances.append((kind, start, end, phrase))
                elif kind is _NEGATE or kind is _NEGATE_NEXT:
                    if not questions or not opened_before(start, questions):  # 要不要办, 是不是
                        self.negators.append((start, end, kind is _NEGATE_NEXT))
                        if phrase in cues.DENY:
                            self.denials = True
                elif kind is _SPAM:
                    found.spam += entry.weight
                elif kind is _COMPLAINT:
                    found.complaint = True
                elif kind is _DONE:
                    found.done = True
                elif kind is _SECOND:
                    opens = entry.weight < 1.0 or start in clauses  # 还有 only opens a clause
                    if opens and not (questions and opened_before(start, questions)):
                        self.seconds.append(start)
                        if entry.weight >= 1.0:
                            self.openers.append(start)
                elif kind is _PAST:
                    self.past.append(end)
                elif kind is _BACK:
                    self.back = True
                elif kind is _ELSEWHERE:
                    self.elsewhere.append((start, end))
                elif kind is _HARDSHIP:
                    self.hardship.append(start)
                elif kind is _CHATTER:
                    found.chatter = True

    def negated(self, start: int, *, denied: bool = False) -> bool:
        """Does a negating word reach this position within its clause? A 是 in between ends its
        reach (不是报销是救助: 救助 stands). `denied`: only a denial (不是, 并非) counts."""
        if not self.negators:
            return False
        clause = bisect_right(self.clauses, start)
        text = self.text
        for n_start, n_end, next_only in self.negators:
            if next_only:
                reaches = not denied and n_end == start
            else:
                reaches = n_end <= start <= n_end + NEGATE_REACH and "是" not in text[n_end:start]
                if denied and text[n_start:n_end] not in cues.DENY:
                    reaches = False
            if reaches and bisect_right(self.clauses, n_start) == clause:
                return True
        return False

    def factors(self, start: int) -> tuple[float, float]:
        """The weight factor here, with and without the after-顺便 discount."""
        clause = bisect_right(self.clauses, start) if len(self.clauses) > 1 else 1
        f = self._factors.get(clause)
        if f is None:
            f = ASKING if bisect_right(self.sentences, start) in self.asking else 1.0
            if clause > 1 and self.purpose(clause):  # the first clause is never only a purpose
                f *= PURPOSE
            self._factors[clause] = f
        seconds = self.seconds
        return (f * AFTER_SECOND if seconds and seconds[0] < start else f), f

    def purpose(self, number: int) -> bool:
        """Does clause `number` (after the first) only say what something is for (我姐的房子过户要)?
        Asked once per clause: factors() keeps the answer."""
        bounds = self.clauses
        lo = bounds[number - 1]
        hi = bounds[number] if number < len(bounds) else len(self.text)
        words = self.text[lo:hi].rstrip(_ENDS)
        asks = bisect_right(self.sentences, lo) in self.asking
        return words.endswith(cues.PURPOSE_ENDS) and not (asks and words.endswith("要"))

    def whole(self, start: int, end: int) -> bool:
        """Would jieba keep this two-character word whole within its clause? (Longer phrases
        such as 到了没 or 身份证 do not turn up inside other words by accident.)"""
        if end - start != 2:
            return True
        text, pairs = self.text, self.pairs
        if text[start - 1 : start + 1] not in pairs and text[end - 1 : end + 1] not in pairs:
            return True  # Segmenter.is_whole's own first test, without the calls
        at = bisect_right(self.clauses, start) - 1
        lo = self.clauses[at]
        hi = self.clauses[at + 1] if at + 1 < len(self.clauses) else len(self.text)
        return self.segmenter.is_whole(self.text, start, end, lo, max(hi, end))

    def circumstances(self, found: list[Circumstance]) -> list[Circumstance]:
        """Drop negated, past, undone (回来了), elsewhere (外地医院) and nested ones."""
        negators, past, elsewhere, hardship = (
            self.negators,
            self.past,
            self.elsewhere,
            self.hardship,
        )
        live = []
        for c in found:
            kind, start, end = c[0], c[1], c[2]
            if negators and self.negated(start):
                continue
            if past and any_within(past, start - PAST_REACH, start):
                continue
            if (self.back and kind is _AWAY) or (elsewhere and overlaps_any(start, end, elsewhere)):
                continue
            if kind is _FRAIL and hardship and any_within(hardship, end, end + HARDSHIP_REACH):
                continue
            live.append(c)
        if len(live) > 1:
            spans = [(c[1], c[2]) for c in live]
            live = [c for c in live if not span_inside(c[1], c[2], spans)]
        return [self._about_writer(c) if c[0] is _FRAIL or c[0] is _ALONE else c for c in live]

    def _about_writer(self, circ: Circumstance) -> Circumstance:
        """俺瘫了 / 我是独居老人: the writer's own body or solitude means the writer cannot come."""
        if circ[0] is not _FRAIL and circ[0] is not _ALONE:
            return circ
        lo = self.clauses[bisect_right(self.clauses, circ[1]) - 1]
        before = self.text[lo : circ[1]]
        at = -1
        for word in cues.SELF:
            if word in before:
                at = max(at, before.rfind(word) + len(word))
        if at < 0:
            return circ
        gap = before[at:]
        if gap.startswith(("一个", "是")) or cues.KIN.isdisjoint(gap):
            return (_CANT, circ[1], circ[2], circ[3])
        return circ


def span_inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Is text[start:end] strictly inside one of the spans (inside and shorter)?"""
    size = end - start
    for s, e in spans:  # noqa: SIM110 -- a plain loop: no generator for every test
        if s <= start and end <= e and e - s > size:
            return True
    return False


def opened_before(at: int, spans: list[tuple[int, int]]) -> bool:
    """Does a span start before the position and end after it (不 inside 要不要)?"""
    for s, e in spans:  # noqa: SIM110 -- a plain loop: no generator for every test
        if s < at < e:
            return True
    return False


def overlaps_any(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Does text[start:end] overlap one of the spans?"""
    for s, e in spans:  # noqa: SIM110 -- a plain loop: no generator for every test
        if s < end and start < e:
            return True
    return False


def any_within(positions: list[int], low: int, high: int) -> bool:
    """Is one of the positions within low..high?"""
    for p in positions:  # noqa: SIM110 -- a plain loop: no generator for every test
        if low <= p <= high:
            return True
    return False
