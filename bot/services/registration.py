"""Who is who: villagers registering their group, agents linking Telegram by their roster phone."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot import messages
from bot.services import attachments, outbox, views
from bot.services.context import Deps, NotAllowed, NotFound
from bot.services.intake import notify_holder, responsible_agent
from bot.services.roster import normalize_phone
from models import (
    OPEN_STATUSES,
    Agent,
    Ticket,
    Township,
    Village,
    VillageGroup,
    Villager,
)
from nlp import mask_pii

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Identity:
    """The roster agent and/or registered villager behind a Telegram user."""

    telegram_id: int
    agent: Agent | None
    villager: Villager | None


def identify(deps: Deps, telegram_id: int) -> Identity:
    with deps.read() as session:
        agent = session.exec(
            select(Agent).where(Agent.telegram_id == telegram_id, col(Agent.active).is_(True))
        ).first()
        villager = session.exec(select(Villager).where(Villager.telegram_id == telegram_id)).first()
        return Identity(telegram_id, agent, villager)


def greet_staff(deps: Deps, *, agent: Agent, chat_id: int) -> None:
    """/start or /help from an agent or supervisor: their help text and their own command menu."""
    with deps.tx() as session:
        outbox.send(session, chat_id, messages.HELP_AGENT)
        outbox.set_menu(session, chat_id, messages.commands_for(agent.role))


def townships(deps: Deps) -> list[Township]:
    with deps.read() as session:
        return list(session.exec(select(Township).order_by(col(Township.id))).all())


def villages(deps: Deps, township_id: int) -> tuple[Township, list[Village]]:
    with deps.read() as session:
        township = session.get(Township, township_id)
        if township is None:
            raise NotFound(messages.STALE_BUTTON)
        found = session.exec(
            select(Village).where(Village.township_id == township_id).order_by(col(Village.id))
        ).all()
        return township, list(found)


def groups(deps: Deps, village_id: int) -> tuple[Township, Village, list[VillageGroup]]:
    with deps.read() as session:
        village = session.get(Village, village_id)
        if village is None:
            raise NotFound(messages.STALE_BUTTON)
        township = session.get(Township, village.township_id)
        assert township is not None
        found = session.exec(
            select(VillageGroup)
            .where(VillageGroup.village_id == village_id)
            .order_by(col(VillageGroup.id))
        ).all()
        return township, village, list(found)


def register_villager(deps: Deps, *, telegram_id: int, name: str, group_id: int) -> Villager:
    """Create or move a villager to a group; the welcome carries their agent's card."""
    with deps.tx() as session:
        if session.get(VillageGroup, group_id) is None:
            raise NotFound(messages.STALE_BUTTON)
        staff = session.exec(
            select(Agent.id).where(Agent.telegram_id == telegram_id, col(Agent.active).is_(True))
        ).first()
        if staff is not None:  # a roster account works as staff; it asks nothing as a villager
            raise NotAllowed(messages.STAFF_NOT_VILLAGER)
        villager = session.exec(select(Villager).where(Villager.telegram_id == telegram_id)).first()
        if villager is None:
            villager = Villager(
                telegram_id=telegram_id, name=name[:64] or "村民", group_id=group_id
            )
            session.add(villager)
        else:
            villager.group_id = group_id
        session.flush()
        agent, _ = responsible_agent(session, group_id)
        card = views.card(session, agent) if agent else messages.NO_AGENT_CARD
        text = messages.REGISTERED.format(place=views.place(session, group_id), card=card)
        if villager.phone is None:  # a phone is welcome but never required
            text += messages.REGISTERED_PHONE_HINT
            markup = outbox.contact_keyboard(messages.PHONE_BUTTON)
        else:
            markup = {"remove_keyboard": True}
        outbox.send(session, telegram_id, text, markup=markup, kind="registered")
        log.info("villager %s registered in group %s", villager.id, group_id)
        return villager


@dataclass(frozen=True)
class Profile:
    """What /me shows a villager about their own registration."""

    place: str
    phone: str | None  # masked
    agent: str | None


def profile(deps: Deps, *, villager_id: int) -> Profile:
    with deps.read() as session:
        villager = session.get(Villager, villager_id)
        if villager is None:
            raise NotFound(messages.NOT_REGISTERED)
        agent, _ = responsible_agent(session, villager.group_id)
        return Profile(
            place=views.place(session, villager.group_id),
            phone=_masked(villager.phone) if villager.phone else None,
            agent=agent.name if agent else None,
        )


def remove_phone(deps: Deps, *, villager_id: int) -> bool:
    """/me → 不留手机号: forget the villager's phone; False if there was none."""
    with deps.tx() as session:
        villager = session.get(Villager, villager_id, with_for_update=True)
        if villager is None:
            raise NotFound(messages.NOT_REGISTERED)
        had = villager.phone is not None
        villager.phone = None
        log.info("villager %s removed their phone", villager_id)
        return had


def responsible_card(deps: Deps, *, villager_id: int) -> str:
    """/card: the contact card of the agent responsible for the villager's group."""
    with deps.read() as session:
        villager = session.get(Villager, villager_id)
        if villager is None:
            raise NotFound(messages.NOT_REGISTERED)
        agent, _ = responsible_agent(session, villager.group_id)
        return views.card(session, agent) if agent else messages.NO_AGENT_CARD


def share_contact(
    deps: Deps, *, telegram_id: int, phone: str, contact_user_id: int | None, name: str
) -> str:
    """A shared phone number: links a roster agent, or is saved as the villager's phone.

    Only a user's own contact counts (a forwarded card of someone else is refused), and a roster
    phone already linked to another Telegram account is never taken over.
    """
    if contact_user_id != telegram_id:
        raise NotAllowed(messages.CONTACT_NOT_OWN)
    normalized = normalize_phone(phone)
    with deps.tx() as session:
        agent = (
            session.exec(
                select(Agent).where(Agent.phone == normalized, col(Agent.active).is_(True))
            ).first()
            if normalized
            else None
        )
        if agent is not None:
            if agent.telegram_id not in (None, telegram_id):
                log.warning(
                    "phone %s already linked to another account", mask_pii(normalized or "")
                )
                raise NotAllowed(messages.CONTACT_TAKEN)
            return _link_agent(session, deps, agent, telegram_id)
        villager = session.exec(select(Villager).where(Villager.telegram_id == telegram_id)).first()
        if villager is None:
            raise NotFound(messages.CONTACT_UNKNOWN, phone=mask_pii(phone))
        villager.phone = normalized or phone[:20]
        text = messages.VILLAGER_PHONE_SAVED.format(phone=mask_pii(villager.phone))
        outbox.send(session, telegram_id, text, markup={"remove_keyboard": True}, kind="phone")
        return text


def _link_agent(session: Session, deps: Deps, agent: Agent, telegram_id: int) -> str:
    newly = agent.telegram_id is None
    agent.telegram_id = telegram_id
    session.flush()
    open_tickets = session.exec(
        select(Ticket)
        .where(Ticket.assignee_id == agent.id, col(Ticket.status).in_(OPEN_STATUSES))
        .order_by(col(Ticket.due_at))
    ).all()
    text = messages.AGENT_BOUND.format(
        name=messages.esc(agent.name),
        role=messages.ROLE_LABEL[agent.role],
        area=messages.esc(views.agent_area(session, agent)),
        tasks=messages.AGENT_OPEN_TASKS.format(n=len(open_tickets)) if open_tickets else "",
    )
    outbox.set_menu(session, telegram_id, messages.commands_for(agent.role))
    outbox.send(session, telegram_id, text, markup={"remove_keyboard": True}, kind="agent_linked")
    if newly:  # cards that could not be delivered before the agent linked Telegram
        for ticket in open_tickets:
            notify_holder(session, deps, ticket, agent)
            attachments.forward_all(session, ticket, agent)
    log.info("agent %s linked Telegram", agent.id)
    return text


def toggle_night_alerts(deps: Deps, *, agent_id: int) -> bool:
    """/night: a supervisor opts in or out of escalations in quiet hours; returns the new value."""
    with deps.tx() as session:
        agent = session.get(Agent, agent_id, with_for_update=True)
        if agent is None or not agent.role.is_supervisor:
            raise NotAllowed(messages.NIGHT_ONLY_SUPERVISORS)
        agent.night_alerts = not agent.night_alerts
        return agent.night_alerts


def _masked(phone: str) -> str:
    masked = mask_pii(phone)
    return masked if masked != phone else "****"
