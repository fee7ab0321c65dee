"""Property tests: any string gets a result (or a clean TypeError), never an exception."""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp import Classification, Classifier, Mode, mask_pii
from nlp.cli import run
from nlp.normalize import normalize

CLF = Classifier.load()
CLF.warm_up()
CODES = [m.code for m in CLF.catalog]
VILLAGE = (
    "俺爹住院的钱能报不身份證過期了我在外地打工养老认证低保不用上门还有顺便谢谢"
    "ＳＦＺ０１２３４５６７８９，。？！　"
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
texts = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
    st.text(alphabet=st.sampled_from(VILLAGE), max_size=200),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=50),
    st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), max_size=30),
    st.text(alphabet=st.characters(categories=["Cs", "Co", "Cf", "Zs", "Mn"]), max_size=30),
)


def valid(result: Classification, text: str) -> None:
    """The invariants every classification keeps."""
    assert result.text is text
    assert result.category is None or isinstance(result.category, Mode)
    assert 0.0 <= result.confidence <= 1.0
    assert (result.matter is None) or result.category is not None
    assert not result.clarify or len(result.alternatives) >= 2
    json.dumps(result.to_json())


@SETTINGS
@given(texts)
def test_any_text_gets_a_result(text: str) -> None:
    valid(CLF.classify(text), text)


@SETTINGS
@given(texts, st.sampled_from(CODES))
def test_any_text_can_be_resolved(text: str, code: str) -> None:
    result = CLF.resolve(text, code)
    assert result.matter is not None and result.matter.code == code
    assert result.category is not None and not result.clarify


@SETTINGS
@given(texts)
def test_normalize_and_mask_never_raise(text: str) -> None:
    assert isinstance(normalize(text), str)
    masked = mask_pii(text)
    assert mask_pii(masked) == masked


@SETTINGS
@given(st.lists(texts, max_size=5))
def test_the_jsonl_cli_never_raises(lines: list[str]) -> None:
    out = io.StringIO()
    stdin = io.StringIO("\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines))
    assert run(["--jsonl"], stdin, out) == 0
    for line in out.getvalue().splitlines():
        json.loads(line)


def test_edge_inputs() -> None:
    for text in ("", " ", "\x00\x01\x02", "😀" * 500, "好" * 100_000, "身份证" * 40_000, "\ud800"):
        valid(CLF.classify(text), text)
    long_story = "俺家的事说来话长，" * 12_000 + "最后想问低保咋申请"
    result = CLF.classify(long_story)
    assert result.matter is not None and result.matter.code == "dibao"
