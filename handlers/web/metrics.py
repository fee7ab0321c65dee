"""/metrics for Prometheus: a registry per app, database figures read at scrape time."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator

from aiohttp import web
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.dispatch import Dispatcher
from bot.services import dashboard, inbound
from bot.services.context import Deps

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _StoreCollector(Collector):
    """Tickets by mode/status, outbox backlog, inbound log and the dispatcher's counters."""

    def __init__(self, deps: Deps, dispatcher: Dispatcher) -> None:
        self.deps = deps
        self.dispatcher = dispatcher

    def collect(self) -> Iterator[Metric]:
        tickets = GaugeMetricFamily(
            "daiban_tickets", "Tickets by handling mode and status", labels=["mode", "status"]
        )
        for mode, status, n in dashboard.ticket_counts(self.deps):
            tickets.add_metric([mode, status], n)
        yield tickets
        yield GaugeMetricFamily(
            "daiban_outbox_backlog",
            "Outbox messages waiting to be sent (pending or being sent)",
            value=self.dispatcher.backlog(),
        )
        updates = GaugeMetricFamily(
            "daiban_inbound_updates", "Recorded Telegram updates by status", labels=["status"]
        )
        for status, n in sorted(inbound.counts(self.deps).items()):
            updates.add_metric([status], n)
        yield updates
        stats = self.dispatcher.stats
        for name, value, text in (
            ("daiban_outbox_sent", stats.sent, "Messages sent to Telegram"),
            ("daiban_outbox_failed", stats.failed, "Messages Telegram refused for good"),
            ("daiban_outbox_retried", stats.retried, "Sends retried after a network error"),
            ("daiban_telegram_429", stats.rate_limited, "429 Too Many Requests from Telegram"),
        ):
            yield CounterMetricFamily(name, text, value=value)


class Metrics:
    """One CollectorRegistry per web app, so tests and several apps never collide."""

    def __init__(self, deps: Deps, dispatcher: Dispatcher) -> None:
        self.registry = CollectorRegistry()
        self.classify = Histogram(
            "daiban_classify_seconds",
            "Time to classify one request",
            buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5),
            registry=self.registry,
        )
        self.http = Histogram(
            "daiban_http_request_seconds",
            "HTTP requests by route and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.registry.register(_StoreCollector(deps, dispatcher))
        deps.observers.append(self.observe)

    def observe(self, name: str, seconds: float) -> None:
        if name == "classify":
            self.classify.observe(seconds)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            route = request.match_info.route.resource
            name = route.canonical if route is not None else "unmatched"
            self.http.labels(name, request.method, str(status)).observe(
                time.perf_counter() - started
            )

    def render(self) -> bytes:
        return generate_latest(self.registry)
