"""jieba on a trimmed dictionary: domain words whole, quiet, and pkg_resources left alone."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from nlp import Classifier
from nlp.segment import DICT_PATH, Segmenter, build_dictionary, cache_dir


def test_catalogue_words_segment_whole(clf: Classifier) -> None:
    words = clf._segmenter.cut("俺想问问新农合报销和养老认证咋弄")
    assert "新农合" in words
    assert "报销" in words


def test_keyword_inside_a_general_word_is_not_whole(clf: Classifier) -> None:
    text = "我保证明天就去"
    assert not clf._segmenter.is_whole(text, 2, 4, 0, len(text))  # 证明 in 保证/明天
    assert clf._segmenter.is_whole("我要开证明", 3, 5, 0, 5)


def test_jieba_is_quiet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    segmenter = Segmenter(["养老认证"])
    segmenter.ready()
    captured = capsys.readouterr()
    assert "Building prefix dict" not in captured.err
    assert logging.getLogger("jieba").level >= logging.WARNING


def test_pkg_resources_is_not_left_blocked() -> None:
    Segmenter(["低保"]).ready()
    assert sys.modules.get("pkg_resources", "absent") is not None


def test_cache_dir_is_writable_or_falls_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DAIBAN_CACHE_DIR", str(tmp_path / "cache"))
    assert cache_dir() == str(tmp_path / "cache")
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DAIBAN_CACHE_DIR", str(blocker / "sub"))
    assert Path(cache_dir()).is_dir()


def test_trimmed_dictionary_is_rebuildable(tmp_path: Path) -> None:
    source = tmp_path / "dict.txt"
    source.write_text("低保 10 n\n报销 30 v\n的 999 u\n坏行\n", encoding="utf-8")
    dest = tmp_path / "top.txt"
    assert build_dictionary(source, dest, top=2) == 2
    assert dest.read_text(encoding="utf-8").split() == ["报销", "30", "的", "999"]
    assert DICT_PATH.is_file()
