"""The HTTP side: aiohttp routes for /bot<token>/<method> and /file/bot<token>/<path>.

A call goes through: outage -> token (401) -> method (404) -> parameters (400) -> injected
failure or dropped connection -> flood limits (429) -> the method -> the call log.
"""

from __future__ import annotations

import asyncio
import json
import time
from functools import partial
from typing import Any

from aiohttp import web

from . import methods_edit, methods_misc, methods_send, updates
from .faults import Faults
from .models import ApiCall, ApiError, Described, JsonDict, bad_request
from .params import Params, Upload
from .ratelimit import RateLimitConfig, RateLimiter
from .store import MethodFn, Store

METHODS: dict[str, MethodFn] = {
    **methods_send.METHODS,
    **methods_edit.METHODS,
    **methods_misc.METHODS,
    **updates.METHODS,
}
_BY_KEY = {name.lower(): (name, fn) for name, fn in METHODS.items()}
# Calls that Telegram's flood control counts: sending and editing messages.
FLOOD_COUNTED = frozenset(
    name.lower()
    for name in METHODS
    if name.startswith(("send", "edit")) and name != "sendChatAction"
) | {"copymessage", "forwardmessage"}
_dumps = partial(json.dumps, ensure_ascii=False)


async def read_params(request: web.Request) -> Params:
    """Parameters from the query string and a JSON, form-encoded or multipart body."""
    raw: JsonDict = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.read()
            if body.strip():
                try:
                    data = json.loads(body)
                except ValueError:
                    raise bad_request("can't parse JSON object") from None
                if not isinstance(data, dict):
                    raise bad_request("JSON body must be an object")
                raw.update(data)
        elif request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[name] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    raw[name] = value
    return Params(raw, uploads)


class ApiServer:
    """Routes HTTP calls to the methods; owns flood limits and injected faults."""

    def __init__(self, store: Store, token: str, *, rate_limits: bool) -> None:
        self.store = store
        self.token = token
        self.rate_limits = rate_limits
        self.limiter = RateLimiter(RateLimitConfig())
        self.faults = Faults()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self.handle_file)
        return app

    def _record(self, method: str, params: JsonDict, status: int) -> None:
        stats = self.store.stats
        self.store.calls.append(ApiCall(method, params, status, time.time()))
        stats.calls[method] += 1
        if status != 200:
            stats.errors[status] += 1
        if status == 429:
            stats.too_many_requests += 1
        self.store.notify()

    def _answer(self, method: str, params: JsonDict, outcome: Any) -> web.Response:
        if isinstance(outcome, ApiError):
            self._record(method, params, outcome.status)
            return web.json_response(outcome.payload(), status=outcome.status, dumps=_dumps)
        body: JsonDict = {"ok": True}
        if isinstance(outcome, Described):
            body.update(result=outcome.result, description=outcome.description)
        else:
            body["result"] = outcome
        self._record(method, params, 200)
        return web.json_response(body, dumps=_dumps)

    def _drop(self, request: web.Request, method: str, params: JsonDict) -> web.Response:
        """Close the TCP connection without an answer (the client sees a disconnect)."""
        if request.transport is not None:
            request.transport.close()
        self._record(method, params, 0)
        return web.Response(status=500)

    def _outage(self, request: web.Request, method: str) -> web.Response | None:
        faults = self.faults
        if not faults.outage_now(asyncio.get_running_loop().time()):
            return None
        if faults.outage_drop or faults.outage is None:
            return self._drop(request, method, {})
        return self._answer(method, {}, faults.outage)

    def _flood_target(self, key: str, params: Params) -> tuple[int, bool] | None:
        if not self.rate_limits or key not in FLOOD_COUNTED:
            return None
        chat_id = params.raw.get("chat_id")
        try:
            chat = self.store.chats.get(int(chat_id)) if chat_id is not None else None
        except (TypeError, ValueError):
            return None
        return (chat.id, chat.type == "private") if chat else None

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["method"]
        dead = self._outage(request, name)
        if dead is not None:
            return dead
        if request.match_info["token"] != self.token:
            return self._answer(name, {}, ApiError(401, "Unauthorized"))
        found = _BY_KEY.get(name.lower())
        if found is None:
            return self._answer(name, {}, ApiError(404, "Not Found"))
        name, method = found
        try:
            params = await read_params(request)
        except ApiError as exc:
            return self._answer(name, {}, exc)
        matched, injected = self.faults.take(name)
        if matched and injected is None:
            return self._drop(request, name, params.for_log())
        if injected is not None:
            return self._answer(name, params.for_log(), injected)
        target = self._flood_target(name.lower(), params)
        now = time.monotonic()
        try:
            if target is not None:
                wait = self.limiter.check(target[0], target[1], now)
                if wait is not None:
                    raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
            result = await method(self.store, params)
        except ApiError as exc:
            return self._answer(name, params.for_log(), exc)
        if target is not None:
            self.limiter.record(target[0], target[1], now)
        return self._answer(name, params.for_log(), result)

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        dead = self._outage(request, "download")
        if dead is not None:
            return dead
        if request.match_info["token"] != self.token:
            return self._answer("download", {"path": path}, ApiError(401, "Unauthorized"))
        rec = self.store.files_by_path.get(path)
        if rec is None:
            return self._answer("download", {"path": path}, ApiError(404, "Not Found"))
        self._record("download", {"path": path}, 200)
        ctype = rec.mime_type or "application/octet-stream"
        return web.Response(body=rec.data, content_type=ctype)
