"""Registration and /me: a phone is optional, shown masked, removable; staff do not register."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.services import registration
from bot.services.context import Deps, NotAllowed
from models import Outbox
from tests import factories


@pytest.fixture(autouse=True)
def roster(deps: Deps) -> None:
    factories.load_demo_roster(deps)


def last_to(deps: Deps, chat_id: int) -> Outbox:
    with deps.read() as s:
        row = s.exec(
            select(Outbox).where(Outbox.chat_id == chat_id).order_by(col(Outbox.id).desc())
        ).first()
    assert row is not None
    return row


def test_profile_phone_optional_masked_and_removable(deps: Deps) -> None:
    wang = factories.villager(deps, 801)
    welcome = last_to(deps, 801).payload
    assert welcome["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    me = registration.profile(deps, villager_id=wang.id or 0)
    assert (me.place, me.phone, me.agent) == ("柳湾镇杏花村一组", None, "李建国")
    registration.share_contact(
        deps, telegram_id=801, phone="+86 138 0000 8888", contact_user_id=801, name="王秀英"
    )
    assert registration.profile(deps, villager_id=wang.id or 0).phone == "138****8888"
    assert registration.remove_phone(deps, villager_id=wang.id or 0) is True
    assert registration.remove_phone(deps, villager_id=wang.id or 0) is False
    assert registration.profile(deps, villager_id=wang.id or 0).phone is None


def test_a_roster_account_does_not_register_as_a_villager(deps: Deps) -> None:
    group = factories.group_id(deps, "柳湾镇", "杏花村", "一组")
    with pytest.raises(NotAllowed):
        registration.register_villager(deps, telegram_id=700101, name="李建国", group_id=group)
