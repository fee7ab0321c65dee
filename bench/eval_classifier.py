"""Print the classifier's accuracy on a labelled set: per-class P/R/F1, macro-F1, confusion.

.venv/bin/python bench/eval_classifier.py                      # the dev set
.venv/bin/python bench/eval_classifier.py --data held_out.jsonl --errors
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp import Classifier, mask_pii  # noqa: E402
from nlp.evaluate import evaluate, read_examples, render  # noqa: E402

DEV_SET = ROOT / "tests" / "data" / "dev_requests.jsonl"


def main(argv: list[str] | None = None) -> int:
    """Evaluate and print; --errors also lists every misclassified request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEV_SET, help="labelled JSONL file")
    parser.add_argument("--catalog", type=Path, default=None, help="catalogue TOML file")
    parser.add_argument("--errors", action="store_true", help="list the misclassified requests")
    args = parser.parse_args(argv)
    classifier = Classifier.load(args.catalog)
    classifier.warm_up()
    report = evaluate(classifier, read_examples(args.data))
    print(f"data: {args.data}")
    print(render(report))
    if args.errors:
        print("\nmistakes (gold → predicted):")
        for example, result in report.mistakes:
            got = result.category.value if result.category else "null"
            matter = result.matter.code if result.matter else "-"
            flag = " ?" if result.clarify else ""
            print(
                f"  {example.category}/{example.matter or '-'} → {got}/{matter}{flag}  "
                f"{mask_pii(example.text)[:60]}  {list(result.keywords)}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
