"""Evidence found in one request, and how a matter's pieces of evidence add up to a score.

A matter's keywords add up with diminishing returns, and the same characters never count twice
for one matter (住院+报 and 报销 share 报), so a long story does not pile up score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import Final

from nlp.matching import Kind

Circumstance = tuple[Kind, int, int, str]  # kind, start, end, the words


Item = tuple[int, float, float, tuple[tuple[int, int], ...], tuple[str, ...], bool]
"""One piece of evidence for a matter, read through the indexes below: the matter, its weight
with every factor, its base weight (without the after-顺便 discount: used to judge a second need
on its own), the spans and words found, and whether they are weak keywords. A plain tuple: a
NamedTuple's attribute access takes the slow path, and items are read in every decision."""
MATTER: Final = 0
WEIGHT: Final = 1
BASE: Final = 2
SPANS: Final = 3
WORDS: Final = 4
WEAK: Final = 5


@dataclass(slots=True)
class Evidence:
    """Everything found in one normalised text."""

    text: str
    items: list[Item] = field(default_factory=list)
    circumstances: list[Circumstance] = field(default_factory=list)
    asking: bool = False
    spam: float = 0.0
    complaint: bool = False
    done: bool = False
    chatter: bool = False  # small talk: weather, invitations, greetings
    split: int | None = None  # where a second need begins (a clause opening with 还有, 另外 …)

    def groups(self) -> dict[int, list[Item]]:
        """Items by matter."""
        grouped: dict[int, list[Item]] = {}
        for item in self.items:
            found = grouped.get(item[MATTER])
            if found is None:
                grouped[item[MATTER]] = [item]
            else:
                found.append(item)
        return grouped


_WEIGHT = itemgetter(WEIGHT)  # sort key, without a Python-level call per item


def score(items: list[Item]) -> float:
    """A matter's score from its distinct pieces of evidence."""
    if len(items) == 1:
        return items[0][WEIGHT]
    total, share = 0.0, 1.0  # combine(), without sorting again: distinct() sorts by weight
    for item in distinct(items):
        total += item[WEIGHT] * share
        share *= 0.5
    return total


def distinct(items: list[Item]) -> list[Item]:
    """The heaviest items whose characters do not overlap (住院+报 and 报销 share 报)."""
    if len(items) == 1:
        return items
    kept: list[Item] = []
    for item in sorted(items, key=_WEIGHT, reverse=True):
        spans = item[SPANS]
        for other in kept:
            if overlaps(spans, other[SPANS]):
                break
        else:
            kept.append(item)
    return kept


def overlaps(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> bool:
    """Do any spans of a overlap any spans of b?"""
    for s, e in a:
        for s2, e2 in b:
            if s < e2 and s2 < e:
                return True
    return False


def combine(weights: list[float]) -> float:
    """Sum with diminishing returns (1, ½, ¼ …) so long stories do not pile up score."""
    if len(weights) < 2:
        return weights[0] if weights else 0.0
    total, share = 0.0, 1.0
    for weight in sorted(weights, reverse=True):
        total += weight * share
        share *= 0.5
    return total
