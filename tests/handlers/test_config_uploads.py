"""YAML files admins send the bot, through the real Application: downloads that fail, and
checks that run off the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from telegram import Update

from core.config.changes import Installed
from handlers.config import changes as admin
from handlers.polling import LedgerApplication
from tests.conftest import FakeClock
from tests.fakeapi import FakeBotApi
from tests.harness import FIXTURES, BotHarness, running_bot_from_config, user, write_config_dir

ADMIN = user(1, "管理员")
MEMBER = user(3, "小王")
SCHEDULES = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
"""
BANK = (FIXTURES / "uploads" / "extra.yaml").read_bytes()
DOWNLOAD_FAILED = (
    "下载文件“extra.yaml”失败（Telegram 答复：{reason}），未做任何改动，请重新发送该文件。"
)


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return write_config_dir(tmp_path / "config", SCHEDULES)


@pytest.fixture
async def bot(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock, config_dir: Path
) -> AsyncIterator[BotHarness]:
    async with running_bot_from_config(
        fake, tmp_path / "data", config_dir, clock, admins="1"
    ) as harness:
        yield harness


async def test_a_file_telegram_no_longer_serves_is_explained(
    bot: BotHarness, config_dir: Path
) -> None:
    bot.fake.fail_next_download()
    replies = await bot.feed(bot.fake.send_document(ADMIN["id"], ADMIN, "extra.yaml", BANK))
    assert replies == [DOWNLOAD_FAILED.format(reason="Not Found")]
    assert not (config_dir / "quizzes" / "extra.yaml").exists()
    assert bot.fake.sent_texts(ADMIN["id"]) == replies  # no error report besides

    [sent_again] = await bot.feed(bot.fake.send_document(ADMIN["id"], ADMIN, "extra.yaml", BANK))
    assert sent_again.startswith("✅ 题库 extra")


async def test_a_refused_get_file_is_explained(bot: BotHarness, config_dir: Path) -> None:
    bot.fake.fail_next("getFile", 400, "Bad Request: file is too big")
    replies = await bot.feed(bot.fake.send_document(ADMIN["id"], ADMIN, "extra.yaml", BANK))
    assert replies == [DOWNLOAD_FAILED.format(reason="File is too big")]
    assert not (config_dir / "quizzes" / "extra.yaml").exists()


async def test_the_check_runs_in_a_worker_thread_while_others_are_answered(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    checking, release = threading.Event(), threading.Event()
    threads: list[threading.Thread] = []
    real_install = admin.install_upload

    def slow_install(config_dir: Path, name: str, content: bytes, now: datetime) -> Installed:
        threads.append(threading.current_thread())
        checking.set()
        # On the event loop this would stall the member's /start below until the timeout,
        # and the upload would be done before it.
        release.wait(timeout=10)
        return real_install(config_dir, name, content, now)

    monkeypatch.setattr(admin, "install_upload", slow_install)
    upload = asyncio.create_task(
        bot.feed(bot.fake.send_document(ADMIN["id"], ADMIN, "extra.yaml", BANK))
    )
    assert await asyncio.to_thread(checking.wait, 10)
    [welcome] = await bot.say(MEMBER["id"], MEMBER, "/start")
    assert welcome.startswith("您好，小王！")
    assert not upload.done()
    release.set()
    await upload
    [installed] = bot.fake.sent_texts(ADMIN["id"])
    assert installed.startswith("✅ 题库 extra")
    assert threads and threads[0] is not threading.main_thread()


async def test_an_upload_keeps_no_one_waiting_and_is_confirmed_when_done(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upload runs as a task (block=False): process_update returns at once, so the
    updates queued behind it are handled meanwhile; Telegram may forget it only once the
    install is done."""
    checking, release = threading.Event(), threading.Event()
    real_install = admin.install_upload

    def slow_install(config_dir: Path, name: str, content: bytes, now: datetime) -> Installed:
        checking.set()
        release.wait(timeout=10)
        return real_install(config_dir, name, content, now)

    monkeypatch.setattr(admin, "install_upload", slow_install)
    assert isinstance(bot.application, LedgerApplication)
    ledger = bot.application.ledger
    raw = bot.fake.send_document(ADMIN["id"], ADMIN, "extra.yaml", BANK)
    (upload,) = ledger.fresh([Update.de_json(raw, bot.application.bot)])
    running = asyncio.all_tasks()
    await bot.application.process_update(upload)  # returns with the install still going
    (install_task,) = asyncio.all_tasks() - running
    assert await asyncio.to_thread(checking.wait, 10)
    [welcome] = await bot.say(MEMBER["id"], MEMBER, "/start")
    assert welcome.startswith("您好，小王！")
    assert ledger.next_offset() == upload.update_id  # not confirmed while it runs
    release.set()
    await install_task
    await asyncio.sleep(0)  # the task's done-callback runs at the loop's next turn
    assert ledger.next_offset() == upload.update_id + 1
    [installed] = bot.fake.sent_texts(ADMIN["id"])
    assert installed.startswith("✅ 题库 extra")
