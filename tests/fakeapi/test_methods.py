"""Bot API methods driven by a real PTB Bot: sends, edits, callbacks, files, copies, commands."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.fakeapi import FakeBotAPI
from tests.fakeapi.conftest import AGENT, GROUP, VILLAGER


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"b:{i}") for i, label in enumerate(labels)]]
    )


async def test_send_message_returns_a_full_message(fake: FakeBotAPI, bot: Bot) -> None:
    msg = await bot.send_message(
        VILLAGER,
        "您的事项<b>已受理</b>，编号 <code>A-12</code>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard("查看进度"),
        disable_notification=True,
        protect_content=True,
    )
    assert msg.text == "您的事项已受理，编号 A-12"
    assert [e.type for e in msg.entities] == ["bold", "code"]
    assert msg.from_user is not None and msg.from_user.is_bot
    assert msg.chat.id == VILLAGER and msg.has_protected_content
    sent = fake.last_message(VILLAGER)
    assert sent is not None
    assert sent.html == "您的事项<b>已受理</b>，编号 <code>A-12</code>"
    assert (sent.text, sent.kind, sent.buttons) == (msg.text, "text", [("查看进度", "b:0")])
    assert fake.stats.messages_sent == 1


async def test_reply_keyboards_and_replies(fake: FakeBotAPI, bot: Bot) -> None:
    share = ReplyKeyboardMarkup([[KeyboardButton("分享手机号", request_contact=True)]])
    ask = await bot.send_message(VILLAGER, "请分享手机号", reply_markup=share)
    assert ask.reply_markup is None  # Telegram echoes only inline keyboards
    assert fake.last_message(VILLAGER).keyboard == ["分享手机号"]
    assert fake.last_message(VILLAGER).reply_markup["keyboard"][0][0]["request_contact"]
    user_msg = fake.send_contact(VILLAGER, phone="13800001001", contact_user_id=VILLAGER)
    reply = await bot.send_message(
        VILLAGER,
        "已登记",
        reply_parameters=ReplyParameters(user_msg["message_id"]),
        reply_markup=ReplyKeyboardRemove(),
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.contact.phone_number == "13800001001"
    legacy = await bot.send_message(VILLAGER, "旧式回复", reply_to_message_id=ask.message_id)
    assert legacy.reply_to_message.message_id == ask.message_id
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(VILLAGER, "x", reply_parameters=ReplyParameters(999))
    ok = await bot.send_message(
        VILLAGER, "x", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert ok.reply_to_message is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>未闭合", "Can't parse entities: can't find end tag corresponding to start tag \"b\""),
        ("<br>换行", 'Can\'t parse entities: unsupported start tag "br" at byte offset 0'),
        ("<b>x</i>", "Can't parse entities: unmatched end tag"),
        ("x" * 4097, "Message is too long"),
        ("&lt;" * 4097, "Message is too long"),
    ],
)
async def test_html_and_length_errors(bot: Bot, text: str, error: str) -> None:
    # PTB capitalises the first letter of Telegram's description.
    with pytest.raises(BadRequest) as info:
        await bot.send_message(VILLAGER, text, parse_mode=ParseMode.HTML)
    assert info.value.message.lower().startswith(error.lower())


async def test_length_is_measured_after_entity_parsing(bot: Bot) -> None:
    msg = await bot.send_message(VILLAGER, "<b>" + "好" * 4096 + "</b>", parse_mode="HTML")
    assert len(msg.text) == 4096


async def test_callback_data_limit_is_64_bytes(bot: Bot) -> None:
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="满" * 21)]])  # 63 bytes
    await bot.send_message(VILLAGER, "评价", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="满" * 22)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(VILLAGER, "评价", reply_markup=too_long)


async def test_caption_limit(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(VILLAGER, b"x", filename="a.txt", caption="长" * 1025)


async def test_edits_and_not_modified(fake: FakeBotAPI, bot: Bot) -> None:
    msg = await bot.send_message(VILLAGER, "新事项", reply_markup=keyboard("接单", "退回"))
    edited = await bot.edit_message_text(
        "<i>已接单</i>", VILLAGER, msg.message_id, parse_mode="HTML", reply_markup=keyboard("办结")
    )
    assert edited.text == "已接单" and edited.edit_date is not None
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<i>已接单</i>",
            VILLAGER,
            msg.message_id,
            parse_mode="HTML",
            reply_markup=keyboard("办结"),
        )
    # Telegram drops the inline keyboard when an edit does not repeat it.
    await bot.edit_message_text("<i>已接单</i>", VILLAGER, msg.message_id, parse_mode="HTML")
    sent = fake.messages(VILLAGER)[0]
    assert sent.buttons == []
    await bot.edit_message_reply_markup(VILLAGER, msg.message_id, reply_markup=keyboard("办结"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(VILLAGER, msg.message_id, reply_markup=keyboard("办结"))
    assert [v.text for v in sent.history] == ["新事项", "已接单", "已接单", "已接单"]
    assert [
        len(v.reply_markup["inline_keyboard"][0]) if v.reply_markup else 0 for v in sent.history
    ] == [
        2,
        1,
        0,
        1,
    ]
    assert sent.buttons == [("办结", "b:0")]
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", VILLAGER, 999)
    user_msg = fake.send_text(VILLAGER, "我的消息")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", VILLAGER, user_msg["message_id"])


async def test_delete_message(fake: FakeBotAPI, bot: Bot) -> None:
    msg = await bot.send_message(VILLAGER, "临时")
    assert await bot.delete_message(VILLAGER, msg.message_id)
    assert fake.messages(VILLAGER)[0].deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(VILLAGER, msg.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", VILLAGER, msg.message_id)


async def test_answer_callback_query(fake: FakeBotAPI, bot: Bot) -> None:
    msg = await bot.send_message(AGENT, "新任务", reply_markup=keyboard("接单"))
    qid = fake.press(AGENT, msg.message_id, "b:0")
    silent = fake.press_button(AGENT, "接单")
    assert not fake.answered(qid)
    assert await bot.answer_callback_query(qid, text="已接单", show_alert=True)
    assert await bot.answer_callback_query(silent)
    assert fake.callback_answers == {qid: "已接单", silent: None}
    assert fake.callback_queries[qid].show_alert
    assert await fake.wait_for_answer(qid, timeout=1) == "已接单"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(qid)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("123")


async def test_chat_not_found_and_forbidden(fake: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(404, "有人吗")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message("@li_agent", "users cannot be addressed by username")
    fake.block_user(VILLAGER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(VILLAGER, "还在吗")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_chat_action(VILLAGER, "typing")
    fake.send_text(VILLAGER, "/start")  # writing again unblocks the bot
    await bot.send_message(VILLAGER, "欢迎回来")
    fake.add_user(3001, "张三", started=False)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(3001, "你好")
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(GROUP, "大家好")
    kinds = [next(k for k in u if k != "update_id") for u in fake.pending_updates()]
    assert kinds == ["my_chat_member", "my_chat_member", "message"]


async def test_document_round_trip(fake: FakeBotAPI, bot: Bot) -> None:
    data = b"PK\x03\x04 xlsx bytes \x00\xff" * 100
    msg = await bot.send_document(
        AGENT, data, filename="台账.xlsx", caption="<b>本月台账</b>", parse_mode="HTML"
    )
    assert msg.document is not None and msg.document.file_name == "台账.xlsx"
    assert msg.caption == "本月台账"
    sent = fake.last_message(AGENT)
    assert sent is not None and sent.document is not None
    assert (sent.kind, sent.document.file_name, sent.document.data) == (
        "document",
        "台账.xlsx",
        data,
    )
    assert sent.text == "本月台账"
    again = await bot.send_document(VILLAGER, msg.document.file_id)  # resend by file_id
    assert again.document.file_id == msg.document.file_id
    tg_file = await bot.get_file(msg.document.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == data
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(VILLAGER, "no-such-file-id")


async def test_photo_and_voice_uploads(fake: FakeBotAPI, bot: Bot) -> None:
    photo = await bot.send_photo(VILLAGER, b"\xff\xd8\xff fake jpeg", caption="回执")
    voice = await bot.send_voice(VILLAGER, b"OggS voice", duration=3)
    assert photo.photo and photo.caption == "回执"
    assert voice.voice is not None and voice.voice.duration.total_seconds() == 3
    kinds = [(m.kind, m.file.data if m.file else None) for m in fake.messages(VILLAGER)]
    assert kinds == [("photo", b"\xff\xd8\xff fake jpeg"), ("voice", b"OggS voice")]


async def test_user_voice_can_be_downloaded_and_copied(fake: FakeBotAPI, bot: Bot) -> None:
    voice = fake.send_voice(VILLAGER, duration=7, data=b"OggS villager speaking")
    tg_file = await bot.get_file(voice["voice"]["file_id"])
    assert bytes(await tg_file.download_as_bytearray()) == b"OggS villager speaking"
    copied = await bot.copy_message(
        AGENT, VILLAGER, voice["message_id"], reply_markup=keyboard("接单")
    )
    sent = fake.last_message(AGENT)
    assert sent is not None and sent.message_id == copied.message_id
    assert (sent.kind, sent.content_type, sent.copied_from) == (
        "copy",
        "voice",
        (VILLAGER, voice["message_id"]),
    )
    assert sent.file is not None and sent.file.data == b"OggS villager speaking"
    assert sent.raw["voice"]["duration"] == 7 and sent.buttons == [("接单", "b:0")]
    for make in (
        lambda: fake.send_text(VILLAGER, "文字"),
        lambda: fake.send_photo(VILLAGER, caption="发票"),
        lambda: fake.send_document(VILLAGER, "a.pdf"),
        lambda: fake.send_location(VILLAGER, 34.98, 104.63),
    ):
        src = make()
        await bot.copy_message(AGENT, VILLAGER, src["message_id"])
    assert [m.content_type for m in fake.messages(AGENT)] == [
        "voice",
        "text",
        "photo",
        "document",
        "location",
    ]
    with pytest.raises(BadRequest, match="Message to copy not found"):
        await bot.copy_message(AGENT, VILLAGER, 999)


async def test_forward_message(fake: FakeBotAPI, bot: Bot) -> None:
    src = fake.send_photo(VILLAGER, caption="病历")
    fwd = await bot.forward_message(AGENT, VILLAGER, src["message_id"])
    assert fwd.forward_origin is not None and fwd.caption == "病历"
    assert fwd.forward_origin.sender_user.id == VILLAGER
    assert fake.last_message(AGENT).kind == "forward"


async def test_commands_chat_and_misc(fake: FakeBotAPI, bot: Bot) -> None:
    commands = [BotCommand("start", "开始"), BotCommand("my", "我的事项")]
    assert await bot.set_my_commands(commands)
    assert await bot.get_my_commands() == tuple(commands)
    assert fake.my_commands() == [
        {"command": "start", "description": "开始"},
        {"command": "my", "description": "我的事项"},
    ]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])
    chat = await bot.get_chat(VILLAGER)
    assert (chat.id, chat.type, chat.first_name) == (VILLAGER, "private", "王秀英")
    assert (await bot.get_chat(GROUP)).title == "某村群"
    assert await bot.send_chat_action(VILLAGER, "typing")
    assert fake.chat_actions(VILLAGER) == ["typing"]
    await bot.send_location(VILLAGER, 34.98, 104.63)
    assert fake.last_message(VILLAGER).kind == "location"
    fake.add_bot_to_group(GROUP, by_user=VILLAGER)
    assert await bot.leave_chat(GROUP)
    with pytest.raises(Forbidden):
        await bot.send_message(GROUP, "x")
    assert await bot.close() and await bot.log_out()
