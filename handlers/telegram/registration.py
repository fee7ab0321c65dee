"""Registration with buttons only: township → village → group, an optional phone, and /me."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot import callbacks, messages
from bot.callbacks import Callback, Verb
from bot.services import outbox, registration
from bot.services.registration import Identity
from handlers.telegram.common import (
    Action,
    Ctx,
    chat_id,
    deps,
    press,
    reply,
    say,
    show,
    who,
)


def _township_keyboard(context: Ctx) -> outbox.Keyboard:
    found = registration.townships(deps(context))
    return [[(t.name, callbacks.make(Verb.TOWNSHIP, t.id))] for t in found]


async def start(update: Update, context: Ctx) -> None:
    """/start: agents are greeted as agents; everyone else registers township → village → group."""
    me = who(update, context)
    if me.agent is not None:
        registration.greet_staff(deps(context), agent=me.agent, chat_id=chat_id(update))
        return
    keyboard = _township_keyboard(context)
    if not keyboard:
        say(context, chat_id(update), messages.NO_ROSTER)
        return
    # The villager's welcome first; the note for agents after it, so a grandmother reads
    # what is meant for her before anything else.
    say(context, chat_id(update), messages.WELCOME, keyboard=keyboard)
    say(
        context,
        chat_id(update),
        messages.AGENT_HINT,
        markup=outbox.contact_keyboard(messages.AGENT_BUTTON),
    )


async def help_command(update: Update, context: Ctx) -> None:
    """/help: staff get their help and their own menu; everyone else the villager's help."""
    me = who(update, context)
    if me.agent is not None:
        registration.greet_staff(deps(context), agent=me.agent, chat_id=chat_id(update))
    else:
        say(context, chat_id(update), messages.HELP_VILLAGER)


def _restart(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    show(context, query, messages.WELCOME, _township_keyboard(context))


def _township(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    township, villages = registration.villages(deps(context), cb.int())
    rows = [[(v.name, callbacks.make(Verb.VILLAGE, v.id))] for v in villages]
    text = messages.CHOOSE_VILLAGE.format(township=messages.esc(township.name))
    show(context, query, text, [*rows, [(messages.BACK, callbacks.make(Verb.RESTART))]])


def _village(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    township, village, groups = registration.groups(deps(context), cb.int())
    pairs = [(g.name, callbacks.make(Verb.GROUP, g.id)) for g in groups]
    rows = [pairs[i : i + 3] for i in range(0, len(pairs), 3)]
    text = messages.CHOOSE_GROUP.format(
        township=messages.esc(township.name), village=messages.esc(village.name)
    )
    show(context, query, text, [*rows, [(messages.BACK, callbacks.make(Verb.RESTART))]])


def _group(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    user = query.from_user
    registration.register_villager(
        deps(context), telegram_id=user.id, name=user.full_name, group_id=cb.int()
    )
    show(context, query, "✔️ 已选择，登记完成。")


def _phone(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    markup = outbox.contact_keyboard(messages.PHONE_BUTTON)
    say(context, query.from_user.id, messages.PHONE_ASK, markup=markup)


def _phone_delete(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    assert me.villager is not None
    had = registration.remove_phone(deps(context), villager_id=me.villager.id or 0)
    show(context, query, messages.PHONE_REMOVED if had else messages.PHONE_NONE)


REGISTER: dict[Verb, Action] = {
    Verb.RESTART: _restart,
    Verb.TOWNSHIP: _township,
    Verb.VILLAGE: _village,
    Verb.GROUP: _group,
}
PROFILE: dict[Verb, Action] = {Verb.PHONE: _phone, Verb.PHONE_DEL: _phone_delete}


async def on_register_button(update: Update, context: Ctx) -> None:
    """rt/rv/rg/rs: walk down the roster (public names), register at the group."""
    await press(update, context, REGISTER, lambda me: None)


async def on_profile_button(update: Update, context: Ctx) -> None:
    """/me buttons: share or remove the phone number (villagers only)."""
    await press(
        update, context, PROFILE, lambda me: None if me.villager else messages.ONLY_VILLAGERS
    )


async def me_command(update: Update, context: Ctx) -> None:
    """/me: where the villager is registered, the phone (masked), and buttons to change them."""
    me = who(update, context)
    if me.villager is None:
        refusal = messages.ONLY_VILLAGER_COMMAND if me.agent else messages.NOT_REGISTERED
        say(context, chat_id(update), refusal)
        return
    found = registration.profile(deps(context), villager_id=me.villager.id or 0)
    rows = [
        [(messages.BUTTON_ME_PLACE, callbacks.make(Verb.RESTART))],
        [(messages.BUTTON_ME_PHONE, callbacks.make(Verb.PHONE))],
    ]
    if found.phone:
        rows.append([(messages.BUTTON_ME_PHONE_DEL, callbacks.make(Verb.PHONE_DEL))])
    text = messages.ME.format(
        place=found.place,
        phone=messages.esc(found.phone or messages.ME_NO_PHONE),
        agent=messages.esc(found.agent or messages.ME_NO_AGENT),
    )
    say(context, chat_id(update), text, keyboard=rows)


async def on_contact(update: Update, context: Ctx) -> None:
    """A shared phone number: an agent linking Telegram, or a villager leaving a number."""
    message = update.effective_message
    assert message is not None and message.contact is not None and update.effective_user is not None
    user, contact = update.effective_user, message.contact

    def share() -> None:
        registration.share_contact(
            deps(context),
            telegram_id=user.id,
            phone=contact.phone_number,
            contact_user_id=contact.user_id,
            name=user.full_name,
        )

    reply(context, update, share)
