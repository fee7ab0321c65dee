"""Accuracy on the labelled development set (a quality bar, not a timing test)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from nlp import Classifier, load_catalog
from nlp.evaluate import CLASSES, NONE, evaluate, read_examples, render

DEV_SET = Path(__file__).resolve().parent.parent / "data" / "dev_requests.jsonl"


def test_dev_set_is_large_varied_and_labelled_with_real_codes() -> None:
    examples = read_examples(DEV_SET)
    assert len(examples) >= 400
    counts = Counter(e.category for e in examples)
    assert set(counts) == set(CLASSES)
    assert min(counts.values()) >= 60
    codes = {m.code for m in load_catalog()}
    assert {e.matter for e in examples if e.matter} <= codes
    assert all(e.matter is None for e in examples if e.category == NONE)
    assert len({e.text for e in examples}) == len(examples)


def test_macro_f1_on_the_dev_set(clf: Classifier) -> None:
    report = evaluate(clf, read_examples(DEV_SET))
    assert report.macro_f1() >= 0.93, render(report)
    assert report.matter_accuracy() >= 0.9, render(report)
    assert report.clarify_rate() <= 0.1, render(report)
