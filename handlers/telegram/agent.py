"""Agent conversations: the ticket card's buttons (接单, 办结, 转办), replies, /tasks."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Update

from bot import callbacks, messages
from bot.callbacks import Callback, Verb
from bot.services import conversation, queries, tickets
from bot.services.registration import Identity
from handlers.telegram import agent_tools
from handlers.telegram.common import (
    Action,
    Ctx,
    chat_id,
    deps,
    incoming,
    press,
    reply,
    say,
    show,
    who,
)

log = logging.getLogger("daiban.handlers.agent")


def _agent(me: Identity) -> int:
    assert me.agent is not None and me.agent.id is not None
    return me.agent.id


def _open(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    tickets.open_card(deps(context), agent_id=_agent(me), ticket_id=cb.int())


def _accept(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> str:
    tickets.accept(deps(context), agent_id=_agent(me), ticket_id=cb.int())
    return messages.ACCEPTED_TOAST


def _close(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    tid = cb.int()
    ticket, prompted = tickets.begin_close(deps(context), agent_id=_agent(me), ticket_id=tid)
    if prompted:  # 代着办/领着办: the note prompt went out, the card stays as it is
        return
    show(
        context,
        query,
        messages.CLOSE_HOW.format(number=ticket.number),
        [
            [(messages.BUTTON_CLOSE_NOW, callbacks.make(Verb.CLOSE_NOW, tid))],
            [(messages.BUTTON_CLOSE_NOTE, callbacks.make(Verb.CLOSE_NOTE, tid))],
            [(messages.BUTTON_CANCEL, callbacks.make(Verb.CLOSE_BACK, tid))],
        ],
    )


def _close_now(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> str:
    tickets.close(deps(context), agent_id=_agent(me), ticket_id=cb.int())
    return messages.CLOSED_TOAST


def _close_note(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    tickets.ask_close_note(deps(context), agent_id=_agent(me), ticket_id=cb.int())


def _back(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    card = tickets.card_view(deps(context), agent_id=_agent(me), ticket_id=cb.int())
    show(context, query, card.text, card.keyboard)


def _handover(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    tid = cb.int()
    ticket, colleagues = tickets.handover_options(deps(context), agent_id=_agent(me), ticket_id=tid)
    back = [(messages.BUTTON_CANCEL, callbacks.make(Verb.CLOSE_BACK, tid))]
    if not colleagues:
        show(context, query, messages.HANDOVER_NONE, [back])
        return
    rows = [[(a.name, callbacks.make(Verb.HANDOVER_TO, tid, a.id))] for a in colleagues[:20]]
    show(context, query, messages.HANDOVER_PICK.format(number=ticket.number), [*rows, back])


def _handover_to(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> str:
    tickets.handover(deps(context), agent_id=_agent(me), ticket_id=cb.int(), to_agent_id=cb.int(1))
    return messages.HANDED_TOAST


ACTIONS: dict[Verb, Action] = {
    Verb.OPEN: _open,
    Verb.ACCEPT: _accept,
    Verb.CLOSE: _close,
    Verb.CLOSE_NOW: _close_now,
    Verb.CLOSE_NOTE: _close_note,
    Verb.CLOSE_BACK: _back,
    Verb.HANDOVER: _handover,
    Verb.HANDOVER_TO: _handover_to,
    **agent_tools.ACTIONS,
}


async def on_agent_button(update: Update, context: Ctx) -> None:
    """Every button on a ticket card; the service checks the presser holds the ticket."""
    await press(update, context, ACTIONS, lambda me: None if me.agent else messages.ONLY_AGENTS)


async def on_agent_message(update: Update, context: Ctx, agent_id: int) -> None:
    """A reply to a prompt or to the villager's words; anything else gets the agent's help."""
    message = update.effective_message
    assert message is not None
    msg = incoming(message)

    def handle() -> str | None:
        done = conversation.from_agent(deps(context), agent_id=agent_id, msg=msg)
        return None if done is not None else messages.AGENT_TEXT

    reply(context, update, handle)


async def tasks(update: Update, context: Ctx) -> None:
    """/tasks: the agent's open tickets, most urgent first, each with an open button."""
    agent = who(update, context).agent
    if agent is None or agent.id is None:
        say(context, chat_id(update), messages.ONLY_AGENTS)
        return
    d = deps(context)
    found = queries.agent_tasks(d, agent_id=agent.id)
    if not found:
        say(context, chat_id(update), messages.TASKS_EMPTY)
        return
    lines = [
        messages.my_line(t.number, t.matter_name, t.status, messages.when(t.due_at, d.zone))
        for t in found
    ]
    keyboard = [
        [(f"📋 {t.number} {t.matter_name or ''}", callbacks.make(Verb.OPEN, t.id))]
        for t in found[:20]
    ]
    text = messages.join_lines(messages.TASKS_HEADER.format(n=len(found)), lines)
    say(context, chat_id(update), text, keyboard=keyboard)
