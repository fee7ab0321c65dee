"""群众评价: the villager rates a closed matter, may add a comment, and 不满意 reopens it.

不满意 the first time: the ticket goes back open as `reopened`, held by the station head of the
village (the next level up when the village has none: township, then county), with a fresh time
limit; the station head follows up and closes it again with a note, and the villager rates again.
A second 不满意 is final: recorded, and the station head (or next level) is told.
"""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from bot import messages
from bot.services import attachments, flood, followup, outbox
from bot.services.context import Deps, WrongState
from bot.services.followup import LEVEL_ROLES
from bot.services.intake import notify_holder
from bot.services.steps import (
    holder_of,
    owned_by,
    record,
    refresh_card,
    require,
    seen,
    tell_agent,
    village_of,
)
from bot.workdays import due_at
from models import Agent, EventKind, Priority, Rating, Ticket, TicketStatus, Villager
from nlp import mask_pii

log = logging.getLogger(__name__)
REOPEN_DAYS = 2  # working days the station head has to follow up a 不满意


def rate(deps: Deps, *, villager_id: int, ticket_id: int, rating: Rating) -> Ticket:
    """Only the villager who asked may rate, once per 办结; 不满意 may reopen (see above)."""
    with deps.tx() as session:
        ticket = owned_by(session, ticket_id, villager_id)
        require(ticket, [TicketStatus.DONE])
        villager = session.get(Villager, villager_id)
        assert villager is not None
        holder = holder_of(session, ticket)
        ticket.rating = rating
        ticket.rated_at = deps.now()
        record(
            session,
            deps,
            ticket,
            EventKind.RATED,
            f"villager:{villager_id}",
            TicketStatus.RATED,
            rating=rating.value,
        )
        tell_agent(
            session,
            holder,
            ticket,
            messages.RATED_AGENT.format(number=ticket.number, rating=rating.value),
            kind="rated",
        )
        follower = None
        if rating is Rating.UNSATISFIED:
            follower = _unhappy(session, deps, ticket, villager, holder)
        if villager.telegram_id is not None:
            if rating is Rating.UNSATISFIED:
                who = messages.esc(follower.name) if follower else messages.VILLAGE_HEAD
                text = messages.RATED_UNHAPPY.format(who=who)
            else:
                text = messages.RATED_THANKS.format(rating=rating.value)
            outbox.send(
                session,
                villager.telegram_id,
                text,
                force_reply=True,
                placeholder=messages.COMMENT_PLACEHOLDER,
                kind="rate_comment",
                ticket_id=ticket.id,
                priority=Priority.NOTIFY,
            )
        return ticket


def _unhappy(
    session: Session, deps: Deps, ticket: Ticket, villager: Villager, holder: Agent | None
) -> Agent | None:
    """不满意: reopen for the station head (first time), or tell them (it was reopened before)."""
    head = flood.reviewer_for(session, ticket.group_id)
    if head is not None and holder is not None and head.id == holder.id:
        head = _above(session, ticket, holder) or head
    if ticket.reopened > 0 or head is None:
        if head is not None:
            tell_agent(
                session,
                head,
                ticket,
                messages.UNHAPPY_AGAIN.format(
                    villager=messages.esc(villager.name),
                    number=ticket.number,
                    matter=messages.esc(ticket.matter_name or "待联系"),
                ),
                kind="unhappy",
            )
        return head
    now = deps.now()
    ticket.reopened += 1
    ticket.assignee_id = head.id
    ticket.closed_at = None
    ticket.due_at = due_at(now, REOPEN_DAYS, deps.zone, deps.workday_end)
    ticket.escalation_level = 0
    followup.schedule_new(ticket, deps, now)
    record(
        session,
        deps,
        ticket,
        EventKind.REOPENED,
        "system",
        TicketStatus.REOPENED,
        from_agent=holder.id if holder else None,
        to_agent=head.id,
    )
    if holder is not None:
        refresh_card(session, deps, ticket, holder, footer=messages.REOPENED_CARD)
    if head.telegram_id is not None:
        outbox.send(
            session,
            head.telegram_id,
            messages.REOPENED_HEAD.format(
                villager=messages.esc(villager.name),
                number=ticket.number,
                matter=messages.esc(ticket.matter_name or "待联系"),
                agent=messages.esc(holder.name if holder else "（无人）"),
            ),
            kind="reopened",
            priority=Priority.NOTIFY,
            ticket_id=ticket.id,
        )
        notify_holder(session, deps, ticket, head)
        attachments.forward_all(session, ticket, head)
    log.info("ticket %s reopened for agent %s after 不满意", ticket.number, head.id)
    return head


def _above(session: Session, ticket: Ticket, holder: Agent) -> Agent | None:
    """The station head held it already: the township supervisor (or county) follows up."""
    village = village_of(session, ticket.group_id)
    for level in (2, 3):
        query = select(Agent).where(Agent.role == LEVEL_ROLES[level], col(Agent.active).is_(True))
        if level == 2:
            query = query.where(Agent.township_id == village.township_id)
        found = session.exec(query.order_by(col(Agent.id))).first()
        if found is not None and found.id != holder.id:
            return found
    return None


def comment(
    deps: Deps, *, villager_id: int, ticket_id: int, text: str, source_ref: str | None = None
) -> Ticket:
    """A reply to the rating prompt: kept with the rating and passed on to whoever follows up."""
    text = text.strip()[:1000]
    with deps.tx() as session:
        ticket = owned_by(session, ticket_id, villager_id)
        if ticket.rating is None:
            raise WrongState(messages.NOT_FOUND)
        if seen(session, source_ref):
            return ticket
        villager = session.get(Villager, villager_id)
        assert villager is not None
        ticket.rating_comment = text
        record(
            session,
            deps,
            ticket,
            EventKind.NOTE,
            f"villager:{villager_id}",
            note=text,
            source_ref=source_ref,
            comment=True,
        )
        told = messages.COMMENT_TO_AGENT.format(
            villager=messages.esc(villager.name),
            number=ticket.number,
            rating=ticket.rating.value,
            text=messages.esc(mask_pii(text)),
        )
        tell_agent(session, holder_of(session, ticket), ticket, told, kind="comment")
        if villager.telegram_id is not None:
            outbox.send(session, villager.telegram_id, messages.COMMENT_THANKS, kind="comment")
        return ticket
