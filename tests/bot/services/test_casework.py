"""需补材料 and 改类: what the villager is told, what is recorded, the due date recomputed."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.services import casework
from bot.services.context import Deps, NotAllowed, NotFound, WrongState
from bot.workdays import due_at
from models import Agent, EventKind, Outbox, Ticket, TicketEvent
from nlp import Mode
from tests import factories

WANG, LI, SUN = 801, 700101, 700104


@pytest.fixture(autouse=True)
def roster(deps: Deps) -> None:
    factories.load_demo_roster(deps)


def agent_id(deps: Deps, telegram_id: int) -> int:
    with deps.read() as s:
        return s.exec(select(Agent).where(Agent.telegram_id == telegram_id)).one().id or 0


def last_to(deps: Deps, chat_id: int) -> Outbox:
    with deps.read() as s:
        row = s.exec(
            select(Outbox).where(Outbox.chat_id == chat_id).order_by(col(Outbox.id).desc())
        ).first()
    assert row is not None
    return row


def event(deps: Deps, ticket_id: int | None, kind: EventKind) -> list[TicketEvent]:
    with deps.read() as s:
        return list(
            s.exec(
                select(TicketEvent).where(
                    TicketEvent.ticket_id == ticket_id, TicketEvent.kind == kind
                )
            ).all()
        )


def reload(deps: Deps, ticket_id: int | None) -> Ticket:
    with deps.read() as s:
        found = s.get(Ticket, ticket_id)
    assert found is not None
    return found


def test_the_villager_is_told_exactly_the_ticked_documents(deps: Deps) -> None:
    t = factories.ticket(deps, factories.villager(deps, WANG))
    li, tid = agent_id(deps, LI), t.id or 0
    picker = casework.documents_picker(deps, agent_id=li, ticket_id=tid, mask=0b101)
    assert picker.documents == t.documents and picker.mask == 5
    with pytest.raises(NotFound):  # a bit beyond the list: forged
        casework.documents_picker(deps, agent_id=li, ticket_id=tid, mask=1 << len(t.documents))
    with pytest.raises(WrongState):
        casework.request_documents(deps, agent_id=li, ticket_id=tid, mask=0)
    with pytest.raises(NotAllowed):
        casework.request_documents(deps, agent_id=agent_id(deps, SUN), ticket_id=tid, mask=1)
    card = casework.request_documents(deps, agent_id=li, ticket_id=tid, mask=0b101, note="要复印件")
    told = last_to(deps, WANG).payload["text"]
    assert f"1. {t.documents[0]}" in told and f"2. {t.documents[2]}" in told
    assert t.documents[1] not in told and "要复印件" in told
    assert "已请村民补材料" in card.text and card.keyboard
    [asked] = event(deps, tid, EventKind.DOCUMENTS_REQUESTED)
    assert asked.data["documents"] == [t.documents[0], t.documents[2]] and asked.note == "要复印件"


def test_reclassify_a_matter_recomputes_the_due_date_from_the_request(
    deps: Deps, clock: factories.Clock
) -> None:
    t = factories.ticket(deps, factories.villager(deps, WANG))
    li, tid = agent_id(deps, LI), t.id or 0
    clock.advance(days=2)
    menu = casework.reclass_menu(deps, agent_id=li, ticket_id=tid)
    assert t.matter_code not in [m.code for m in menu.suggestions]
    page = casework.reclass_menu(deps, agent_id=li, ticket_id=tid, page=1)
    assert len(page.page) == casework.PAGE_SIZE and page.pages > 2
    with pytest.raises(NotFound):
        casework.reclass_menu(deps, agent_id=li, ticket_id=tid, page=page.pages)

    casework.reclassify(deps, agent_id=li, ticket_id=tid, matter_code="certificate")
    changed = reload(deps, tid)
    cert = deps.classifier.catalog.get("certificate")
    assert cert is not None
    assert changed.matter_name == cert.name and changed.documents == list(cert.documents)
    assert changed.category is cert.mode
    assert changed.due_at == due_at(t.created_at, cert.time_limit_days, deps.zone, deps.workday_end)
    assert changed.next_check_at is not None and changed.reminder_stage == 0
    told = last_to(deps, WANG).payload["text"]
    assert cert.name in told and "办结时限" in told

    casework.reclassify(deps, agent_id=li, ticket_id=tid, mode=Mode.MOBILE)
    assert reload(deps, tid).category is Mode.MOBILE and reload(deps, tid).due_at == changed.due_at
    with pytest.raises(WrongState):  # nothing to change
        casework.reclassify(deps, agent_id=li, ticket_id=tid, mode=Mode.MOBILE)
    with pytest.raises(NotFound):
        casework.reclassify(deps, agent_id=li, ticket_id=tid, matter_code="no_such_thing")
    recorded = event(deps, tid, EventKind.RECLASSIFIED)
    assert [(e.data["from_mode"], e.data["to_mode"]) for e in recorded] == [
        ("代着办", cert.mode.value),
        (cert.mode.value, "流动办"),
    ]
