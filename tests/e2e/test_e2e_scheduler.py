"""End to end: the real bot.py on a clock the test moves, pushing to groups of the fake API."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from core.store.database import Store
from core.store.records import Binding
from tests.botprocess import BotProcess
from tests.conftest import SHANGHAI
from tests.fakeapi import Call, FakeBotApi
from tests.harness import user

STUDY_CONFIG = """
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
  - {id: policy, name: 政策法规处党支部}
schedules:
  - id: study-november
    when: {once: "2026-11-02 09:30"}
    to: all
    study:
      title: 学习《中国共产党纪律处分条例》第一章
      body: 请认真学习第一章总则。
      due_days: 3
      remind_before_days: 1
"""
OFFICE, POLICY = -100101, -100202
OWNER_A, OWNER_B = user(21, "王书记"), user(22, "赵书记")
A1, A2, A3, B1 = user(31, "甲"), user(32, "乙"), user(33, "丙"), user(41, "丁")


class Clock:
    """The bot's clock: a file the bot reads on every scheduler round."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def set(self, year: int, month: int, day: int, hour: int, minute: int) -> None:
        """Move the bot's time (atomically, so the bot never reads half a timestamp)."""
        temp = self.path.with_suffix(".tmp")
        temp.write_text(datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).isoformat())
        os.replace(temp, self.path)


def start_bot(fake: FakeBotApi, tmp_path: Path, config: str) -> tuple[BotProcess, Clock]:
    config_dir = tmp_path / "config"
    config_dir.mkdir(exist_ok=True)
    (config_dir / "schedules.yaml").write_text(config)
    clock = Clock(tmp_path / "now")
    clock.set(2026, 11, 2, 9, 0)
    bot = BotProcess(
        fake,
        tmp_path / "data",
        tmp_path / "bot.log",
        BOT_ADMINS="1",
        CONFIG_DIR=str(config_dir),
        BOT_FAKE_CLOCK_FILE=str(clock.path),
        BOT_TICK_SECONDS="0.1",
    )
    bot.start()
    return bot, clock


def say(fake: FakeBotApi, chat_id: int, sender: dict[str, Any], text: str) -> Call:
    """Send a message and wait for the bot's reply to that chat."""
    since = len(fake.requests)
    fake.send_text(chat_id, sender, text)
    return fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == chat_id, since=since)


def sent_to(fake: FakeBotApi, chat_id: int, prefix: str) -> list[Call]:
    return [
        c
        for c in fake.calls("sendMessage")
        if c.ok and c.params["chat_id"] == chat_id and c.params["text"].startswith(prefix)
    ]


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        for chat, owner in ((OFFICE, OWNER_A), (POLICY, OWNER_B)):
            server.add_chat(chat, title=f"群{chat}")
            server.set_member_status(chat, owner["id"], "creator")
        yield server


def test_study_task_from_push_to_summary(fake: FakeBotApi, tmp_path: Path) -> None:
    bot, clock = start_bot(fake, tmp_path, STUDY_CONFIG)
    try:
        say(fake, OFFICE, OWNER_A, "/bind office")
        say(fake, POLICY, OWNER_B, "/bind policy")
        for member in (A1, A2, A3):
            fake.send_text(OFFICE, member, "到")
        fake.send_text(POLICY, B1, "到")
        say(fake, A2["id"], A2, "/start")
        say(fake, OWNER_A["id"], OWNER_A, "/start")

        clock.set(2026, 11, 2, 9, 31)
        tasks = {
            chat: fake.wait_for(
                "sendMessage",
                lambda c, chat=chat: (
                    c.params["chat_id"] == chat and c.params["text"].startswith("📖")
                ),  # type: ignore[misc]
            )
            for chat in (OFFICE, POLICY)
        }
        office_task = tasks[OFFICE]
        assert office_task.params["text"].endswith("截止时间：11月5日 09:30\n已完成 0/3")
        assert tasks[POLICY].params["text"].endswith("已完成 0/1")

        # The bot is killed right after the pushes and restarted: nothing is sent twice.
        bot.kill()
        bot.start()

        button = office_task.params["reply_markup"]["inline_keyboard"][0][0]
        assert button["text"] == "✅ 学完了"
        assert office_task.result is not None
        message_id = office_task.result["message_id"]
        answers_before = len(fake.calls("answerCallbackQuery"))
        for _ in range(2):
            since = len(fake.requests)
            fake.press_button(OFFICE, message_id, A1, button["callback_data"])
            fake.wait_for("answerCallbackQuery", since=since)
        answers = [c.params.get("text") for c in fake.calls("answerCallbackQuery")]
        assert answers[answers_before:] == [
            "已记录：您已学完“学习《中国共产党纪律处分条例》第一章”。",
            "您已经点过“学完了”，无需重复点击。",
        ]
        edit = fake.wait_for("editMessageText", lambda c: c.params["text"].endswith("已完成 1/3"))
        assert edit.params["message_id"] == message_id

        clock.set(2026, 11, 4, 9, 31)
        reminder = fake.wait_for(
            "sendMessage",
            lambda c: c.params["chat_id"] == OFFICE and c.params["text"].startswith("⏰"),
        )
        mentioned = {int(m) for m in re.findall(r"tg://user\?id=(\d+)", reminder.params["text"])}
        assert mentioned == {A2["id"], A3["id"]}
        private = fake.wait_for(
            "sendMessage",
            lambda c: c.params["chat_id"] == A2["id"]
            and c.params["text"].startswith("⏰ 学习提醒：办公室党支部的学习任务"),
        )
        assert "将于 11月5日 09:30 截止" in private.params["text"]

        clock.set(2026, 11, 5, 9, 31)
        summary = fake.wait_for(
            "sendMessage",
            lambda c: c.params["chat_id"] == OWNER_A["id"] and c.params["text"].startswith("📋"),
        )
        assert summary.params["text"] == (
            "📋 办公室党支部学习任务“学习《中国共产党纪律处分条例》第一章”已截止。\n"
            "已完成 1 人：甲\n未完成 2 人：丙、乙"  # code-point order
        )
    finally:
        assert bot.stop() == 0, bot.log()
    for chat in (OFFICE, POLICY):
        assert len(sent_to(fake, chat, "📖")) == 1
        assert len(sent_to(fake, chat, "⏰ 学习提醒")) == 1
    assert [c.params["chat_id"] for c in sent_to(fake, A3["id"], "⏰")] == []  # never /start-ed


def broadcast_config(groups: int) -> str:
    branches = "\n".join(f"  - {{id: b{n:03d}, name: 第{n}党支部}}" for n in range(groups))
    return f"""
timezone: Asia/Shanghai
branches:
{branches}
schedules:
  - id: theme-day
    when: {{once: "2026-11-02 09:30"}}
    to: all
    prompt: "{{branch}}：本月主题党日请于{{month}}月内召开。"
"""


def is_push(call: Call) -> bool:
    """A delivered theme-day prompt (the server took it, even if its answer is held back)."""
    return call.method == "sendMessage" and call.ok and call.params["text"].endswith("月内召开。")


def test_killed_mid_broadcast_each_push_arrives_exactly_once(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    groups = 40
    store = Store(tmp_path / "data", SHANGHAI)
    for n in range(groups):
        fake.add_chat(-100500 - n, title=f"群{n}")
        bound_at = datetime(2026, 11, 1, tzinfo=SHANGHAI)
        store.bind(Binding(f"b{n:03d}", -100500 - n, f"群{n}", bound_at))
    store.close()
    fake.enforce_rate_limits(per_second=30, per_group_per_minute=20)
    bot, clock = start_bot(fake, tmp_path, broadcast_config(groups))
    admin = user(1, "管理员")

    def reached() -> set[int]:
        return {c.params["chat_id"] for c in fake.requests if is_push(c)}

    try:
        say(fake, 1, admin, "/start")  # so the admin can be told what needs checking
        clock.set(2026, 11, 2, 9, 31)
        while len(reached()) < groups // 3:
            fake.wait_for("sendMessage", is_push, since=len(fake.requests))
        # The next push reaches Telegram but its answer is held back; the bot dies waiting:
        # the hardest moment, when it cannot know whether the message arrived.
        fake.delay_next("sendMessage", 30)
        held = fake.wait_for("sendMessage", lambda c: (c.fault or "").startswith("delayed"))
        bot.kill()
        assert len(reached()) < groups, "the kill must land in the middle of the broadcast"
        bot.start()
        notice = fake.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == 1 and "无法确认" in c.params["text"]
        )
        held_branch = -100500 - held.params["chat_id"]
        assert f"· 第{held_branch}党支部 2026-11-02 09:30 theme-day" in notice.params["text"]
        while len(reached()) < groups:
            fake.wait_for("sendMessage", is_push, since=len(fake.requests), timeout=15)
    finally:
        assert bot.stop() == 0, bot.log()
    per_group = Counter(c.params["chat_id"] for c in fake.requests if is_push(c))
    assert per_group == {-100500 - n: 1 for n in range(groups)}
    assert [c for c in fake.requests if c.error_code == 429] == []
