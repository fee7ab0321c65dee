"""The speed-ups answer as the plain ways do: scan order, normalisation, flags, results."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nlp.normalize
from nlp import Classification, Classifier
from nlp.classifier import _answer
from nlp.normalize import _plain, normalize

DEV_SET = Path(__file__).resolve().parent.parent / "data" / "dev_requests.jsonl"
TEXTS = [json.loads(line)["text"] for line in DEV_SET.read_text(encoding="utf-8").splitlines()]


USES = ("singles", "cues", "parts")


def brute_force(phrases: set[str], text: str) -> list[tuple[int, int, str]]:
    """Every occurrence of these phrases, by start, then end, found the slow way."""
    longest = max(map(len, phrases))
    return [
        (i, j, text[i:j])
        for i in range(len(text))
        for j in range(i + 1, min(len(text), i + longest) + 1)
        if text[i:j] in phrases
    ]


@pytest.mark.parametrize("use", USES)
def test_the_automaton_finds_every_phrase_in_start_then_end_order(
    clf: Classifier, use: str
) -> None:
    lexicon = clf._lexicon
    index = lexicon._index
    phrases = {p for p, m in zip(index.phrases, index.meanings, strict=True) if getattr(m, use)}
    for raw in TEXTS[::3] + [t + "，" + u for t, u in zip(TEXTS[::7], TEXTS[1::7], strict=False)]:
        text = normalize(raw)
        hits = getattr(lexicon.find(text), use)
        got = [(start, end, phrase) for start, end, phrase, _ in hits]
        assert got == brute_force(phrases, text), text


def test_nested_keywords_are_exactly_those_inside_a_covering_phrase(clf: Classifier) -> None:
    lexicon = clf._lexicon
    meanings = dict(zip(lexicon._index.phrases, lexicon._index.meanings, strict=True))
    inside = {
        phrase
        for cover in {p for p, m in meanings.items() if m.covers}
        for start, end, phrase, _ in lexicon.find(cover).singles
        if end - start < len(cover)
    }
    assert {p for p, m in meanings.items() if m.singles and m.nested} == inside


def test_rule_flags_match_their_alternatives(clf: Classifier) -> None:
    lexicon = clf._lexicon
    index = lexicon._index
    for number, rule in enumerate(lexicon.rules):
        parts: list[set[str]] = [set(), set()]
        for phrase, meaning in zip(index.phrases, index.meanings, strict=True):
            if number in meaning.left:
                parts[0].add(phrase)
            if number in meaning.right:
                parts[1].add(phrase)
        assert rule.short == any(len(p) == 1 for side in parts for p in side)
        for side, nested in zip(parts, rule.nested, strict=True):
            assert nested == any(a != b and a in b for a in side for b in side)


def slow_normalize(text: str) -> str:
    """normalize() with its fast path switched off."""
    fast = nlp.normalize._PLAIN
    nlp.normalize._PLAIN = re.compile("(?!)")  # never matches
    try:
        return normalize(text)
    finally:
        nlp.normalize._PLAIN = fast


def test_the_plain_text_fast_path_agrees_for_every_character() -> None:
    plain = _plain()
    for code in range(0x10000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF or not plain.fullmatch(char):
            continue
        assert normalize(char) == slow_normalize(char), hex(code)
        assert normalize(f"身{char}份") == slow_normalize(f"身{char}份"), hex(code)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("身份證证明过期了咋办AaZz09 ，。？！：；、“”—…～（）\u3000\n"),
        max_size=40,
    )
)
def test_the_plain_text_fast_path_agrees_for_any_text(text: str) -> None:
    assert normalize(text) == slow_normalize(text)


def test_answer_builds_the_same_classification(clf: Classifier) -> None:
    for text in TEXTS[:200]:
        result = clf.classify(text)
        values = [getattr(result, f.name) for f in dataclasses.fields(Classification)]
        assert _answer(*values) == Classification(*values) == result
    with pytest.raises(dataclasses.FrozenInstanceError):
        clf.classify("身份证丢了").confidence = 1.0  # type: ignore[misc]
