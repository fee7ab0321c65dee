"""Normalisation (traditional, full-width, invisible characters) and PII masking."""

from __future__ import annotations

import pytest

from nlp import mask_pii
from nlp.normalize import MAX_CHARS, cap, normalize


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("身份證過期了", "身份证过期了"),
        ("醫藥費報銷要哪些材料", "医药费报销要哪些材料"),
        ("ＳＦＺ丢了！１６岁", "sfz丢了!16岁"),
        ("低保　咋申请？？", "低保 咋申请??"),
        ("开个证明\u200b\u200d\x00急用\r\n", "开个证明急用"),
        ("  \t  ", ""),
    ],
)
def test_normalize_folds_everything_to_one_form(raw: str, folded: str) -> None:
    assert normalize(raw) == folded


def test_long_messages_keep_their_start_and_their_end() -> None:
    story = "开头" + "很长的故事，" * 1000 + "最后想问低保咋申请"
    kept = cap(story)
    assert len(kept) <= MAX_CHARS
    assert kept.startswith("开头") and kept.endswith("最后想问低保咋申请")
    assert cap("短的") == "短的"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("身份证号620102199001011234", "身份证号620102********1234"),
        ("62010219900101123X的身份证丢了", "620102********123X的身份证丢了"),
        ("620102199001011 23x", "620102199001011 23x"),  # not 18 digits in a row
        ("号码 620102 19900101 123x", "号码 620102********123x"),
        ("６２０１０２１９９００１０１１２３Ｘ", "620102********123X"),
        ("电话13812345678", "电话138****5678"),
        ("打 138 1234 5678 找我", "打 138****5678 找我"),
        ("+86 138-1234-5678", "+86 138****5678"),
        ("＋８６１３８１２３４５６７８", "＋８６138****5678"),
        ("卡号6222021234567890123", "卡号6222****0123"),
        ("座机0931-1234567，2024年", "座机0931-1234567，2024年"),
        ("12345678901", "12345678901"),  # not a mobile prefix
        ("没有号码", "没有号码"),
    ],
)
def test_mask_pii(raw: str, masked: str) -> None:
    assert mask_pii(raw) == masked
    assert mask_pii(masked) == masked


def test_masking_leaves_no_full_number_behind() -> None:
    text = "我叫李二牛，电话15809876543，身份证620102195503041234，卡6222021234567890"
    masked = mask_pii(text)
    for secret in ("15809876543", "620102195503041234", "6222021234567890"):
        assert secret not in masked
    assert "李二牛" in masked
