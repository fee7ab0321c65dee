"""Run the fake Bot API standalone: ``python -m bot.fakeapi --port 8081 --user 1001:王秀英``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from .fake import FakeBotAPI


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.fakeapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--rate-limits", action="store_true", help="enforce flood limits (429)")
    parser.add_argument(
        "--user", action="append", default=[], metavar="ID:NAME", help="add a user (repeatable)"
    )
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeBotAPI(args.token, host=args.host, port=args.port, rate_limits=args.rate_limits)
    for spec in args.user:
        user_id, _, name = spec.partition(":")
        fake.add_user(int(user_id), name or f"用户{user_id}")
    async with fake:
        sys.stdout.write(
            f"fake Bot API on {fake.url}\n  token:         {fake.token}\n"
            f"  base_url:      {fake.base_url}\n  base_file_url: {fake.base_file_url}\n"
        )
        sys.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()  # serve until SIGINT/SIGTERM, then shut down cleanly
        sys.stdout.write("fake Bot API stopped\n")


def main(argv: list[str] | None = None) -> None:
    asyncio.run(_serve(_parse_args(argv)))


if __name__ == "__main__":
    main()
