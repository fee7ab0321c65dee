"""Acting as users: updates they create, groups, buttons, waits and the transcript."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.fakeapi import FakeBotAPI
from tests.fakeapi.conftest import AGENT, GROUP, VILLAGER


def updates_as_ptb(fake: FakeBotAPI, bot: Bot) -> list[Update]:
    return [Update.de_json(u, bot) for u in fake.pending_updates()]


async def test_user_messages_are_real_updates(fake: FakeBotAPI, bot: Bot) -> None:
    fake.send_text(VILLAGER, "/start@daiban_test_bot 你好")
    fake.send_contact(VILLAGER, phone="13800001001", contact_user_id=VILLAGER)
    fake.send_contact(VILLAGER, phone="13900002002", contact_user_id=4242, first_name="王二")
    fake.send_sticker(VILLAGER)
    fake.send_voice(VILLAGER, duration=7)
    fake.send_photo(VILLAGER, caption="发票")
    fake.send_document(VILLAGER, file_name="a.pdf", caption="病历")
    fake.send_location(VILLAGER, 34.98, 104.63)
    ups = updates_as_ptb(fake, bot)
    msgs = [u.message for u in ups]
    assert all(m is not None and m.from_user.id == VILLAGER for m in msgs)
    first = msgs[0]
    assert first.entities[0].type == "bot_command" and first.entities[0].length == 22
    assert msgs[1].contact.user_id == VILLAGER and msgs[1].contact.first_name == "王秀英"
    assert msgs[2].contact.user_id == 4242 and msgs[2].contact.first_name == "王二"
    assert msgs[3].sticker is not None
    assert msgs[4].voice.duration.total_seconds() == 7
    assert msgs[5].photo and msgs[5].caption == "发票"
    assert msgs[6].document.file_name == "a.pdf"
    assert msgs[7].location.latitude == pytest.approx(34.98)
    assert [u.update_id for u in ups] == sorted(u.update_id for u in ups)


async def test_reply_to_a_bot_message(fake: FakeBotAPI, bot: Bot) -> None:
    asked = await bot.send_message(VILLAGER, "请补充材料")
    fake.send_text(VILLAGER, "补充一下", reply_to=asked.message_id)
    (update,) = updates_as_ptb(fake, bot)
    assert update.message.reply_to_message.text == "请补充材料"
    assert update.message.reply_to_message.from_user.is_bot


async def test_user_edits_a_message(fake: FakeBotAPI, bot: Bot) -> None:
    msg = fake.send_text(VILLAGER, "低保申请")
    fake.edit_text(VILLAGER, msg["message_id"], "低保续期")
    update = updates_as_ptb(fake, bot)[-1]
    assert update.edited_message.text == "低保续期"


async def test_bot_joins_a_group(fake: FakeBotAPI, bot: Bot) -> None:
    fake.send_text(GROUP, "/start", from_user=VILLAGER)  # not delivered: the bot is not there
    fake.add_bot_to_group(GROUP, by_user=VILLAGER)
    member, joined = updates_as_ptb(fake, bot)
    assert member.my_chat_member.new_chat_member.status == "member"
    assert member.my_chat_member.chat.type == "group"
    assert joined.message.new_chat_members[0].id == fake.bot_user["id"]
    await bot.send_message(GROUP, "大家好")


async def test_group_privacy_mode(fake: FakeBotAPI, bot: Bot) -> None:
    fake.add_bot_to_group(GROUP, by_user=VILLAGER)
    before = fake.update_count
    hello = await bot.send_message(GROUP, "有事请找我")
    fake.send_text(GROUP, "今天开会", from_user=VILLAGER)  # not for the bot
    fake.send_text(GROUP, "/my", from_user=VILLAGER)
    fake.send_text(GROUP, "收到", from_user=AGENT, reply_to=hello.message_id)
    fake.send_text(GROUP, "@daiban_test_bot 帮我查一下", from_user=AGENT)
    texts = [u["message"]["text"] for u in fake.pending_updates()[-(fake.update_count - before) :]]
    assert texts == ["/my", "收到", "@daiban_test_bot 帮我查一下"]
    with pytest.raises(ValueError, match="from_user"):
        fake.send_text(GROUP, "谁说的")


async def test_group_without_privacy_sees_everything() -> None:
    async with FakeBotAPI(group_privacy=False) as fake:
        fake.add_user(1, "甲")
        fake.add_group(-1, "群", bot_member=True)
        fake.send_text(-1, "闲聊", from_user=1)
        assert len(fake.pending_updates()) == 1


async def test_press_button_finds_the_newest_matching_button(fake: FakeBotAPI, bot: Bot) -> None:
    def kb(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])

    old = await bot.send_message(AGENT, "任务 #1", reply_markup=kb(("接单", "acc:1")))
    await bot.send_message(
        AGENT, "任务 #2", reply_markup=kb(("✅ 接单", "acc:2"), ("退回", "ret:2"))
    )
    fake.press_button(AGENT, "接单")  # the exact label on #1 beats a partial one on #2
    fake.press_button(AGENT, "退回")
    fake.press_button(AGENT, "接单", contains="#2")  # a partial label match on #2
    fake.press_button(AGENT, "接单", message_id=old.message_id)
    data = [u["callback_query"]["data"] for u in fake.pending_updates()]
    assert data == ["acc:1", "ret:2", "acc:2", "acc:1"]
    query = updates_as_ptb(fake, bot)[0].callback_query
    assert query.message.text == "任务 #1" and query.from_user.id == AGENT
    with pytest.raises(AssertionError) as info:
        fake.press_button(AGENT, "办结")
    assert "no button [办结]" in str(info.value)
    assert "[✅ 接单] [退回]" in str(info.value) and "[接单]" in str(info.value)
    with pytest.raises(AssertionError):
        fake.press(AGENT, 999, "acc:1")


async def test_url_buttons_cannot_be_pressed(fake: FakeBotAPI, bot: Bot) -> None:
    link = InlineKeyboardButton("政策原文", url="https://www.gov.cn/")
    await bot.send_message(VILLAGER, "详见", reply_markup=InlineKeyboardMarkup([[link]]))
    assert fake.last_message(VILLAGER).buttons == [("政策原文", None)]
    with pytest.raises(AssertionError, match="opens a URL"):
        fake.press_button(VILLAGER, "政策原文")


async def test_wait_for_message(fake: FakeBotAPI, bot: Bot) -> None:
    first = await bot.send_message(VILLAGER, "已受理")
    found = await fake.wait_for_message(VILLAGER, contains="受理", timeout=1)
    assert found.message_id == first.message_id
    await bot.send_message(VILLAGER, "已受理（第二次）")
    again = await fake.wait_for_message(VILLAGER, contains="受理", since=first.message_id)
    assert again.text == "已受理（第二次）"
    with pytest.raises(TimeoutError) as info:
        await fake.wait_for_message(VILLAGER, contains="办结", timeout=0.05)
    assert "containing '办结'" in str(info.value) and "#1 text: 已受理" in str(info.value)
    with pytest.raises(TimeoutError, match="condition not met"):
        await fake.wait_until(lambda: False, timeout=0.01)


async def test_transcript_reads_like_a_conversation(fake: FakeBotAPI, bot: Bot) -> None:
    fake.send_text(VILLAGER, "俺爹住院的钱能报不")
    ack = await bot.send_message(
        VILLAGER,
        "<b>已受理</b>：医疗报销（代着办）\n请准备：身份证、住院发票",
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("满意", callback_data="r:1")],
                [InlineKeyboardButton("不满意", callback_data="r:3")],
            ]
        ),
    )
    qid = fake.press_button(VILLAGER, "满意")
    await bot.answer_callback_query(qid, text="谢谢评价")
    await bot.edit_message_text(
        "已评价：满意 &amp; 感谢", VILLAGER, ack.message_id, parse_mode="HTML"
    )
    fake.send_voice(VILLAGER, duration=7)
    await bot.copy_message(AGENT, VILLAGER, fake.pending_updates()[-1]["message"]["message_id"])
    await bot.send_document(AGENT, b"xlsx", filename="台账.xlsx", caption="本月台账")
    fake.add_bot_to_group(GROUP, by_user=AGENT)
    fake.send_text(GROUP, "/start", from_user=AGENT)
    await bot.delete_message(AGENT, fake.last_message(AGENT).message_id)
    assert fake.transcript() == [
        "王秀英 → 机器人: 俺爹住院的钱能报不",
        "机器人 → 王秀英: 已受理：医疗报销（代着办）\n    请准备：身份证、住院发票"
        "\n    [满意]\n    [不满意]",
        "王秀英 按下 [满意]",
        "机器人 (提示) → 王秀英: 谢谢评价",
        "机器人 (修改消息) → 王秀英: 已评价：满意 & 感谢",
        "王秀英 → 机器人: [语音 7秒]",
        "机器人 → 李代办: (复制自王秀英) [语音 7秒]",
        "机器人 → 李代办: [文件 台账.xlsx] 本月台账",
        "李代办 把机器人拉进了 某村群",
        "李代办 → 某村群: /start",
        "机器人 (删除消息) → 李代办: [文件 台账.xlsx] 本月台账",
    ]


async def test_transcript_can_be_streamed() -> None:
    lines: list[str] = []
    async with FakeBotAPI(on_transcript=lines.append) as fake:
        fake.add_user(1, "甲")
        fake.send_text(1, "你好")
        fake.add_user(1, "甲", phone="13800000000")  # updating a user keeps the chat
        fake.send_text(1, "还在")
    assert lines == ["甲 → 机器人: 你好", "甲 → 机器人: 还在"]
    assert [u["message"]["message_id"] for u in fake.pending_updates()] == [1, 2]
