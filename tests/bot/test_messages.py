"""The wording module covers every state a user can be shown."""

from __future__ import annotations

from bot import messages
from models import Role, TicketStatus


def test_every_status_has_a_label_people_understand() -> None:
    assert set(messages.STATUS_LABEL) == set(TicketStatus)
    assert all(label.strip() for label in messages.STATUS_LABEL.values())


def test_every_role_has_a_menu_and_every_menu_command_is_known() -> None:
    for role in (None, *Role):
        menu = messages.commands_for(role)
        assert "help" in menu and set(menu) <= set(messages.COMMANDS)
    assert "overdue" not in messages.commands_for(None)
    assert "cancel" not in messages.commands_for(Role.COUNTY_SUPERVISOR)
