"""`daiban classify`: try the classifier by hand (readable Chinese) or in bulk (--jsonl).

    daiban classify 俺爹住院的钱能报不 身份證過期了
    daiban classify --jsonl < requests.txt > results.jsonl

Human output masks ID and phone numbers; --jsonl echoes each input line as given (it is the
caller's own data) unless --mask is set.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from nlp.catalog import DEFAULT_CATALOG_PATH, CatalogError, Mode
from nlp.classifier import Classification, Classifier
from nlp.normalize import mask_pii

MODE_EXPLAINED = {
    Mode.IMMEDIATE: "马上办：代办员在便民服务点当场就能办好",
    Mode.PROXY: "代着办：代办员收齐材料，替您到乡镇便民服务中心去办",
    Mode.GUIDED: "领着办：需要您本人到场，代办员帮您准备材料、领着您去办",
    Mode.MOBILE: "流动办：代办员打电话或上门来办，您不用跑",
}
LEVEL_NAMES = {"village": "村里", "township": "乡镇", "county": "县里"}
_LINE_BREAKS = (("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
_LOADED: dict[tuple[str, int], Classifier] = {}


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as exit code 2 without leaving the process."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(Exception):
    """A command-line mistake (exit code 2)."""


def parser() -> argparse.ArgumentParser:
    """The classify command's arguments."""
    top = _Parser(
        prog="daiban classify",
        description="试分类：说出要办的事，看看归哪种办法、哪个事项、带什么材料。",
    )
    top.add_argument("text", nargs="*", help="一条或几条村民的话 / one or more requests")
    top.add_argument("--jsonl", action="store_true", help="read one request per line on stdin")
    top.add_argument("--catalog", metavar="PATH", help="catalogue TOML (default: DAIBAN_CATALOG)")
    top.add_argument("--mask", action="store_true", help="--jsonl: mask ID and phone numbers")
    return top


def run(argv: Sequence[str], stdin: TextIO, stdout: TextIO, catalog_path: str | None = None) -> int:
    """Run `daiban classify`; 0 on success, 1 for a broken catalogue, 2 for a usage error."""
    try:
        args = parser().parse_args(list(argv))
    except _UsageError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if not args.jsonl and not args.text:
        sys.stderr.write(
            "daiban classify: 请给出要分类的话，或用 --jsonl 从标准输入读 / give TEXT\n"
        )
        return 2
    try:
        classifier = _classifier(args.catalog or catalog_path)
    except CatalogError as exc:
        more = f"（还有 {len(exc.problems) - 1} 处）" if len(exc.problems) > 1 else ""
        sys.stderr.write(f"事项目录有误 / catalogue error: {exc.path}: {exc.problems[0]}{more}\n")
        return 1
    if args.jsonl:
        for line in stdin:
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            row = classifier.classify(text).to_json()
            if args.mask:
                row["text"] = mask_pii(text)
            stdout.write(_one_line(json.dumps(row, ensure_ascii=False)) + "\n")
        return 0
    for number, text in enumerate(args.text):
        if number:
            stdout.write("\n")
        stdout.write(_safe(explain(classifier.classify(text))) + "\n")
    return 0


def explain(result: Classification) -> str:
    """A readable Chinese explanation of one result (personal numbers masked)."""
    lines = [f"原话：{mask_pii(result.text)}"]
    if result.category is None:
        lines.append("结果：这不像要办事（问候、感谢、闲聊、广告或意见），不建工单。")
        lines.append("提示：有事请直接说要办什么，比如“身份证过期了要换”“俺爹住院的钱能报不”。")
        lines.append(f"把握：{result.confidence:.2f}")
        return "\n".join(lines)
    lines.append(f"办法：{MODE_EXPLAINED[result.category]}")
    matter = result.matter
    if matter is None:
        lines.append("事项：没听出具体事项，请代办员先打电话问清楚。")
    else:
        where = LEVEL_NAMES.get(matter.level.value, matter.level.value)
        lines.append(
            f"事项：{matter.name}（{where}办理，限时办结 {matter.time_limit_days} 个工作日）"
        )
        lines.append(f"说明：{matter.description}")
    lines.append(f"把握：{result.confidence:.2f}")
    if result.keywords:
        lines.append(f"依据：{'、'.join(result.keywords)}")
    if result.circumstances:
        lines.append(f"情况：{'、'.join(result.circumstances)}")
    if result.clarify and result.alternatives:
        choices = " ".join(f"{n}) {m.name}" for n, m in enumerate(result.alternatives, 1))
        lines.append(f"要问一句：您要办的是哪一件？{choices}")
    elif matter is not None:
        lines.append("一次告知，请准备：")
        lines.extend(f"  {n}. {doc}" for n, doc in enumerate(matter.documents, 1))
    if result.also:
        lines.append(f"另外还有：{'、'.join(m.name for m in result.also)}")
    if result.alternatives and not result.clarify:
        lines.append(f"也可能是：{'、'.join(m.name for m in result.alternatives)}")
    return "\n".join(lines)


def _classifier(path: str | None) -> Classifier:
    """Load a classifier, reusing the last one while the catalogue file is unchanged."""
    where = Path(path) if path else DEFAULT_CATALOG_PATH
    try:
        key = (str(where.resolve()), where.stat().st_mtime_ns)
    except OSError:
        return Classifier.load(where)  # the loader reports the problem
    if _LOADED.get(key) is None:
        _LOADED.clear()
        _LOADED[key] = Classifier.load(where)
    return _LOADED[key]


def _one_line(text: str) -> str:
    """JSON text without the characters some readers take for line breaks (U+2028 …)."""
    for char, escaped in _LINE_BREAKS:
        text = text.replace(char, escaped)
    return _safe(text)


def _safe(text: str) -> str:
    """Replace characters no encoding can write (lone surrogates from undecodable input)."""
    return text.encode("utf-8", "replace").decode("utf-8")
