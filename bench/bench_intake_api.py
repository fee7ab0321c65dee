"""Load test of the Open311 intake API: POST /open311/v2/requests.json on loopback.

    .venv/bin/python bench/bench_intake_api.py --db sqlite --seconds 10 --connections 16
    .venv/bin/python bench/bench_intake_api.py --db postgresql \
        --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The server (the real web app: API key check, address lookup, villager match, classification,
ticket + audit events + outbox in one transaction) runs in a child process on 127.0.0.1; the load
generator is `wrk` when it is installed (Debian package wrk), else an asyncio aiohttp client with
N connections. Every request has different words, so each one files a new ticket. Prints
requests/s and p50/p99 latency. Figures: bench/README.md ("Web intake API").
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
KEY = "bench-key"
PATH = "/open311/v2/requests.json"
TEXTS = ("家里老人没有收入，想申请低保", "俺爹住院花了不少钱，新农合能报销不", "麻烦给开个证明")
PLACES = ("柳湾镇杏花村一组", "杏花村二组", "石岭村一组", "河口村三组")
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  n = tid * 10000000  -- each wrk thread numbers its own requests
end
local places = {@PLACES@}
request = function()
  n = n + 1
  local body = "api_key=bench-key&service_code=dibao&address_string=" .. places[n % 4 + 1]
    .. "&phone=139" .. string.format("%08d", (n * 7919 + math.random(0, 999)) % 1000)
    .. "&description=@TEXT@+" .. n .. "-" .. math.random(1, 1e9)
  return wrk.format(nil, nil, nil, body)
end
""".replace("@PLACES@", ", ".join(f'"{quote(p)}"' for p in PLACES)).replace(
    "@TEXT@", quote(TEXTS[0])
)


def serve(db_url: str, port: int) -> None:
    """The child process: the web app alone (no Telegram), as `daiban run` serves it."""
    from aiohttp import web
    from pydantic import SecretStr
    from telegram import Bot

    import handlers.web
    from bot.db import make_engine
    from bot.dispatch import Dispatcher
    from bot.services.context import Deps
    from bot.settings import WebSettings
    from nlp import Classifier

    engine = make_engine(db_url)
    classifier = Classifier.load()
    classifier.warm_up()
    deps = Deps(engine=engine, classifier=classifier)
    dispatcher = Dispatcher(engine, Bot("123456:BENCH-not-a-real-token-000000000000"))
    app = handlers.web.build(
        deps, dispatcher, settings=WebSettings(open311_api_keys=SecretStr(KEY))
    )
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def prepare(db: str, pg_url: str | None) -> tuple[str, str | None]:
    """A fresh migrated database with the demo roster; returns (url, schema to drop)."""
    from sqlalchemy import create_engine, text

    from bot.db import make_engine, upgrade
    from bot.services.context import Deps
    from bot.services.roster import import_roster
    from nlp import Classifier

    schema = None
    if db == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp(prefix='daiban-bench-')}/bench.db"
    else:
        if not pg_url:
            raise SystemExit("--pg-url is needed for --db postgresql")
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with create_engine(pg_url).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{pg_url}{'&' if '?' in pg_url else '?'}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    import_roster(
        Deps(engine=engine, classifier=Classifier.load()), ROOT / "bot/data/demo_roster.csv"
    )
    engine.dispose()
    return url, schema


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def run_wrk(port: int, connections: int, seconds: int) -> tuple[float, float, float, int]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}{PATH}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)

    def ms(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert found, out
        return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, ms("50"), ms("99"), int(bad.group(1)) if bad else 0


async def run_aiohttp(port: int, connections: int, seconds: int) -> tuple[float, float, float, int]:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    counter = 0
    url = f"http://127.0.0.1:{port}{PATH}"
    deadline = time.monotonic() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors, counter
        while time.monotonic() < deadline:
            counter += 1
            body = urlencode(
                {
                    "api_key": KEY,
                    "service_code": "dibao",
                    "address_string": PLACES[counter % 4],
                    "phone": f"139{counter % 1000:08d}",
                    "description": f"{TEXTS[counter % 3]} {counter}-{uuid.uuid4().hex[:6]}",
                }
            )
            started = time.perf_counter()
            async with session.post(
                url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            ) as response:
                await response.read()
                errors += response.status not in (200, 201)
            latencies.append((time.perf_counter() - started) * 1000)

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, cuts[49], cuts[98], errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--tool", choices=["auto", "wrk", "aiohttp"], default="auto")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # child process: the database URL
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    url, schema = prepare(args.db, args.pg_url)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", url, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_up(port)
        tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "aiohttp")
        if tool == "wrk":
            result = run_wrk(port, args.connections, args.seconds)
        else:
            result = asyncio.run(run_aiohttp(port, args.connections, args.seconds))
    finally:
        server.terminate()
        server.wait()
        if schema and args.pg_url:
            from sqlalchemy import create_engine, text

            with create_engine(args.pg_url).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    rate, p50, p99, errors = result
    print(
        f"{args.db:10} {tool:7} {args.connections:3} connections {args.seconds}s: "
        f"{rate:7.1f} requests/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  non-2xx {errors}"
    )


if __name__ == "__main__":
    main()
