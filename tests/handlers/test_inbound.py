"""Updates are recorded first: redeliveries count once; crashes and errors lose nothing."""

from __future__ import annotations

from sqlmodel import Session, select
from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.app import Runtime
from bot.fakeapi import FakeBotAPI
from bot.services import inbound
from models import InboundStatus, InboundUpdate, Ticket
from tests.factories import after, register_by_buttons

WANG, LI = 801, 700101


def message_update(update_id: int, message_id: int, text: str) -> dict[str, object]:
    user = {"id": WANG, "is_bot": False, "first_name": "王秀英"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "date": 1795400000,
            "chat": {"id": WANG, "type": "private", "first_name": "王秀英"},
            "from": user,
            "text": text,
        },
    }


def statuses(live: Runtime) -> dict[int, InboundStatus]:
    with live.deps.read() as s:
        return {r.update_id: r.status for r in s.exec(select(InboundUpdate)).all()}


async def test_a_redelivered_update_makes_one_ticket_and_one_ack(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    payload = message_update(900_001, 5001, "新农合住院报销咋弄")
    assert inbound.record(live.deps, [payload], "webhook") == 1
    assert inbound.record(live.deps, [payload], "webhook") == 0  # Telegram sent it again
    live.feeder.wake()
    await fake.wait_for_message(WANG, "受理号")
    await fake.wait_until(lambda: statuses(live).get(900_001) is InboundStatus.DONE)
    # Even a record lost after handling (re-inserted) cannot make a second ticket.
    with live.deps.tx() as s:
        row = s.get(InboundUpdate, 900_001)
        assert row is not None
        row.status = InboundStatus.RECEIVED
    live.feeder.wake()
    await fake.wait_until(lambda: statuses(live).get(900_001) is InboundStatus.DONE)
    with live.deps.read() as s:
        assert len(s.exec(select(Ticket)).all()) == 1
    assert len([m for m in fake.messages(WANG) if "受理号" in m.text]) == 1


async def test_an_update_cut_off_by_a_crash_is_handled_by_the_next_process(
    fake: FakeBotAPI, live: Runtime
) -> None:
    await register_by_buttons(fake, WANG, "柳湾镇", "杏花村", "一组")
    inbound.record(live.deps, [message_update(900_002, 5002, "低保咋申请")], "polling")
    if live.deps.engine.dialect.name == "postgresql":
        # A live process holds the update's row lock: nobody else touches it...
        other = Session(live.deps.engine)
        assert inbound.lock_next(other) is not None
        assert await live.feeder.feed_once() == 0
        other.close()  # ...until that process dies and its connection (and lock) goes away.
    else:
        with live.deps.tx() as s:  # SQLite: the one process marked it and was killed
            row = s.get(InboundUpdate, 900_002)
            assert row is not None
            row.status = InboundStatus.HANDLING
        assert await live.feeder.feed_once() == 0
        inbound.release_all(live.deps)  # what a restarted process does first
    live.feeder.wake()
    await fake.wait_for_message(WANG, "受理号")
    await fake.wait_until(lambda: statuses(live)[900_002] is InboundStatus.DONE)


async def test_a_handler_error_keeps_the_update_and_tells_the_user(
    fake: FakeBotAPI, live: Runtime
) -> None:
    async def broken(update: Update, context: object) -> None:
        raise RuntimeError("disk on fire")

    live.ptb.add_handler(MessageHandler(filters.Regex("^炸了$"), broken), group=-1)
    reply = await after(fake, WANG, "出了点问题", lambda: fake.send_text(WANG, "炸了"))
    assert "已记下" in reply.text
    await fake.wait_until(lambda: InboundStatus.FAILED in statuses(live).values())
    with live.deps.read() as s:
        failed = s.exec(
            select(InboundUpdate).where(InboundUpdate.status == InboundStatus.FAILED)
        ).one()
    assert failed.payload["message"]["text"] == "炸了" and "disk on fire" in (failed.error or "")
