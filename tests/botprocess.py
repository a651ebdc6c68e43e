"""The real `python bot.py` as a child process, pointed at a fake Bot API server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import BOT_PROCESSES, PROJECT
from tests.fakeapi import FakeBotApi
from tests.harness import TOKEN


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python bot.py ARGS` to completion with extra environment; capture its output."""
    return subprocess.run(
        [sys.executable, str(PROJECT / "bot.py"), *args],
        cwd=PROJECT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


STANDING_TIME = "2026-10-12T10:00:00+08:00"  # a Monday, a workday, before holiday warnings


class BotProcess:
    """Starts, kills and restarts bot.py with a given environment; keeps its log."""

    def __init__(self, fake: FakeBotApi, data_dir: Path, log_path: Path, **env: str) -> None:
        """Without a BOT_FAKE_CLOCK_FILE of the test's own, the bot's clock stands at
        STANDING_TIME: no end-to-end test depends on the day it runs (in December the bot
        would warn of next year's missing holidays before anything else)."""
        self.fake = fake
        self.log_path = log_path
        if "BOT_FAKE_CLOCK_FILE" not in env:
            clock_file = log_path.with_name(log_path.name + ".now")
            clock_file.write_text(STANDING_TIME)
            env = {**env, "BOT_FAKE_CLOCK_FILE": str(clock_file)}
        self.env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "BOT_API_URL": fake.url,
            "DATA_DIR": str(data_dir),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.command = [sys.executable, str(PROJECT / "bot.py")]  # bench.lagged_bot: watched

    def start(self, *, wait: bool = True) -> None:
        """Launch bot.py and wait until it long-polls the fake server, or (webhook mode)
        has set its webhook; unless not `wait`."""
        since = len(self.fake.requests)
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the child process
        self.process = subprocess.Popen(
            self.command,
            cwd=PROJECT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        BOT_PROCESSES.add(self.process)
        if wait and self.env.get("BOT_WEBHOOK_URL"):
            self.fake.wait_until_webhook(timeout=30, since=since)
        elif wait:
            self.fake.wait_until_polling(timeout=30, since=since)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM: a graceful stop; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)

    def log(self) -> str:
        """Everything the bot printed."""
        return self.log_path.read_text(errors="replace")
