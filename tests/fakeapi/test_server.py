"""Raw HTTP against the fake: encodings, error shapes, getUpdates semantics and long polling."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from bot.fakeapi import FakeBotAPI
from tests.fakeapi.conftest import AGENT, VILLAGER


async def test_token_and_method_errors(fake: FakeBotAPI, http: httpx.AsyncClient) -> None:
    async with httpx.AsyncClient() as raw:
        resp = await raw.post(f"{fake.base_url}999:wrong/getMe")
    assert resp.status_code == 401
    assert resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    resp = await http.post("noSuchMethod")
    assert (resp.status_code, resp.json()["description"]) == (404, "Not Found")
    resp = await http.get("GETME")  # method names are case-insensitive
    assert resp.json()["result"]["username"] == "daiban_test_bot"
    assert [c.method for c in fake.calls] == ["getMe", "noSuchMethod", "getMe"]
    assert fake.stats.errors[401] == 1


@pytest.mark.parametrize("encoding", ["json", "form", "query", "multipart"])
async def test_every_encoding_reaches_the_method(
    fake: FakeBotAPI, http: httpx.AsyncClient, encoding: str
) -> None:
    markup = {"inline_keyboard": [[{"text": "接单", "callback_data": "acc:1"}]]}
    params = {"chat_id": VILLAGER, "text": "<b>已受理</b>", "parse_mode": "HTML"}
    form = {**{k: str(v) for k, v in params.items()}, "reply_markup": json.dumps(markup)}
    if encoding == "json":
        resp = await http.post("sendMessage", json={**params, "reply_markup": markup})
    elif encoding == "form":
        resp = await http.post("sendMessage", data=form)
    elif encoding == "query":
        resp = await http.get("sendMessage", params=form)
    else:
        resp = await http.post("sendMessage", data=form, files={"unused": ("a.txt", b"x")})
    body = resp.json()
    assert body["ok"] is True, body
    result = body["result"]
    assert result["text"] == "已受理"
    assert result["entities"] == [{"offset": 0, "length": 3, "type": "bold"}]
    assert result["reply_markup"] == markup
    assert result["from"]["id"] == fake.bot_user["id"]
    assert fake.last_message(VILLAGER).buttons == [("接单", "acc:1")]
    assert fake.calls[-1].params["chat_id"] == VILLAGER  # decoded, whatever the encoding


async def test_type_and_required_errors(http: httpx.AsyncClient) -> None:
    async def err(method: str, **params: object) -> tuple[int, str]:
        body = (await http.post(method, json=params)).json()
        return body["error_code"], body["description"]

    assert await err("sendMessage", text="x") == (400, "Bad Request: chat_id is empty")
    assert await err("sendMessage", chat_id=VILLAGER) == (400, "Bad Request: message text is empty")
    assert await err("sendMessage", chat_id=VILLAGER, text="  \n") == (
        400,
        "Bad Request: message text is empty",
    )
    assert await err("sendMessage", chat_id=42, text="x") == (400, "Bad Request: chat not found")
    assert await err("sendMessage", chat_id=VILLAGER, text={"a": 1}) == (
        400,
        'Bad Request: parameter "text" must be a String',
    )
    assert await err("getUpdates", offset="abc") == (
        400,
        'Bad Request: parameter "offset" must be an Integer',
    )
    assert await err("sendMessage", chat_id=VILLAGER, text="x", reply_markup="{bad") == (
        400,
        "Bad Request: can't parse reply_markup JSON object",
    )
    assert await err("getFile") == (400, "Bad Request: wrong file_id specified")
    resp = await http.post("getMe", content=b"[1]", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400


async def test_message_ids_are_shared_per_chat(fake: FakeBotAPI, http: httpx.AsyncClient) -> None:
    first = fake.send_text(VILLAGER, "你好")
    sent = (await http.post("sendMessage", json={"chat_id": VILLAGER, "text": "您好"})).json()
    second = fake.send_text(VILLAGER, "谢谢")
    other = (await http.post("sendMessage", json={"chat_id": AGENT, "text": "新任务"})).json()
    assert [first["message_id"], sent["result"]["message_id"], second["message_id"]] == [1, 2, 3]
    assert other["result"]["message_id"] == 1


async def test_get_updates_offset_limit_and_negative_offset(
    fake: FakeBotAPI, http: httpx.AsyncClient
) -> None:
    for text in ("一", "二", "三"):
        fake.send_text(VILLAGER, text)
    first = (await http.post("getUpdates", json={"limit": 2})).json()["result"]
    assert [u["message"]["text"] for u in first] == ["一", "二"]
    again = (await http.post("getUpdates")).json()["result"]
    assert len(again) == 3  # nothing is confirmed until a higher offset is sent
    offset = first[1]["update_id"] + 1
    rest = (await http.post("getUpdates", json={"offset": offset})).json()["result"]
    assert [u["message"]["text"] for u in rest] == ["三"]
    assert len(fake.pending_updates()) == 1
    fake.send_text(VILLAGER, "四")
    last = (await http.post("getUpdates", json={"offset": -1})).json()["result"]
    assert [u["message"]["text"] for u in last] == ["四"]
    assert fake.update_count == 4


async def test_allowed_updates_filter_new_updates(
    fake: FakeBotAPI, http: httpx.AsyncClient
) -> None:
    await http.post("getUpdates", json={"allowed_updates": ["callback_query"]})
    fake.send_text(VILLAGER, "被过滤")
    assert fake.pending_updates() == []
    await http.post("getUpdates", json={"allowed_updates": []})  # back to the default set
    fake.send_text(VILLAGER, "收到")
    assert len(fake.pending_updates()) == 1


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    fake: FakeBotAPI, http: httpx.AsyncClient
) -> None:
    poll = asyncio.create_task(http.post("getUpdates", json={"timeout": 30}, timeout=40))
    await fake.wait_until(lambda: fake.long_polls_waiting == 1)
    fake.send_text(VILLAGER, "在吗")
    async with asyncio.timeout(5):  # far below the 30 s long-poll timeout
        resp = await poll
    assert [u["message"]["text"] for u in resp.json()["result"]] == ["在吗"]


async def test_long_poll_times_out_empty(http: httpx.AsyncClient) -> None:
    resp = await http.post("getUpdates", json={"timeout": 0.05})
    assert resp.json() == {"ok": True, "result": []}


async def test_dangling_poll_is_ended_with_conflict(
    fake: FakeBotAPI, http: httpx.AsyncClient
) -> None:
    old = asyncio.create_task(http.post("getUpdates", json={"timeout": 30}, timeout=40))
    await fake.wait_until(lambda: fake.long_polls_waiting == 1)
    await http.post("getUpdates", json={"timeout": 0})
    body = (await old).json()
    assert body["error_code"] == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


async def test_stop_ends_long_polls(fake: FakeBotAPI, http: httpx.AsyncClient) -> None:
    poll = asyncio.create_task(http.post("getUpdates", json={"timeout": 30}, timeout=40))
    await fake.wait_until(lambda: fake.long_polls_waiting == 1)
    async with asyncio.timeout(5):
        await fake.stop()
        resp = await poll
    assert resp.json() == {"ok": True, "result": []}


async def test_user_file_download(fake: FakeBotAPI, http: httpx.AsyncClient) -> None:
    msg = fake.send_document(VILLAGER, "诊断证明.pdf", data=b"%PDF-1.7 real bytes")
    file_id = msg["document"]["file_id"]
    info = (await http.post("getFile", json={"file_id": file_id})).json()["result"]
    assert info["file_size"] == len(b"%PDF-1.7 real bytes")
    async with httpx.AsyncClient() as raw:
        resp = await raw.get(f"{fake.base_file_url}{fake.token}/{info['file_path']}")
        assert resp.content == b"%PDF-1.7 real bytes"
        missing = await raw.get(f"{fake.base_file_url}{fake.token}/documents/nope")
        assert missing.status_code == 404
    assert msg["document"]["mime_type"] == "application/pdf"


async def test_standalone_main_parses_arguments() -> None:
    from bot.fakeapi.__main__ import _parse_args

    args = _parse_args(["--port", "8081", "--user", "1001:王秀英", "--rate-limits"])
    assert (args.port, args.user, args.rate_limits) == (8081, ["1001:王秀英"], True)


async def test_concurrent_sends_get_distinct_increasing_ids(
    fake: FakeBotAPI, http: httpx.AsyncClient
) -> None:
    async def send(i: int) -> int:
        resp = await http.post("sendMessage", json={"chat_id": VILLAGER, "text": f"#{i}"})
        return int(resp.json()["result"]["message_id"])

    ids = await asyncio.gather(*(send(i) for i in range(25)))
    assert sorted(ids) == list(range(1, 26))
    assert [m.message_id for m in fake.messages(VILLAGER)] == list(range(1, 26))
    assert fake.stats.calls["sendMessage"] == 25
