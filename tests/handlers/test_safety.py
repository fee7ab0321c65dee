"""Abuse and mistakes: HTML in every reply, long messages, forged buttons logged, group chats."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from bot.app import Runtime
from bot.fakeapi import FakeBotAPI
from bot.fakeapi.htmlparse import utf16_len
from models import Outbox, OutboxStatus, Ticket
from tests.factories import after, register_by_buttons

WANG, LI, ZHAO = 801, 700101, 700103
NASTY = "<b>急</b> <script>alert(1)</script> & <a href='x'>点</a> &lt;"


def failed_rows(live: Runtime) -> list[Outbox]:
    with live.deps.read() as s:
        return list(s.exec(select(Outbox).where(Outbox.status == OutboxStatus.FAILED)).all())


async def test_html_from_users_is_shown_literally_in_every_reply(
    fake: FakeBotAPI, live: Runtime
) -> None:
    fake.add_user(WANG, "<i>王</i>&秀英")
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    ack = await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, "新农合报销 " + NASTY))
    card = await fake.wait_for_message(LI, "待接单")
    assert "<i>王</i>&秀英" in card.text and NASTY in card.text
    await after(fake, WANG, "已转告", lambda: fake.send_text(WANG, NASTY, reply_to=ack.message_id))
    told = await fake.wait_for_message(LI, "<script>")
    assert NASTY in told.text
    # The agent writes HTML back, asks for documents in HTML, closes with an HTML note.
    prompt = await after(fake, LI, "回复这条消息", lambda: fake.press_button(LI, "联系村民"))
    back = await after(
        fake, WANG, "代办员李建国", lambda: fake.send_text(LI, NASTY, reply_to=prompt.message_id)
    )
    assert NASTY in back.text
    fake.press_button(LI, "需补材料", message_id=card.message_id)
    await fake.wait_until(lambda: "还缺哪些材料" in card.text)
    note_prompt = await after(fake, LI, "回复这条消息", lambda: fake.press_button(LI, "另写说明"))
    docs = await after(
        fake, WANG, "代办员说明", lambda: fake.send_text(LI, NASTY, reply_to=note_prompt.message_id)
    )
    assert NASTY in docs.text
    close_prompt = await after(fake, LI, "办结说明", lambda: fake.press_button(LI, "办结"))
    rate = await after(
        fake, WANG, "打个分", lambda: fake.send_text(LI, NASTY, reply_to=close_prompt.message_id)
    )
    assert NASTY in rate.text
    thanks = await after(fake, WANG, "重新跟进", lambda: fake.press_button(WANG, "不满意"))
    await after(
        fake, WANG, "已经转告", lambda: fake.send_text(WANG, NASTY, reply_to=thanks.message_id)
    )
    comment = await fake.wait_for_message(ZHAO, "留言")
    assert NASTY in comment.text and "<i>王</i>&秀英" in comment.text
    mine = await after(fake, WANG, "您的事项", lambda: fake.send_text(WANG, "/my"))
    assert "重新办理中" in mine.text
    me = await after(fake, WANG, "您登记的信息", lambda: fake.send_text(WANG, "/me"))
    assert me is not None
    await live.dispatcher.drain()
    assert failed_rows(live) == []  # Telegram would refuse a message with broken markup


async def test_long_words_are_relayed_in_parts_within_telegrams_limit(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    ack = await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, "新农合住院报销咋弄"))
    card = await fake.wait_for_message(LI, "待接单")
    story = "\n".join(f"第{i}段：俺爹住院的事，" + "😀说来话长" * 30 for i in range(30))
    assert utf16_len(story) > 4096
    await after(fake, WANG, "已转告", lambda: fake.send_text(WANG, story, reply_to=ack.message_id))
    await fake.wait_for_message(LI, "第29段")
    parts = [m for m in fake.messages(LI) if m.message_id > card.message_id and "段" in m.text]
    assert len(parts) == 2 and all(utf16_len(p.text) <= 4096 for p in parts)
    assert parts[0].text.startswith("💬 村民王秀英")
    assert "第0段" in parts[0].text and "回复这条消息" in parts[-1].text
    assert failed_rows(live) == []
    # A very long first request still gives a card that fits in one message.
    text = "新农合住院报销咋弄，" + "情况是这样的" * 700
    await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, text))
    second = await fake.wait_for_message(LI, "待接单", since=card.message_id)
    assert utf16_len(second.text) <= 4096 and second.text.count("…") >= 1
    with live.deps.read() as s:
        assert len(s.exec(select(Ticket)).all()) == 2


async def test_forged_buttons_are_refused_politely_and_logged(
    fake: FakeBotAPI, live: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    ack = await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, "新农合住院报销咋弄"))
    with caplog.at_level(logging.INFO):
        for data in ("acc:1'; --", "rate:1:1:1", "ug:1"):
            qid = fake.press(WANG, ack.message_id, data)
            answer = await fake.wait_for_answer(qid)
            assert answer and fake.callback_queries[qid].show_alert
    logged = caplog.text
    assert "acc:1'; --" in logged and "rate:1:1:1" in logged and "ug" in logged


async def test_groups_get_only_the_talk_to_me_privately_note(
    fake: FakeBotAPI, live: Runtime
) -> None:
    fake.add_group(-100500, "杏花村群")
    note = await after(fake, -100500, "私聊", lambda: fake.add_bot_to_group(-100500, by_user=WANG))
    assert "/start" in note.text
    for command in ("/my", "/tasks", "/cancel 1", "/stats"):
        await after(
            fake, -100500, "私聊", lambda c=command: fake.send_text(-100500, c, from_user=LI)
        )
    # A button pressed in the group (even with real-looking data) does nothing there.
    qid = fake.press(-100500, note.message_id, "acc:1", from_user=LI)
    assert "过期" in (await fake.wait_for_answer(qid) or "")
    # Plain words in the group are not requests, and nobody gets a private reply for them.
    fake.send_text(-100500, f"@{fake.bot_user['username']} 我要办低保", from_user=WANG)
    await fake.wait_until(lambda: fake.pending_updates() == [])
    await live.dispatcher.drain()
    with live.deps.read() as s:
        assert s.exec(select(Ticket)).all() == []
    assert fake.messages(WANG) == []
