"""Open311 GeoReport v2 (XML, which the spec requires, and JSON) over the matter catalogue.

    GET  /open311/v2/services.{xml,json}            the catalogue as services (group = mode)
    GET  /open311/v2/services/{code}.{xml,json}     service definition: documents to bring
    POST /open311/v2/requests.{xml,json}            file a request (api_key required)
    GET  /open311/v2/requests.{xml,json}            service_request_id / service_code /
                                                    start_date / end_date / status filters
    GET  /open311/v2/requests/{id}.{xml,json}       one request
Errors are [{code, description}] / <errors><error>…</error></errors>.
"""

from __future__ import annotations

import hashlib
import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.services import external
from bot.services.external import InvalidRequest, NewRequest, RequestView
from bot.web_auth import same_secret
from handlers.web.context import WEB
from nlp import Matter

log = logging.getLogger("daiban.open311")
PREFIX = "/open311/v2"
FMT = "{fmt:(xml|json)}"
Item = Mapping[str, Any]


def routes(app: web.Application) -> None:
    app.router.add_get(f"{PREFIX}/services.{FMT}", services)
    app.router.add_get(PREFIX + "/services/{code:[A-Za-z0-9_]+}." + FMT, service_definition)
    app.router.add_post(f"{PREFIX}/requests.{FMT}", post_request)
    app.router.add_get(f"{PREFIX}/requests.{FMT}", get_requests)
    app.router.add_get(PREFIX + "/requests/{id:[A-Za-z0-9_-]+}." + FMT, get_request)


# ---- rendering ----------------------------------------------------------------------------------


def render(
    fmt: str, root: str, item: str, items: Sequence[Item], status: int = 200
) -> web.Response:
    """The same fields as a JSON array, or as <root><item>…</item></root>."""
    if fmt == "json":
        body = json.dumps([_jsonable(i) for i in items], ensure_ascii=False)
        return web.Response(
            status=status, text=body, content_type="application/json", charset="utf-8"
        )
    top = ET.Element(root)
    for entry in items:
        _xml(ET.SubElement(top, item), entry)
    body = ET.tostring(top, encoding="unicode", xml_declaration=False)
    text = '<?xml version="1.0" encoding="utf-8"?>\n' + body
    return web.Response(status=status, text=text, content_type="text/xml", charset="utf-8")


def _xml(parent: ET.Element, entry: Item) -> None:
    for key, value in entry.items():
        if value is None:
            continue
        child = ET.SubElement(parent, key)
        if isinstance(value, Mapping):
            _xml(child, value)
        elif isinstance(value, list):
            singular = {"attributes": "attribute", "values": "value"}.get(key, "item")
            for element in value:
                _xml(ET.SubElement(child, singular), element)
        else:
            child.text = _scalar(value)


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def _jsonable(entry: Item) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if isinstance(value, datetime):
            value = value.isoformat(timespec="seconds")
        elif isinstance(value, list):
            value = [_jsonable(v) for v in value]
        out[key] = value
    return out


def error(fmt: str, status: int, description: str) -> web.Response:
    return render(fmt, "errors", "error", [{"code": status, "description": description}], status)


# ---- services -----------------------------------------------------------------------------------


def _keywords(matter: Matter) -> str:
    plain = [k for k in matter.keywords if not any(c in k for c in "+|^")]
    return ",".join(plain[:8])


def _service(matter: Matter) -> dict[str, Any]:
    return {
        "service_code": matter.code,
        "service_name": matter.name,
        "description": matter.description,
        "metadata": bool(matter.documents),
        "type": "realtime",
        "keywords": _keywords(matter),
        "group": matter.mode.value,
    }


async def services(request: web.Request) -> web.Response:
    matters = external.catalogue(request.app[WEB].deps)
    return render(request.match_info["fmt"], "services", "service", [_service(m) for m in matters])


async def service_definition(request: web.Request) -> web.Response:
    """Documents to bring (一次告知) as informational attributes (variable = false)."""
    fmt = request.match_info["fmt"]
    try:
        matter = external.service(request.app[WEB].deps, request.match_info["code"])
    except InvalidRequest as exc:
        return error(fmt, exc.status, exc.message)
    attributes = [
        {
            "variable": False,
            "code": f"document_{i}",
            "datatype": "string",
            "required": False,
            "datatype_description": "",
            "order": i,
            "description": f"请准备：{doc}",
        }
        for i, doc in enumerate(matter.documents, 1)
    ]
    definition = {"service_code": matter.code, "attributes": attributes}
    if fmt == "json":
        return web.json_response(_jsonable(definition), dumps=_dumps)
    top = ET.Element("service_definition")
    _xml(top, definition)
    text = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="unicode")
    return web.Response(text=text, content_type="text/xml", charset="utf-8")


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


# ---- requests -----------------------------------------------------------------------------------


def _key_label(request: web.Request, given: str | None) -> str | None:
    """A short fingerprint of the matching API key (the key itself is never stored)."""
    for key in request.app[WEB].settings.api_keys:
        if same_secret(given, key):
            return hashlib.sha256(key.encode()).hexdigest()[:12]
    return None


async def post_request(request: web.Request) -> web.Response:
    fmt = request.match_info["fmt"]
    form = await request.post()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    label = _key_label(request, fields.get("api_key"))
    if label is None:
        log.warning("Open311 POST without a valid api_key from %s", request.remote)
        return error(fmt, 403, "api_key is missing or not valid")
    new = NewRequest(
        key_label=label,
        service_code=fields.get("service_code", "").strip(),
        description=fields.get("description", ""),
        address_string=fields.get("address_string", "").strip(),
        lat=fields.get("lat", "").strip(),
        long=fields.get("long", "").strip(),
        phone=fields.get("phone", "").strip(),
        first_name=fields.get("first_name", "").strip(),
        last_name=fields.get("last_name", "").strip(),
        device_id=fields.get("device_id", "").strip()[:64],
        account_id=fields.get("account_id", "").strip(),
    )
    try:
        receipt = external.submit(request.app[WEB].deps, new)
    except InvalidRequest as exc:
        return error(fmt, exc.status, exc.message)
    item = {
        "service_request_id": receipt.service_request_id,
        "service_notice": receipt.service_notice,
        "account_id": receipt.account_id,
    }
    return render(
        fmt, "service_requests", "request", [item], status=200 if receipt.duplicate else 201
    )


def _view(view: RequestView) -> dict[str, Any]:
    return {
        "service_request_id": view.service_request_id,
        "status": view.status,
        "status_notes": view.status_notes,
        "service_name": view.service_name,
        "service_code": view.service_code,
        "description": view.description,
        "agency_responsible": view.agency_responsible,
        "service_notice": view.service_notice,
        "requested_datetime": view.requested_datetime,
        "updated_datetime": view.updated_datetime,
        "expected_datetime": view.expected_datetime,
        "address": view.address,
    }


def _list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidRequest(f"{name} must be W3C datetime, e.g. 2026-11-01T00:00:00Z") from exc
    if moment.tzinfo is None:
        raise InvalidRequest(f"{name} needs a time zone, e.g. 2026-11-01T00:00:00+08:00")
    return moment


async def get_requests(request: web.Request) -> web.Response:
    fmt, query = request.match_info["fmt"], request.query
    full = _key_label(request, query.get("api_key")) is not None
    try:
        views = external.find_requests(
            request.app[WEB].deps,
            ids=_list(query.get("service_request_id")),
            codes=_list(query.get("service_code")),
            start=_date(query.get("start_date"), "start_date"),
            end=_date(query.get("end_date"), "end_date"),
            statuses=_list(query.get("status")),
            full=full,
        )
    except InvalidRequest as exc:
        return error(fmt, exc.status, exc.message)
    return render(fmt, "service_requests", "request", [_view(v) for v in views])


async def get_request(request: web.Request) -> web.Response:
    fmt = request.match_info["fmt"]
    full = _key_label(request, request.query.get("api_key")) is not None
    try:
        view = external.get_request(request.app[WEB].deps, request.match_info["id"], full=full)
    except InvalidRequest as exc:
        return error(fmt, exc.status, exc.message)
    return render(fmt, "service_requests", "request", [_view(view)])
