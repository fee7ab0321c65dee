"""Villager conversations: requests in any form, /my, /card, /cancel, rating, clarify buttons."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Update

from bot import callbacks, messages
from bot.callbacks import Callback, Verb
from bot.services import conversation, intake, queries, rating, registration, tickets
from bot.services.registration import Identity
from handlers.telegram.common import (
    Action,
    Ctx,
    chat_id,
    deps,
    incoming,
    logged_text,
    press,
    reply,
    say,
    show,
    who,
)

log = logging.getLogger("daiban.handlers.villager")


def _villager_id(update: Update, context: Ctx) -> int | None:
    """The registered villager writing, or None after telling them what to do instead."""
    me = who(update, context)
    if me.villager is not None:
        return me.villager.id or 0
    text = messages.ONLY_VILLAGER_COMMAND if me.agent else messages.NOT_REGISTERED
    say(context, chat_id(update), text)
    return None


async def on_villager_message(update: Update, context: Ctx, villager_id: int) -> None:
    """Text, photo, file, voice or place: a request, or an answer to one of our messages."""
    message = update.effective_message
    assert message is not None
    msg = incoming(message)
    log.info("message from villager %s: %s", villager_id, logged_text(msg.text))

    def handle() -> None:
        conversation.from_villager(deps(context), villager_id=villager_id, msg=msg)

    reply(context, update, handle)


async def my_tickets(update: Update, context: Ctx) -> None:
    """/my: the villager's own tickets with status and due date."""
    villager_id = _villager_id(update, context)
    if villager_id is None:
        return
    found = queries.villager_tickets(deps(context), villager_id=villager_id)
    if not found:
        say(context, chat_id(update), messages.MY_EMPTY)
        return
    zone = deps(context).zone
    lines = [
        messages.my_line(t.number, t.matter_name, t.status, messages.when(t.due_at, zone))
        for t in found
    ]
    header = messages.MY_HEADER.format(n=len(found))
    say(context, chat_id(update), messages.join_lines(header, lines))


async def contact_card(update: Update, context: Ctx) -> None:
    """/card: 便民连心卡 of the agent responsible for the villager's group."""
    villager_id = _villager_id(update, context)
    if villager_id is None:
        return
    say(
        context,
        chat_id(update),
        registration.responsible_card(deps(context), villager_id=villager_id),
    )


async def cancel_command(update: Update, context: Ctx) -> None:
    """/cancel [N]: withdraw one of the villager's own open tickets (asks to confirm first)."""
    villager_id = _villager_id(update, context)
    if villager_id is None:
        return
    number = " ".join(context.args or [])

    def ask() -> None:
        d = deps(context)
        if number:
            ticket = tickets.find_own(d, villager_id=villager_id, number=number)
            text, keyboard = _confirm(ticket.id or 0, ticket.number, ticket.matter_name)
            say(context, chat_id(update), text, keyboard=keyboard)
            return
        found = tickets.cancellable(d, villager_id=villager_id)
        if not found:
            say(context, chat_id(update), messages.CANCEL_NONE)
            return
        rows = [
            [(_item_label(t.number, t.matter_name), callbacks.make(Verb.CANCEL, t.id))]
            for t in found
        ]
        say(context, chat_id(update), messages.CANCEL_PICK, keyboard=rows)

    reply(context, update, ask)


def _item_label(number: str, matter: str | None) -> str:
    return messages.BUTTON_CANCEL_ITEM.format(number=number, matter=matter or "待联系")[:40]


def _confirm(tid: int, number: str, matter: str | None) -> tuple[str, list[list[tuple[str, str]]]]:
    text = messages.CANCEL_CONFIRM.format(number=number, matter=messages.esc(matter or "待联系"))
    keyboard = [
        [
            (messages.BUTTON_CANCEL_YES, callbacks.make(Verb.CANCEL_YES, tid)),
            (messages.BUTTON_CANCEL_NO, callbacks.make(Verb.CANCEL_NO, tid)),
        ]
    ]
    return text, keyboard


# ---- buttons -------------------------------------------------------------------------------


def _rate(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> str:
    assert me.villager is not None
    choice = messages.RATING_BUTTONS[cb.int(1) - 1]
    ticket = rating.rate(
        deps(context), villager_id=me.villager.id or 0, ticket_id=cb.int(), rating=choice
    )
    show(context, query, messages.RATE_RECORDED.format(number=ticket.number, rating=choice.value))
    return messages.RATE_TOAST


def _pick(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> str:
    assert me.villager is not None
    code = None if cb.args[1] == "-" else cb.args[1]
    ticket = intake.choose_matter(
        deps(context), villager_id=me.villager.id or 0, pending_id=cb.int(), code=code
    )
    show(context, query, messages.PICK_RECORDED.format(number=ticket.number))
    return messages.PICK_TOAST


def _cancel_ask(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    assert me.villager is not None
    d = deps(context)
    ticket = tickets.check_cancel(d, villager_id=me.villager.id or 0, ticket_id=cb.int())
    show(context, query, *_confirm(ticket.id or 0, ticket.number, ticket.matter_name))


def _cancel_yes(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> str:
    assert me.villager is not None
    d = deps(context)
    ticket = tickets.cancel(d, villager_id=me.villager.id or 0, ticket_id=cb.int())
    show(context, query, messages.CANCELLED_VILLAGER.format(number=ticket.number))
    return messages.CANCELLED_TOAST


def _cancel_no(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    assert me.villager is not None
    d = deps(context)
    ticket = tickets.check_cancel(d, villager_id=me.villager.id or 0, ticket_id=cb.int())
    show(context, query, messages.CANCEL_KEPT.format(number=ticket.number))


ACTIONS: dict[Verb, Action] = {
    Verb.RATE: _rate,
    Verb.PICK: _pick,
    Verb.CANCEL: _cancel_ask,
    Verb.CANCEL_YES: _cancel_yes,
    Verb.CANCEL_NO: _cancel_no,
}


async def on_villager_button(update: Update, context: Ctx) -> None:
    """Rating after 办结, answering the clarifying question, withdrawing a ticket."""
    await press(
        update, context, ACTIONS, lambda me: None if me.villager else messages.ONLY_VILLAGERS
    )
