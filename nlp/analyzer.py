"""Weigh the phrases found in a request: evidence for matters, circumstances, and intent.

Weighing, in order: a keyword's own weight (longer is more specific, shared ones count less); half
if jieba would not keep it a whole word (证明 in 保证明天); nothing if negated (不是报销); less in
a clause that only names a purpose (…过户要) or after 顺便/另外 (the first need named stays the
main one); a little more in a sentence that asks for something. This runs for every message, so
it makes one pass over the phrases found, keeps its loops plain and reads hits (plain tuples:
start, end, phrase, meaning) by unpacking; the per-text questions live in nlp.weigher.
"""

from __future__ import annotations

from bisect import bisect_right

from nlp import cues
from nlp.evidence import Evidence, Item
from nlp.matching import NOT_WHOLE, RULE_SPAN, Hit, Kind, Lexicon
from nlp.segment import Segmenter
from nlp.weigher import Weigher, any_within

SINGLE_CHAR_PART = 0.8  # a rule matched through a one-character part (报, 丢) is less certain
BORROWED_PART = 0.75  # a rule part inside another matter's longer keyword (助学 in 助学贷款)
_KEYWORD, _AWAY = Kind.KEYWORD, Kind.AWAY  # bound once: `Kind.X` is a slow look-up


class Analyzer:
    """Finds and weighs evidence; shared by classify() and resolve()."""

    def __init__(self, lexicon: Lexicon, segmenter: Segmenter) -> None:
        self.lexicon = lexicon
        self.segmenter = segmenter
        self._rules = lexicon.rules
        self._sides = lexicon.sides
        self._pairs: frozenset[str] | None = None  # the segmenter's, once it is loaded

    def analyze(self, text: str) -> Evidence:
        """Scan once, sort the phrases found, then weigh every matter keyword and rule."""
        found = Evidence(text)
        pairs = self._pairs
        if pairs is None:
            pairs = self._pairs = self.segmenter.crossing_pairs()
        weigh = Weigher(self.segmenter, text, pairs)
        phrases = self.lexicon.find(text)
        singles = phrases.singles
        for hit in singles:  # 社保 inside 社保卡, 身份证 inside 身份证号: no keyword of its own
            if hit[3].nested:  # only these can be (see Lexicon)
                singles = _uncovered(singles, phrases.cues)
                break
        if phrases.cues:
            weigh.read_cues(found, phrases.cues)
        if "在" in text:
            for place in cues.AWAY_RE.finditer(text):
                found.circumstances.append((_AWAY, place.start(), place.end(), place.group()))
        for question in cues.QUESTION_END_RE.finditer(text):
            weigh.asking.add(bisect_right(weigh.sentences, question.start()))
        found.asking = bool(weigh.asking)
        items, negators, factors = found.items, weigh.negators, weigh.factors
        away: list[tuple[int, int]] = []
        if found.circumstances:  # negated, past, undone (回来了) … are dropped here
            found.circumstances = weigh.circumstances(found.circumstances)
            away = [(c[1], c[2]) for c in found.circumstances if c[0] is _AWAY]
        for start, end, phrase, meaning in singles:
            if negators and weigh.negated(start):
                continue
            whole = (  # the first test of weigh.whole, here: most keywords pass it
                end - start != 2
                or (
                    text[start - 1 : start + 1] not in pairs
                    and text[end - 1 : end + 1] not in pairs
                )
                or weigh.whole(start, end)
            )
            full, base = factors(start)
            span, said = ((start, end),), (phrase,)
            # a weak word in 在外地打工 (打工) says where the writer is, not what is asked
            where = _inside(start, end, away) if away else False
            for target, kept, halved, weak in meaning.weights:
                if weak and where:
                    continue
                factor = kept if whole else halved
                items.append((target, factor * full, factor * base, span, said, weak))
        rules = phrases.left & phrases.right
        if rules:
            keywords = [
                (start, end, e.target)
                for start, end, _, meaning in singles
                for e in meaning.singles
                if e.kind is _KEYWORD
            ]
            parts = phrases.rule_parts(rules, self._sides)
            for rule_index in rules:
                item = self._rule(rule_index, parts[rule_index], singles, keywords, weigh)
                if item is not None:
                    items.append(item)
        found.split = min(weigh.openers) if weigh.openers else None
        return found

    def _rule(
        self,
        rule_index: int,
        parts: tuple[list[Hit], list[Hit]],
        singles: list[Hit],
        keywords: list[tuple[int, int, int]],
        weigh: Weigher,
    ) -> Item | None:
        """The evidence of one two-part rule whose parts both occur, or None."""
        rule = self._rules[rule_index]
        firsts, seconds = parts
        if rule.nested[0] and len(firsts) > 1:
            firsts = _outermost(firsts)
        if rule.nested[1] and len(seconds) > 1:
            seconds = _outermost(seconds)
        matter = rule.matter
        # 补 in 补贴, 报 in 报名: a character of another word is no part (no keywords: none is)
        if rule.short and singles:
            firsts = _own_parts(firsts, singles, matter)
            seconds = _own_parts(seconds, singles, matter)
        if weigh.denials:  # 不是贷款: a denied part is no part
            firsts = [h for h in firsts if not weigh.negated(h[0], denied=True)]
            seconds = [h for h in seconds if not weigh.negated(h[0], denied=True)]
        pair = _closest(firsts, seconds, weigh.sentences, weigh.openers)
        if pair is None:
            return None
        if weigh.negators and weigh.negated(pair[0][0]) and weigh.negated(pair[1][0]):
            return None
        a, b = pair if pair[0][0] < pair[1][0] else (pair[1], pair[0])
        a_start, a_end, a_phrase, _ = a
        b_start, b_end, b_phrase, _ = b
        weight = rule.weight
        short = [part for part in pair if part[1] - part[0] == 1] if rule.short else None
        if short:
            for part in short:
                if not _within(part, keywords, matter, strictly=False):
                    weight *= SINGLE_CHAR_PART  # 漏 alone; inside its own 漏雨 it is fine
                    break
        if keywords and (
            _within(a, keywords, matter, strictly=True)
            or _within(b, keywords, matter, strictly=True)
        ):
            weight *= BORROWED_PART
        if not (weigh.whole(a_start, a_end) and weigh.whole(b_start, b_end)):
            weight *= NOT_WHOLE
        full, base = weigh.factors(a_start)
        spans = ((a_start, a_end), (b_start, b_end))
        said = (a_phrase, b_phrase)
        return (matter, weight * full, weight * base, spans, said, rule.weak)


def _uncovered(singles: list[Hit], cue_hits: list[Hit]) -> list[Hit]:
    """The keywords not strictly inside a longer keyword or neutral phrase found here."""
    covers = [(h[0], h[1]) for h in singles if h[3].covers]
    covers += [(h[0], h[1]) for h in cue_hits if h[3].neutral]
    kept = []
    for hit in singles:
        if hit[3].nested:
            start, end = hit[0], hit[1]
            for s, e in covers:
                if s <= start and end <= e and e - s > end - start:
                    break
            else:
                kept.append(hit)
        else:
            kept.append(hit)
    return kept


def _part_of_word(hit: Hit, singles: list[Hit], matter: int) -> bool:
    """Is a one-character hit inside another matter's keyword (补 in 补贴)? 塌了 is still 塌."""
    start, end = hit[0], hit[1]
    for o_start, o_end, phrase, meaning in singles:
        if o_start <= start and end <= o_end and len(phrase.rstrip("了")) > 1:
            if end == o_end and phrase[-2:-1] == "的":
                continue  # 钱 in 住院的钱 is still the money: the head of the phrase
            return not any(e.target == matter for e in meaning.singles)
    return False


def _own_parts(hits: list[Hit], singles: list[Hit], matter: int) -> list[Hit]:
    """A rule part's occurrences without the one-character ones inside another word."""
    return [h for h in hits if h[1] - h[0] > 1 or not _part_of_word(h, singles, matter)]


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Is text[start:end] inside one of the spans?"""
    for s, e in spans:  # noqa: SIM110 -- a plain loop: no generator for every test
        if s <= start and end <= e:
            return True
    return False


def _within(hit: Hit, keywords: list[tuple[int, int, int]], matter: int, *, strictly: bool) -> bool:
    """Inside its own matter's keyword (strictly=False), or strictly inside another matter's."""
    start, end = hit[0], hit[1]
    for s, e, m in keywords:
        if s <= start and end <= e:
            if not strictly and m == matter:
                return True
            if strictly and m != matter and e - s > end - start:
                return True
    return False


def _outermost(hits: list[Hit]) -> list[Hit]:
    """Occurrences of a rule part not inside a longer one of the same part (残疾 in 重度残疾)."""
    kept = []
    for hit in hits:
        start, end = hit[0], hit[1]
        for other in hits:
            if other[0] <= start and end <= other[1] and other[1] - other[0] > end - start:
                break
        else:
            kept.append(hit)
    return kept


def _closest(
    left: list[Hit], right: list[Hit], sentences: list[int], openers: list[int]
) -> tuple[Hit, Hit] | None:
    """The nearest pair of a rule's parts in one sentence and one need (no 还有 between them)."""
    best: tuple[Hit, Hit] | None = None
    distance = RULE_SPAN + 1
    one_sentence = len(sentences) == 1
    for a in left:
        a_start, a_end = a[0], a[1]
        for b in right:
            b_start = b[0]
            lo, hi = (a_start, b_start) if a_start < b_start else (b_start, a_start)
            if hi - lo >= distance or (a_start < b[1] and b_start < a_end):
                continue
            if openers and any_within(openers, lo + 1, hi - 1):
                continue
            if one_sentence or bisect_right(sentences, a_start) == bisect_right(sentences, b_start):
                best, distance = (a, b), hi - lo
    return best
