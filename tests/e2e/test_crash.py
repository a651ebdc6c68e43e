"""Crash tests: the real bot.py is SIGKILLed at random moments, 20 times, during a burst.

After the last restart, every answer and every 学完了 press Telegram delivered is in the
store exactly once, and every data file still parses. Every push reaches its group at most
once: Telegram has no way to ask whether a message arrived, so a kill between claiming a
push and Telegram receiving it (about a millisecond) leaves a push the bot cannot vouch
for; it is never resent, and the admins are told which branch to check.

The kill moments come from a seeded random generator, so a failure can be replayed.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from core.store.database import Store
from core.store.records import Binding
from tests.botprocess import BotProcess, run_cli
from tests.conftest import SHANGHAI
from tests.fakeapi import Call, FakeBotApi
from tests.harness import FIXTURES, user

KILLS = 20
SETTLE_SECONDS = 120
#: How many times the 学完了 burst tests run (each with other kill moments): once in the
#: suite; `CRASH_REPEAT=20 python -m pytest tests/e2e/test_crash.py -k burst_or_kills` for more.
REPEAT = int(os.environ.get("CRASH_REPEAT", "1"))
ADMIN = user(1, "管理员")
OWNER = user(2, "书记")
GROUP = -100111
MEMBERS = [user(10_000 + n, f"党员{n}") for n in range(200)]
CONFIG = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
"""


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(GROUP, title="办公室党支部群")
        server.set_member_status(GROUP, OWNER["id"], "creator")
        yield server


def set_clock(path: Path, text: str) -> None:
    """Move the bot's time (atomically: the bot never reads half a timestamp)."""
    temp = path.with_suffix(".tmp")
    temp.write_text(datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).isoformat())
    temp.replace(path)


def make_bot(fake: FakeBotApi, tmp_path: Path, schedules: str) -> BotProcess:
    """bot.py on a config folder with the test banks and a file clock at 2026-11-02 09:00."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "schedules.yaml").write_text(schedules)
    shutil.copytree(FIXTURES / "quizzes", config / "quizzes")
    set_clock(tmp_path / "now", "2026-11-02 09:00")
    return BotProcess(
        fake,
        tmp_path / "data",
        tmp_path / "bot.log",
        BOT_ADMINS=str(ADMIN["id"]),
        CONFIG_DIR=str(config),
        BOT_FAKE_CLOCK_FILE=str(tmp_path / "now"),
        BOT_TICK_SECONDS="0.05",
    )


def say(
    fake: FakeBotApi,
    chat_id: int,
    sender: dict[str, Any],
    text: str,
    reply: str,
    timeout: float = 15,
) -> Call:
    """Send `text`; wait for the bot's message to that chat starting with `reply`."""
    since = len(fake.requests)
    fake.send_text(chat_id, sender, text)
    return fake.wait_for(
        "sendMessage",
        lambda c: c.params["chat_id"] == chat_id and c.params["text"].startswith(reply),
        timeout=timeout,
        since=since,
    )


def kill_at_random_moments(
    bot: BotProcess,
    seed: int,
    burst: Callable[[], None],
    busy: Callable[[int], object] = lambda since: None,
) -> None:
    """Run `burst` in a thread while the bot is started and SIGKILLed 20 times.

    Each kill comes at a random moment after `busy(since)` returns, which waits until the
    bot, started when the fake had seen `since` requests, is at work.
    """
    rng = random.Random(seed)
    feeder = threading.Thread(target=burst)
    feeder.start()
    for _ in range(KILLS):
        since = len(bot.fake.requests)
        bot.start()
        busy(since)
        threading.Event().wait(rng.uniform(0.05, 0.35))  # the random moment of the kill
        bot.kill()
    feeder.join()


def paced(actions: Sequence[Callable[[], object]], seconds: float) -> Callable[[], None]:
    """A burst that spreads `actions` evenly over about `seconds`."""

    def burst() -> None:
        pause = threading.Event()
        for action in actions:
            action()
            pause.wait(seconds / len(actions))

    return burst


def settle(fake: FakeBotApi, bot: BotProcess) -> None:
    """Start once more and wait until every update sent so far has been handled.

    The wait is generous: on a loaded machine the backlog the kills left (hundreds of
    answers) takes a while; how fast it drains is the benchmarks' business.
    """
    bot.start()
    say(fake, ADMIN["id"], ADMIN, "/help", "您可以使用", timeout=SETTLE_SECONDS)  # in order


def assert_data_files_parse(data_dir: Path) -> None:
    """Every JSON file in the data folder is whole (no torn or temp files left behind)."""
    files = list(data_dir.rglob("*.json"))
    assert files
    for path in files:
        json.loads(path.read_text())
    assert [p for p in data_dir.rglob("*") if p.suffix == ".tmp"] == []


def assert_no_error_reported(fake: FakeBotApi) -> None:
    """Replayed updates are expected after a kill: no admin hears of them as errors."""
    assert not [t for t in fake.sent_texts(ADMIN["id"]) if "机器人出错" in t]


@pytest.mark.slow
def test_poll_answers_survive_twenty_random_kills(fake: FakeBotApi, tmp_path: Path) -> None:
    bot = make_bot(fake, tmp_path, CONFIG)
    bot.start()
    say(fake, GROUP, OWNER, "/bind office", "✅ 本群已绑定")
    since = len(fake.requests)
    fake.send_text(GROUP, OWNER, "/groupquiz basics 5")
    fake.wait_for("sendPoll", lambda c: c.params["question"].startswith("5/5 "), 15, since)
    assert bot.stop() == 0, bot.log()
    polls = [c.result["poll"]["id"] for c in fake.calls("sendPoll")]
    votes = [(poll, member) for member in MEMBERS for poll in polls]  # 1,000 answers

    answers = [partial(fake.answer_poll, poll, member, [0]) for poll, member in votes]
    kill_at_random_moments(bot, 6, paced(answers, seconds=10))
    settle(fake, bot)
    set_clock(tmp_path / "now", "2026-11-02 10:01")
    summary = fake.wait_for(
        "sendMessage", lambda c: c.params["text"].startswith("📊"), timeout=15, since=since
    )
    assert "参与 201 人" in summary.params["text"] or "参与 200 人" in summary.params["text"]
    assert bot.stop() == 0, bot.log()

    store = Store(tmp_path / "data", SHANGHAI)
    events = store.events("office", "2026-11")
    answers = [e.data["answer_id"] for e in events if e.kind == "quiz_answer"]
    store.close()
    assert Counter(answers) == {f"{poll}:{member['id']}": 1 for poll, member in votes}
    assert_data_files_parse(tmp_path / "data")


def test_a_groupquiz_sent_again_after_a_kill_starts_no_second_quiz(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    bot = make_bot(fake, tmp_path, CONFIG)
    bot.start()
    say(fake, GROUP, OWNER, "/bind office", "✅ 本群已绑定")
    command = fake.send_text(GROUP, OWNER, "/groupquiz basics 5")
    fake.wait_for("sendPoll", lambda c: c.params["question"].startswith("5/5 "), 15)
    bot.kill()
    fake.redeliver(command)  # killed before Telegram heard the command was handled
    bot.start()
    fake.wait_until(lambda: not fake.pending_updates(), timeout=15)
    assert bot.stop() == 0, bot.log()
    assert len(fake.calls("sendPoll")) == 5
    assert len([t for t in fake.sent_texts(GROUP) if t.startswith("📝")]) == 1


STUDY_CONFIG = (
    CONFIG
    + """\
schedules:
  - id: study-november
    when: {once: "2026-11-02 09:30"}
    to: all
    study: {title: 学习《中国共产党纪律处分条例》第一章, body: 请认真学习第一章总则。, due_days: 3}
"""
)


def study_task_bot(fake: FakeBotApi, tmp_path: Path) -> tuple[BotProcess, Callable[..., str]]:
    """A bot whose group got a study task; and `press(member)`, returning the query id."""
    bot = make_bot(fake, tmp_path, STUDY_CONFIG)
    bot.start()
    say(fake, ADMIN["id"], ADMIN, "/start", "")  # the admin would hear of any error
    say(fake, GROUP, OWNER, "/bind office", "✅ 本群已绑定")
    since = len(fake.requests)
    set_clock(tmp_path / "now", "2026-11-02 09:31")
    task = fake.wait_for("sendMessage", lambda c: "学完了" in str(c.params), 15, since)
    assert bot.stop() == 0, bot.log()
    button = task.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    def press(member: dict[str, Any]) -> str:
        update = fake.press_button(GROUP, task.result["message_id"], member, button)
        return str(update["callback_query"]["id"])

    return bot, press


def done_by(data_dir: Path) -> list[int]:
    """Who the store says finished the study task."""
    store = Store(data_dir, SHANGHAI)
    (stored,) = store.study_tasks_of_month(datetime(2026, 11, 1, tzinfo=SHANGHAI))
    store.close()
    return sorted(stored.done)  # a dict: each member once


def assert_every_press_counts(fake: FakeBotApi, bot: BotProcess, tmp_path: Path) -> None:
    """Every member's press is in the task, in /report and in the exported ledger."""
    report = say(fake, ADMIN["id"], ADMIN, "/report office 2026-11", "办公室党支部 2026年11月")
    assert "全员已参与" in report.params["text"], report.params["text"]
    assert bot.stop() == 0, bot.log()
    assert done_by(tmp_path / "data") == [m["id"] for m in MEMBERS]
    ledger = tmp_path / "ledger.xlsx"
    arguments = ["export", "--branch", "office", "--month", "2026-11", "--out", str(ledger)]
    folders = {
        "DATA_DIR": str(tmp_path / "data"),
        "CONFIG_DIR": str(tmp_path / "config"),
        "BOT_FAKE_CLOCK_FILE": str(tmp_path / "now"),
    }
    exported = run_cli(*arguments, **folders)
    assert exported.returncode == 0, exported.stderr
    rows = list(load_workbook(ledger, read_only=True)["成员"].values)[1:]
    assert sorted(row[1] for row in rows if row[4] == 1) == [m["id"] for m in MEMBERS]


@pytest.mark.parametrize("run", range(REPEAT))
@pytest.mark.slow
def test_study_presses_survive_twenty_random_kills(
    fake: FakeBotApi, tmp_path: Path, run: int
) -> None:
    bot, press = study_task_bot(fake, tmp_path)
    pressed: list[str] = []
    presses = [lambda m=m: pressed.append(press(m)) for m in MEMBERS]
    kill_at_random_moments(bot, 7 + run, paced(presses, seconds=8))
    settle(fake, bot)
    answered = [c for c in fake.calls("answerCallbackQuery") if c.ok]
    assert {c.params["text"] for c in answered} <= {
        "已记录：您已学完“学习《中国共产党纪律处分条例》第一章”。",
        "您已经点过“学完了”，无需重复点击。",  # a press the bot handled just before a kill
        "这次操作没有完成，请再按一次。",  # in flight at three kills in a row: the guard skips it
    }
    assert {c.params["callback_query_id"] for c in answered} == set(pressed)  # nobody ignored
    skipped = {c.params["callback_query_id"] for c in answered if "再按一次" in c.params["text"]}
    for member, query_id in zip(MEMBERS, pressed, strict=True):
        if query_id in skipped:  # the member does as told
            since = len(fake.requests)
            press(member)
            fake.wait_for("answerCallbackQuery", since=since)
    assert_every_press_counts(fake, bot, tmp_path)
    assert_no_error_reported(fake)
    assert_data_files_parse(tmp_path / "data")


@pytest.mark.parametrize("run", range(REPEAT))
def test_a_stop_in_the_middle_of_a_burst_loses_nothing(
    fake: FakeBotApi, tmp_path: Path, run: int
) -> None:
    bot, press = study_task_bot(fake, tmp_path)
    bot.start()
    for member in MEMBERS:
        press(member)
    fake.wait_for("answerCallbackQuery")  # the bot is working through the burst
    assert bot.stop() == 0, bot.log()
    handled_before_stop = len(fake.calls("answerCallbackQuery"))
    settle(fake, bot)
    assert handled_before_stop < len(MEMBERS)
    assert len(fake.calls("answerCallbackQuery")) == len(MEMBERS)  # and nothing handled twice
    assert_every_press_counts(fake, bot, tmp_path)
    assert_no_error_reported(fake)


def broadcast_config(groups: int) -> str:
    """Branches b000.. and one theme-day prompt due at 2026-11-02 09:30 for all of them."""
    branches = "".join(f"  - {{id: b{n:03d}, name: 第{n}党支部}}\n" for n in range(groups))
    return (
        f"timezone: Asia/Shanghai\nbranches:\n{branches}schedules:\n"
        '  - {id: theme-day, when: {once: "2026-11-02 09:30"}, to: all,'
        ' prompt: "{branch}：本月主题党日请于{month}月内召开。"}\n'
    )


def bind_groups(fake: FakeBotApi, data_dir: Path, chat_ids: list[int]) -> None:
    """Groups 群0.. in the fake, bound in the store to branches b000.. of broadcast_config."""
    store = Store(data_dir, SHANGHAI)
    for n, chat_id in enumerate(chat_ids):
        fake.add_chat(chat_id, title=f"群{n}")
        store.bind(Binding(f"b{n:03d}", chat_id, f"群{n}", datetime(2026, 11, 1, tzinfo=SHANGHAI)))
    store.close()


@pytest.mark.slow
def test_broadcast_survives_twenty_random_kills(fake: FakeBotApi, tmp_path: Path) -> None:
    groups = {-100500 - n: f"第{n}党支部" for n in range(200)}
    bind_groups(fake, tmp_path / "data", list(groups))
    fake.enforce_rate_limits(per_second=30, per_group_per_minute=20)
    bot = make_bot(fake, tmp_path, broadcast_config(len(groups)))
    bot.start()
    say(fake, ADMIN["id"], ADMIN, "/start", "")  # so the admin can be told what needs checking
    bot.kill()
    set_clock(tmp_path / "now", "2026-11-02 09:31")

    def pushed() -> Counter[int]:
        return Counter(
            c.params["chat_id"]
            for c in fake.requests
            if c.method == "sendMessage" and c.ok and c.params["text"].endswith("月内召开。")
        )

    def broadcasting(since: int) -> object:
        return fake.wait_for(
            "sendMessage", lambda c: c.params["text"].endswith("召开。"), 5, since
        )

    kill_at_random_moments(bot, 8, lambda: None, broadcasting)
    assert len(pushed()) < len(groups), "every kill must land in the middle of the broadcast"
    settle(fake, bot)
    everyone = set(groups.values())
    fake.wait_until(lambda: {groups[c] for c in pushed()} | uncertain(fake) == everyone, 30)
    assert bot.stop() == 0, bot.log()

    reported = uncertain(fake)
    delivered = pushed()
    assert set(delivered.values()) == {1}  # nothing twice
    missing = {groups[chat] for chat in groups if chat not in delivered}
    assert missing <= reported  # nothing lost without the admins being told
    assert len(reported) <= KILLS
    assert [c for c in fake.requests if c.error_code == 429] == []
    assert_data_files_parse(tmp_path / "data")


def uncertain(fake: FakeBotApi) -> set[str]:
    """Branches the admins were told to check by hand."""
    notices = [
        c.params["text"]
        for c in fake.calls("sendMessage")
        if c.ok and c.params["chat_id"] == ADMIN["id"] and "无法确认" in c.params["text"]
    ]
    return {line.split()[1] for text in notices for line in text.split("\n")[1:]}
