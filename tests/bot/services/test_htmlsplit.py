"""Long messages are split as Telegram counts them, at line ends, with balanced tags."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.db import clocked
from bot.fakeapi.htmlparse import parse_html, utf16_len
from bot.services import outbox
from bot.services.htmlsplit import MAX_TEXT, split_html, visible_length
from models import Outbox
from tests.factories import Clock


def plain(markup: str) -> str:
    return parse_html(markup)[0]


def test_short_text_is_one_part() -> None:
    text = "<b>受理号 2026-0137</b>\n请准备：身份证 &lt;原件&gt;"
    assert split_html(text) == [text]
    assert visible_length(text) == utf16_len(plain(text))


def test_long_lines_break_at_line_ends_with_tags_closed_and_reopened() -> None:
    lines = [f"第{i}行 &lt;材料&gt; " + "报销" * 40 for i in range(120)]
    text = "<b>标题</b>\n<i>" + "\n".join(lines) + "</i>\n结尾"
    parts = split_html(text)
    assert len(parts) > 1
    for part in parts:
        shown = plain(part)  # raises if a tag or entity was cut
        assert utf16_len(shown) <= MAX_TEXT
    assert parts[1].startswith("<i>") and parts[0].endswith("</i>")
    assert "".join(plain(p) for p in parts).replace("\n", "") == plain(text).replace("\n", "")
    assert all(plain(p).split("\n")[0].startswith(("标题", "第", "结尾")) for p in parts)


def test_one_huge_line_is_cut_between_characters_counting_utf16() -> None:
    text = '<a href="http://x.cn/?a=1&amp;b=2">' + "😀&amp;" * 3000 + "</a>"
    parts = split_html(text)
    assert len(parts) == 3
    for part in parts:
        shown, entities = parse_html(part)
        assert utf16_len(shown) <= MAX_TEXT and entities[0]["type"] == "text_link"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["字", "a", "😀", "&lt;", "&amp;", " ", "<b>粗</b>", "<i>斜", "</i>"]),
            max_size=30,
        ).map("".join),
        min_size=1,
        max_size=12,
    ),
    st.integers(min_value=8, max_value=60),
)
def test_any_markup_splits_into_valid_parts_within_the_limit(lines: list[str], limit: int) -> None:
    text = "\n".join(lines)
    opened = text.count("<i>") - text.count("</i>")
    text = "<i>" * max(-opened, 0) + text + "</i>" * max(opened, 0)
    try:
        whole = plain(text)
    except ValueError:  # unbalanced input (</i> before <i>) is not ours to split
        return
    parts = split_html(text, limit)
    for part in parts:
        assert utf16_len(plain(part)) <= limit

    # Nothing is lost but blank parts (Telegram refuses an empty message) and line breaks.
    def ink(t: str) -> str:
        return "".join(t.split())

    assert ink("".join(plain(p) for p in parts)) == ink(whole)


def test_outbox_queues_the_parts_in_order_with_the_buttons_on_the_last(
    engine: Engine, clock: Clock
) -> None:
    text = "\n".join(f"• 事项 {i} " + "新农合住院报销" * 30 for i in range(60))
    with Session(clocked(engine, clock)) as s:
        last = outbox.send(s, 801, text, keyboard=[[("接单", "acc:1")]], ticket_id=None)
        s.commit()
        rows = s.exec(select(Outbox).order_by(col(Outbox.id))).all()
    assert len(rows) > 1 and rows[-1].id == last.id
    assert [("reply_markup" in r.payload) for r in rows] == [False] * (len(rows) - 1) + [True]
    assert "".join(r.payload["text"] for r in rows).replace("\n", "") == text.replace("\n", "")
