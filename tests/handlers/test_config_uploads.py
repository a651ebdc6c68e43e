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

from core import messages
from core.config.changes import Installed
from handlers.config import changes as admin
from handlers.polling import LedgerApplication
from tests.conftest import FakeClock
from tests.fakeapi import FakeBotApi
from tests.harness import FIXTURES, BotHarness, running_bot_from_config, user, write_config_dir
from tests.spreadsheets import xlsx

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


# ------------------------------------------------------------------ banks as spreadsheets

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"




def folder_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


async def test_an_admins_spreadsheet_is_a_bank_members_quiz_from_at_once(
    bot: BotHarness, config_dir: Path
) -> None:
    await bot.say(ADMIN["id"], ADMIN, "/template")
    sent = bot.fake.calls("sendDocument")[-1]
    assert sent.params["document"]["filename"] == "题库模板.xlsx"
    content = sent.params["document"]["content"]

    upload = bot.fake.send_document(ADMIN["id"], ADMIN, "任意.xlsx", content, XLSX, "party 党纪")
    [reply] = await bot.feed(upload)
    assert reply.startswith("✅ 题库 party（党纪，3 道题）已保存为 quizzes/party.yaml。")
    written = (config_dir / "quizzes" / "party.yaml").read_bytes()

    [first] = await bot.say(MEMBER["id"], MEMBER, "/quiz party 3")
    assert first.startswith("第 1/3 题")

    [again] = await bot.feed(upload)  # delivered twice, or sent again: nothing changes
    assert again.startswith("✅ 题库 party（党纪，3 道题）")
    assert "备份" not in again
    assert (config_dir / "quizzes" / "party.yaml").read_bytes() == written


async def test_a_spreadsheet_with_mistakes_changes_nothing_and_says_where(
    bot: BotHarness, config_dir: Path
) -> None:
    before = folder_files(config_dir)
    rows = [["题干", "选项A", "选项B", "答案"], ["甲", "对的", "错的", "C"], ["", "x", "y", "A"]]
    content = xlsx(rows, "题库")
    [reply] = await bot.feed(
        bot.fake.send_document(ADMIN["id"], ADMIN, "错题.xlsx", content, XLSX)
    )
    assert reply == (
        "⛔ 题库表格“错题.xlsx”（工作表“题库”）有 2 处问题，未做任何改动。请改正后重新发送：\n"
        "第 2 行，答案：'C' 不在选项 A–B 中\n"
        "第 3 行，题干：没有填写"
    )
    assert folder_files(config_dir) == before


async def test_only_an_admin_imports_a_bank_and_nobody_else_downloads_one(
    bot: BotHarness,
) -> None:
    content = xlsx([["题干", "选项A", "选项B", "答案"], ["甲", "对的", "错的", "A"]], "题库")
    [reply] = await bot.feed(
        bot.fake.send_document(MEMBER["id"], MEMBER, "题.xlsx", content, XLSX)
    )
    assert reply == messages.LIST_NOT_SECRETARY  # neither a secretary nor an admin
    assert bot.fake.calls("getFile") == []
    [refused] = await bot.say(MEMBER["id"], MEMBER, "/template")
    assert refused.startswith("抱歉，/template 仅限")


async def test_an_admins_member_list_is_still_read_as_a_member_list(
    bot: BotHarness, config_dir: Path
) -> None:
    before = folder_files(config_dir)
    content = xlsx([["姓名", "类别"], ["张伟", "正式党员"]], "题库")
    upload = bot.fake.send_document(ADMIN["id"], ADMIN, "名单.xlsx", content, XLSX)
    [reply] = await bot.feed(upload)
    assert reply.startswith("✅ 已更新办公室党支部名单：共 1 人（正式党员 1）。")
    assert folder_files(config_dir) == before
