"""Running the real `daiban run` process against the fake Bot API (end-to-end and fault tests)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from bot.fakeapi import FakeBotAPI

TOKEN = "700000002:AAprocess-test-fake-bot-api-token-00"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot_env(fake: FakeBotAPI, db_url: str, **extra: str) -> dict[str, str]:
    """The environment of a bot process: only what the test sets (nothing from the caller's)."""
    prefixes = ("TELEGRAM_", "DAIBAN_", "DATABASE_", "WEBHOOK_", "OPEN311_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        TELEGRAM_BASE_FILE_URL=fake.base_file_url,
        DATABASE_URL=db_url,
        DAIBAN_LOG_LEVEL="INFO",
        DAIBAN_HTTP_PORT=str(free_port()),
        **extra,
    )
    return env


class BotProcess:
    """`python -m bot.cli run` in a subprocess, its output in a log file."""

    def __init__(self, env: dict[str, str], workdir: Path, name: str = "bot") -> None:
        self.env = env
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        log.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def kill(self) -> None:
        """SIGKILL: no clean-up at all, as when the machine loses power."""
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()

    async def stop(self) -> int:
        """SIGTERM and wait for a clean exit; returns the exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), 60)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
