"""Test factories: a controllable clock, and villagers/tickets made through the real services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from bot.fakeapi import FakeBotAPI, SentMessage
from bot.services import intake, registration
from bot.services.context import Deps
from bot.services.roster import import_roster
from models import Channel, Ticket, Township, Village, VillageGroup, Villager

DEMO_ROSTER = Path(__file__).resolve().parent.parent / "bot" / "data" / "demo_roster.csv"
# Monday 2026-11-23 09:00 in Shanghai
MONDAY_9AM = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@dataclass
class Clock:
    """Time as a parameter: tests move it explicitly."""

    now: datetime = field(default=MONDAY_9AM)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def load_demo_roster(deps: Deps) -> None:
    import_roster(deps, DEMO_ROSTER)


def group_id(deps: Deps, township: str, village: str, group: str) -> int:
    with deps.read() as session:
        found = session.exec(
            select(VillageGroup.id)
            .join(Village, Village.id == VillageGroup.village_id)  # type: ignore[arg-type]
            .join(Township, Township.id == Village.township_id)  # type: ignore[arg-type]
            .where(Township.name == township, Village.name == village, VillageGroup.name == group)
        ).first()
    assert found is not None, f"no group {township}{village}{group}"
    return found


def villager(
    deps: Deps,
    telegram_id: int,
    name: str = "王秀英",
    place: tuple[str, str, str] = ("柳湾镇", "杏花村", "一组"),
) -> Villager:
    return registration.register_villager(
        deps, telegram_id=telegram_id, name=name, group_id=group_id(deps, *place)
    )


def ticket(
    deps: Deps,
    who: Villager,
    text: str = "俺爹住院花了不少钱，新农合能报销不",
    ref: str | None = None,
) -> Ticket:
    result = intake.submit_request(
        deps, villager_id=who.id or 0, text=text, channel=Channel.TELEGRAM, source_ref=ref
    )
    assert result.ticket is not None, f"{text!r} gave {result.outcome}"
    return result.ticket


def tickets(deps: Deps) -> list[Ticket]:
    with deps.read() as session:
        return list(session.exec(select(Ticket).order_by(Ticket.id)).all())  # type: ignore[arg-type]


# ---- acting as Telegram users against the fake Bot API ---------------------------------------


async def after(
    fake: FakeBotAPI, chat_id: int, contains: str, act: Callable[[], object]
) -> SentMessage:
    """Act as a user, then wait for a *new* bot message in that chat containing `contains`."""
    last = fake.last_message(chat_id)
    act()
    return await fake.wait_for_message(chat_id, contains, since=last.message_id if last else 0)


async def register_by_buttons(
    fake: FakeBotAPI, uid: int, township: str, village: str, group: str
) -> None:
    """A villager registers with buttons only, as a grandmother would."""
    await after(fake, uid, "选择乡镇", lambda: fake.send_text(uid, "/start"))
    fake.press_button(uid, township)
    await fake.wait_for_message(uid, contains="请选择您的村")
    fake.press_button(uid, village)
    await fake.wait_for_message(uid, contains="请选择您的村民小组")
    await after(fake, uid, "登记好了", lambda: fake.press_button(uid, group))
