"""Importing a real question bank from a spreadsheet, by command line and through the chat.

    python -m bench.bank_import

The bank is the 9,370-question 学习强国 bank in ../shared/realdata (GPL-3.0, read from
there, never copied), written out as a sharer's .xlsx. Measured: `python bot.py
import-bank` from launch to exit; the real bot.py, from the admin sending the file to the
bot's reply; while that import runs, how long a member waits for the answer to /help
(sent every 0.1 s); and, in this process, the longest the event loop stalls while it
awaits the same import (core/config/child_import.py: in a child process, the
configuration it checked unpickled in pieces). Without the shared folder it reports
nothing to measure.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.config.bank_sheet import is_bank_sheet
from core.config.child_import import install_bank_sheet_in_child, start_import_server
from tests.botprocess import BotProcess, run_cli
from tests.fakeapi import Call, FakeBotApi
from tests.harness import user, write_config_dir
from tests.realdata import XXQG, xxqg_rows, xxqg_xlsx

GOAL_SECONDS = 5.0
GOAL_REPLY_MS = 200.0
GOAL_STALL_MS = 100.0
TICK_SECONDS = 0.002  # how often the stall probe asks the loop for a turn
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # stamps a backup; the folder is new anyway
ADMIN, MEMBER = user(1, "管理员"), user(3, "小王")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONFIG = "timezone: Asia/Shanghai\nbranches:\n  - {id: office, name: 办公室党支部}\n"
PROBE_EVERY = 0.1
TIMEOUT = 120.0


@dataclass(frozen=True)
class ImportResult:
    """Seconds of each import, a member's reply times (ms) during the chat one, and the
    event loop's longest stall (ms) while it awaited an import."""

    rows: int
    cli_seconds: float
    chat_seconds: float
    replies_ms: list[float]
    stall_ms: float

    @property
    def worst_reply_ms(self) -> float:
        """The longest a member waited while the bank was imported."""
        return max(self.replies_ms, default=0.0)


def available() -> bool:
    """Whether the real bank is on this machine."""
    return XXQG.exists()


def run_bank_import() -> ImportResult:
    """Import the real bank three times, into fresh configuration folders."""
    content = xxqg_xlsx()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        sheet = folder / "学习强国题库.xlsx"
        sheet.write_bytes(content)
        config = write_config_dir(folder / "cli-config", CONFIG)
        started = time.perf_counter()
        done = run_cli("import-bank", str(sheet), "--id", "xxqg", "--title", "学习强国",
                       CONFIG_DIR=str(config))  # fmt: skip
        cli_seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"import-bank failed: {done.stderr}")
        chat_seconds, replies = _chat_import(folder, content)
        stall_ms = asyncio.run(_loop_stall(folder, content))
    return ImportResult(len(xxqg_rows()), cli_seconds, chat_seconds, replies, stall_ms)


def _chat_import(folder: Path, content: bytes) -> tuple[float, list[float]]:
    config = write_config_dir(folder / "chat-config", CONFIG)
    with FakeBotApi() as fake:
        bot = BotProcess(fake, folder / "data", folder / "bot.log", BOT_ADMINS="1",
                         CONFIG_DIR=str(config))  # fmt: skip
        bot.start()
        try:
            fake.send_text(MEMBER["id"], MEMBER, "/start")
            fake.wait_for("sendMessage", _to(MEMBER["id"]), timeout=TIMEOUT)
            since = len(fake.requests)
            started = time.perf_counter()
            fake.send_document(ADMIN["id"], ADMIN, "xxqg.xlsx", content, XLSX, "xxqg 学习强国")
            replies: list[float] = []
            while not any(_bank_reply(c) for c in fake.requests[since:]):
                if time.perf_counter() - started > TIMEOUT:
                    raise RuntimeError("no reply to the bank")
                replies.append(_probe(fake))
                time.sleep(PROBE_EVERY)
            reply = next(c for c in fake.requests[since:] if _bank_reply(c))
            seconds = time.perf_counter() - started
            if not str(reply.params["text"]).startswith("✅ 题库 xxqg"):
                raise RuntimeError(f"the bank was refused: {reply.params['text'][:300]}")
            return seconds, replies
        finally:
            bot.stop()


async def _loop_stall(folder: Path, content: bytes) -> float:
    """The event loop's longest wait (ms) for a turn while the chat import's steps run."""
    config = write_config_dir(folder / "stall-config", CONFIG)
    # As the bot does at start: forking the server is not an import's stall, and what the
    # process holds already is left out of full garbage collections (bot.py post_init).
    start_import_server()
    gc.collect()
    gc.freeze()
    longest = 0.0
    running = True

    async def ticking() -> None:
        nonlocal longest
        last = time.perf_counter()
        while running:
            await asyncio.sleep(TICK_SECONDS)
            now = time.perf_counter()
            longest, last = max(longest, now - last - TICK_SECONDS), now

    ticker = asyncio.create_task(ticking())
    if not await asyncio.to_thread(is_bank_sheet, "xxqg.xlsx", content):
        raise RuntimeError("the sheet was not taken for a bank")
    await install_bank_sheet_in_child(config, "xxqg.xlsx", content, "xxqg", "学习强国", NOW)
    running = False
    await ticker
    return longest * 1000


def _probe(fake: FakeBotApi) -> float:
    """A member's /help: milliseconds until its answer."""
    since = len(fake.requests)
    started = time.perf_counter()
    fake.send_text(MEMBER["id"], MEMBER, "/help")
    fake.wait_for("sendMessage", _to(MEMBER["id"]), timeout=TIMEOUT, since=since)
    return (time.perf_counter() - started) * 1000


def _to(chat_id: int) -> Callable[[Call], bool]:
    def matches(call: Call) -> bool:
        return call.method == "sendMessage" and call.params.get("chat_id") == chat_id

    return matches


def _bank_reply(call: Call) -> bool:
    """The admin's answer to the sheet (not a notice the bot sends admins on its own)."""
    return _to(ADMIN["id"])(call) and "xxqg" in str(call.params.get("text"))


def main() -> None:
    """Print the figures."""
    if not available():
        print(f"no bank to import: {XXQG} is not on this machine")
        return
    r = run_bank_import()
    print(f"import-bank, {r.rows:,} rows (s): {r.cli_seconds:.2f} (goal < {GOAL_SECONDS:.0f})")
    print(f"chat import, {r.rows:,} rows (s): {r.chat_seconds:.2f} (goal < {GOAL_SECONDS:.0f})")
    median = statistics.median(r.replies_ms) if r.replies_ms else 0.0
    print(
        f"/help during it: {len(r.replies_ms)} replies, median {median:.0f} ms, "
        f"worst {r.worst_reply_ms:.0f} ms (goal < {GOAL_REPLY_MS:.0f})"
    )
    print(f"event loop during an import: longest stall {r.stall_ms:.0f} ms "
          f"(goal < {GOAL_STALL_MS:.0f})")  # fmt: skip


if __name__ == "__main__":
    main()
