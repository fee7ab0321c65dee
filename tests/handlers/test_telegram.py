"""End to end: villagers, agents and supervisors talk to the real bot through the fake Bot API."""

from __future__ import annotations

from sqlmodel import select

from bot.app import Runtime
from bot.fakeapi import FakeBotAPI
from models import Agent, EventKind, Outbox, OutboxStatus, Rating, Ticket, TicketEvent, TicketStatus
from nlp import Mode
from tests.factories import Clock, after, register_by_buttons

WANG, ZHANG, LIU, CHEN = 801, 802, 803, 804
LI, MA, ZHAO, SUN, WU, ZHENG, QIAN, FENG = (
    700101,
    700102,
    700103,
    700104,
    700106,
    700107,
    700108,
    700109,
)


def only_ticket(live: Runtime) -> Ticket:
    with live.deps.read() as s:
        return s.exec(select(Ticket)).one()


async def test_a_request_travels_the_whole_way(fake: FakeBotAPI, live: Runtime) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")

    ack = await after(
        fake,
        WANG,
        "受理号",
        lambda: fake.send_text(WANG, "俺爹上个月住院花了一万多，新农合的钱能报不？"),
    )
    assert "代着办" in ack.text and "李建国" in ack.text and "13909430101" in ack.text
    assert "请准备好这些材料" in ack.text and "办结时限" in ack.text
    card = await fake.wait_for_message(LI, "待接单")
    assert [label for label, _ in card.buttons] == [
        "接单",
        "办结",
        "转办",
        "需补材料",
        "改类",
        "联系村民",
    ]
    assert "王秀英" in card.text and "新农合" in card.text

    told = await after(fake, WANG, "已接手", lambda: fake.press_button(LI, "接单"))
    assert "李建国" in told.text
    await fake.wait_for_message(LI, "办理中")

    # 代着办 is closed with a note: 办结 asks for it at once (no "close without a note").
    prompt = await after(fake, LI, "回复这条消息", lambda: fake.press_button(LI, "办结"))
    assert "要写一句办结说明" in prompt.text
    ask = await after(
        fake,
        WANG,
        "打个分",
        lambda: fake.send_text(LI, "报销材料已交镇上", reply_to=prompt.message_id),
    )
    assert "报销材料已交镇上" in ask.text
    assert [label for label, _ in ask.buttons] == ["满意", "基本满意", "不满意"]

    await after(fake, WANG, "谢谢您的评价", lambda: fake.press_button(WANG, "基本满意"))
    await fake.wait_for_message(LI, "评价：基本满意")
    ticket = only_ticket(live)
    assert ticket.status is TicketStatus.RATED and ticket.rating is Rating.BASIC
    assert ticket.close_note == "报销材料已交镇上"
    with live.deps.read() as s:
        kinds = [e.kind for e in s.exec(select(TicketEvent).order_by(TicketEvent.id)).all()]  # type: ignore[arg-type]
    assert kinds == [
        EventKind.CREATED,
        EventKind.ASSIGNED,
        EventKind.ACCEPTED,
        EventKind.CLOSED,
        EventKind.RATED,
    ]

    mine = await after(fake, WANG, "您的事项", lambda: fake.send_text(WANG, "/my"))
    assert ticket.number in mine.text and "已评价" in mine.text


async def test_all_four_modes_reach_the_villager(fake: FakeBotAPI, live: Runtime) -> None:
    cases = {
        WANG: ("一组", "麻烦给开个证明，娃上学要家庭情况证明", Mode.IMMEDIATE),
        ZHANG: ("三组", "我家老汉瘫痪在床好几年了，残疾人补贴咋申请，能上门不", Mode.MOBILE),
        LIU: ("二组", "低保咋申请，家里困难得很", Mode.PROXY),
        CHEN: ("一组", "身份证过期了，要换新的咋办", Mode.GUIDED),
    }
    for uid, (group, text, mode) in cases.items():
        await register_by_buttons(fake, uid, "柳湾镇", "杏花村", group)
        ack = await after(fake, uid, "受理号", lambda uid=uid, text=text: fake.send_text(uid, text))
        assert mode.value in ack.text, ack.text


async def test_agent_links_telegram_by_sharing_their_own_phone(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await register_by_buttons(fake, ZHANG, "柳湾镇", "杏花村", "三组")
    await after(fake, ZHANG, "受理号", lambda: fake.send_text(ZHANG, "新农合住院报销咋弄"))
    assert fake.messages(MA) == []  # 马兰花 has not linked Telegram yet: her card waits

    refused = await after(
        fake, MA, "您自己", lambda: fake.send_contact(MA, "13909430102", contact_user_id=LI)
    )
    assert "不能用别人的名片" in refused.text
    linked = await after(
        fake,
        MA,
        "已确认您是",
        lambda: fake.send_contact(MA, "+86 139 0943 0102", contact_user_id=MA),
    )
    assert "代办员" in linked.text and "1 件" in linked.text
    card = await fake.wait_for_message(MA, "待接单")
    assert "张福贵" in card.text
    with live.deps.read() as s:
        assert s.exec(select(Agent).where(Agent.phone == "13909430102")).one().telegram_id == MA

    # Now that she is known, her own chat shows an agent's menu, not the villagers'.
    mine = {"type": "chat", "chat_id": MA}
    await fake.wait_until(lambda: bool(fake.my_commands(mine)), timeout=10)
    assert [c["command"] for c in fake.my_commands(mine)] == ["tasks", "help"]

    # Nobody else can take over that roster phone afterwards.
    fake.add_user(999, "冒充者", phone="13909430102")
    taken = await after(
        fake, 999, "已经绑定", lambda: fake.send_contact(999, "13909430102", contact_user_id=999)
    )
    assert taken is not None


async def test_supervisor_sees_overdue_only_in_their_area(
    fake: FakeBotAPI, live: Runtime, clock: Clock
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    await register_by_buttons(fake, CHEN, "河口乡", "河口村", "二组")
    await after(
        fake, WANG, "受理号", lambda: fake.send_text(WANG, "麻烦给开个证明，娃上学要家庭情况证明")
    )
    await after(fake, CHEN, "受理号", lambda: fake.send_text(CHEN, "麻烦开个证明，证明我是本村人"))
    none_yet = await after(fake, WU, "没有超期", lambda: fake.send_text(WU, "/overdue"))
    assert "柳湾镇" in none_yet.text

    clock.advance(days=7)
    wu = await after(fake, WU, "超期事项", lambda: fake.send_text(WU, "/overdue"))
    assert "杏花村" in wu.text and "李建国" in wu.text and "河口村" not in wu.text
    qian = await after(fake, QIAN, "超期事项", lambda: fake.send_text(QIAN, "/overdue"))
    assert "河口村" in qian.text and "杏花村" not in qian.text
    feng = await after(fake, FENG, "超期事项 2 件", lambda: fake.send_text(FENG, "/overdue"))
    assert "河口村" in feng.text and "杏花村" in feng.text
    agent = await after(fake, LI, "/tasks", lambda: fake.send_text(LI, "/overdue"))
    assert "督办" in agent.text
    villager = await after(fake, WANG, "/my", lambda: fake.send_text(WANG, "/overdue"))
    assert "超期事项" not in villager.text


async def test_buttons_nobody_sent_or_someone_elses_are_refused_politely(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    card_msg = await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, "新农合住院报销咋弄"))
    card = await fake.wait_for_message(LI, "待接单")
    ticket = only_ticket(live)
    forged = {
        "acc:99999": "没有找到",
        "zzz:1": "过期",
        "acc:1;DROP": "过期",
        f"rate:{ticket.id}:1": "村民",  # an agent cannot rate
    }
    for data, words in forged.items():
        qid = fake.press(LI, card.message_id, data)
        assert words in (await fake.wait_for_answer(qid) or ""), data
    # Another agent (same township) forging 接单 for the ticket from their own chat is refused.
    own = await after(fake, SUN, "没有未办完", lambda: fake.send_text(SUN, "/tasks"))
    qid = fake.press(SUN, own.message_id, f"acc:{ticket.id}")
    assert "不归您" in (await fake.wait_for_answer(qid) or "")
    # The villager pressing an agent button on their own chat is refused.
    qid = fake.press(WANG, card_msg.message_id, f"acc:{ticket.id}")
    assert "只有代办员" in (await fake.wait_for_answer(qid) or "")
    assert only_ticket(live).status is TicketStatus.PENDING


async def test_non_text_messages_get_helpful_replies(fake: FakeBotAPI, live: Runtime) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    await after(fake, WANG, "表情", lambda: fake.send_sticker(WANG))
    await after(fake, WANG, "文字说明", lambda: fake.send_photo(WANG))
    await after(fake, WANG, "文件", lambda: fake.send_document(WANG, "病历.pdf"))
    ack = await after(
        fake, WANG, "受理号", lambda: fake.send_photo(WANG, caption="住院发票，新农合能报不")
    )
    assert "代着办" in ack.text
    # A voice note or a place cannot be read offline: a 流动办 call-back ticket, never dropped.
    voice = await after(fake, WANG, "受理号", lambda: fake.send_voice(WANG, duration=7))
    assert "流动办" in voice.text and "打电话给您" in voice.text
    place = await after(fake, WANG, "受理号", lambda: fake.send_location(WANG, 34.98, 104.63))
    assert "流动办" in place.text


async def test_strangers_and_groups(fake: FakeBotAPI, live: Runtime) -> None:
    fake.add_user(900, "路人")
    hint = await after(fake, 900, "/start", lambda: fake.send_text(900, "我要办低保"))
    assert "登记" in hint.text
    fake.add_group(-100500, "杏花村群")
    group_note = await after(
        fake, -100500, "私聊", lambda: fake.add_bot_to_group(-100500, by_user=WANG)
    )
    assert "/start" in group_note.text
    await after(fake, -100500, "私聊", lambda: fake.send_text(-100500, "/start", from_user=WANG))


async def test_user_html_is_shown_literally(fake: FakeBotAPI, live: Runtime) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    text = "新农合报销 <b>急</b> <script>alert(1)</script> & 谢谢"
    await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, text))
    card = await fake.wait_for_message(LI, "待接单")
    assert "<b>急</b> <script>alert(1)</script> & 谢谢" in card.text
    with live.deps.read() as s:
        failed = s.exec(select(Outbox).where(Outbox.status == OutboxStatus.FAILED)).all()
    assert failed == []


async def test_unclear_request_asks_with_buttons(fake: FakeBotAPI, live: Runtime) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    text = next(t for t in _dev_texts() if live.deps.classifier.classify(t).clarify)
    question = await after(fake, WANG, "请点一下最接近的", lambda: fake.send_text(WANG, text))
    labels = [label for label, _ in question.buttons]
    assert len(labels) >= 3 and labels[-1] == "都不是，请代办员打电话给我"
    ack = await after(fake, WANG, "受理号", lambda: fake.press_button(WANG, labels[0]))
    assert labels[0] in ack.text
    await fake.wait_for_message(LI, "待接单")


async def test_handover_to_a_colleague_by_buttons(fake: FakeBotAPI, live: Runtime) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, "新农合住院报销咋弄"))
    await fake.wait_for_message(LI, "待接单")
    fake.press_button(LI, "转办")
    choose = await fake.wait_for_message(LI, "转给谁")
    names = [label for label, _ in choose.buttons]
    assert "孙红梅" in names and "郑玉兰" not in names
    told = await after(fake, WANG, "新的代办员", lambda: fake.press_button(LI, "孙红梅"))
    assert "孙红梅" in told.text and "13909430104" in told.text
    await fake.wait_for_message(SUN, "待接单")
    await fake.wait_for_message(LI, "已转给 孙红梅")
    assert only_ticket(live).assignee_id is not None


def _dev_texts() -> list[str]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "dev_requests.jsonl"
    return [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]


async def test_each_role_sees_its_own_command_menu(fake: FakeBotAPI, live: Runtime) -> None:
    everyone = [c["command"] for c in fake.my_commands()]
    assert everyone == ["start", "my", "card", "me", "cancel", "help"]  # no 督办 for villagers
    await after(fake, WU, "超期", lambda: fake.send_text(WU, "/help"))
    mine = {"type": "chat", "chat_id": WU}
    await fake.wait_until(lambda: bool(fake.my_commands(mine)), timeout=10)
    staff = [c["command"] for c in fake.my_commands(mine)]
    assert {"overdue", "stats", "review", "web", "night"} <= set(staff)
    assert "cancel" not in staff
