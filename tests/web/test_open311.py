"""Open311 GeoReport v2: the contract (XML and JSON shapes, errors) and what a request becomes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.services.context import Deps
from models import Channel, Outbox, Ticket, TicketEvent, Villager
from tests import factories
from tests.web.conftest import API_KEY

Client = TestClient[web.Request, web.Application]
V2 = "/open311/v2"
HOSPITAL = "俺爹住院花了不少钱，新农合能报销不，电话13812345678，身份证620102199001011234"


def form(**fields: str) -> dict[str, str]:
    base = {
        "api_key": API_KEY,
        "service_code": "medical_reimburse",
        "description": HOSPITAL,
        "address_string": "柳湾镇杏花村一组",
        "phone": "13912340001",
        "last_name": "张",
        "first_name": "大山",
        "device_id": "12345-call-0001",
    }
    base.update(fields)
    return base


async def post(client: Client, fmt: str = "json", **fields: str) -> Any:
    response = await client.post(f"{V2}/requests.{fmt}", data=form(**fields))
    return response


def tickets(deps: Deps) -> list[Ticket]:
    return factories.tickets(deps)


# ---- services -----------------------------------------------------------------------------------


async def test_service_list_in_json_has_every_matter_with_its_mode_as_group(
    client: Client, roster_deps: Deps
) -> None:
    response = await client.get(f"{V2}/services.json")
    assert response.status == 200
    services = await response.json()
    assert len(services) == len(roster_deps.classifier.catalog)
    first = services[0]
    assert set(first) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    by_code = {s["service_code"]: s for s in services}
    assert by_code["medical_reimburse"]["group"] == "代着办"
    assert by_code["certificate"]["service_name"] == "证明开具"
    assert by_code["certificate"]["metadata"] is True
    assert "开证明" in by_code["certificate"]["keywords"].split(",")


async def test_service_list_in_xml_is_the_specs_shape(client: Client) -> None:
    response = await client.get(f"{V2}/services.xml")
    assert response.status == 200
    assert response.content_type == "text/xml"
    root = ET.fromstring(await response.text())
    assert root.tag == "services"
    service = root.find("service")
    assert service is not None
    assert [child.tag for child in service] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert service.findtext("metadata") in ("true", "false")
    assert service.findtext("type") == "realtime"


async def test_service_definition_lists_the_documents_to_bring(client: Client) -> None:
    response = await client.get(f"{V2}/services/certificate.xml")
    root = ET.fromstring(await response.text())
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "certificate"
    attributes = root.findall("attributes/attribute")
    assert attributes and all(a.findtext("variable") == "false" for a in attributes)
    assert attributes[0].findtext("description") == "请准备：本人身份证"
    missing = await client.get(f"{V2}/services/no_such_thing.json")
    assert missing.status == 404
    assert await missing.json() == [
        {"code": 404, "description": "service_code 'no_such_thing' not found"}
    ]


# ---- POST ---------------------------------------------------------------------------------------


async def test_post_without_a_valid_api_key_is_refused_and_files_nothing(
    client: Client, roster_deps: Deps
) -> None:
    for key in ("", "wrong-key"):
        response = await post(client, "xml", api_key=key)
        assert response.status == 403
        root = ET.fromstring(await response.text())
        assert root.tag == "errors"
        assert root.findtext("error/code") == "403"
        assert root.findtext("error/description") == "api_key is missing or not valid"
    assert tickets(roster_deps) == []


async def test_post_files_a_classified_assigned_ticket_and_tells_what_to_bring(
    client: Client, roster_deps: Deps
) -> None:
    response = await post(client)
    assert response.status == 201
    [answer] = await response.json()
    [ticket] = tickets(roster_deps)
    assert answer["service_request_id"] == ticket.number
    notice = answer["service_notice"]
    assert "代着办" in notice and "住院" in notice  # documents of 医疗报销 (一次告知)
    assert "代办员 李建国（13909430101）" in notice
    assert ticket.channel is Channel.OPEN311
    assert ticket.matter_code == "medical_reimburse"
    assert ticket.assignee_id is not None
    with roster_deps.read() as session:
        villager = session.get(Villager, ticket.villager_id)
        assert villager is not None
        assert (villager.name, villager.phone, villager.telegram_id) == (
            "张大山",
            "13912340001",
            None,
        )
        created = session.exec(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "created"
            )
        ).one()
        assert created.data["channel"] == "open311"
        # the agent gets the task card; the villager has no Telegram, so no acknowledgement
        to = {row.chat_id for row in session.exec(select(Outbox)).all()}
        assert to == {700101}


async def test_a_retried_post_makes_no_second_ticket(client: Client, roster_deps: Deps) -> None:
    first = await (await post(client)).json()
    again = await post(client)
    assert again.status == 200
    assert (await again.json())[0]["service_request_id"] == first[0]["service_request_id"]
    assert len(tickets(roster_deps)) == 1
    other_words = await post(client, description="身份证丢了咋补办", service_code="id_card")
    assert other_words.status == 201
    assert len(tickets(roster_deps)) == 2


async def test_a_villager_known_by_phone_on_telegram_also_gets_the_acknowledgement(
    client: Client, roster_deps: Deps
) -> None:
    villager = factories.villager(roster_deps, 801, place=("柳湾镇", "石岭村", "一组"))
    with roster_deps.tx() as session:
        row = session.get(Villager, villager.id)
        assert row is not None
        row.phone = "13912340001"
    response = await post(client, address_string="杏花村一组")  # a phone match keeps her group
    assert response.status == 201
    [ticket] = tickets(roster_deps)
    assert ticket.villager_id == villager.id
    with roster_deps.read() as session:
        ack = session.exec(select(Outbox).where(Outbox.chat_id == 801, Outbox.kind == "ack")).one()
    assert ticket.number in ack.payload["text"]
    assert "请准备好这些材料" in ack.payload["text"]


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ({"service_code": ""}, "service_code is required"),
        ({"service_code": "flying_car"}, "service_code 'flying_car' is not in the service list"),
        ({"description": "  "}, "description is required: the villager's words"),
        ({"description": "报" * 4001}, "description is longer than 4000 characters"),
        (
            {"address_string": "", "lat": "34.97", "long": "104.63"},
            "lat/long alone cannot be placed (villages have no coordinates here): "
            "send address_string naming the village and group, e.g. 柳湾镇杏花村一组",
        ),
        (
            {"address_string": "火星村一组"},
            "address_string '火星村一组' names no village group on the roster "
            "(write village and group, e.g. 杏花村一组)",
        ),
        ({"phone": "12345"}, "phone is not a mainland mobile or landline number"),
    ],
)
async def test_bad_posts_answer_400_with_the_reason(
    client: Client, roster_deps: Deps, fields: dict[str, str], description: str
) -> None:
    response = await post(client, **fields)
    assert response.status == 400
    assert await response.json() == [{"code": 400, "description": description}]
    assert tickets(roster_deps) == []


async def test_an_address_is_read_with_or_without_township_and_spaces(
    client: Client, roster_deps: Deps
) -> None:
    await post(client, address_string="石岭村 二组", phone="13912340002")
    await post(client, address_string="河口乡河口村三组", phone="13912340003")
    places = []
    with roster_deps.read() as session:
        from bot.services import views

        for ticket in tickets(roster_deps):
            places.append("".join(views.place_names(session, ticket.group_id)))
    assert places == ["柳湾镇石岭村二组", "河口乡河口村三组"]


# ---- GET requests -------------------------------------------------------------------------------


async def test_get_one_request_shows_status_agency_and_due_time(
    client: Client, roster_deps: Deps
) -> None:
    [answer] = await (await post(client)).json()
    number = answer["service_request_id"]
    response = await client.get(f"{V2}/requests/{number}.xml", params={"api_key": API_KEY})
    root = ET.fromstring(await response.text())
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None
    assert request.findtext("service_request_id") == number
    assert request.findtext("status") == "open"
    assert request.findtext("status_notes") == "待接单"
    assert request.findtext("agency_responsible") == "代办员 李建国（13909430101）"
    expected = datetime.fromisoformat(request.findtext("expected_datetime") or "")
    [ticket] = tickets(roster_deps)
    assert expected == ticket.due_at and expected.utcoffset() == timedelta(hours=8)
    description = request.findtext("description") or ""
    assert "138****5678" in description and "620102********1234" in description
    assert request.findtext("address") == "柳湾镇杏花村一组"


async def test_without_an_api_key_a_request_shows_no_words_and_only_the_village(
    client: Client, roster_deps: Deps
) -> None:
    [answer] = await (await post(client)).json()
    response = await client.get(f"{V2}/requests/{answer['service_request_id']}.json")
    [request] = await response.json()
    assert "description" not in request or request["description"] is None
    assert request["address"] == "柳湾镇杏花村"
    unknown = await client.get(f"{V2}/requests/2026-9999.json")
    assert unknown.status == 404


async def test_request_list_filters_by_id_code_status_and_dates(
    client: Client, roster_deps: Deps, clock: factories.Clock
) -> None:
    a = (await (await post(client)).json())[0]["service_request_id"]
    b = (await (await post(client, service_code="id_card", description="身份证丢了")).json())[0][
        "service_request_id"
    ]

    async def ids(**params: str) -> list[str]:
        response = await client.get(f"{V2}/requests.json", params=params)
        assert response.status == 200, await response.text()
        return sorted(r["service_request_id"] for r in await response.json())

    assert await ids() == sorted([a, b])
    assert await ids(service_request_id=f"{a},2026-9999") == [a]
    assert await ids(service_code="id_card") == [b]
    assert await ids(status="open") == sorted([a, b])
    assert await ids(status="closed") == []
    assert await ids(start_date="2026-11-24T00:00:00+08:00") == []
    assert await ids(start_date="2026-11-01T00:00:00Z", end_date="2026-11-30T00:00:00Z") == sorted(
        [a, b]
    )
    too_long = await client.get(
        f"{V2}/requests.xml",
        params={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-11-30T00:00:00Z"},
    )
    assert too_long.status == 400
    root = ET.fromstring(await too_long.text())
    assert root.findtext("error/description") == (
        "start_date to end_date may not span more than 90 days"
    )
