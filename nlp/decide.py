"""Small judgements on weighed evidence: enough to act on, a second need, a close rival, the words.

Each takes the evidence items of one matter (see nlp.evidence) so a classification groups the
items once and asks these questions without rescanning.
"""

from __future__ import annotations

from nlp.evidence import (
    BASE,
    SPANS,
    WEAK,
    WEIGHT,
    WORDS,
    Circumstance,
    Evidence,
    Item,
    combine,
    distinct,
    overlaps,
)

ACCEPT = 0.55  # a matter needs at least this score (one short keyword, whole)
ACCEPT_ASKING = 0.3  # ... or this much when the message asks for something
ALSO = 0.85  # independent evidence for a second need
SHORT = 8  # a message this short that is mostly a document's name asks about that document


def acceptable(found: Evidence, mine: list[Item], score: float, weak: bool) -> bool:
    """Enough evidence for the best matter (`weak`: all_weak(mine)): a strong word, or weak
    words in a question."""
    if score >= ACCEPT and not weak:
        return True
    if found.asking and score >= ACCEPT_ASKING:
        return True
    covered = sum(e - s for i in mine for s, e in i[SPANS])
    return len(found.text) <= SHORT and covered >= 0.6 * len(found.text)  # just "身份证"


def all_weak(items: list[Item]) -> bool:
    """Are all these items weak keywords? (A plain loop: asked of every classification.)"""
    for item in items:  # noqa: SIM110 -- a plain loop: no generator for every test
        if not item[WEAK]:
            return False
    return True


def before(items: list[Item], split: int) -> float:
    """A matter's strong evidence that lies before the split (the first of two needs)."""
    return combine([i[WEIGHT] for i in items if not i[WEAK] and i[SPANS][-1][1] <= split])


def also(groups: dict[int, list[Item]], mine: list[Item], others: list[int]) -> list[int]:
    """Further needs: matters with strong evidence of their own, away from the best one's words."""
    taken = tuple([s for i in mine for s in i[SPANS]])
    extra: list[int] = []
    for other in others:
        own = [i for i in groups[other] if not i[WEAK] and not overlaps(i[SPANS], taken)]
        if own and combine([i[BASE] for i in distinct(own)]) >= ALSO:
            extra.append(other)
            taken += tuple([s for i in own for s in i[SPANS]])
            if len(extra) == 2:
                break
    return extra


def shares(mine: list[Item], theirs: list[Item]) -> bool:
    """Do two matters rest on the same words (or only on weak ones)? Then ask, do not guess."""
    spans = tuple([s for i in mine for s in i[SPANS]])
    return all(i[WEAK] or overlaps(i[SPANS], spans) for i in theirs) or all_weak(mine)


def words(mine: list[Item], circumstances: list[Circumstance]) -> tuple[str, ...]:
    """The matched keywords in text order, then the circumstance words, without repeats."""
    if len(mine) == 1 and not circumstances:
        return mine[0][WORDS]
    ordered = sorted(mine, key=_first_start) if len(mine) > 1 else mine
    found = [w for i in ordered for w in i[WORDS]]
    if circumstances:
        found += [c[3] for c in circumstances]
    return tuple(dict.fromkeys(found))


def _first_start(item: Item) -> int:
    """Sort key: where an item's first span starts."""
    return item[SPANS][0][0]


def clamp(value: float) -> float:
    """Keep a confidence within 0..1 (rounded for stable output)."""
    return round(min(1.0, max(0.0, value)), 4)
