"""Getting updates to the bot: getUpdates long polling, or a webhook that is POSTed to.

Both read one queue (``Store.updates``). Polling confirms updates below ``offset``; a newer
getUpdates ends a waiting older one with 409, as Telegram does when a second bot instance polls
(so a killed bot process's dangling long poll does not hold updates back from its successor).
The webhook sender delivers the queue in order, one at a time; a non-2xx answer or a connection
error keeps the update at the head and retries after a short, growing backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from typing import Any

import aiohttp

from .models import ApiError, Described, bad_request
from .params import Params
from .store import MethodFn, Store, Webhook, now

WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
TERMINATED = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


async def get_updates(store: Store, p: Params) -> Any:
    if store.webhook is not None:
        raise ApiError(409, WEBHOOK_ACTIVE)
    offset = p.opt_int("offset")
    limit = p.opt_int("limit")
    limit = 100 if limit is None or not 1 <= limit <= 100 else limit
    timeout = max(0.0, p.opt_float("timeout") or 0.0)
    store.set_allowed(p.opt_list("allowed_updates"))
    if offset is not None and offset < 0:
        store.updates = store.updates[offset:]
    elif offset is not None:
        store.confirm_below(offset)
    store.poll_generation += 1
    generation = store.poll_generation
    store.notify()

    def ready() -> bool:
        stop = store.closing or store.webhook is not None
        return bool(store.updates) or stop or store.poll_generation != generation

    if not store.updates and timeout > 0:
        store.polls_waiting += 1
        store.notify()
        try:
            with contextlib.suppress(TimeoutError):
                await store.changed.wait_for(ready, timeout)
        finally:
            store.polls_waiting -= 1
            store.notify()
    if store.poll_generation != generation:
        raise ApiError(409, TERMINATED)
    if store.webhook is not None:
        raise ApiError(409, WEBHOOK_ACTIVE)
    return store.updates[:limit]


async def set_webhook(store: Store, p: Params) -> Any:
    url = p.req_str("url", "bad webhook: URL must be specified") if p.has("url") else ""
    if not url:
        return await delete_webhook(store, p)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.opt_str("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.opt_int("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = p.opt_list("allowed_updates")
    same = store.webhook is not None and store.webhook.url == url
    store.webhook = Webhook(url, secret, max_connections, allowed, p.opt_str("ip_address"))
    store.webhook_error = None
    store.set_allowed(allowed)
    if p.flag("drop_pending_updates"):
        store.updates.clear()
    store.notify()
    return Described(True, "Webhook is already set" if same else "Webhook was set")


async def delete_webhook(store: Store, p: Params) -> Any:
    had = store.webhook is not None
    store.webhook = None
    store.webhook_error = None
    if p.flag("drop_pending_updates"):
        store.updates.clear()
    store.notify()
    return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")


async def get_webhook_info(store: Store, p: Params) -> Any:
    info: dict[str, Any] = {
        "url": store.webhook.url if store.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(store.updates),
    }
    if store.webhook is not None:
        info["max_connections"] = store.webhook.max_connections
        if store.webhook.allowed_updates is not None:
            info["allowed_updates"] = store.webhook.allowed_updates
        if store.webhook.ip_address:
            info["ip_address"] = store.webhook.ip_address
    if store.webhook_error is not None:
        info["last_error_date"], info["last_error_message"] = store.webhook_error
    return info


METHODS: dict[str, MethodFn] = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}


class WebhookSender:
    """Background task that POSTs queued updates to the webhook, in order, until each is taken."""

    def __init__(self, store: Store, *, timeout: float, retry_delay: float) -> None:
        self.store = store
        self.timeout = timeout
        self.retry_delay = retry_delay
        self.max_delay = max(retry_delay, 2.0)

    async def _post(self, session: aiohttp.ClientSession, hook: Webhook, body: bytes) -> str:
        """Deliver once; return '' on a 2xx answer, else Telegram's last_error_message."""
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with session.post(hook.url, data=body, headers=headers) as resp:
                await resp.read()
                if 200 <= resp.status < 300:
                    return ""
                return f"Wrong response from the webhook: {resp.status} {resp.reason or ''}".strip()
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectionError:
            return "Connection refused"
        except aiohttp.ClientError as exc:
            return f"Webhook delivery failed: {exc}"

    async def run(self) -> None:
        store = self.store
        failures = 0
        client_timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=client_timeout) as session:
            while True:
                await store.changed.wait_for(
                    lambda: store.closing or (store.webhook is not None and bool(store.updates)),
                    None,
                )
                hook = store.webhook
                if store.closing:
                    return
                if hook is None:
                    continue
                update = store.updates[0]
                error = await self._post(session, hook, json.dumps(update).encode())
                if not error:
                    failures = 0
                    if store.updates and store.updates[0] is update:
                        store.updates.pop(0)
                    store.stats.webhook_deliveries += 1
                    store.notify()
                    continue
                failures += 1
                store.webhook_error = (now(), error)
                store.stats.webhook_failures += 1
                store.notify()
                await self._backoff(hook, failures)

    async def _backoff(self, hook: Webhook, failures: int) -> None:
        """Wait before redelivering; cut short when the webhook changes or the server stops."""
        store = self.store
        delay = min(self.retry_delay * 2 ** (failures - 1), self.max_delay)
        with contextlib.suppress(TimeoutError):
            await store.changed.wait_for(lambda: store.closing or store.webhook is not hook, delay)


async def stop_task(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
