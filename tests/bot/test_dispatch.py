"""The outbox dispatcher against the fake Bot API: delivery, order, limits, retries, refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from telegram import Bot

from bot.db import clocked
from bot.dispatch import Dispatcher
from bot.fakeapi import FakeBotAPI
from bot.services import outbox
from bot.services.context import Deps
from models import EventKind, Outbox, OutboxStatus, Priority, TicketEvent, Villager
from tests import factories
from tests.factories import Clock

TOKEN = "700000003:AAdispatch-test-fake-bot-api-token-0"


@pytest.fixture
def engine(engine: Engine, clock: Clock) -> Engine:
    """Rows written here and the dispatcher share the test's clock (bot.db.clocked)."""
    return clocked(engine, clock)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as api:
        for uid in range(1, 41):
            api.add_user(uid, f"村民{uid}")
        yield api


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url) as b:
        yield b


def queue(engine: Engine, chat_id: int, text: str, **kw: object) -> int:
    with Session(engine) as s:
        row = outbox.send(s, chat_id, text, **kw)  # type: ignore[arg-type]
        s.commit()
        return row.id or 0


def rows(engine: Engine) -> list[Outbox]:
    with Session(engine) as s:
        return list(s.exec(select(Outbox).order_by(col(Outbox.id))).all())


async def test_sends_everything_and_records_message_ids(
    engine: Engine, bot: Bot, fake: FakeBotAPI
) -> None:
    for uid in (1, 2, 3):
        queue(engine, uid, f"<b>你好</b> {uid}", keyboard=[[("接单", f"acc:{uid}")]])
    await Dispatcher(engine, bot, chat_interval=0).drain()
    assert [r.status for r in rows(engine)] == [OutboxStatus.SENT] * 3
    for r in rows(engine):
        sent = fake.messages(r.chat_id)
        assert [m.message_id for m in sent] == [r.tg_message_id]
        assert sent[0].text == f"你好 {r.chat_id}" and sent[0].buttons == [
            ("接单", f"acc:{r.chat_id}")
        ]


async def test_edit_of_a_sent_row_edits_that_message(
    engine: Engine, bot: Bot, fake: FakeBotAPI
) -> None:
    card = queue(engine, 1, "待接单", keyboard=[[("接单", "acc:1")]])
    with Session(engine) as s:
        outbox.edit(s, 1, "办理中", edit_of=card, keyboard=[[("办结", "fin:1")]])
        s.commit()
    await Dispatcher(engine, bot, chat_interval=0).drain()
    [message] = fake.messages(1)
    assert message.text == "办理中" and message.buttons == [("办结", "fin:1")]
    assert len(message.edits) == 1


async def test_copy_of_a_users_photo_hides_the_sender_and_carries_our_caption(
    engine: Engine, bot: Bot, fake: FakeBotAPI
) -> None:
    photo = fake.send_photo(3, caption="住院发票 13812345678")
    place = fake.send_location(3, 34.98, 104.63)
    with Session(engine) as s:
        outbox.copy(s, 4, 3, photo["message_id"], caption="📎 村民<b>王秀英</b>发来的照片")
        outbox.copy(s, 4, 3, place["message_id"])
        s.commit()
    await Dispatcher(engine, bot, chat_interval=0).drain()
    copied, where = fake.messages(4)
    assert copied.kind == "copy" and copied.content_type == "photo"
    assert copied.text == "📎 村民王秀英发来的照片" and "13812345678" not in copied.text
    assert copied.copied_from == (3, photo["message_id"])
    assert where.content_type == "location"
    assert [r.tg_message_id for r in rows(engine)] == [copied.message_id, where.message_id]


async def test_copy_of_a_deleted_message_fails_quietly_on_record(
    engine: Engine, bot: Bot, fake: FakeBotAPI
) -> None:
    with Session(engine) as s:
        outbox.copy(s, 4, 3, 424242)
        s.commit()
    await Dispatcher(engine, bot, chat_interval=0).drain()
    [row] = rows(engine)
    assert row.status is OutboxStatus.FAILED and "copy not found" in (row.error or "")


async def test_edit_of_a_message_that_never_went_out_is_sent_new(
    engine: Engine, bot: Bot, fake: FakeBotAPI
) -> None:
    fake.block_user(2)
    card = queue(engine, 2, "待接单")
    await Dispatcher(engine, bot, chat_interval=0).drain()
    fake.unblock_user(2)
    with Session(engine) as s:
        outbox.edit(s, 2, "办理中", edit_of=card)
        s.commit()
    await Dispatcher(engine, bot, chat_interval=0).drain()
    assert [m.text for m in fake.messages(2)] == ["办理中"]


async def test_blocked_user_and_unknown_chat_fail_for_good_with_a_reason(
    engine: Engine, bot: Bot, fake: FakeBotAPI
) -> None:
    fake.block_user(5)
    queue(engine, 5, "a")
    queue(engine, 999_999, "b")
    queue(engine, 6, "c")
    await Dispatcher(engine, bot, chat_interval=0).drain()
    by_chat = {r.chat_id: r for r in rows(engine)}
    assert by_chat[5].status is OutboxStatus.FAILED and "blocked" in (by_chat[5].error or "")
    assert by_chat[999_999].status is OutboxStatus.FAILED and "chat not found" in (
        by_chat[999_999].error or ""
    )
    assert by_chat[6].status is OutboxStatus.SENT


async def test_message_telegram_refuses_is_recorded_not_retried(
    engine: Engine, bot: Bot, fake: FakeBotAPI
) -> None:
    queue(engine, 7, "<b>未闭合")
    await Dispatcher(engine, bot, chat_interval=0).drain()
    [row] = rows(engine)
    assert row.status is OutboxStatus.FAILED and "parse entities" in (row.error or "")
    assert row.attempts == 1


async def test_server_errors_and_dropped_connections_are_retried(
    engine: Engine, bot: Bot, fake: FakeBotAPI
) -> None:
    fake.fail_next(2, method="sendMessage", status=500)
    fake.drop_connection_next(1, method="sendMessage")
    queue(engine, 8, "一定要送到")
    dispatcher = Dispatcher(engine, bot, chat_interval=0, max_backoff=0.01)
    await dispatcher.drain()
    [row] = rows(engine)
    assert row.status is OutboxStatus.SENT and row.attempts == 4
    assert [m.text for m in fake.messages(8)] == ["一定要送到"]
    assert dispatcher.stats.retried == 3


async def test_retry_after_is_honoured(engine: Engine, bot: Bot, fake: FakeBotAPI) -> None:
    fake.fail_next(
        1,
        method="sendMessage",
        status=429,
        description="Too Many Requests: retry after 1",
        retry_after=1,
    )
    queue(engine, 9, "稍后再发")
    dispatcher = Dispatcher(engine, bot, chat_interval=0)
    await dispatcher.drain()
    assert [m.text for m in fake.messages(9)] == ["稍后再发"]
    assert dispatcher.stats.rate_limited == 1
    sends = fake.calls_to("sendMessage")
    assert sends[-1].timestamp - sends[0].timestamp >= 1.0


async def test_with_telegram_limits_on_nothing_draws_a_429(
    engine: Engine, bot: Bot, fake: FakeBotAPI
) -> None:
    fake.rate_limits = True
    for i in range(6):  # a burst to one villager: ack, accepted, rating question, ...
        queue(engine, 1, f"第{i}条")
    for uid in range(2, 41):  # and one message to each of 39 others
        queue(engine, uid, "通知")
    await Dispatcher(engine, bot).drain()
    assert fake.stats.too_many_requests == 0
    assert all(r.status is OutboxStatus.SENT for r in rows(engine))
    assert [m.text for m in fake.messages(1)] == [f"第{i}条" for i in range(6)]  # in order


async def test_replies_go_before_digests(engine: Engine, bot: Bot, fake: FakeBotAPI) -> None:
    queue(engine, 3, "每日汇总", priority=Priority.DIGEST)
    queue(engine, 3, "受理回执", priority=Priority.REPLY)
    await Dispatcher(engine, bot, chat_interval=0).drain()
    assert [m.text for m in fake.messages(3)] == ["受理回执", "每日汇总"]


async def test_a_claim_left_by_a_crashed_process_is_picked_up_after_its_lease(
    engine: Engine, bot: Bot, fake: FakeBotAPI, clock: Clock
) -> None:
    row_id = queue(engine, 4, "崩溃前领走的")
    with Session(engine) as s:
        row = s.get(Outbox, row_id)
        assert row is not None
        row.status, row.not_before = OutboxStatus.SENDING, clock() + timedelta(minutes=5)
        s.commit()
    await Dispatcher(engine, bot, chat_interval=0).drain()
    assert fake.messages(4) == []  # still leased to the dead process
    with Session(engine) as s:
        row = s.get(Outbox, row_id)
        assert row is not None
        row.not_before = clock() - timedelta(seconds=1)
        s.commit()
    await Dispatcher(engine, bot, chat_interval=0).drain()
    assert [m.text for m in fake.messages(4)] == ["崩溃前领走的"]


async def test_many_new_cards_for_one_agent_go_out_as_one_list(
    deps: Deps, bot: Bot, fake: FakeBotAPI
) -> None:
    factories.load_demo_roster(deps)
    fake.add_user(700101, "李建国")
    for uid in range(801, 813):
        fake.add_user(uid, f"村民{uid}")
        who = factories.villager(deps, uid, f"村民{uid}")
        factories.ticket(deps, who, "新农合住院报销咋弄")
    await Dispatcher(deps.writer, bot, chat_interval=0).drain()
    [listing] = fake.messages(700101)
    assert "12 件新派的事项" in listing.text
    assert len(listing.buttons) == 12 and all(
        label.startswith("📋 2026-") for label, _ in listing.buttons
    )
    assert all(len(fake.messages(uid)) == 2 for uid in range(801, 813))  # welcome + ack each
    with Session(deps.engine) as s:
        merged = s.exec(select(Outbox).where(Outbox.status == OutboxStatus.COALESCED)).all()
    assert len(merged) == 12


async def test_a_blocked_villager_is_flagged_and_the_ticket_records_it(
    deps: Deps, bot: Bot, fake: FakeBotAPI
) -> None:
    factories.load_demo_roster(deps)
    fake.add_user(801, "王秀英")
    fake.add_user(700101, "李建国")
    wang = factories.villager(deps, 801)
    fake.block_user(801)
    t = factories.ticket(deps, wang)
    await Dispatcher(deps.writer, bot, chat_interval=0).drain()
    with Session(deps.engine) as s:
        v = s.get(Villager, wang.id)
        assert v is not None and v.unreachable == "已屏蔽机器人"
        kinds = [
            e.kind for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == t.id)).all()
        ]
    assert EventKind.UNDELIVERED in kinds
    fake.unblock_user(801)
    queue(deps.writer, 801, "您好")
    await Dispatcher(deps.writer, bot, chat_interval=0).drain()
    with Session(deps.engine) as s:
        v = s.get(Villager, wang.id)
        assert v is not None and v.unreachable is None
