"""Last resort for a request no keyword caught: the matters sharing the most telling bigrams.

Each matter's profile is the character bigrams of its name, keywords and description, weighed by
how few matters use them (IDF), so 低保 or 宅基 count and 申请 or 代办 hardly do. Only used when
the message clearly asks for something; the bot then asks the villager to pick (clarify).
"""

from __future__ import annotations

import math
import re

from nlp.catalog import Catalog, parse_pattern

MIN_SCORE = 4.0  # about one bigram that only one matter uses
_HAN = re.compile(r"[\u4e00-\u9fff]+")
# Function characters: pairs with them (了吗, 有没, 不在) say nothing about the matter.
_STOP = frozenset(
    "了吗呢吧啊呀的地得个不没么啥咋怎是有在我你他她它俺咱们这那就都也还要想能会可去来说里给把被让"
)


def bigrams(text: str) -> set[str]:
    """Content character pairs inside runs of Chinese characters."""
    return {
        run[i : i + 2]
        for run in _HAN.findall(text)
        for i in range(len(run) - 1)
        if run[i] not in _STOP and run[i + 1] not in _STOP
    }


class Profiles:
    """IDF-weighted bigram profiles of every matter in a catalogue."""

    def __init__(self, catalog: Catalog) -> None:
        profiles: list[set[str]] = []
        for matter in catalog:
            words = [matter.name, matter.description]
            for keyword in (*matter.keywords, *matter.weak_keywords):
                words.extend(alt for part in parse_pattern(keyword).parts for alt in part)
            profiles.append(bigrams(" ".join(words)))
        count = len(profiles)
        frequency: dict[str, int] = {}
        for profile in profiles:
            for pair in profile:
                frequency[pair] = frequency.get(pair, 0) + 1
        self._idf = {pair: math.log(count / n) for pair, n in frequency.items()}
        self._profiles = profiles

    def rank(self, text: str) -> list[tuple[int, float]]:
        """Matters (by index) that share telling bigrams with the text, best first."""
        pairs = bigrams(text)
        scored = []
        for index, profile in enumerate(self._profiles):
            score = sum(self._idf[p] for p in pairs & profile)
            if score >= MIN_SCORE:
                scored.append((index, score))
        return sorted(scored, key=lambda item: (-item[1], item[0]))
