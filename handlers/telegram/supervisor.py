"""Supervisor conversations (督办): /overdue with 督办 buttons, /stats, /review, /night."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot import callbacks, messages
from bot.callbacks import Callback, Verb
from bot.services import flood, queries, registration, supervision
from bot.services.context import ServiceError
from bot.services.flood import Held
from bot.services.outbox import Keyboard
from bot.services.registration import Identity
from handlers.telegram.common import Action, Ctx, chat_id, deps, press, reply, say, show, who

MAX_BUTTONS = 20


def _staff_id(update: Update, context: Ctx, refusal: str) -> int | None:
    me = who(update, context)
    if me.agent is None or me.agent.id is None:
        say(context, chat_id(update), refusal)
        return None
    return me.agent.id


async def overdue(update: Update, context: Ctx) -> None:
    """/overdue: open tickets past due in the supervisor's area, each with a 督办 button."""
    supervisor_id = _staff_id(update, context, messages.OVERDUE_NOT_FOR_VILLAGERS)
    if supervisor_id is None:
        return
    d = deps(context)
    try:
        items = queries.overdue(d, supervisor_id=supervisor_id)
    except ServiceError as exc:
        say(context, chat_id(update), exc.message)
        return
    me = who(update, context).agent
    assert me is not None
    area = messages.esc(queries.area_label(d, me))
    if not items:
        say(context, chat_id(update), messages.OVERDUE_EMPTY.format(area=area))
        return
    lines = queries.overdue_lines(items)
    keyboard = [
        [
            (
                messages.BUTTON_URGE.format(number=i.ticket.number),
                callbacks.make(Verb.URGE, i.ticket.id),
            )
        ]
        for i in items[:MAX_BUTTONS]
    ]
    header = messages.OVERDUE_HEADER.format(area=area, n=len(items))
    say(context, chat_id(update), messages.join_lines(header, lines), keyboard=keyboard)


async def stats(update: Update, context: Ctx) -> None:
    """/stats: counts by mode and status, on-time and satisfaction rates, the worst overdue."""
    supervisor_id = _staff_id(update, context, messages.STATS_ONLY_SUPERVISORS)
    if supervisor_id is None:
        return

    def figures() -> str:
        found = supervision.stats(deps(context), supervisor_id=supervisor_id)
        s = found.summary
        worst = queries.overdue_lines(found.worst)
        return messages.stats(
            area=found.area,
            total=s.total,
            open_=s.open,
            overdue=s.overdue,
            by_mode=s.by_mode,
            by_status=s.by_status,
            closed=s.closed,
            on_time=s.closed_on_time,
            rated=s.rated,
            satisfied=s.satisfied,
            worst=worst,
        )

    reply(context, update, figures)


def _review_text(items: list[Held], area: str, context: Ctx) -> tuple[str, Keyboard]:
    zone = deps(context).zone
    if not items:
        return messages.REVIEW_EMPTY.format(area=messages.esc(area)), []
    lines = [
        f"#{h.id} {messages.esc(h.villager)}（{h.place}）{messages.when(h.at, zone)}："
        f"{messages.esc(h.text[:80])}"
        for h in items
    ]
    keyboard = [
        [
            (messages.BUTTON_RELEASE.format(id=h.id), callbacks.make(Verb.RELEASE, h.id)),
            (messages.BUTTON_DISMISS.format(id=h.id), callbacks.make(Verb.DISMISS, h.id)),
        ]
        for h in items
    ]
    header = messages.REVIEW_HEADER.format(area=messages.esc(area), n=len(items))
    return messages.join_lines(header, lines), keyboard


async def review(update: Update, context: Ctx) -> None:
    """/review: requests held by flood control in the supervisor's area, to take on or not."""
    supervisor_id = _staff_id(update, context, messages.REVIEW_ONLY_SUPERVISORS)
    if supervisor_id is None:
        return
    me = who(update, context).agent
    assert me is not None
    try:
        items = flood.waiting(deps(context), supervisor_id=supervisor_id)
    except ServiceError as exc:
        say(context, chat_id(update), exc.message)
        return
    text, keyboard = _review_text(items, queries.area_label(deps(context), me), context)
    say(context, chat_id(update), text, keyboard=keyboard)


async def night(update: Update, context: Ctx) -> None:
    """/night: supervisors choose whether escalations may wake them during quiet hours."""
    supervisor_id = _staff_id(update, context, messages.NIGHT_ONLY_SUPERVISORS)
    if supervisor_id is None:
        return
    d = deps(context)

    def toggle() -> str:
        on = registration.toggle_night_alerts(d, agent_id=supervisor_id)
        quiet = f"{d.policy.quiet_start:%H:%M}-{d.policy.quiet_end:%H:%M}"
        return (messages.NIGHT_ON if on else messages.NIGHT_OFF).format(quiet=quiet)

    reply(context, update, toggle)


# ---- buttons -------------------------------------------------------------------------------


def _id(me: Identity) -> int:
    assert me.agent is not None and me.agent.id is not None
    return me.agent.id


def _urge(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> str:
    supervision.urge(deps(context), supervisor_id=_id(me), ticket_id=cb.int())
    return messages.URGED_TOAST


def _decide(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> str:
    d, release = deps(context), cb.verb is Verb.RELEASE
    decide = supervision.release if release else supervision.dismiss
    left = decide(d, supervisor_id=_id(me), held_id=cb.int())
    assert me.agent is not None
    text, keyboard = _review_text(left, queries.area_label(d, me.agent), context)
    show(context, query, text, keyboard)
    return messages.RELEASED_TOAST if release else messages.DISMISSED_TOAST


ACTIONS: dict[Verb, Action] = {Verb.URGE: _urge, Verb.RELEASE: _decide, Verb.DISMISS: _decide}


async def on_supervisor_button(update: Update, context: Ctx) -> None:
    """督办 on /overdue, 受理/不受理 on /review; the service checks role and area."""
    await press(
        update, context, ACTIONS, lambda me: None if me.agent else messages.ONLY_SUPERVISORS
    )
