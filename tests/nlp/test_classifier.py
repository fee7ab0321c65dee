"""Classifier behaviour: modes, negation, circumstances, two needs, clarify, non-requests."""

from __future__ import annotations

import json

import pytest

from nlp import Classification, Classifier, Mode

JSON_KEYS = {"text", "category", "matter", "confidence", "keywords", "clarify", "alternatives"}


def check(clf: Classifier, text: str, mode: Mode | None, code: str | None) -> Classification:
    """Classify and assert mode and matter code."""
    result = clf.classify(text)
    assert result.category is mode, (text, result)
    assert (result.matter.code if result.matter else None) == code, (text, result)
    assert 0.0 <= result.confidence <= 1.0
    return result


@pytest.mark.parametrize(
    ("text", "mode", "code"),
    [
        ("俺爹住院的钱能报不", Mode.PROXY, "medical_reimburse"),
        ("身份證過期了", Mode.GUIDED, "id_card"),
        ("我在外地打工家里老人的养老认证咋弄", Mode.MOBILE, "pension_certify"),
        ("村里能给开个证明不，俺娃上学要家庭困难证明", Mode.IMMEDIATE, "certificate"),
        ("俺家的种粮补贴到账没，帮忙查查", Mode.IMMEDIATE, "subsidy_query"),
        ("低保　咋申请？？", Mode.PROXY, "dibao"),
        ("１６岁的娃办身份证要带啥？", Mode.GUIDED, "id_card"),
        ("报了销的单子还有剩的", Mode.PROXY, "medical_reimburse"),
        ("身份证", Mode.GUIDED, "id_card"),
    ],
)
def test_the_villagers_own_words(clf: Classifier, text: str, mode: Mode, code: str) -> None:
    check(clf, text, mode, code)


def test_a_long_story_with_the_need_in_the_last_line(clf: Classifier) -> None:
    story = (
        "俺是后沟村三组的，今年开春俺爹在地里干活摔了一跤，当时没当回事，过了几天腰疼得厉害，"
        "娃他叔开三轮把他拉到县医院，一查是腰椎骨折，住了半个多月院，花了一万八，家里的钱都"
        "掏空了，借了亲戚几千块。出院的时候医院给了一沓单子，俺也看不懂。想问问这住院的钱能报"
        "多少，要带啥去报。"
    )
    result = check(clf, story, Mode.PROXY, "medical_reimburse")
    assert not result.clarify


def test_negation(clf: Classifier) -> None:
    check(clf, "不是报销的事，是想问低保咋申请", Mode.PROXY, "dibao")
    check(clf, "不是户口本，是身份证丢了", Mode.GUIDED, "id_card")
    result = check(clf, "不用上门，我自己把报销的单子送过去", Mode.PROXY, "medical_reimburse")
    assert result.circumstances == ()
    check(clf, "翻修老房子要不要办建房手续", Mode.PROXY, "homestead")  # 要不要 is a question


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("俺娘卧床不起，养老金认证能上门做不", "pension_certify"),
        ("老娘瘫在炕上，身份证咋换", "id_card"),  # the person must appear: body alone counts
        ("我自己瘫痪了出不了门，残疾补贴能电话里说说咋弄不", "disability_subsidy"),
        ("我儿子在外打工，他的身份证丢了", "id_card"),
        ("老人行动不便，社保卡能不能上门激活", "social_card"),
    ],
)
def test_circumstances_make_it_mobile(clf: Classifier, text: str, code: str) -> None:
    result = check(clf, text, Mode.MOBILE, code)
    assert result.circumstances
    assert all(word in result.keywords for word in result.circumstances)


@pytest.mark.parametrize(
    ("text", "mode", "code"),
    [
        ("俺家的情况能申请低保吗，老伴瘫了", Mode.PROXY, "dibao"),  # reason, not "cannot come"
        ("老汉腿断了干不了活，想申请个低保", Mode.PROXY, "dibao"),
        ("以前在外打工，现在回来了，养老认证咋弄", Mode.PROXY, "pension_certify"),
        ("我已经从外地回来了，身份证过期了要换", Mode.GUIDED, "id_card"),
        ("在外地医院住院的能不能回来报", Mode.PROXY, "medical_reimburse"),
        ("俺家老汉出去打工了，过年才回来", None, None),
    ],
)
def test_where_circumstances_do_not_apply(
    clf: Classifier, text: str, mode: Mode | None, code: str | None
) -> None:
    check(clf, text, mode, code)


def test_in_person_matters_keep_their_mode_but_report_the_circumstance(clf: Classifier) -> None:
    result = check(clf, "对象在外地打工回不来，结婚证能不能一个人去领", Mode.GUIDED, "marriage")
    assert result.matter is not None and result.matter.in_person
    assert result.circumstances


def test_a_visit_or_call_without_a_matter_is_still_mobile(clf: Classifier) -> None:
    result = check(clf, "我腿脚不好去不了村委会，麻烦来家里一趟", Mode.MOBILE, None)
    assert result.circumstances and not result.clarify


def test_two_needs_report_both_and_keep_the_first(clf: Classifier) -> None:
    result = check(clf, "身份证丢了要补，还有社保卡也一起丢了", Mode.GUIDED, "id_card")
    assert [m.code for m in result.also] == ["social_card"]
    result = check(clf, "想申请低保，顺便开个贫困证明", Mode.PROXY, "dibao")
    assert [m.code for m in result.also] == ["certificate"]
    result = check(clf, "娃要上户口，顺便问问医保咋给娃交", Mode.GUIDED, "hukou_register")
    assert [m.code for m in result.also] == ["medical_insurance_pay"]


def test_close_candidates_ask_with_buttons(clf: Classifier) -> None:
    result = clf.classify("补贴的事想问问")
    assert result.clarify
    assert 2 <= len(result.alternatives) <= 3
    assert result.matter is result.alternatives[0]
    assert len({m.code for m in result.alternatives}) == len(result.alternatives)


@pytest.mark.parametrize(
    "text",
    [
        "你好",
        "在吗",
        "谢谢你啊，事办好了",
        "低保批下来了，谢谢村上",
        "👍👍👍",
        "今天天气真好",
        "俺娃下个月结婚，到时候来喝喜酒啊",
        "【惠民贷】无抵押低息贷款，秒到账，详情加微信xxx",
        "代开各类发票，联系电话13800001111",
        "你们办事也太慢了，上回的事拖了一个月",
        "凭啥他家有低保俺家没有，不公平",
        "上回报销的事办得挺快，给你们点赞",
        "",
        "   ",
    ],
)
def test_non_requests_get_no_mode(clf: Classifier, text: str) -> None:
    result = check(clf, text, None, None)
    assert not result.clarify and result.alternatives == ()


def test_to_json_is_exactly_the_jsonl_shape(clf: Classifier) -> None:
    result = clf.classify("俺爹住院的钱能报不")
    row = result.to_json()
    assert set(row) == JSON_KEYS
    assert row["category"] == "代着办"
    assert row["matter"] == "新农合/医保报销"
    assert isinstance(row["keywords"], list) and row["keywords"]
    assert row["clarify"] is False
    assert json.loads(json.dumps(row, ensure_ascii=False)) == row
    clarified = clf.classify("补贴的事想问问").to_json()
    assert clarified["alternatives"] and all(isinstance(n, str) for n in clarified["alternatives"])  # type: ignore[union-attr]
    assert clf.classify("你好").to_json()["category"] is None


def test_resolve_applies_the_chosen_matter_and_the_rule(clf: Classifier) -> None:
    chosen = clf.resolve("补贴的事想问问", "elderly_subsidy")
    assert chosen.matter is not None and chosen.matter.code == "elderly_subsidy"
    assert chosen.category is Mode.PROXY and not chosen.clarify and chosen.confidence == 1.0
    mobile = clf.resolve("俺爷卧床了，补贴的事咋办", "elderly_subsidy")
    assert mobile.category is Mode.MOBILE and mobile.circumstances
    stays = clf.resolve("我们在外地打工回不来", "marriage")
    assert stays.category is Mode.GUIDED
    with pytest.raises(KeyError):
        clf.resolve("补贴", "no_such_matter")


def test_rejects_non_strings_cleanly(clf: Classifier) -> None:
    with pytest.raises(TypeError):
        clf.classify(None)  # type: ignore[arg-type]


def test_warm_up_is_idempotent(clf: Classifier) -> None:
    clf.warm_up()
    clf.warm_up()
    assert clf.classify("身份证丢了").category is Mode.GUIDED


def test_a_county_catalogue_drives_the_classifier(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "county.toml"
    path.write_text(
        """
[[matter]]
code = "water"
name = "饮水报修"
mode = "马上办"
level = "village"
time_limit_days = 2
description = "水管坏了报修。"
documents = ["不用带材料"]
keywords = ["水管+坏|漏|裂", "没水"]
""",
        encoding="utf-8",
    )
    county = Classifier.load(path)
    result = county.classify("俺家水管冻裂了，没水吃")
    assert result.matter is not None and result.matter.code == "water"
    assert result.category is Mode.IMMEDIATE
    assert county.classify("身份证丢了").category is None
