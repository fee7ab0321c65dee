"""督办 by button, /stats figures, flood control and the review of held requests."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.services import conversation, flood, intake, ledger, queries, rating, supervision, tickets
from bot.services.attachments import Media
from bot.services.context import Deps, NotAllowed, NotFound, WrongState
from bot.services.conversation import Incoming
from models import (
    Agent,
    Attachment,
    Channel,
    EventKind,
    HeldRequest,
    HeldStatus,
    Outbox,
    Rating,
    Ticket,
    TicketEvent,
)
from tests import factories

WANG, LI, ZHAO, WU, QIAN, FENG = 801, 700101, 700103, 700106, 700108, 700109
CERT = "麻烦给开个证明，娃上学要家庭情况证明"


@pytest.fixture(autouse=True)
def roster(deps: Deps) -> None:
    factories.load_demo_roster(deps)


def agent_id(deps: Deps, telegram_id: int) -> int:
    with deps.read() as s:
        return s.exec(select(Agent).where(Agent.telegram_id == telegram_id)).one().id or 0


def sent(deps: Deps, chat_id: int, kind: str) -> list[Outbox]:
    with deps.read() as s:
        rows = s.exec(select(Outbox).where(Outbox.chat_id == chat_id).order_by(col(Outbox.id)))
        return [r for r in rows.all() if r.kind == kind]


def test_urge_only_in_area_recorded_and_not_twice_an_hour(
    deps: Deps, clock: factories.Clock
) -> None:
    t = factories.ticket(deps, factories.villager(deps, WANG), CERT)
    tid = t.id or 0
    with pytest.raises(NotAllowed):  # an ordinary agent
        supervision.urge(deps, supervisor_id=agent_id(deps, LI), ticket_id=tid)
    with pytest.raises(NotFound):  # 河口乡's supervisor: not in his area
        supervision.urge(deps, supervisor_id=agent_id(deps, QIAN), ticket_id=tid)
    supervision.urge(deps, supervisor_id=agent_id(deps, ZHAO), ticket_id=tid)
    [prompt] = sent(deps, LI, "urged")
    assert "村便民服务站站长赵德胜" in prompt.payload["text"] and prompt.ticket_id == tid
    with pytest.raises(WrongState, match="一小时内"):
        supervision.urge(deps, supervisor_id=agent_id(deps, ZHAO), ticket_id=tid)
    supervision.urge(deps, supervisor_id=agent_id(deps, FENG), ticket_id=tid)  # another one may
    clock.advance(hours=1, minutes=1)
    supervision.urge(deps, supervisor_id=agent_id(deps, ZHAO), ticket_id=tid)
    with deps.read() as s:
        urged = s.exec(select(TicketEvent).where(TicketEvent.kind == EventKind.URGED)).all()
    assert len(urged) == 3 and {e.data["to_agent"] for e in urged} == {agent_id(deps, LI)}
    tickets.close(deps, agent_id=agent_id(deps, LI), ticket_id=tid)
    with pytest.raises(WrongState):
        supervision.urge(deps, supervisor_id=agent_id(deps, FENG), ticket_id=tid)


def test_stats_match_the_dashboard_for_the_area(deps: Deps, clock: factories.Clock) -> None:
    wang = factories.villager(deps, WANG)
    far = factories.villager(deps, 807, "周", ("河口乡", "河口村", "二组"))
    on_time = factories.ticket(deps, wang, CERT)
    factories.ticket(deps, wang, CERT)
    factories.ticket(deps, far, CERT)
    tickets.close(deps, agent_id=agent_id(deps, LI), ticket_id=on_time.id or 0)
    rating.rate(deps, villager_id=wang.id or 0, ticket_id=on_time.id or 0, rating=Rating.BASIC)
    clock.advance(days=10)
    wu = supervision.stats(deps, supervisor_id=agent_id(deps, WU))
    assert wu.area == "柳湾镇" and wu.summary.total == 2 and wu.summary.overdue == 1
    assert (wu.summary.closed, wu.summary.closed_on_time) == (1, 1)
    assert (wu.summary.rated, wu.summary.satisfied) == (1, 1)
    assert [i.holder for i in wu.worst] == ["李建国"]
    assert supervision.stats(deps, supervisor_id=agent_id(deps, FENG)).summary.total == 3
    with pytest.raises(NotAllowed):
        supervision.stats(deps, supervisor_id=agent_id(deps, LI))


def test_over_the_limit_requests_are_held_and_the_reviewer_told_once(deps: Deps) -> None:
    deps.flood_per_hour = 2
    wang = factories.villager(deps, WANG)
    outcomes = [
        intake.submit_request(
            deps, villager_id=wang.id or 0, text=CERT, channel=Channel.TELEGRAM, source_ref=f"r{i}"
        ).outcome
        for i in range(4)
    ]
    assert outcomes == ["created", "created", "held", "held"]
    again = intake.submit_request(
        deps, villager_id=wang.id or 0, text=CERT, channel=Channel.TELEGRAM, source_ref="r3"
    )
    assert again.outcome == "duplicate"  # a redelivered held message is not held twice
    chat = intake.submit_request(
        deps, villager_id=wang.id or 0, text="你好", channel=Channel.TELEGRAM, source_ref="hi"
    )
    assert chat.outcome == "not_request"  # small talk is answered, not held
    hotline = intake.submit_request(
        deps, villager_id=wang.id or 0, text=CERT, channel=Channel.HOTLINE, source_ref="h1"
    )
    assert hotline.outcome == "created"  # staffed channels are not limited
    assert len(sent(deps, WANG, "held")) == 2
    assert len(sent(deps, ZHAO, "held_notice")) == 1
    assert [h.text for h in flood.waiting(deps, supervisor_id=agent_id(deps, ZHAO))] == [CERT] * 2
    assert flood.waiting(deps, supervisor_id=agent_id(deps, QIAN)) == []
    with pytest.raises(NotAllowed):
        flood.waiting(deps, supervisor_id=agent_id(deps, LI))


def test_release_makes_the_ticket_with_its_attachment_dismiss_tells_the_villager(
    deps: Deps,
) -> None:
    deps.flood_per_hour = 1
    wang = factories.villager(deps, WANG)
    factories.ticket(deps, wang, CERT)
    voice = Media("voice", WANG, 90, "v", "uv")
    conversation.from_villager(deps, villager_id=wang.id or 0, msg=Incoming(WANG, 90, None, voice))
    conversation.from_villager(deps, villager_id=wang.id or 0, msg=Incoming(WANG, 91, CERT))
    with deps.read() as s:
        held_voice, held_text = s.exec(select(HeldRequest).order_by(col(HeldRequest.id))).all()
    assert held_voice.call_back and not held_text.call_back
    with pytest.raises(NotFound):  # outside 河口乡's area: "already handled", nothing leaks
        supervision.release(deps, supervisor_id=agent_id(deps, QIAN), held_id=held_voice.id or 0)

    left = supervision.release(deps, supervisor_id=agent_id(deps, WU), held_id=held_voice.id or 0)
    assert [h.id for h in left] == [held_text.id]
    with deps.read() as s:
        ticket = s.exec(select(Ticket).order_by(col(Ticket.id).desc())).first()
        [kept] = s.exec(select(Attachment)).all()
        decided = s.get(HeldRequest, held_voice.id)
    assert ticket is not None and kept.ticket_id == ticket.id
    assert decided is not None and decided.status is HeldStatus.RELEASED
    assert decided.ticket_id == ticket.id and decided.decided_by == agent_id(deps, WU)
    assert any(o.method == "copyMessage" for o in sent(deps, LI, "attachment"))

    assert (
        supervision.dismiss(deps, supervisor_id=agent_id(deps, ZHAO), held_id=held_text.id or 0)
        == []
    )
    assert "不作为新的事项" in sent(deps, WANG, "held_dismissed")[0].payload["text"]
    with pytest.raises(NotFound):  # decided already
        supervision.release(deps, supervisor_id=agent_id(deps, ZHAO), held_id=held_text.id or 0)


def test_one_area_rule_for_every_role(deps: Deps) -> None:
    """The station head sees the village, the township its villages, the county all, an agent
    no area at all (whatever role a caller forgets to check, nothing leaks)."""
    t = factories.ticket(deps, factories.villager(deps, WANG), CERT)
    with deps.read() as s:
        people = {a.telegram_id: a for a in s.exec(select(Agent)).all()}

        def sees(telegram_id: int) -> bool:
            who = people[telegram_id]
            query = ledger.joined().where(col(Ticket.id) == t.id)
            return s.exec(queries.in_area(query, who)).first() is not None

        assert sees(ZHAO) and sees(WU) and sees(FENG)  # station head, township, county
        assert not sees(QIAN)  # the other township's supervisor
        assert not sees(LI)  # the ticket's own agent has no *area*; /tasks shows her tickets
