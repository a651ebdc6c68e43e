"""End to end: bot.py laid out as the Docker image lays it out, started and upgraded.

The image keeps the release's YAML in /app/shipped and the agency's in the /app/config
volume, which is empty at the first start. `python bot.py health` is its HEALTHCHECK.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.botprocess import BotProcess, run_cli
from tests.conftest import PROJECT
from tests.e2e.test_crash import ADMIN, set_clock
from tests.e2e.test_e2e_quiz import MEMBER, say
from tests.fakeapi import FakeBotApi
from tests.harness import FIXTURES


def test_an_empty_config_volume_is_filled_and_an_upgrade_keeps_the_agencys_edit(
    tmp_path: Path,
) -> None:
    shipped, config, now = tmp_path / "shipped", tmp_path / "config", tmp_path / "now"
    shipped.mkdir()
    shutil.copy(PROJECT / "schedules.yaml", shipped)
    shutil.copytree(PROJECT / "quizzes", shipped / "quizzes")
    set_clock(now, "2026-11-02 10:00")
    env = {
        "DATA_DIR": str(tmp_path / "data"),
        "CONFIG_DIR": str(config),
        "BOT_SHIPPED_CONFIG_DIR": str(shipped),
        "BOT_FAKE_CLOCK_FILE": str(now),
    }
    with FakeBotApi() as fake:
        bot = BotProcess(fake, tmp_path / "data", tmp_path / "bot.log", BOT_ADMINS="1", **env)
        bot.start()
        say(fake, ADMIN["id"], ADMIN, "/quiz discipline-basics 5", "第 1/5 题")
        fake.wait_until(lambda: run_cli("health", **env).returncode == 0, timeout=20)
        assert bot.stop() == 0, bot.log()
        assert (config / "quizzes" / "discipline.yaml").is_file()

        # An admin edits schedules.yaml; the next release ships one more bank.
        edited = (config / "schedules.yaml").read_text() + "# 本机构的修改\n"
        (config / "schedules.yaml").write_text(edited)
        shutil.copy(FIXTURES / "quizzes" / "basics.yaml", shipped / "quizzes")
        bot.start()
        say(fake, MEMBER["id"], MEMBER, "/quiz basics 5", "第 1/5 题")  # the new bank
        assert bot.stop() == 0, bot.log()
    assert (config / "schedules.yaml").read_text() == edited
    assert "schedules.yaml 是本机构改过的，保留不动" in bot.log()
    set_clock(now, "2026-11-02 10:30")  # half an hour without a round
    late = run_cli("health", **env)
    assert late.returncode == 1 and "超过 300 秒" in late.stderr
