"""The holder's tools under the card: 需补材料 (tick documents), 改类 (mode/matter), 联系村民."""

from __future__ import annotations

from telegram import CallbackQuery

from bot import callbacks, messages
from bot.callbacks import Callback, Verb
from bot.services import casework, conversation
from bot.services.casework import MODES, DocsPicker, ReclassMenu
from bot.services.outbox import Keyboard
from bot.services.registration import Identity
from bot.services.steps import Card
from handlers.telegram.common import Action, Ctx, deps, show


def _agent(me: Identity) -> int:
    assert me.agent is not None and me.agent.id is not None
    return me.agent.id


def _back(tid: int, verb: Verb = Verb.CLOSE_BACK) -> tuple[str, str]:
    return (messages.BUTTON_CANCEL, callbacks.make(verb, tid))


def _show_card(context: Ctx, query: CallbackQuery, card: Card) -> None:
    show(context, query, card.text, card.keyboard)


# ---- 需补材料 -------------------------------------------------------------------------------


def _picker(context: Ctx, query: CallbackQuery, found: DocsPicker) -> None:
    tid, mask = found.ticket.id or 0, found.mask
    rows: list[list[tuple[str, str]]] = [
        [
            (
                ("☑ " if mask & (1 << i) else "☐ ") + doc[:30],
                callbacks.make(Verb.DOCS_TOGGLE, tid, mask ^ (1 << i)),
            )
        ]
        for i, doc in enumerate(found.documents)
    ]
    rows.append(
        [
            (messages.BUTTON_DOCS_SEND, callbacks.make(Verb.DOCS_SEND, tid, mask)),
            (messages.BUTTON_DOCS_NOTE, callbacks.make(Verb.DOCS_NOTE, tid, mask)),
        ]
    )
    rows.append([_back(tid)])
    template = messages.DOCS_PICK if found.documents else messages.DOCS_PICK_EMPTY
    text = template.format(
        number=found.ticket.number, matter=messages.esc(found.ticket.matter_name or "待联系")
    )
    show(context, query, text, rows)


def _docs(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    mask = cb.int(1) if len(cb.args) > 1 else 0
    found = casework.documents_picker(
        deps(context), agent_id=_agent(me), ticket_id=cb.int(), mask=mask
    )
    _picker(context, query, found)


def _docs_send(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> str:
    card = casework.request_documents(
        deps(context), agent_id=_agent(me), ticket_id=cb.int(), mask=cb.int(1)
    )
    _show_card(context, query, card)
    return messages.DOCS_SENT_TOAST


def _docs_note(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    casework.ask_documents_note(
        deps(context), agent_id=_agent(me), ticket_id=cb.int(), mask=cb.int(1)
    )


# ---- 改类 -----------------------------------------------------------------------------------


def _menu(context: Ctx, query: CallbackQuery, menu: ReclassMenu) -> None:
    ticket = menu.ticket
    tid = ticket.id or 0
    if menu.page:
        rows: list[list[tuple[str, str]]] = [
            [(f"{m.name}（{m.mode.value}）", callbacks.make(Verb.RECLASS_MATTER, tid, m.code))]
            for m in menu.page
        ]
        nav = []
        if menu.page_no > 0:
            nav.append(
                (messages.RECLASS_PREV, callbacks.make(Verb.RECLASS_PAGE, tid, menu.page_no - 1))
            )
        if menu.page_no + 1 < menu.pages:
            nav.append(
                (messages.RECLASS_NEXT, callbacks.make(Verb.RECLASS_PAGE, tid, menu.page_no + 1))
            )
        rows += [nav, [_back(tid, Verb.RECLASS)]]
        text = messages.RECLASS_PAGE.format(
            page=menu.page_no + 1, pages=menu.pages, number=ticket.number
        )
        show(context, query, text, [row for row in rows if row])
        return
    modes = [
        (
            ("✓ " if ticket.category is mode else "")
            + messages.RECLASS_MODE_BUTTON.format(mode=mode),
            callbacks.make(Verb.RECLASS_MODE, tid, i),
        )
        for i, mode in enumerate(MODES, 1)
    ]
    keyboard: Keyboard = [
        modes[:2],
        modes[2:],
        *[
            [(f"→ {m.name}（{m.mode.value}）", callbacks.make(Verb.RECLASS_MATTER, tid, m.code))]
            for m in menu.suggestions
        ],
        [(messages.RECLASS_MORE, callbacks.make(Verb.RECLASS_PAGE, tid, 0)), _back(tid)],
    ]
    text = messages.RECLASS_MENU.format(
        number=ticket.number,
        mode=ticket.category or "待定",
        matter=messages.esc(ticket.matter_name or "待联系"),
    )
    show(context, query, text, keyboard)


def _reclass(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    page = cb.int(1) if cb.verb is Verb.RECLASS_PAGE else None
    menu = casework.reclass_menu(deps(context), agent_id=_agent(me), ticket_id=cb.int(), page=page)
    _menu(context, query, menu)


def _reclass_mode(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> str:
    mode = MODES[cb.int(1) - 1]
    card = casework.reclassify(deps(context), agent_id=_agent(me), ticket_id=cb.int(), mode=mode)
    _show_card(context, query, card)
    return messages.RECLASSIFIED_TOAST


def _reclass_matter(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> str:
    card = casework.reclassify(
        deps(context), agent_id=_agent(me), ticket_id=cb.int(), matter_code=cb.args[1]
    )
    _show_card(context, query, card)
    return messages.RECLASSIFIED_TOAST


# ---- 联系村民 -------------------------------------------------------------------------------


def _relay(context: Ctx, query: CallbackQuery, cb: Callback, me: Identity) -> None:
    conversation.ask_relay(deps(context), agent_id=_agent(me), ticket_id=cb.int())


ACTIONS: dict[Verb, Action] = {
    Verb.DOCS: _docs,
    Verb.DOCS_TOGGLE: _docs,
    Verb.DOCS_SEND: _docs_send,
    Verb.DOCS_NOTE: _docs_note,
    Verb.RECLASS: _reclass,
    Verb.RECLASS_PAGE: _reclass,
    Verb.RECLASS_MODE: _reclass_mode,
    Verb.RECLASS_MATTER: _reclass_matter,
    Verb.RELAY: _relay,
}
