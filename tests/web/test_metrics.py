"""/metrics (Prometheus text) and /healthz."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.services.context import Deps
from tests import factories

Client = TestClient[web.Request, web.Application]


async def scrape(client: Client) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.content_type == "text/plain"
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return out


async def test_metrics_count_tickets_backlog_and_classifier_time(
    client: Client, roster_deps: Deps
) -> None:
    before = await scrape(client)
    assert before["daiban_outbox_backlog"][()] == 0
    assert before["daiban_classify_seconds_count"][()] == 0
    wang = factories.villager(roster_deps, 801)
    factories.ticket(roster_deps, wang)
    factories.ticket(roster_deps, wang, "身份证过期了，要换新的咋办")
    after = await scrape(client)
    tickets = after["daiban_tickets"]
    assert tickets[(("mode", "代着办"), ("status", "pending"))] == 1
    assert tickets[(("mode", "领着办"), ("status", "pending"))] == 1
    assert after["daiban_classify_seconds_count"][()] == 2
    assert after["daiban_outbox_backlog"][()] >= 4  # registration, acks and the agent's cards
    assert after["daiban_telegram_429_total"][()] == 0
    assert after["daiban_outbox_sent_total"][()] == 0
    served = after["daiban_http_request_seconds_count"]
    assert served[(("method", "GET"), ("route", "/metrics"), ("status", "200"))] == 1


async def test_healthz_reports_database_dispatcher_and_backlog(
    client: Client, roster_deps: Deps
) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"database": "ok", "dispatcher": "ok", "outbox_backlog": 0}
