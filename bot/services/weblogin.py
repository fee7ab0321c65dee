"""Signing in to the dashboard: a one-time link sent by the bot (/web), or the Login Widget.

Tokens are random (bot.web_auth.new_token) and only their SHA-256 is stored. A login link is
good once, for LINK_MINUTES; the session it opens lasts SESSION_HOURS. Only active roster people
(agents and supervisors) can sign in; what they then see is limited by bot.services.ledger.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session, col, select

from bot import messages, web_auth
from bot.services import outbox
from bot.services.context import Deps, NotAllowed
from bot.services.ledger import Viewer, viewer_of
from models import Agent, Priority, WebToken, WebTokenKind

log = logging.getLogger(__name__)
LINK_MINUTES = 15
SESSION_HOURS = 12


def _agent_by_telegram(session: Session, telegram_id: int) -> Agent:
    agent = session.exec(
        select(Agent).where(Agent.telegram_id == telegram_id, col(Agent.active).is_(True))
    ).first()
    if agent is None:
        raise NotAllowed(messages.WEB_NOT_ON_ROSTER)
    return agent


def _issue(session: Session, deps: Deps, agent_id: int, kind: WebTokenKind) -> str:
    token = web_auth.new_token()
    life = timedelta(minutes=LINK_MINUTES) if kind is WebTokenKind.LOGIN else None
    now = deps.now()
    session.add(
        WebToken(
            token_hash=web_auth.token_hash(token),
            kind=kind,
            agent_id=agent_id,
            created_at=now,
            expires_at=now + (life or timedelta(hours=SESSION_HOURS)),
        )
    )
    return token


def link_url(base_url: str, token: str) -> str:
    return f"{base_url}/login/link?t={token}"


def send_link(deps: Deps, *, telegram_id: int, base_url: str) -> str:
    """/web: queue a single-use sign-in link to the roster person's own chat; returns the URL."""
    with deps.tx() as session:
        agent = _agent_by_telegram(session, telegram_id)
        url = link_url(base_url, _issue(session, deps, agent.id or 0, WebTokenKind.LOGIN))
        outbox.send(
            session,
            telegram_id,
            messages.WEB_LINK.format(url=messages.esc(url), minutes=LINK_MINUTES),
            kind="web_link",
            priority=Priority.REPLY,
        )
        log.info("sign-in link sent to agent %s", agent.id)
        return url


def issue_link(deps: Deps, *, agent_id: int, base_url: str) -> str:
    """A sign-in link for a roster person, not sent (the demo prints it)."""
    with deps.tx() as session:
        return link_url(base_url, _issue(session, deps, agent_id, WebTokenKind.LOGIN))


def redeem_link(deps: Deps, token: str) -> str:
    """Spend a login link once; returns a new session token."""
    now = deps.now()
    with deps.tx() as session:
        row = session.exec(
            select(WebToken)
            .where(
                WebToken.token_hash == web_auth.token_hash(token),
                WebToken.kind == WebTokenKind.LOGIN,
            )
            .with_for_update()
        ).first()
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise NotAllowed(messages.WEB_LINK_INVALID)
        agent = session.get(Agent, row.agent_id)
        if agent is None or not agent.active:
            raise NotAllowed(messages.WEB_NOT_ON_ROSTER)
        row.used_at = now
        log.info("agent %s signed in with a one-time link", agent.id)
        return _issue(session, deps, agent.id or 0, WebTokenKind.SESSION)


def widget_sign_in(deps: Deps, fields: dict[str, str], bot_token: str) -> str:
    """Telegram Login Widget data (checked with the bot token) → a session token."""
    try:
        telegram_id = web_auth.verify_widget(fields, bot_token, deps.now())
    except web_auth.LoginRejected as exc:
        log.warning("login widget data refused: %s", exc)
        raise NotAllowed(messages.WEB_WIDGET_INVALID) from exc
    with deps.tx() as session:
        agent = _agent_by_telegram(session, telegram_id)
        log.info("agent %s signed in with the Telegram widget", agent.id)
        return _issue(session, deps, agent.id or 0, WebTokenKind.SESSION)


def viewer_for_session(deps: Deps, token: str | None) -> Viewer | None:
    """Who holds this session cookie (None: not signed in, expired or left the roster)."""
    if not token:
        return None
    with deps.read() as session:
        row = session.exec(
            select(WebToken).where(
                WebToken.token_hash == web_auth.token_hash(token),
                WebToken.kind == WebTokenKind.SESSION,
            )
        ).first()
        if row is None or row.used_at is not None or row.expires_at <= deps.now():
            return None
        agent = session.get(Agent, row.agent_id)
        if agent is None or not agent.active:
            return None
        return viewer_of(session, agent)


def sign_out(deps: Deps, token: str | None) -> None:
    if not token:
        return
    with deps.tx() as session:
        row = session.exec(
            select(WebToken).where(WebToken.token_hash == web_auth.token_hash(token))
        ).first()
        if row is not None and row.used_at is None:
            row.used_at = deps.now()
