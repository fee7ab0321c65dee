"""Sort a villager's words into a handling mode and a matter, and know when it does not know.

    text ─ normalise ─ scan ─ weigh ─┬─ spam / done / complaint, nothing asked ─▶ category None
                                     ├─ small talk (天气, 喝喜酒) on weak words only ─▶ None
                                     ├─ no matter, asks for a visit or call ─▶ 流动办, no matter
                                     ├─ top matters close, on the same words ─▶ clarify (buttons)
                                     └─ best matter (+ further needs in `also`)
                                          └─ mode: the matter's default, or 流动办 by circumstance

The 流动办 rule: whoever cannot come in gets a call or a visit, whatever the matter's default.
It counts (1) an outright request for a visit or a call (上门, 来家里, 给我回个电话) anywhere in
the message; (2) someone cannot come (去不了, 出不了门, 走不开) or is away (在外打工, 回不来);
(3) the bedridden body or solitude (卧床, 瘫痪, 独居) of the writer (俺瘫了), or of the person
the matter is for when that person has to take part — `person_bound` in the catalogue (刷脸认证,
照相, 签字; every 领着办 matter). (2) and (3) must sit within 40 characters of the matter's words
(its last words in a story over 80 characters), and nothing counts if negated (不用上门), past
(以前在外打工), undone (现在回来了) or the matter's own word (孤老 for 五保). Matters marked
`in_person` (marriage, divorce, a new marriage certificate: both people before the registrar, no
home service) keep 领着办 and only report the circumstance. So "我儿子在外打工，他的身份证丢了" is
流动办, while "俺家的情况能申请低保吗，老伴瘫了" stays 代着办: the husband's illness is why his
wife asks, and she can come.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, fields

from nlp.analyzer import Analyzer
from nlp.catalog import Catalog, Matter, Mode, load_catalog
from nlp.decide import ACCEPT, acceptable, all_weak, also, before, clamp, shares, words
from nlp.evidence import SPANS, WEIGHT, Circumstance, Evidence, Item, score
from nlp.fallback import Profiles
from nlp.matching import Kind, Lexicon
from nlp.normalize import normalize, t2s_table
from nlp.segment import Segmenter

CLOSE = 0.8  # a runner-up this close to the best, on the same words, means: ask
SPAM = 1.0
NEAR = 40  # circumstance to matter words, in characters
LONG = 80  # in a longer story only circumstances near the last matter words (the ask) count
GUESS_CLOSE = 0.7  # bigram guesses this close to the best are offered as buttons too
# Enum members bound once: `Mode.X` and `Kind.X` are slow class-attribute look-ups
_MOBILE, _ASK, _FRAIL, _ALONE = Mode.MOBILE, Kind.ASK, Kind.FRAIL, Kind.ALONE


@dataclass(frozen=True, slots=True)
class Classification:
    """The classifier's answer for one message (see the module docstring for the flow)."""

    text: str
    category: Mode | None
    matter: Matter | None
    confidence: float
    keywords: tuple[str, ...]
    clarify: bool
    alternatives: tuple[Matter, ...]
    also: tuple[Matter, ...] = ()
    circumstances: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The `daiban classify --jsonl` object: matter and alternatives by name."""
        return {
            "text": self.text,
            "category": self.category.value if self.category else None,
            "matter": self.matter.name if self.matter else None,
            "confidence": round(self.confidence, 3),
            "keywords": list(self.keywords),
            "clarify": self.clarify,
            "alternatives": [m.name for m in self.alternatives],
        }


_FIELDS = [Classification.__dict__[f.name].__set__ for f in fields(Classification)]
_SET_TEXT, _SET_CATEGORY, _SET_MATTER, _SET_CONFIDENCE, _SET_KEYWORDS = _FIELDS[:5]
_SET_CLARIFY, _SET_ALTERNATIVES, _SET_ALSO, _SET_CIRCUMSTANCES = _FIELDS[5:]
_NEW_OBJECT = object.__new__


def _answer(
    text: str,
    category: Mode | None,
    matter: Matter | None,
    confidence: float,
    keywords: tuple[str, ...],
    clarify: bool,
    alternatives: tuple[Matter, ...],
    also: tuple[Matter, ...] = (),
    circumstances: tuple[str, ...] = (),
) -> Classification:
    """Classification(...) without the frozen dataclass __init__, whose object.__setattr__ per
    field costs ~3 µs, a tenth of a classification; the result is the same object."""
    answer: Classification = _NEW_OBJECT(Classification)
    _SET_TEXT(answer, text)
    _SET_CATEGORY(answer, category)
    _SET_MATTER(answer, matter)
    _SET_CONFIDENCE(answer, confidence)
    _SET_KEYWORDS(answer, keywords)
    _SET_CLARIFY(answer, clarify)
    _SET_ALTERNATIVES(answer, alternatives)
    _SET_ALSO(answer, also)
    _SET_CIRCUMSTANCES(answer, circumstances)
    return answer


class Classifier:
    """Text in, Classification out; pure, thread-safe, and never raises for a str."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._matters = tuple(catalog)
        self._lexicon = Lexicon(catalog)
        self._segmenter = Segmenter(self._lexicon.segmenter_words())
        self._analyzer = Analyzer(self._lexicon, self._segmenter)
        self._profiles = Profiles(catalog)
        self._warm = threading.Event()

    @classmethod
    def load(cls, catalog_path: str | os.PathLike[str] | None = None) -> Classifier:
        """Load and check the catalogue (None: the shipped one), then build the classifier."""
        return cls(load_catalog(catalog_path))

    def warm_up(self) -> None:
        """Load jieba's dictionary and the character tables now, not on the first request."""
        if not self._warm.is_set():
            t2s_table()
            self._segmenter.ready()
            self.classify("身份证丢了咋补办")
            self._warm.set()

    def classify(self, text: str) -> Classification:
        """Classify one message; a non-str is rejected with TypeError, any str gets a result."""
        if not isinstance(text, str):
            raise TypeError(f"classify() needs a str, not {type(text).__name__}")
        found = self._analyzer.analyze(normalize(text))
        groups = found.groups()
        if len(groups) > 1:
            scores = {m: score(items) for m, items in groups.items()}
            ranked = sorted(scores, key=lambda m: (-scores[m], m))
            if found.split is not None:  # two needs: the first named is the main
                first = [m for m in ranked if before(groups[m], found.split) >= ACCEPT]
                ranked = first[:1] + [m for m in ranked if m not in first[:1]]
            best: int | None = ranked[0]
            top = scores[ranked[0]]
        elif groups:
            [(best, items)] = groups.items()
            top = items[0][WEIGHT] if len(items) == 1 else score(items)
        else:
            best, top = None, 0.0
        if found.spam >= SPAM and found.spam >= top:
            return self._none(text, min(0.99, 0.6 + 0.2 * found.spam))
        if best is not None and (found.done or found.complaint) and not found.asking:
            return self._none(text, 0.6)
        if best is None:
            return self._no_matter(text, found)
        mine = groups[best]
        weak = all_weak(mine)
        if weak and found.chatter:  # 俺娃下个月结婚，来喝喜酒: small talk naming a matter
            return self._none(text, 0.6)
        if not acceptable(found, mine, top, weak):
            return self._no_matter(text, found)
        more: list[int] = []
        rivals: list[int] = []
        close: list[int] = []
        if len(groups) > 1:
            more = also(groups, mine, ranked[1:])
            rivals = [m for m in ranked[1:] if m not in more]
            close = [m for m in rivals if scores[m] >= CLOSE * top and shares(mine, groups[m])]
        matter = self._matters[best]
        circumstances = self._circumstances(found, best, mine) if found.circumstances else []
        mode = _MOBILE if circumstances and not matter.in_person else matter.mode
        confidence = top / (top + (scores[rivals[0]] if rivals else 0.0) + 0.4)
        if weak:
            confidence *= 0.7
        alternatives: tuple[int, ...] = ()
        if close:
            alternatives = (best, *close[:2])
            confidence *= 0.8
        elif rivals:
            alternatives = tuple([m for m in rivals[:2] if scores[m] >= 0.5 * top])
        matters = self._matters
        return _answer(
            text,
            mode,
            matter,
            clamp(confidence),
            words(mine, circumstances),
            bool(close),
            tuple([matters[m] for m in alternatives]) if alternatives else (),
            tuple([matters[m] for m in more]) if more else (),
            tuple([c[3] for c in circumstances]) if circumstances else (),
        )

    def resolve(self, text: str, matter_code: str) -> Classification:
        """The villager picked a matter from the clarify buttons: that matter, its mode by rule."""
        matter = self.catalog.get(matter_code)
        if matter is None:
            raise KeyError(matter_code)
        index = self._matters.index(matter)
        found = self._analyzer.analyze(normalize(text if isinstance(text, str) else ""))
        mine = found.groups().get(index, [])
        circumstances = self._circumstances(found, index, mine, anywhere=True)
        mode = Mode.MOBILE if circumstances and not matter.in_person else matter.mode
        return Classification(
            text=text,
            category=mode,
            matter=matter,
            confidence=1.0,
            keywords=words(mine, circumstances),
            clarify=False,
            alternatives=(),
            circumstances=tuple(c[3] for c in circumstances),
        )

    def _no_matter(self, text: str, found: Evidence) -> Classification:
        """No keyword matter: guess from shared bigrams and ask, or a plain visit/call request."""
        if found.spam or found.complaint or found.done or found.chatter:
            return self._none(text, 0.6)
        ranked = self._profiles.rank(found.text) if found.asking else []
        if ranked:
            return self._guess(text, found, ranked)
        live = [c for c in found.circumstances if c[0] is _ASK]
        if not live and found.asking:
            live = list(found.circumstances)
        if not live:
            return self._none(text, 0.9 if not found.items else 0.6)
        return Classification(
            text=text,
            category=Mode.MOBILE,
            matter=None,
            confidence=0.5,
            keywords=tuple(c[3] for c in live),
            clarify=False,
            alternatives=(),
            circumstances=tuple(c[3] for c in live),
        )

    def _guess(self, text: str, found: Evidence, ranked: list[tuple[int, float]]) -> Classification:
        """A request only the bigram fallback recognises: best guess; ask when others are close."""
        best, top = ranked[0]
        close = [m for m, score in ranked[1:3] if score >= GUESS_CLOSE * top]
        matter = self._matters[best]
        circumstances = self._circumstances(found, best, [], anywhere=True)
        mode = Mode.MOBILE if circumstances and not matter.in_person else matter.mode
        return Classification(
            text=text,
            category=mode,
            matter=matter,
            confidence=0.25 if close else 0.35,
            keywords=tuple(c[3] for c in circumstances),
            clarify=bool(close),
            alternatives=tuple(self._matters[m] for m in (best, *close)) if close else (),
            circumstances=tuple(c[3] for c in circumstances),
        )

    def _circumstances(
        self, found: Evidence, best: int, mine: list[Item], *, anywhere: bool = False
    ) -> list[Circumstance]:
        """Circumstances that apply to this matter (see the 流动办 rule in the module docstring)."""
        if not found.circumstances:
            return []
        spans = [s for i in mine for s in i[SPANS]]
        last = [max(spans)] if len(found.text) > LONG and spans else spans
        bound = self._matters[best].person_bound
        applied = []
        for circ in found.circumstances:
            kind, start, end = circ[0], circ[1], circ[2]
            if _overlaps(start, end, spans):
                continue  # the matter's own word (孤老 for 五保) is not a circumstance
            if (kind is _FRAIL or kind is _ALONE) and not bound:
                continue  # 老伴瘫了 explains why a wife asks for 低保; she can still come
            if anywhere or kind is _ASK or not spans or _near(start, end, last):
                applied.append(circ)
        if len(applied) < 2:
            return applied
        return sorted(set(applied), key=_start)

    def _none(self, text: str, confidence: float) -> Classification:
        """Not a service request: greeting, thanks, chatter, spam or complaint."""
        return _answer(text, None, None, clamp(confidence), (), False, ())


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Does text[start:end] overlap any of the spans?"""
    for s, e in spans:  # noqa: SIM110 -- a plain loop: no generator for every test
        if s < end and start < e:
            return True
    return False


def _near(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Is text[start:end] within NEAR characters of one of the spans?"""
    for s, e in spans:  # noqa: SIM110 -- a plain loop: no generator for every test
        if max(0, s - end, start - e) <= NEAR:
            return True
    return False


def _start(circ: Circumstance) -> int:
    """Sort key: where a circumstance starts."""
    return circ[1]
