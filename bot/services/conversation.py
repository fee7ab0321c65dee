"""Messages between villager and agent through the bot, and where a reply belongs.

Neither side sees the other's Telegram account: the bot repeats the words under the speaker's
name ("代办员李建国：…", "村民王秀英：…") and copies photos and voice notes with copyMessage.
Phone and ID numbers in relayed words are masked, except the agent's own published card phone.
Every relay is an event (note) on the ticket; a redelivered message relays nothing twice.

A reply is matched to the bot message it answers (an outbox row): a villager replying to any
message about an open ticket adds to it, to the rating prompt leaves a comment; an agent replying
to a prompt closes with a note, asks for documents, or answers the villager.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from bot import messages
from bot.services import attachments, casework, intake, outbox, rating, tickets
from bot.services.attachments import Media, mask_except
from bot.services.context import Deps, WrongState
from bot.services.steps import (
    held_by,
    holder_of,
    owned_by,
    prompt_row,
    record,
    require,
    seen,
    villager_of,
)
from models import Agent, Channel, EventKind, Priority, Ticket, Villager

log = logging.getLogger(__name__)
CALL_BACK_KINDS = ("voice", "audio", "video_note", "location")
FILE_KINDS = ("photo", "document", "video")
AGENT_RELAY_KINDS = ("relay_prompt", "relay", "attachment", "comment", "unhappy", "reopened")
Outcome = Literal["request", "call_back", "added", "comment", "hint", "duplicate"]
AgentOutcome = Literal["closed", "documents", "relayed", "duplicate"]


@dataclass(frozen=True)
class Incoming:
    """One message from a user, as the handler parsed it."""

    chat_id: int
    message_id: int
    text: str | None = None  # the text, or a photo's or file's caption
    media: Media | None = None
    reply_to: int | None = None

    @property
    def ref(self) -> str:
        return f"tg:{self.chat_id}:{self.message_id}"


# ---- from the villager ---------------------------------------------------------------------


def from_villager(deps: Deps, *, villager_id: int, msg: Incoming) -> Outcome:
    """Anything a registered villager sends: an answer to one of our messages, or a request."""
    if msg.reply_to is not None:
        routed = _villager_reply(deps, villager_id, msg)
        if routed is not None:
            return routed
    media = msg.media
    if media is not None and media.kind in CALL_BACK_KINDS:
        text = msg.text or messages.CALL_BACK_TEXT.get(media.kind, messages.CALL_BACK_TEXT["voice"])
        intake.submit_request(
            deps,
            villager_id=villager_id,
            text=text,
            channel=Channel.TELEGRAM,
            source_ref=msg.ref,
            media=media,
            call_back=True,
        )
        return "call_back"
    if msg.text:
        intake.submit_request(
            deps,
            villager_id=villager_id,
            text=msg.text,
            channel=Channel.TELEGRAM,
            source_ref=msg.ref,
            media=media,
        )
        return "request"
    if media is not None and media.kind in FILE_KINDS:
        # A picture or file with no words, sent while exactly one matter is open, is nearly
        # always the material the agent asked for: it goes to that matter, not into a hint.
        open_ones = tickets.cancellable(deps, villager_id=villager_id)
        if len(open_ones) == 1:
            only = open_ones[0].id or 0
            added = add_to_ticket(deps, villager_id=villager_id, ticket_id=only, msg=msg)
            if added is not None:
                return added
    kind = media.kind if media is not None else "other"
    with deps.tx() as session:
        outbox.send(session, msg.chat_id, messages.NON_TEXT.get(kind, messages.NON_TEXT["other"]))
    return "hint"


def _villager_reply(deps: Deps, villager_id: int, msg: Incoming) -> Outcome | None:
    with deps.read() as session:
        row = prompt_row(session, msg.chat_id, msg.reply_to or 0)
    if row is None or row.ticket_id is None:
        return None
    if row.kind == "rate_comment" and msg.text and msg.media is None:
        rating.comment(
            deps,
            villager_id=villager_id,
            ticket_id=row.ticket_id,
            text=msg.text,
            source_ref=msg.ref,
        )
        return "comment"
    return add_to_ticket(deps, villager_id=villager_id, ticket_id=row.ticket_id, msg=msg)


def add_to_ticket(deps: Deps, *, villager_id: int, ticket_id: int, msg: Incoming) -> Outcome | None:
    """The villager's words or attachment for an open ticket, passed on to whoever holds it.

    None when the ticket is no longer open: the message is then taken as a new request.
    """
    with deps.tx() as session:
        ticket = owned_by(session, ticket_id, villager_id)
        if not ticket.status.is_open:
            return None
        if seen(session, msg.ref):
            return "duplicate"
        villager = villager_of(session, ticket)
        holder = holder_of(session, ticket)
        row = None
        if msg.media is not None:
            row = attachments.keep(
                session,
                msg.media,
                source_ref=msg.ref,
                sender=f"villager:{villager_id}",
                ticket_id=ticket.id,
            )
        record(
            session,
            deps,
            ticket,
            EventKind.NOTE,
            f"villager:{villager_id}",
            note=msg.text,
            source_ref=msg.ref,
            relay="from_villager",
            attachment=msg.media.kind if msg.media else None,
        )
        if holder is not None and holder.telegram_id is not None:
            if row is not None:
                attachments.to_holder(session, [row], ticket, holder)
            else:
                _send_relay(session, holder.telegram_id, ticket, _to_agent(villager, ticket, msg))
        who = messages.esc(holder.name) if holder else messages.VILLAGE_HEAD
        outbox.send(
            session,
            msg.chat_id,
            messages.ADDED_TO_TICKET.format(agent=who, number=ticket.number),
            kind="added",
            ticket_id=ticket.id,
        )
        return "added"


def _to_agent(villager: Villager, ticket: Ticket, msg: Incoming) -> str:
    return messages.RELAY_TO_AGENT.format(
        villager=messages.esc(villager.name),
        number=ticket.number,
        text=messages.esc(mask_except(msg.text or "")),
    )


# ---- from the agent ------------------------------------------------------------------------


def from_agent(deps: Deps, *, agent_id: int, msg: Incoming) -> AgentOutcome | None:
    """An agent's reply to one of our prompts or relays; None if it answers nothing of ours."""
    if msg.reply_to is None:
        return None
    with deps.read() as session:
        row = prompt_row(session, msg.chat_id, msg.reply_to)
    if row is None or row.ticket_id is None:
        return None
    if row.kind in ("close_note", "docs_note"):
        if not msg.text or msg.media is not None:
            raise WrongState(messages.REPLY_WITH_WORDS)
        if row.kind == "close_note":
            tickets.close(deps, agent_id=agent_id, ticket_id=row.ticket_id, note=msg.text)
            return "closed"
        mask = int((row.payload.get("context") or {}).get("mask", 0))
        casework.request_documents(
            deps,
            agent_id=agent_id,
            ticket_id=row.ticket_id,
            mask=mask,
            note=msg.text,
            source_ref=msg.ref,
        )
        return "documents"
    if row.kind in AGENT_RELAY_KINDS:
        return relay_to_villager(deps, agent_id=agent_id, ticket_id=row.ticket_id, msg=msg)
    return None


def ask_relay(deps: Deps, *, agent_id: int, ticket_id: int) -> Ticket:
    """联系村民: a prompt the agent answers by replying with what to tell the villager."""
    with deps.tx() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        villager = _reachable(session, ticket)
        agent = session.get(Agent, agent_id)
        assert agent is not None and agent.telegram_id is not None
        outbox.send(
            session,
            agent.telegram_id,
            messages.RELAY_PROMPT.format(
                villager=messages.esc(villager.name), number=ticket.number
            ),
            force_reply=True,
            placeholder=messages.RELAY_PLACEHOLDER,
            kind="relay_prompt",
            ticket_id=ticket.id,
        )
        return ticket


def relay_to_villager(deps: Deps, *, agent_id: int, ticket_id: int, msg: Incoming) -> AgentOutcome:
    """The agent's words (or photo, file, voice) to the villager, under the agent's name."""
    with deps.tx() as session:
        ticket = held_by(session, ticket_id, agent_id)
        require(ticket)
        if seen(session, msg.ref):
            return "duplicate"
        villager = _reachable(session, ticket)
        agent = session.get(Agent, agent_id)
        assert agent is not None and villager.telegram_id is not None
        text = mask_except(msg.text or "", agent.phone)
        record(
            session,
            deps,
            ticket,
            EventKind.NOTE,
            f"agent:{agent_id}",
            note=msg.text,
            source_ref=msg.ref,
            relay="to_villager",
            attachment=msg.media.kind if msg.media else None,
        )
        header = messages.RELAY_FROM_AGENT_HEADER.format(
            agent=messages.esc(agent.name), number=ticket.number
        )
        if msg.media is not None:
            row = attachments.keep(
                session,
                msg.media,
                source_ref=msg.ref,
                sender=f"agent:{agent_id}",
                ticket_id=ticket.id,
            )
            attachments.forward(
                session, row, ticket, villager.telegram_id, header=header, keep_phone=agent.phone
            )
        else:
            body = messages.RELAY_TO_VILLAGER.format(header=header, text=messages.esc(text))
            _send_relay(session, villager.telegram_id, ticket, body)
        outbox.send(
            session,
            msg.chat_id,
            messages.RELAYED_TO_VILLAGER.format(villager=messages.esc(villager.name)),
            kind="relayed",
            ticket_id=ticket.id,
        )
        return "relayed"


def _reachable(session: Session, ticket: Ticket) -> Villager:
    """The villager, if they use Telegram; otherwise the agent is told to phone them."""
    villager = villager_of(session, ticket)
    if villager.telegram_id is None:
        raise WrongState(messages.RELAY_NO_CHAT, phone=messages.esc(villager.phone or "—"))
    return villager


def _send_relay(session: Session, chat_id: int, ticket: Ticket, text: str) -> None:
    outbox.send(session, chat_id, text, kind="relay", ticket_id=ticket.id, priority=Priority.NOTIFY)
