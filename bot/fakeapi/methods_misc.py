"""Bot API methods about the bot itself, chats, commands and files."""

from __future__ import annotations

import re
from typing import Any

from . import transcript
from .models import JsonDict, bad_request
from .params import Params
from .store import MethodFn, Store, commands_key, now

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


async def get_me(store: Store, p: Params) -> Any:
    return {
        **store.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": not store.group_privacy,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_chat(store: Store, p: Params) -> Any:
    chat = store.chat(p.chat_id())
    gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
    info: JsonDict = {
        **chat.as_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {key: False for key in (*gifts, "gifts_from_channels")},
    }
    return info


async def leave_chat(store: Store, p: Params) -> Any:
    chat = store.chat(p.chat_id())
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    if not chat.bot_member:
        raise bad_request("bot is not a member of the group chat")
    chat.bot_member = False
    store.log(f"{transcript.BOT} 退出了 {chat.name}")
    bot = store.bot_user
    store.enqueue(
        "my_chat_member",
        {
            "chat": chat.as_json(),
            "from": bot,
            "date": now(),
            "old_chat_member": {"status": "member", "user": bot},
            "new_chat_member": {"status": "left", "user": bot},
        },
    )
    return True


def _commands_key(p: Params) -> str:
    scope = p.opt_obj("scope")
    if scope is not None and not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    return commands_key(scope, p.opt_str("language_code") or "")


async def set_my_commands(store: Store, p: Params) -> Any:
    commands = p.opt_list("commands")
    if commands is None:
        raise bad_request('parameter "commands" is required')
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    clean: list[JsonDict] = []
    for cmd in commands:
        if not isinstance(cmd, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name, description = cmd.get("command"), cmd.get("description")
        if not isinstance(name, str) or not _COMMAND.match(name.lower().lstrip("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": name.lower().lstrip("/"), "description": description.strip()})
    store.commands[_commands_key(p)] = clean
    return True


async def get_my_commands(store: Store, p: Params) -> Any:
    return store.commands.get(_commands_key(p), [])


async def delete_my_commands(store: Store, p: Params) -> Any:
    store.commands.pop(_commands_key(p), None)
    return True


async def get_file(store: Store, p: Params) -> Any:
    rec = store.file(p.req_str("file_id", "wrong file_id specified"))
    return {
        "file_id": rec.file_id,
        "file_unique_id": rec.file_unique_id,
        "file_size": rec.size,
        "file_path": rec.file_path,
    }


async def just_ok(store: Store, p: Params) -> Any:
    return True


METHODS: dict[str, MethodFn] = {
    "getMe": get_me,
    "getChat": get_chat,
    "leaveChat": leave_chat,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getFile": get_file,
    "close": just_ok,
    "logOut": just_ok,
}
