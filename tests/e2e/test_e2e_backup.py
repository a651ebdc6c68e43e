"""End to end: `python bot.py backup` while members press 学完了, then `restore`.

The backup must hold every press the bot acknowledged before it began, and the restored
folder must be a store the bot starts on and `python bot.py check` accepts.
"""

from __future__ import annotations

import tarfile
import threading
from pathlib import Path

import pytest

from tests.botprocess import BotProcess, run_cli
from tests.e2e.test_crash import (
    ADMIN,
    MEMBERS,
    assert_data_files_parse,
    done_by,
    fake,  # noqa: F401 - the fixture
    say,
    study_task_bot,
)
from tests.fakeapi import FakeBotApi

RECORDED = "已记录：您已学完“学习《中国共产党纪律处分条例》第一章”。"


@pytest.mark.slow
def test_a_backup_during_a_burst_restores_every_acknowledged_press(
    fake: FakeBotApi,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    bot, press = study_task_bot(fake, tmp_path)
    bot.start()
    pressed: dict[str, int] = {}  # callback query id -> member id

    def burst() -> None:
        pause = threading.Event()
        for member in MEMBERS:
            pressed[press(member)] = member["id"]
            pause.wait(0.02)  # about 4 s in all

    feeder = threading.Thread(target=burst)
    feeder.start()
    fake.wait_until(lambda: len(fake.calls("answerCallbackQuery")) >= 40, timeout=20)
    acknowledged = {
        c.params["callback_query_id"]
        for c in fake.calls("answerCallbackQuery")
        if c.ok and c.params["text"] == RECORDED
    }  # before the backup begins
    archive = tmp_path / "backup.tar.gz"
    env = {"DATA_DIR": str(tmp_path / "data"), "CONFIG_DIR": str(tmp_path / "config")}
    backed_up = run_cli("backup", "--out", str(archive), **env)
    assert backed_up.returncode == 0, backed_up.stderr
    assert backed_up.stdout.startswith("已备份 ")
    assert feeder.is_alive() or len(fake.calls("answerCallbackQuery")) < len(MEMBERS)  # mid-burst
    feeder.join()
    assert bot.stop() == 0, bot.log()
    assert len(acknowledged) >= 40
    with tarfile.open(archive) as packed:
        names = packed.getnames()
    assert ".lock" not in names and not [n for n in names if n.endswith(".tmp")]

    restored = tmp_path / "restored"
    into = {**env, "DATA_DIR": str(restored)}
    done = run_cli("restore", str(archive), **into)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"已从 {archive} 恢复 ")
    assert_data_files_parse(restored)
    assert {pressed[q] for q in acknowledged} <= set(done_by(restored))
    assert run_cli("check", **into).returncode == 0
    again = run_cli("restore", str(archive), **into)
    assert again.returncode == 1 and "不是空目录" in again.stderr

    # The bot starts on the restored folder and goes on from it.
    settings = ("BOT_ADMINS", "CONFIG_DIR", "BOT_FAKE_CLOCK_FILE", "BOT_TICK_SECONDS")
    same = {name: bot.env[name] for name in settings}
    on_restored = BotProcess(fake, restored, tmp_path / "restored.log", **same)
    on_restored.start()
    say(fake, ADMIN["id"], ADMIN, "/help", "您可以使用")
    assert on_restored.stop() == 0, on_restored.log()
    assert "Traceback" not in on_restored.log()
