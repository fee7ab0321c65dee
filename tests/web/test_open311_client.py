"""A real Open311 client library (georeport, from PyPI) reads our API over 127.0.0.1.

georeport speaks GeoReport v2 for reading (services, service definitions, requests) in JSON or
XML; it has no call for creating requests, so those are POSTed as the spec's form by hand.
"""

from __future__ import annotations

import asyncio

import pytest
import requests
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.services.context import Deps
from tests.web.conftest import API_KEY

georeport = pytest.importorskip("georeport", reason="georeport (dev extra) is not installed")
Client = TestClient[web.Request, web.Application]


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests would follow *_PROXY variables; everything here is on 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


def file_request(root: str) -> str:
    response = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": API_KEY,
            "service_code": "dibao",
            "description": "家里老人没有收入，想申请低保",
            "address_string": "杏花村二组",
            "phone": "13912340009",
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()[0]["service_request_id"])


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_georeport_reads_services_and_requests(
    client: Client, roster_deps: Deps, fmt: str
) -> None:
    root = str(client.make_url("/open311/v2"))
    api = georeport.GeoReport(root, output_format=fmt)

    def talk() -> tuple[list[dict[str, str]], dict[str, object], str, object, object]:
        services = api.get_service_list()
        definition = api.get_service_definition("dibao")
        number = file_request(root)
        listed = api.get_service_requests(service_code="dibao", status="open")
        one = api.get_service_request(number)
        return services, definition, number, listed, one

    services, definition, number, listed, one = await asyncio.to_thread(talk)
    by_code = {s["service_code"]: s for s in services}
    assert by_code["dibao"]["group"] == "代着办"
    assert definition["service_code"] == "dibao"
    listed_one = listed[0] if isinstance(listed, list) else listed  # xmltodict: one item → dict
    assert isinstance(listed_one, dict) and isinstance(one, dict)
    assert listed_one["service_request_id"] == number
    assert one["service_request_id"] == number
    assert one["status"] == "open"
    assert one["agency_responsible"].startswith("代办员 李建国")
    assert one["expected_datetime"].endswith("+08:00")
