"""Every setting, command and set-up step is documented in the README (datasette's test_docs)."""

from pathlib import Path

import pytest

from bot import messages
from bot.cli import COMMANDS_HELP
from bot.settings import ENV_VARS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("var", ENV_VARS)
def test_every_setting_is_in_the_readme(var: str) -> None:
    assert f"`{var}`" in README


@pytest.mark.parametrize("command", sorted(COMMANDS_HELP))
def test_every_cli_command_is_in_the_readme(command: str) -> None:
    assert f"`daiban {command}" in README


@pytest.mark.parametrize("command", sorted(messages.COMMANDS))
def test_every_bot_command_is_in_the_readme(command: str) -> None:
    assert f"`/{command}`" in README


def test_the_two_setup_commands_and_ci() -> None:
    assert "make run" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_changelog_and_state_diagram_exist() -> None:
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    diagram = (ROOT / "models" / "ticket_states.mmd").read_text(encoding="utf-8")
    for mode in ("马上办", "代着办", "领着办", "流动办"):
        assert mode in diagram
