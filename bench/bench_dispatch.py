"""Outbox send rate against the fake Bot API with Telegram's limits on, and the time to drain it.

    .venv/bin/python bench/bench_dispatch.py --db sqlite --messages 10000
    .venv/bin/python bench/bench_dispatch.py --db postgresql --messages 10000

Queues `--messages` acknowledgements to as many villagers (one each: the global 30/s limit is
what binds), then lets the real Dispatcher drain them through PTB over HTTP on 127.0.0.1 to the
fake, which answers 429 beyond 30 messages in any second or a burst beyond 3 to one chat. Prints
the sustained rate, the drain time and the number of 429s; a second run adds bursts of 6 messages
to each of 100 agents' chats to show per-chat pacing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Bot  # noqa: E402

from bot.db import make_engine, upgrade  # noqa: E402
from bot.dispatch import Dispatcher  # noqa: E402
from bot.fakeapi import FakeBotAPI  # noqa: E402
from bot.services import outbox  # noqa: E402

TOKEN = "700000009:AAbench-dispatch-fake-bot-api-token-0"


def database(kind: str) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp()}/outbox.db", None
    base = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(base).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{base}?options=-csearch_path%3D{schema}", schema


async def run(url: str, chats: int, per_chat: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    async with FakeBotAPI(token=TOKEN, rate_limits=True) as fake:
        for uid in range(1, chats + 1):
            fake.add_user(uid, f"村民{uid}")
        with Session(engine) as session:
            for uid in range(1, chats + 1):
                for k in range(per_chat):
                    outbox.send(
                        session,
                        uid,
                        f"✅ 收到！您的事项已登记，受理号 <b>2026-{uid:05d}</b>（{k}）",
                    )
            session.commit()
        total = chats * per_chat
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            dispatcher = Dispatcher(engine, bot)
            start = time.perf_counter()
            await dispatcher.drain(limit=24 * 3600)
            elapsed = time.perf_counter() - start
        print(
            f"  {total:>6} messages to {chats:>6} chats ({per_chat}/chat):"
            f" drained in {elapsed:7.1f} s"
            f" = {total / elapsed:5.1f} msg/s, 429s: {fake.stats.too_many_requests},"
            f" sent: {fake.stats.messages_sent}"
        )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
    print(f"{args.db}:")
    for chats, per_chat in ((args.messages, 1), (100, 6)):
        url, schema = database(args.db)
        asyncio.run(run(url, chats, per_chat))
        if schema:
            with create_engine(url.split("?")[0]).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
