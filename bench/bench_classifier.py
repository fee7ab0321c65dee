"""Print the classifier's speed: classifications per second on one core, cold start, memory.

    .venv/bin/python bench/bench_classifier.py [--seconds 3] [--runs 5] [--no-cache]

Throughput classifies the dev-set requests of 24-40 characters (27 on average) in a loop, pinned to
one core, and reports the best of several runs (the machine is shared, so the best run is the
least disturbed one). The classifier keeps no results; its only cache is jieba's word edges per
clause, which --no-cache empties before every request, as if every text were new. Cold start
spawns a fresh `python -c` that imports nlp, loads the catalogue and classifies one request; it
reports the wall time from spawn to the answer and the process's resident memory (VmRSS) at that
point, for a first run that builds jieba's cache and for runs that reuse it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp import Classifier  # noqa: E402

DEV_SET = ROOT / "tests" / "data" / "dev_requests.jsonl"
CHILD = """
import time
t0 = time.perf_counter()
from nlp import Classifier
c = Classifier.load()
r = c.classify("俺爹住院的钱能报不，我在外地打工")
t1 = time.perf_counter()
rss = next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmRSS"))
print(f"{t1 - t0:.4f} {rss} {r.category}")
"""


def requests(low: int = 24, high: int = 40) -> list[str]:
    """Dev-set requests of about 30 characters."""
    rows = (json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines())
    return [row["text"] for row in rows if low <= len(row["text"]) <= high]


def throughput(
    texts: list[str], seconds: float, runs: int, cache: bool = True
) -> tuple[float, float]:
    """Best-of-runs classifications per second, and the median over runs."""
    classifier = Classifier.load()
    classifier.warm_up()
    clauses = classifier._segmenter._cuts  # jieba's word edges by clause
    rates = []
    for _ in range(runs):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for text in texts:
                if not cache:
                    clauses.clear()
                classifier.classify(text)
            done += len(texts)
        rates.append(done / (time.perf_counter() - start))
    return max(rates), statistics.median(rates)


def cold_start(cache: str) -> tuple[float, float, int]:
    """Spawn-to-answer wall time, the child's own import-to-answer time, and its RSS in KiB."""
    env = dict(os.environ, DAIBAN_CACHE_DIR=cache, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    inner, rss, _ = out.stdout.split()
    return wall, float(inner), int(rss)


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print them with the machine they ran on."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one timed run")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (best and median shown)")
    parser.add_argument(
        "--no-cache", action="store_true", help="empty jieba's clause cache before every request"
    )
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts = requests()
    mean = sum(map(len, texts)) / len(texts)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    best, median = throughput(texts, args.seconds, args.runs, cache=not args.no_cache)
    cached = ", no cache" if args.no_cache else ""
    print(
        f"throughput{cached}: {best:,.0f} classifications/s on one core (median of {args.runs} runs"
    )
    print(f"  {median:,.0f}/s; {len(texts)} dev requests of {mean:.0f} characters on average)")
    with tempfile.TemporaryDirectory() as cache:
        first = cold_start(cache)
        warm = [cold_start(cache) for _ in range(5)]
    first_rss = first[2] / 1024
    print(f"cold start, first run (builds jieba's cache): {first[0]:.2f} s wall,", end=" ")
    print(f"RSS {first_rss:.0f} MiB")
    walls = sorted(w for w, _, _ in warm)
    inner = statistics.median(i for _, i, _ in warm)
    rss = statistics.median(r for _, _, r in warm) / 1024
    print(
        f"cold start, cache reused: median {statistics.median(walls):.2f} s wall from spawn to the"
    )
    print(f"  first answer ({inner:.2f} s after the interpreter started); RSS {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
