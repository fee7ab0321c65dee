"""群众评价: comments, and 不满意 reopening the matter for the station head (or the next level)."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.services import rating, tickets
from bot.services.context import Deps, NotAllowed, WrongState
from models import Agent, EventKind, Outbox, Rating, Ticket, TicketEvent, TicketStatus
from tests import factories

WANG, LI, ZHAO, SUN, WU = 801, 700101, 700103, 700104, 700106


@pytest.fixture(autouse=True)
def roster(deps: Deps) -> None:
    factories.load_demo_roster(deps)


def agent_id(deps: Deps, telegram_id: int) -> int:
    with deps.read() as s:
        return s.exec(select(Agent).where(Agent.telegram_id == telegram_id)).one().id or 0


def sent(deps: Deps, chat_id: int) -> list[Outbox]:
    with deps.read() as s:
        return list(
            s.exec(select(Outbox).where(Outbox.chat_id == chat_id).order_by(col(Outbox.id))).all()
        )


def reload(deps: Deps, ticket_id: int | None) -> Ticket:
    with deps.read() as s:
        found = s.get(Ticket, ticket_id)
    assert found is not None
    return found


def closed(deps: Deps, telegram_id: int, place: tuple[str, str, str], holder: int) -> Ticket:
    who = factories.villager(deps, telegram_id, "王秀英", place)
    t = factories.ticket(deps, who, "麻烦给开个证明，娃上学要家庭情况证明")
    tickets.close(deps, agent_id=agent_id(deps, holder), ticket_id=t.id or 0)
    return t


def test_a_comment_is_kept_and_passed_on(deps: Deps) -> None:
    t = closed(deps, WANG, ("柳湾镇", "杏花村", "一组"), LI)
    wang = t.villager_id
    rating.rate(deps, villager_id=wang, ticket_id=t.id or 0, rating=Rating.BASIC)
    prompt = sent(deps, WANG)[-1]
    assert prompt.kind == "rate_comment" and prompt.payload["reply_markup"]["force_reply"]
    with pytest.raises(NotAllowed):
        rating.comment(deps, villager_id=wang + 1, ticket_id=t.id or 0, text="x")
    rating.comment(deps, villager_id=wang, ticket_id=t.id or 0, text="办得快", source_ref="tg:1:2")
    rating.comment(deps, villager_id=wang, ticket_id=t.id or 0, text="办得快", source_ref="tg:1:2")
    assert reload(deps, t.id).rating_comment == "办得快"
    told = [o for o in sent(deps, LI) if o.kind == "comment"]
    assert len(told) == 1 and "办得快" in told[0].payload["text"]
    assert reload(deps, t.id).status is TicketStatus.RATED


def test_unhappy_reopens_for_the_station_head_once(deps: Deps, clock: factories.Clock) -> None:
    t = closed(deps, WANG, ("柳湾镇", "杏花村", "一组"), LI)
    reopened = rating.rate(
        deps, villager_id=t.villager_id, ticket_id=t.id or 0, rating=Rating.UNSATISFIED
    )
    zhao = agent_id(deps, ZHAO)
    assert reopened.status is TicketStatus.REOPENED and reopened.assignee_id == zhao
    assert reopened.reopened == 1 and reopened.closed_at is None and reopened.due_at > clock.now
    assert any(o.kind == "assignment" for o in sent(deps, ZHAO))
    assert "赵德胜" in sent(deps, WANG)[-1].payload["text"]
    with pytest.raises(WrongState, match="说明"):  # a reopened matter closes with a note
        tickets.close(deps, agent_id=zhao, ticket_id=t.id or 0)
    tickets.close(deps, agent_id=zhao, ticket_id=t.id or 0, note="已重新开好证明")
    again = rating.rate(
        deps, villager_id=t.villager_id, ticket_id=t.id or 0, rating=Rating.UNSATISFIED
    )
    assert again.status is TicketStatus.RATED and again.reopened == 1  # final the second time
    assert "仍然" in sent(deps, WU)[-1].payload["text"]  # the station head held it: next level
    with deps.read() as s:
        kinds = [
            e.kind
            for e in s.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == t.id)
                .order_by(col(TicketEvent.id))
            ).all()
        ]
    assert kinds == [
        EventKind.CREATED,
        EventKind.ASSIGNED,
        EventKind.CLOSED,
        EventKind.RATED,
        EventKind.REOPENED,
        EventKind.CLOSED,
        EventKind.RATED,
    ]


def test_a_village_without_station_head_goes_to_the_township(deps: Deps) -> None:
    t = closed(deps, 805, ("柳湾镇", "石岭村", "一组"), SUN)
    reopened = rating.rate(
        deps, villager_id=t.villager_id, ticket_id=t.id or 0, rating=Rating.UNSATISFIED
    )
    assert reopened.assignee_id == agent_id(deps, WU)
    assert any("不满意" in o.payload.get("text", "") for o in sent(deps, WU))
