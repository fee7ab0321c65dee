"""Telegram HTML parse mode: entities, offsets in UTF-16, and TDLib's error messages."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.fakeapi.htmlparse import HtmlError, parse_html, strip_html, unescape, utf16_len


def test_supported_tags_become_entities() -> None:
    text, entities = parse_html(
        '<b>粗</b><i>斜</i><u>下</u><s>删</s><a href="https://x.cn/?a=1&amp;b=2">链</a>'
        '<code>c</code><tg-spoiler>s</tg-spoiler><span class="tg-spoiler">p</span>'
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>"
    )
    assert text == "粗斜下删链cspqe"
    kinds = [(e["type"], e["offset"]) for e in entities]
    assert kinds == [
        ("bold", 0),
        ("italic", 1),
        ("underline", 2),
        ("strikethrough", 3),
        ("text_link", 4),
        ("code", 5),
        ("spoiler", 6),
        ("spoiler", 7),
        ("blockquote", 8),
        ("expandable_blockquote", 9),
    ]
    assert entities[4]["url"] == "https://x.cn/?a=1&b=2"


def test_synonyms_and_case() -> None:
    _, entities = parse_html(
        "<STRONG>a</STRONG><em>b</em><ins>c</ins><del>d</del><strike>e</strike>"
    )
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "strikethrough",
    ]


def test_pre_with_language_is_one_entity() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert text == "x = 1"
    assert entities == [{"offset": 0, "length": 5, "type": "pre", "language": "python"}]


def test_nested_entities_sorted_outer_first() -> None:
    _, entities = parse_html("<b>a<i>b</i></b>")
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, 2),
        ("italic", 1, 1),
    ]


def test_offsets_are_utf16_code_units() -> None:
    text, entities = parse_html("😀村<b>民</b>")
    assert text == "😀村民"
    assert entities[0]["offset"] == 3  # the emoji is a surrogate pair


def test_entities_unescaped_unknown_ones_kept() -> None:
    assert parse_html("&lt;a&gt; &amp; &quot; &#20013; &#x56FD; &nbsp; a&b")[0] == (
        '<a> & " 中 国 &nbsp; a&b'
    )
    assert unescape("&lt;&#0;") == "<&#0;"


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("村<p>x</p>", 'Unsupported start tag "p" at byte offset 3'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("<b x>y</b>", 'Expected equal sign in declaration of an attribute of the tag "b"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ],
)
def test_malformed_markup(source: str, error: str) -> None:
    with pytest.raises(HtmlError, match="^" + error.replace("(", r"\(").replace(")", r"\)")):
        parse_html(source)


def test_strip_html_falls_back_to_raw() -> None:
    assert strip_html("<b>受理</b>") == "受理"
    assert strip_html("1 < 2") == "1 < 2"


@given(st.text())
def test_escaped_text_round_trips(text: str) -> None:
    plain, entities = parse_html(html.escape(text, quote=True).replace("&#x27;", "'"))
    assert plain == text
    assert entities == []


@given(st.text(min_size=1), st.text())
def test_bold_entity_covers_the_text(inner: str, before: str) -> None:
    source = html.escape(before, quote=False) + "<b>" + html.escape(inner, quote=False) + "</b>"
    plain, entities = parse_html(source)
    assert plain == before + inner
    assert entities == [{"offset": utf16_len(before), "length": utf16_len(inner), "type": "bold"}]
