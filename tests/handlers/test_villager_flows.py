"""End to end, as a villager uses the bot: buttons only, any message, /me, /cancel, rating."""

from __future__ import annotations

from sqlmodel import col, select

from bot.app import Runtime
from bot.fakeapi import FakeBotAPI
from models import (
    Agent,
    Attachment,
    EventKind,
    Rating,
    Ticket,
    TicketEvent,
    TicketStatus,
    Villager,
)
from nlp import Mode
from tests.factories import after, register_by_buttons

WANG, ZHANG = 801, 802
LI, ZHAO = 700101, 700103
REQUEST = "俺爹上个月住院花了一万多，新农合的钱能报不？"


def tickets_of(live: Runtime) -> list[Ticket]:
    with live.deps.read() as s:
        return list(s.exec(select(Ticket).order_by(col(Ticket.id))).all())


def event_kinds(live: Runtime, ticket_id: int | None) -> list[EventKind]:
    with live.deps.read() as s:
        rows = s.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(col(TicketEvent.id))
        ).all()
    return [e.kind for e in rows]


async def test_registration_with_buttons_only_phone_optional_and_changed_with_me(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    done = fake.last_message(WANG)
    assert done is not None and done.keyboard == ["📱 留手机号（方便代办员打电话）"]
    # She never shares a phone and can still ask for things.
    await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, REQUEST))

    me = await after(fake, WANG, "您登记的信息", lambda: fake.send_text(WANG, "/me"))
    assert "柳湾镇杏花村一组" in me.text and "没留" in me.text and "李建国" in me.text
    assert [label for label, _ in me.buttons] == ["🏠 改住址", "📱 留手机号 / 换手机号"]

    ask = await after(fake, WANG, "留手机号", lambda: fake.press_button(WANG, "留手机号"))
    assert ask.keyboard == ["📱 留手机号（方便代办员打电话）"]
    saved = await after(
        fake, WANG, "已记下", lambda: fake.send_contact(WANG, "13800008888", contact_user_id=WANG)
    )
    assert "138****8888" in saved.text
    me = await after(fake, WANG, "您登记的信息", lambda: fake.send_text(WANG, "/me"))
    assert "138****8888" in me.text and "13800008888" not in me.text
    fake.press_button(WANG, "不留手机号了")
    gone = await fake.wait_for_message(WANG, "删掉", since=me.message_id - 1)
    assert gone.message_id == me.message_id  # the /me message itself says so
    with live.deps.read() as s:
        assert s.exec(select(Villager).where(Villager.telegram_id == WANG)).one().phone is None

    # Moving house: the same township → village → group buttons from /me.
    me = await after(fake, WANG, "您登记的信息", lambda: fake.send_text(WANG, "/me"))
    fake.press_button(WANG, "改住址", message_id=me.message_id)
    await fake.wait_for_message(WANG, "选择乡镇", since=me.message_id - 1)
    fake.press_button(WANG, "柳湾镇")
    await fake.wait_for_message(WANG, "请选择您的村")
    fake.press_button(WANG, "石岭村")
    await fake.wait_for_message(WANG, "请选择您的村民小组")
    moved = await after(fake, WANG, "登记好了", lambda: fake.press_button(WANG, "一组"))
    assert "柳湾镇石岭村一组" in moved.text and "孙红梅" in moved.text


async def test_voice_becomes_a_call_back_ticket_with_the_voice_copied_to_the_agent(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    ack = await after(fake, WANG, "受理号", lambda: fake.send_voice(WANG, duration=12))
    assert "流动办" in ack.text and "他会打电话给您" in ack.text
    card = await fake.wait_for_message(LI, "待接单")
    assert "语音留言" in card.text and "附件：1 件" in card.text
    voice = await fake.wait_for_message(LI, predicate=lambda m: m.kind == "copy")
    assert voice.content_type == "voice" and "村民王秀英" in voice.text
    assert voice.message_id > card.message_id
    [ticket] = tickets_of(live)
    assert ticket.category is Mode.MOBILE and ticket.matter_code is None
    with live.deps.read() as s:
        [kept] = s.exec(select(Attachment)).all()
    assert kept.ticket_id == ticket.id and kept.kind == "voice" and kept.file_unique_id


async def test_photo_with_caption_and_a_document_reply_reach_the_agent(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    ack = await after(
        fake, WANG, "受理号", lambda: fake.send_photo(WANG, caption="住院发票，新农合能报不")
    )
    photo = await fake.wait_for_message(LI, predicate=lambda m: m.content_type == "photo")
    assert "住院发票" in photo.text and photo.kind == "copy"
    # Replying to the acknowledgement adds to that ticket: words, then a file.
    told = await after(
        fake,
        WANG,
        "已转告",
        lambda: fake.send_text(WANG, "出院小结也有，电话13812345678", reply_to=ack.message_id),
    )
    assert "李建国" in told.text
    words = await fake.wait_for_message(LI, "出院小结也有")
    assert "出院小结也有" in words.text and "138****5678" in words.text
    await after(
        fake,
        WANG,
        "已转告",
        lambda: fake.send_document(WANG, "出院小结.pdf", reply_to=ack.message_id),
    )
    doc = await fake.wait_for_message(LI, predicate=lambda m: m.content_type == "document")
    assert doc.kind == "copy" and "村民王秀英" in doc.text and "文件" in doc.text
    # A photo without words and without "reply": her only open matter is the one it is for.
    await after(fake, WANG, "已转告", lambda: fake.send_photo(WANG))
    await fake.wait_until(
        lambda: sum(m.content_type == "photo" for m in fake.messages(LI)) == 2, timeout=10
    )
    [ticket] = tickets_of(live)
    assert event_kinds(live, ticket.id)[-3:] == [EventKind.NOTE] * 3
    with live.deps.read() as s:
        kinds = [a.kind for a in s.exec(select(Attachment).order_by(col(Attachment.id))).all()]
    assert kinds == ["photo", "document", "photo"]


async def test_my_cancel_by_number_and_by_buttons(fake: FakeBotAPI, live: Runtime) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, REQUEST))
    await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, "身份证过期了，要换新的咋办"))
    first, second = tickets_of(live)
    mine = await after(fake, WANG, "您的事项", lambda: fake.send_text(WANG, "/my"))
    assert first.number in mine.text and "待接单" in mine.text and "时限" in mine.text

    seq = str(int(first.number.split("-")[1]))
    confirm = await after(fake, WANG, "确定要撤销", lambda: fake.send_text(WANG, f"/cancel {seq}"))
    assert first.number in confirm.text
    fake.press_button(WANG, "不撤销")
    kept = await fake.wait_for_message(WANG, "继续办理", since=confirm.message_id - 1)
    assert kept.message_id == confirm.message_id
    assert tickets_of(live)[0].status is TicketStatus.PENDING

    await after(fake, WANG, "确定要撤销", lambda: fake.send_text(WANG, f"/cancel {first.number}"))
    await after(fake, LI, "撤销了事项", lambda: fake.press_button(WANG, "确定撤销"))
    assert tickets_of(live)[0].status is TicketStatus.CANCELLED
    assert tickets_of(live)[0].next_check_at is None  # no more reminders
    assert event_kinds(live, first.id)[-1] is EventKind.CANCELLED

    listed = await after(fake, WANG, "要撤销哪件事", lambda: fake.send_text(WANG, "/cancel"))
    assert len(listed.buttons) == 1 and second.number in listed.buttons[0][0]
    fake.press_button(WANG, second.number)
    await fake.wait_for_message(WANG, "确定要撤销", since=listed.message_id - 1)
    nobody = await after(fake, WANG, "没有找到", lambda: fake.send_text(WANG, "/cancel 9999"))
    assert "/my" in nobody.text


async def test_rating_with_a_comment_and_unhappy_reopens_for_the_station_head(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, REQUEST))
    await fake.wait_for_message(LI, "待接单")
    prompt = await after(fake, LI, "回复这条消息", lambda: fake.press_button(LI, "办结"))
    ask = await after(
        fake,
        WANG,
        "打个分",
        lambda: fake.send_text(LI, "材料已交镇上", reply_to=prompt.message_id),
    )
    assert ask.message_id > 0
    unhappy = await after(fake, WANG, "重新跟进", lambda: fake.press_button(WANG, "不满意"))
    assert "赵德胜" in unhappy.text  # 杏花村's station head follows it up
    head_card = await fake.wait_for_message(ZHAO, "不满意")
    assert "李建国" in head_card.text
    card = await fake.wait_for_message(ZHAO, "重新办理中", predicate=lambda m: bool(m.buttons))
    await fake.wait_for_message(LI, "评价：不满意")
    [ticket] = tickets_of(live)
    assert ticket.status is TicketStatus.REOPENED and ticket.rating is Rating.UNSATISFIED
    with live.deps.read() as s:
        zhao = s.exec(select(Agent).where(Agent.telegram_id == ZHAO)).one()
    assert ticket.assignee_id == zhao.id and ticket.reopened == 1

    thanks = await after(
        fake,
        WANG,
        "已经转告",
        lambda: fake.send_text(WANG, "钱还没到账", reply_to=unhappy.message_id),
    )
    assert thanks is not None
    comment = await fake.wait_for_message(ZHAO, "钱还没到账")
    assert "不满意" in comment.text
    assert tickets_of(live)[0].rating_comment == "钱还没到账"

    # The station head closes it (a note is required) and she rates again.
    assert card.buttons[0][0] == "办结"
    note = await after(fake, ZHAO, "回复这条消息", lambda: fake.press_button(ZHAO, "办结"))
    await after(
        fake,
        WANG,
        "打个分",
        lambda: fake.send_text(ZHAO, "已催镇上，今天到账", reply_to=note.message_id),
    )
    await after(fake, WANG, "谢谢您的评价", lambda: fake.press_button(WANG, "满意"))
    [ticket] = tickets_of(live)
    assert ticket.status is TicketStatus.RATED and ticket.rating is Rating.SATISFIED
    kinds = event_kinds(live, ticket.id)
    assert kinds.count(EventKind.RATED) == 2 and EventKind.REOPENED in kinds
