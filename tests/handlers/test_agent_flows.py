"""End to end, as an agent works a card: 需补材料, 改类, 办结 with a note, /tasks, relays, 转办."""

from __future__ import annotations

from sqlmodel import col, select

from bot.app import Runtime
from bot.fakeapi import FakeBotAPI
from bot.workdays import due_at
from models import EventKind, Ticket, TicketEvent, TicketStatus
from nlp import Mode
from tests.factories import after, register_by_buttons

WANG = 801
LI, SUN = 700101, 700104
REIMBURSE = "俺爹上个月住院花了一万多，新农合的钱能报不？"  # 代着办, documents listed
CERTIFICATE = "麻烦给开个证明，娃上学要家庭情况证明"  # 马上办


def tickets_of(live: Runtime) -> list[Ticket]:
    with live.deps.read() as s:
        return list(s.exec(select(Ticket).order_by(col(Ticket.id))).all())


def events(live: Runtime, kind: EventKind) -> list[TicketEvent]:
    with live.deps.read() as s:
        return list(s.exec(select(TicketEvent).where(TicketEvent.kind == kind)).all())


async def ask(fake: FakeBotAPI, text: str) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, text))
    await fake.wait_for_message(LI, "待接单")


async def test_documents_are_ticked_and_the_villager_told_exactly_what_to_bring(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await ask(fake, REIMBURSE)
    [ticket] = tickets_of(live)
    first, third = ticket.documents[0], ticket.documents[2]
    fake.press_button(LI, "需补材料")
    picker = await fake.wait_for_message(LI, "还缺哪些材料")
    assert [label for label, _ in picker.buttons][:2] == [f"☐ {first}", f"☐ {ticket.documents[1]}"]
    fake.press_button(LI, f"☐ {first}")
    await fake.wait_until(lambda: any(b == f"☑ {first}" for b, _ in picker.buttons))
    fake.press_button(LI, f"☐ {third}")
    await fake.wait_until(lambda: any(b == f"☑ {third}" for b, _ in picker.buttons))
    told = await after(fake, WANG, "还需要您准备", lambda: fake.press_button(LI, "告诉村民"))
    assert f"1. {first}" in told.text and f"2. {third}" in told.text
    assert ticket.documents[1] not in told.text and "李建国" in told.text
    await fake.wait_until(lambda: "已请村民补材料" in picker.text and bool(picker.buttons))
    [asked] = events(live, EventKind.DOCUMENTS_REQUESTED)
    assert asked.data["documents"] == [first, third]

    # Or in their own words: 另写说明 → reply to the prompt.
    fake.press_button(LI, "需补材料")
    await fake.wait_until(lambda: "还缺哪些材料" in picker.text)
    prompt = await after(fake, LI, "回复这条消息", lambda: fake.press_button(LI, "另写说明"))
    note = await after(
        fake,
        WANG,
        "代办员说明",
        lambda: fake.send_text(LI, "户口本首页也拍一张", reply_to=prompt.message_id),
    )
    assert "户口本首页也拍一张" in note.text
    # She answers that message with a photo: it reaches the agent.
    fake.send_photo(WANG, caption="户口本", reply_to=note.message_id)
    copy = await fake.wait_for_message(LI, predicate=lambda m: m.content_type == "photo")
    assert "户口本" in copy.text and "村民王秀英" in copy.text
    # Nothing ticked and no words: a polite refusal, nothing sent.
    qid = fake.press(LI, picker.message_id, f"ds:{ticket.id}:0")
    assert "请先勾选" in (await fake.wait_for_answer(qid) or "")


async def test_reclassify_changes_mode_and_matter_and_recomputes_the_due_date(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await ask(fake, REIMBURSE)
    [ticket] = tickets_of(live)
    fake.press_button(LI, "改类")
    menu = await fake.wait_for_message(LI, "改成哪种办法")
    labels = [label for label, _ in menu.buttons]
    assert "✓ 办法：代着办" in labels and "办法：流动办" in labels and "其他事项…" in labels
    told = await after(fake, WANG, "有调整", lambda: fake.press_button(LI, "办法：流动办"))
    assert "流动办" in told.text and "上门" in told.text
    await fake.wait_until(lambda: "办法：<b>流动办" in menu.html)
    assert tickets_of(live)[0].category is Mode.MOBILE
    assert tickets_of(live)[0].due_at == ticket.due_at  # same matter, same limit

    fake.press_button(LI, "改类")
    await fake.wait_until(lambda: "改成哪种办法" in menu.text)
    fake.press_button(LI, "其他事项…")
    await fake.wait_until(lambda: "第 1/" in menu.text)
    fake.press_button(LI, "下一页")
    await fake.wait_until(lambda: "第 2/" in menu.text)
    target = menu.buttons[0][0]
    told = await after(fake, WANG, "有调整", lambda: fake.press_button(LI, target))
    changed = tickets_of(live)[0]
    matter = live.deps.classifier.catalog.get(changed.matter_code or "")
    assert matter is not None and matter.name in target and matter.name in told.text
    expected = due_at(
        changed.created_at, matter.time_limit_days, live.deps.zone, live.deps.workday_end
    )
    assert changed.due_at == expected and changed.documents == list(matter.documents)
    if matter.documents:
        assert f"1. {matter.documents[0]}" in told.text
    assert "办结时限" in told.text
    assert len(events(live, EventKind.RECLASSIFIED)) == 2


async def test_closing_a_proxy_matter_needs_a_note_an_on_the_spot_one_does_not(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await ask(fake, REIMBURSE)
    [proxy] = tickets_of(live)
    card = await fake.wait_for_message(LI, "待接单")
    qid = fake.press(LI, card.message_id, f"fn:{proxy.id}")  # a forged "close without note"
    assert "要写一句说明" in (await fake.wait_for_answer(qid) or "")
    assert tickets_of(live)[0].status is TicketStatus.PENDING

    await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, CERTIFICATE))
    quick = tickets_of(live)[1]
    assert quick.category is Mode.IMMEDIATE
    on_spot = await fake.wait_for_message(LI, quick.number, predicate=lambda m: bool(m.buttons))
    fake.press_button(LI, "办结", message_id=on_spot.message_id)
    await fake.wait_until(lambda: "可以直接办结" in on_spot.text)
    await after(fake, WANG, "打个分", lambda: fake.press_button(LI, "直接办结"))
    assert tickets_of(live)[1].status is TicketStatus.DONE


async def test_tasks_are_sorted_by_due_time(fake: FakeBotAPI, live: Runtime) -> None:
    await ask(fake, REIMBURSE)  # a longer limit
    await after(fake, WANG, "受理号", lambda: fake.send_text(WANG, CERTIFICATE))  # due sooner
    slow, quick = tickets_of(live)
    assert quick.due_at < slow.due_at
    listed = await after(fake, LI, "未办完的事项", lambda: fake.send_text(LI, "/tasks"))
    assert listed.text.index(quick.number) < listed.text.index(slow.number)
    assert [label.split()[1] for label, _ in listed.buttons] == [quick.number, slow.number]


async def test_agent_and_villager_talk_through_the_bot_without_seeing_accounts(
    fake: FakeBotAPI, live: Runtime
) -> None:
    fake.add_user(WANG, "王秀英", username="wang_xiuying_88")
    fake.add_user(LI, "李建国", username="li_jianguo", phone="13909430101")
    await ask(fake, REIMBURSE)
    prompt = await after(fake, LI, "回复这条消息", lambda: fake.press_button(LI, "联系村民"))
    assert "王秀英" in prompt.text
    words = "下午三点到你家，有事打13909430101；身份证620102199001011234带上，别打13812345678"
    relayed = await after(
        fake, WANG, "代办员李建国", lambda: fake.send_text(LI, words, reply_to=prompt.message_id)
    )
    assert "13909430101" in relayed.text  # the agent's own published card phone
    assert "138****5678" in relayed.text and "620102********1234" in relayed.text
    await fake.wait_for_message(LI, "已转告村民王秀英")

    answer = await after(
        fake,
        LI,
        "村民王秀英",
        lambda: fake.send_text(WANG, "好的，我在家", reply_to=relayed.message_id),
    )
    assert "好的，我在家" in answer.text
    # The agent answers the villager's words with a photo (e.g. a form to fill in).
    fake.send_photo(LI, caption="照这个填", reply_to=answer.message_id)
    form = await fake.wait_for_message(WANG, predicate=lambda m: m.kind == "copy")
    assert form.content_type == "photo" and "代办员李建国" in form.text and "照这个填" in form.text

    for uid, other in ((WANG, ("li_jianguo", str(LI))), (LI, ("wang_xiuying_88", str(WANG)))):
        for message in fake.messages(uid):
            assert not any(secret in message.text for secret in other), message.text
    notes = [e for e in events(live, EventKind.NOTE) if e.data.get("relay")]
    assert [e.data["relay"] for e in notes] == ["to_villager", "from_villager", "to_villager"]
    assert all(e.source_ref for e in notes)


async def test_handover_tells_both_and_brings_the_attachments(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    await after(
        fake, WANG, "受理号", lambda: fake.send_photo(WANG, caption="住院发票，新农合能报不")
    )
    await fake.wait_for_message(LI, "待接单")
    fake.press_button(LI, "转办")
    await fake.wait_for_message(LI, "转给谁")
    await after(fake, WANG, "新的代办员", lambda: fake.press_button(LI, "孙红梅"))
    await fake.wait_for_message(SUN, "待接单")
    photo = await fake.wait_for_message(SUN, predicate=lambda m: m.content_type == "photo")
    assert "住院发票" in photo.text
    await fake.wait_for_message(LI, "已转给 孙红梅")
    [handed] = events(live, EventKind.HANDED_OVER)
    assert handed.data["to_agent"] != handed.data["from_agent"]
