"""Find every catalogue keyword and cue word in a normalised text, in one pass.

All phrases (the catalogue's keywords with their filler spellings, and the cue lists) go into one
Aho-Corasick automaton, so a request is scanned once, in compiled code. Two-part keywords
("身份证+丢|掉") become rules that fire when both parts occur close together in one sentence,
which lets a handful of patterns cover the many ways a need is phrased.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass

from ahocorasick_rs import AhoCorasick, Implementation

from nlp import cues
from nlp.catalog import Catalog, parse_pattern

WEAK_WEIGHT = 0.35
RULE_WEIGHT = 1.05
RULE_SPAN = 16  # the two parts of a rule must start at most this many characters apart
FILLERS = ("个", "了", "一个", "一下")  # 报了销, 开个证明, 上了户口, 补一下办
VARIANT = 0.9
NOT_WHOLE = 0.5  # a keyword jieba would not keep whole (证明 in 保证明天) counts half


def keyword_weight(word: str) -> float:
    """Longer keywords are more specific: 2 characters 0.9, 3 → 1.0, 4 or more → 1.15."""
    return 0.9 if len(word) <= 2 else 1.0 if len(word) == 3 else 1.15


class Kind(enum.IntEnum):
    """What a phrase in the index means."""

    KEYWORD = 0
    WEAK = 1
    PART = 2
    FRAIL = 3
    ALONE = 4
    AWAY = 5
    ASK = 6
    PAST = 7
    BACK = 8
    NEGATE = 9
    NEGATE_NEXT = 10
    REQUEST = 11
    SPAM = 12
    COMPLAINT = 13
    DONE = 14
    SECOND = 15
    NEUTRAL = 16
    ELSEWHERE = 17
    HARDSHIP = 18
    CANT = 19
    CHATTER = 20


CIRCUMSTANCES = frozenset({Kind.CANT, Kind.FRAIL, Kind.ALONE, Kind.AWAY, Kind.ASK})
_MATTER_KINDS = frozenset({Kind.KEYWORD, Kind.WEAK, Kind.PART})
_SINGLE_KINDS = frozenset({Kind.KEYWORD, Kind.WEAK})
_COVER_KINDS = frozenset({Kind.KEYWORD, Kind.NEUTRAL})
_CUE_LISTS: tuple[tuple[Kind, tuple[str, ...], float], ...] = (
    (Kind.CANT, cues.CANT, 1.0),
    (Kind.FRAIL, cues.FRAIL, 1.0),
    (Kind.ALONE, cues.ALONE, 1.0),
    (Kind.AWAY, cues.AWAY, 1.0),
    (Kind.ASK, cues.ASK, 1.0),
    (Kind.PAST, cues.PAST, 1.0),
    (Kind.BACK, cues.BACK, 1.0),
    (Kind.NEGATE, cues.NEGATE, 1.0),
    (Kind.NEGATE_NEXT, cues.NEGATE_NEXT, 1.0),
    (Kind.REQUEST, cues.REQUEST, 1.0),
    (Kind.SPAM, cues.SPAM_STRONG, 1.0),
    (Kind.SPAM, cues.SPAM_WEAK, 0.6),
    (Kind.COMPLAINT, cues.COMPLAINT, 1.0),
    (Kind.DONE, cues.DONE, 1.0),
    (Kind.SECOND, cues.SECOND, 1.0),
    (Kind.SECOND, cues.ALSO_HERE, 0.5),
    (Kind.NEUTRAL, cues.NEUTRAL, 1.0),
    (Kind.ELSEWHERE, cues.ELSEWHERE, 1.0),
    (Kind.HARDSHIP, cues.HARDSHIP, 1.0),
    (Kind.CHATTER, cues.SMALL_TALK, 1.0),
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One meaning of a phrase: a matter keyword, one side of a rule, or a cue."""

    kind: Kind
    target: int = -1  # matter index (KEYWORD, WEAK) or rule index (PART)
    weight: float = 1.0
    slot: int = 0  # PART: which side of its rule
    variant: bool = (
        False  # generated spelling with a filler (报了销, 开个证明): jieba cannot judge it
    )


@dataclass(frozen=True, slots=True)
class Rule:
    """A two-part keyword of one matter ("身份证+丢|掉")."""

    matter: int
    weight: float
    keyword: str
    weak: bool
    short: bool  # a one-character alternative (报, 丢): see Analyzer._rule
    nested: tuple[bool, bool]  # per part: an alternative inside another (残疾, 重度残疾)


@dataclass(frozen=True, slots=True)
class Meaning:
    """Everything one phrase can mean, sorted once when the index is built."""

    singles: tuple[Entry, ...]  # whole keywords (KEYWORD, WEAK)
    weights: tuple[tuple[int, float, float, bool], ...]  # singles: matter, weight whole, not, weak
    parts: tuple[tuple[int, int], ...]  # (rule, slot) of two-part keywords
    left: frozenset[int]  # rules this phrase can open (slot 0)
    right: frozenset[int]  # rules this phrase can close (slot 1)
    cues: tuple[Entry, ...]  # everything else
    covers: bool  # a keyword or neutral phrase: hides shorter keywords inside it
    neutral: bool
    request: bool
    done: bool
    nested: bool  # a keyword inside a longer covering phrase (社保 in 社保卡): may be hidden

    @classmethod
    def of(cls, entries: list[Entry], *, nested: bool = False) -> Meaning:
        """Group a phrase's entries by what the analysis does with them."""
        unique = tuple(dict.fromkeys(entries))
        kinds = {e.kind for e in unique}
        singles = tuple(e for e in unique if e.kind in (Kind.KEYWORD, Kind.WEAK))
        return cls(
            singles=singles,
            weights=tuple(
                (
                    e.target,
                    e.weight,
                    e.weight if e.variant else e.weight * NOT_WHOLE,
                    e.kind is Kind.WEAK,
                )
                for e in singles
            ),
            parts=tuple((e.target, e.slot) for e in unique if e.kind is Kind.PART),
            left=frozenset(e.target for e in unique if e.kind is Kind.PART and e.slot == 0),
            right=frozenset(e.target for e in unique if e.kind is Kind.PART and e.slot == 1),
            cues=tuple(e for e in unique if e.kind not in _MATTER_KINDS),
            covers=bool(kinds & {Kind.KEYWORD, Kind.NEUTRAL}),
            neutral=Kind.NEUTRAL in kinds,
            request=Kind.REQUEST in kinds,
            done=Kind.DONE in kinds,
            nested=nested,
        )


Hit = tuple[int, int, str, Meaning]
"""A phrase found: start, end (text[start:end]), the phrase and all its meanings. A plain tuple,
read by unpacking: a NamedTuple's attribute access and unpacking take the slow paths."""


class _Index:
    """The phrases in a compiled Aho-Corasick automaton, stored reversed (see Lexicon.find).

    ahocorasick-rs (Rust), not pyahocorasick: that looks a character up among a node's children
    one by one, and the root has some 1,500, which made the same scans cost about twice as much.
    """

    __slots__ = ("automaton", "meanings", "phrases", "uses")

    def __init__(self, phrases: dict[str, Meaning]) -> None:
        self.phrases = list(phrases)
        self.meanings = list(phrases.values())
        # Which of Found's lists each phrase's hits go to, by phrase index, worked out once here:
        # bit 1 singles, 2 cues, 4 parts. One compact bytes object, so sorting a request's hits
        # neither builds an intermediate list nor reads three attributes of every Meaning.
        self.uses = bytes(
            (_SINGLES if m.singles else 0) | (_CUES if m.cues else 0) | (_PARTS if m.parts else 0)
            for m in self.meanings
        )
        # a contiguous NFA: a DFA scans ~20 % faster but takes 20 MiB more and 40 ms to build
        self.automaton = AhoCorasick(
            [p[::-1] for p in self.phrases],
            store_patterns=False,
            implementation=Implementation.ContiguousNFA,
        )

    def found(self, backwards: str) -> Found:
        """The phrases in a reversed text as Hits of the forward text (by start, then end),
        sorted straight into Found's lists by the precomputed `uses` of each phrase."""
        size, phrases, meanings, uses = len(backwards), self.phrases, self.meanings, self.uses
        matches = self.automaton.find_matches_as_indexes(backwards, True)
        matches.reverse()  # by start, then end, as hits() gives them
        return Found(
            [
                (size - end, size - start, phrases[index], meanings[index])
                for index, start, end in matches
                if uses[index] & _SINGLES
            ],
            [
                (size - end, size - start, phrases[index], meanings[index])
                for index, start, end in matches
                if uses[index] & _CUES
            ],
            [
                (size - end, size - start, phrases[index], meanings[index])
                for index, start, end in matches
                if uses[index] & _PARTS
            ],
        )


_SINGLES, _CUES, _PARTS = 1, 2, 4  # bits of _Index.uses


class Found:
    """The phrases of one text by use, each list by start, then end (a plain class: one per
    message)."""

    __slots__ = ("cues", "left", "parts", "right", "singles")

    def __init__(self, singles: list[Hit], cue_hits: list[Hit], parts: list[Hit]) -> None:
        self.singles = singles  # phrases that are keywords
        self.cues = cue_hits
        self.parts = parts  # parts of two-part rules
        self.left: set[int] = set()  # rules with a first part present
        self.right: set[int] = set()  # rules with a second part present
        if parts:
            self.left.update(*[h[3].left for h in parts])
            self.right.update(*[h[3].right for h in parts])

    def rule_parts(
        self, rules: set[int], sides: tuple[tuple[frozenset[str], frozenset[str]], ...]
    ) -> dict[int, tuple[list[Hit], list[Hit]]]:
        """The Hits of each of these rules' first part and of its second (`sides`: each rule's
        phrases by side, Lexicon.sides), in text order."""
        parts = self.parts
        found: dict[int, tuple[list[Hit], list[Hit]]] = {}
        for rule in rules:
            firsts, seconds = sides[rule]
            found[rule] = (
                [h for h in parts if h[2] in firsts],
                [h for h in parts if h[2] in seconds],
            )
        return found


class Lexicon:
    """Every phrase daiban looks for, indexed for a single left-to-right scan."""

    def __init__(self, catalog: Catalog) -> None:
        entries: dict[str, list[Entry]] = {}
        rules: list[Rule] = []
        owners: dict[str, set[int]] = {}
        for index, matter in enumerate(catalog):
            for word in matter.keywords:
                pattern = parse_pattern(word)
                if len(pattern.parts) == 1:
                    for alt in pattern.parts[0]:
                        owners.setdefault(alt, set()).add(index)
        for index, matter in enumerate(catalog):
            for weak, words in ((False, matter.keywords), (True, matter.weak_keywords)):
                for word in words:
                    self._add_keyword(entries, rules, owners, index, word, weak)
        for kind, phrases, weight in _CUE_LISTS:
            for phrase in phrases:
                entries.setdefault(phrase, []).append(Entry(kind, weight=weight))
        self.rules = tuple(rules)
        self.words = frozenset(
            p for p, found in entries.items() if not all(e.variant for e in found)
        )
        nested = _nested(entries)
        meanings = {p: Meaning.of(found, nested=p in nested) for p, found in entries.items()}
        self._index = _Index(meanings)
        # each rule's phrases by side (first part, second part): a rule's Hits are then picked
        # out of a request's parts by phrase, not by intersecting every hit's rule sets
        sides: list[tuple[set[str], set[str]]] = [(set(), set()) for _ in rules]
        for phrase, meaning in meanings.items():
            for rule_index, slot in meaning.parts:
                sides[rule_index][slot].add(phrase)
        self.sides = tuple((frozenset(a), frozenset(b)) for a, b in sides)

    @staticmethod
    def _add_keyword(
        entries: dict[str, list[Entry]],
        rules: list[Rule],
        owners: dict[str, set[int]],
        matter: int,
        word: str,
        weak: bool,
    ) -> None:
        """Index one catalogue keyword as a single phrase or as a two-part rule."""
        pattern = parse_pattern(word)
        if len(pattern.parts) == 1:
            kind = Kind.WEAK if weak else Kind.KEYWORD
            for alt in pattern.parts[0]:
                shared = math.sqrt(len(owners.get(alt, ())) or 1)
                weight = pattern.weight or (WEAK_WEIGHT if weak else keyword_weight(alt) / shared)
                entries.setdefault(alt, []).append(Entry(kind, matter, weight))
                for spelling in variants(alt):
                    entry = Entry(kind, matter, weight * VARIANT, variant=True)
                    entries.setdefault(spelling, []).append(entry)
            return
        rule = len(rules)
        weight = pattern.weight or (WEAK_WEIGHT if weak else RULE_WEIGHT)
        short = any(len(alt) == 1 for part in pattern.parts for alt in part)
        nested = tuple(any(a != b and a in b for a in part for b in part) for part in pattern.parts)
        rules.append(Rule(matter, weight, word.split("^")[0], weak, short, (nested[0], nested[1])))
        for slot, part in enumerate(pattern.parts):
            for alt in part:
                entries.setdefault(alt, []).append(Entry(Kind.PART, rule, weight, slot))

    def find(self, text: str) -> Found:
        """Every phrase occurrence (overlapping ones too), sorted by start, then end.

        The automaton holds the phrases reversed and scans the reversed text, so it reports them
        by start, last first, and at one start the longest first; reversing the list gives the
        order the analysis relies on (its ties go to the earlier phrase).
        """
        return self._index.found(text[::-1])

    def segmenter_words(self) -> Iterable[str]:
        """Words jieba must know so that domain words segment whole."""
        return (w for w in self.words if len(w) >= 2 and not w.isascii())


def _nested(entries: dict[str, list[Entry]]) -> frozenset[str]:
    """Keywords that occur inside a longer keyword or neutral phrase (社保 in 社保卡)."""
    singles = {p for p, found in entries.items() if any(e.kind in _SINGLE_KINDS for e in found)}
    nested = set()
    for phrase, found in entries.items():
        if any(e.kind in _COVER_KINDS for e in found):
            size = len(phrase)
            for i in range(size):
                for j in range(i + 1, size + (i > 0)):
                    if phrase[i:j] in singles:
                        nested.add(phrase[i:j])
    return frozenset(nested)


def variants(word: str) -> list[str]:
    """Spellings with a filler inside a 2-4 character Chinese keyword: 报销 → 报了销, 报个销 …"""
    if not 2 <= len(word) <= 4 or word.isascii():
        return []
    return [word[:i] + filler + word[i:] for i in range(1, len(word)) for filler in FILLERS]
