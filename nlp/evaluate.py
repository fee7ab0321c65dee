"""Score the classifier against a labelled set: per-mode P/R/F1, macro-F1, confusion, clarify rate.

A labelled file has one JSON object per line: {"text", "category" (a mode or null), "matter" (a
catalogue code or null)}. "null" (not a service request) is a class of its own in the scores.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlp.catalog import Mode
from nlp.classifier import Classification, Classifier

NONE = "null"
CLASSES: tuple[str, ...] = (*(m.value for m in Mode), NONE)


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled request."""

    text: str
    category: str  # a Mode value or NONE
    matter: str | None


@dataclass(slots=True)
class Report:
    """Evaluation figures for one labelled set."""

    total: int = 0
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)  # (gold, predicted)
    clarified: int = 0
    matter_right: int = 0
    matter_total: int = 0
    mistakes: list[tuple[Example, Classification]] = field(default_factory=list)

    def count(self, gold: str, predicted: str) -> int:
        """How often gold was predicted as predicted."""
        return self.confusion.get((gold, predicted), 0)

    def scores(self, label: str) -> tuple[float, float, float, int]:
        """Precision, recall, F1 and support of one class."""
        tp = self.count(label, label)
        predicted = sum(self.count(g, label) for g in CLASSES)
        support = sum(self.count(label, p) for p in CLASSES)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1, support

    def macro_f1(self) -> float:
        """Mean F1 over the classes present in the labels."""
        present = [c for c in CLASSES if self.scores(c)[3]]
        return sum(self.scores(c)[2] for c in present) / len(present) if present else 0.0

    def clarify_rate(self) -> float:
        """Share of messages answered with a clarifying question."""
        return self.clarified / self.total if self.total else 0.0

    def matter_accuracy(self) -> float:
        """Share of labelled matters named right (the best matter, clarify or not)."""
        return self.matter_right / self.matter_total if self.matter_total else 0.0


def read_examples(path: Path) -> list[Example]:
    """Read a labelled JSONL file (blank lines and lines starting with # are skipped)."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        row = json.loads(line)
        category = row.get("category")
        if category is not None and category not in {m.value for m in Mode}:
            raise ValueError(f"{path}:{number}: unknown category {category!r}")
        examples.append(Example(row["text"], category or NONE, row.get("matter")))
    return examples


def evaluate(classifier: Classifier, examples: Iterable[Example]) -> Report:
    """Classify every example and collect the figures."""
    report = Report()
    for example in examples:
        result = classifier.classify(example.text)
        predicted = result.category.value if result.category else NONE
        key = (example.category, predicted)
        report.confusion[key] = report.confusion.get(key, 0) + 1
        report.total += 1
        report.clarified += result.clarify
        if example.matter is not None:
            report.matter_total += 1
            report.matter_right += bool(result.matter and result.matter.code == example.matter)
        if predicted != example.category or (
            example.matter and (result.matter is None or result.matter.code != example.matter)
        ):
            report.mistakes.append((example, result))
    return report


def render(report: Report, classes: Sequence[str] = CLASSES) -> str:
    """The report as a plain-text table."""
    lines = [f"{'class':<8}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}"]
    for label in classes:
        p, r, f1, n = report.scores(label)
        lines.append(f"{label:<8}{p:>7.3f}{r:>7.3f}{f1:>7.3f}{n:>6}")
    lines.append(f"macro-F1 {report.macro_f1():.3f}   examples {report.total}")
    lines.append(
        f"clarify rate {report.clarify_rate():.3f}   matter accuracy {report.matter_accuracy():.3f}"
    )
    lines.append("")
    lines.append("confusion (rows: gold, columns: predicted)")
    lines.append(" " * 8 + "".join(f"{c:>8}" for c in classes))
    for gold in classes:
        lines.append(f"{gold:<8}" + "".join(f"{report.count(gold, p):>8}" for p in classes))
    return "\n".join(lines)
