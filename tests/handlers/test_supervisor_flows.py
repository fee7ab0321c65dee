"""End to end, as supervisors use the bot: /overdue and 督办, /stats, flood control and /review."""

from __future__ import annotations

from sqlmodel import col, select

from bot.app import Runtime
from bot.fakeapi import FakeBotAPI
from bot.services import rating, tickets
from models import Agent, EventKind, HeldRequest, HeldStatus, Rating, Ticket, TicketEvent
from tests.factories import Clock, after, register_by_buttons

WANG, ZHANG, CHEN = 801, 802, 804
LI, ZHAO, SUN, WU, QIAN, FENG = 700101, 700103, 700104, 700106, 700108, 700109
CERTIFICATE = "麻烦给开个证明，娃上学要家庭情况证明"


def tickets_of(live: Runtime) -> list[Ticket]:
    with live.deps.read() as s:
        return list(s.exec(select(Ticket).order_by(col(Ticket.id))).all())


def agent_id(live: Runtime, telegram_id: int) -> int:
    with live.deps.read() as s:
        return s.exec(select(Agent).where(Agent.telegram_id == telegram_id)).one().id or 0


async def test_urging_an_overdue_ticket_prompts_its_holder_on_record(
    fake: FakeBotAPI, live: Runtime, clock: Clock
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, CERTIFICATE))
    clock.advance(days=7)
    listed = await after(fake, WU, "超期事项 1 件", lambda: fake.send_text(WU, "/overdue"))
    [ticket] = tickets_of(live)
    assert listed.buttons == [(f"督办 {ticket.number}", f"ug:{ticket.id}")]
    urged = await after(fake, LI, "督办", lambda: fake.press_button(WU, f"督办 {ticket.number}"))
    assert "乡镇督办吴振华" in urged.text and "已超期" in urged.text
    assert [label for label, _ in urged.buttons][:2] == ["接单", "办结"]
    again = fake.press_button(WU, f"督办 {ticket.number}")
    assert "一小时内" in (await fake.wait_for_answer(again) or "")
    # 钱国庆 supervises 河口乡: for him the ticket does not exist.
    other = await after(fake, QIAN, "没有超期", lambda: fake.send_text(QIAN, "/overdue"))
    forged = fake.press(QIAN, other.message_id, f"ug:{ticket.id}")
    assert "没有找到" in (await fake.wait_for_answer(forged) or "")
    with live.deps.read() as s:
        urges = s.exec(select(TicketEvent).where(TicketEvent.kind == EventKind.URGED)).all()
    assert [(e.actor, e.data["to_agent"]) for e in urges] == [
        (f"agent:{agent_id(live, WU)}", agent_id(live, LI))
    ]


async def test_stats_for_the_supervisors_own_area(
    fake: FakeBotAPI, live: Runtime, clock: Clock
) -> None:
    d = live.deps
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    await register_by_buttons(fake, ZHANG, "柳湾镇", "石岭村", "一组")
    await register_by_buttons(fake, CHEN, "河口乡", "河口村", "二组")
    for uid in (WANG, WANG, ZHANG, CHEN):
        await after(fake, uid, "受理号", lambda uid=uid: fake.send_text(uid, CERTIFICATE))
    done, late, other, far = tickets_of(live)
    tickets.close(d, agent_id=agent_id(live, LI), ticket_id=done.id or 0)
    rating.rate(d, villager_id=done.villager_id, ticket_id=done.id or 0, rating=Rating.SATISFIED)
    clock.advance(days=7)

    wu = await after(fake, WU, "统计", lambda: fake.send_text(WU, "/stats"))
    assert "柳湾镇" in wu.text and "共 3 件" in wu.text and "超期 2 件" in wu.text
    assert "马上办 3" in wu.text and "按时办结率：1/1（100%）" in wu.text
    assert "满意率（满意+基本满意）：1/1（100%）" in wu.text
    assert late.number in wu.text and other.number in wu.text and far.number not in wu.text
    assert "李建国" in wu.text and "孙红梅" in wu.text  # who holds each overdue one
    zhao = await after(fake, ZHAO, "统计", lambda: fake.send_text(ZHAO, "/stats"))
    assert "共 2 件" in zhao.text and other.number not in zhao.text
    feng = await after(fake, FENG, "统计", lambda: fake.send_text(FENG, "/stats"))
    assert "共 4 件" in feng.text and far.number in feng.text
    agent = await after(fake, LI, "/tasks", lambda: fake.send_text(LI, "/stats"))
    assert "只对站长和督办" in agent.text
    villager = await after(fake, WANG, "只对站长和督办", lambda: fake.send_text(WANG, "/stats"))
    assert "统计：" not in villager.text


async def test_too_many_requests_are_held_for_review_not_lost(
    fake: FakeBotAPI, live: Runtime
) -> None:
    live.deps.flood_per_hour = 3
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    texts = [
        CERTIFICATE,
        "身份证过期了，要换新的咋办",
        "低保咋申请，家里困难得很",
        "新农合住院报销咋弄",
        "我家老汉瘫痪在床好几年了，残疾人补贴咋申请，能上门不",
    ]
    for text in texts[:3]:
        await after(fake, WANG, "受理号", lambda text=text: fake.send_text(WANG, text))
    for text in texts[3:]:
        held = await after(fake, WANG, "先记下来", lambda text=text: fake.send_text(WANG, text))
        assert "不会丢" in held.text
    notice = await fake.wait_for_message(ZHAO, "/review")
    assert "王秀英" in notice.text
    assert len([m for m in fake.messages(ZHAO) if "/review" in m.text]) == 1  # told once
    assert len(tickets_of(live)) == 3

    # Outside his area 钱国庆 sees nothing and can release nothing.
    empty = await after(fake, QIAN, "没有暂存", lambda: fake.send_text(QIAN, "/review"))
    with live.deps.read() as s:
        first, second = s.exec(select(HeldRequest).order_by(col(HeldRequest.id))).all()
    forged = fake.press(QIAN, empty.message_id, f"rl:{first.id}")
    assert "处理过" in (await fake.wait_for_answer(forged) or "")

    review = await after(
        fake, ZHAO, "暂存待审核的事项 2 件", lambda: fake.send_text(ZHAO, "/review")
    )
    assert "新农合住院报销咋弄" in review.text
    ack = await after(fake, WANG, "受理号", lambda: fake.press_button(ZHAO, f"受理 #{first.id}"))
    assert "新农合" in ack.text
    await fake.wait_until(lambda: "1 件" in review.text)
    told = await after(
        fake, WANG, "不作为新的事项", lambda: fake.press_button(ZHAO, f"不受理 #{second.id}")
    )
    assert "瘫痪在床" in told.text
    await fake.wait_until(lambda: "没有暂存" in review.text)
    with live.deps.read() as s:
        decided = s.exec(select(HeldRequest).order_by(col(HeldRequest.id))).all()
    assert [h.status for h in decided] == [HeldStatus.RELEASED, HeldStatus.DISMISSED]
    assert decided[0].ticket_id == tickets_of(live)[-1].id
    assert all(h.decided_by == agent_id(live, ZHAO) for h in decided)
    assert len(tickets_of(live)) == 4
