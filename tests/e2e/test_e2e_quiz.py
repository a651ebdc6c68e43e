"""End to end: quizzes in the real bot.py against the fake Bot API, killed and restarted."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from core import messages
from core.config.banks import Question, load_banks
from core.store.database import Store
from core.store.quiz_sessions import AnswerRecord
from tests.botprocess import BotProcess
from tests.conftest import SHANGHAI
from tests.fakeapi import Call, FakeBotApi
from tests.harness import user

FIXTURES = Path(__file__).parents[1] / "fixtures"
BANKS = load_banks(FIXTURES / "quizzes")
CONFIG = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
"""
ADMIN = user(1, "管理员")
OWNER = user(2, "书记")
MEMBER = user(3, "小王")
A, B, C = user(31, "甲"), user(32, "乙"), user(33, "丙")
OFFICE_GROUP = -100111
ROUNDS_SETTLE_S = 1.0  # 5 scheduler rounds at BOT_TICK_SECONDS=0.2


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(OFFICE_GROUP, title="办公室党支部群")
        server.set_member_status(OFFICE_GROUP, OWNER["id"], "creator")
        yield server


def set_clock(path: Path, hour: int, minute: int, day: int = 2) -> None:
    """Move the bot's time on 2026-11-02, or that November `day` (atomically: the bot never
    reads half a timestamp)."""
    temp = path.with_suffix(".tmp")
    temp.write_text(datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).isoformat())
    os.replace(temp, path)


def quiz_bot(fake: FakeBotApi, tmp_path: Path) -> tuple[BotProcess, Path]:
    """bot.py on a config dir with the test banks (and one broken bank) and a file clock."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "schedules.yaml").write_text(CONFIG)
    shutil.copytree(FIXTURES / "quizzes", config / "quizzes")
    shutil.copy(FIXTURES / "bad_banks" / "bad_type.yaml", config / "quizzes")
    clock = tmp_path / "now"
    set_clock(clock, 9, 0)
    bot = BotProcess(
        fake,
        tmp_path / "data",
        tmp_path / "bot.log",
        BOT_ADMINS="1",
        CONFIG_DIR=str(config),
        BOT_FAKE_CLOCK_FILE=str(clock),
        BOT_TICK_SECONDS="0.2",
    )
    return bot, clock


def to_chat(chat_id: int, prefix: str = "") -> Any:
    def matches(call: Call) -> bool:
        return call.params["chat_id"] == chat_id and str(call.params["text"]).startswith(prefix)

    return matches


def say(fake: FakeBotApi, chat_id: int, sender: dict[str, Any], text: str, reply: str) -> Call:
    """Send `text`; wait for the bot's message to that chat starting with `reply`."""
    since = len(fake.requests)
    fake.send_text(chat_id, sender, text)
    return fake.wait_for("sendMessage", to_chat(chat_id, reply), timeout=15, since=since)


def question_of(text: str) -> Question:
    """The bank question whose text is one of the lines of `text`."""
    lines = set(text.split("\n"))
    return next(q for b in BANKS.banks for q in b.questions if q.text in lines)


def buttons_of(call: Call) -> dict[str, str]:
    """A message's buttons by label, without the ☐/☑ marks."""
    rows = call.params["reply_markup"]["inline_keyboard"]
    return {b["text"].split()[-1]: b["callback_data"] for row in rows for b in row}


def labelled(call: Call) -> dict[str, str]:
    """A message's buttons by their whole label."""
    rows = call.params["reply_markup"]["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def press_labelled(fake: FakeBotApi, shown: Call, label: str, reply: str) -> Call:
    """Press the button labelled `label` of a message to the member; wait for the bot's
    `reply` call (e.g. editMessageText, sendMessage) to that chat."""
    chat_id = shown.params["chat_id"]
    since = len(fake.requests)
    fake.press_button(chat_id, shown.result["message_id"], MEMBER, labelled(shown)[label])
    return fake.wait_for(reply, lambda c: c.params["chat_id"] == chat_id, timeout=15, since=since)


def answer_question(fake: FakeBotApi, asked: Call, right: bool) -> Call:
    """Press the buttons of a private question; return the bot's next message to the member.

    Like a member, each press is made on the buttons as the previous one redrew them.
    """
    chat_id, message_id = asked.params["chat_id"], asked.result["message_id"]
    question = question_of(asked.params["text"])
    buttons = buttons_of(asked)
    every = frozenset(range(len(question.options)))
    chosen = question.answer if right else every - question.answer
    since = len(fake.requests)
    labels = question.labels(chosen)
    for label in labels:
        fake.press_button(chat_id, message_id, MEMBER, buttons[label])
        if len(buttons) == len(question.options):
            break  # single or judge: the first press answers
        buttons = buttons_of(fake.wait_for("editMessageReplyMarkup", timeout=15, since=since))
        since = len(fake.requests)
    else:
        fake.press_button(chat_id, message_id, MEMBER, buttons["提交"])
    return fake.wait_for("sendMessage", to_chat(chat_id), timeout=15, since=since)


def test_private_quiz_survives_sigkill_and_records_each_answer_once(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    bot, _ = quiz_bot(fake, tmp_path)
    bot.start()
    try:
        say(fake, ADMIN["id"], ADMIN, "/start", "您好")
        asked = say(fake, MEMBER["id"], MEMBER, "/quiz basics 5", "第 1/5 题")
        first = asked
        kinds = set()
        for number in (1, 2):
            kinds.add(question_of(asked.params["text"]).type)
            asked = answer_question(fake, asked, right=number != 2)
            assert asked.params["text"].startswith(f"第 {number + 1}/5 题")
        third = asked.params["text"]

        bot.kill()  # two answers acknowledged, the third question on screen
        since = len(fake.requests)
        bot.start()
        warning = fake.wait_for("sendMessage", to_chat(ADMIN["id"]), timeout=15, since=since)
        assert "以下配置有误" in warning.params["text"]
        assert "quizzes/bad_type.yaml 第 1 题（dq-001，第 6 行）" in warning.params["text"]

        offer = say(fake, MEMBER["id"], MEMBER, "/quiz", "您还有一组答题没有完成（已答 2/5 题）")
        asked = press_labelled(fake, offer, "继续（还剩 3 题）", "editMessageText")
        assert asked.params["text"].startswith("接着答第 3 题")
        assert asked.params["text"].endswith(third)
        since = len(fake.requests)
        old_button = first.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        fake.press_button(
            MEMBER["id"], first.result["message_id"], MEMBER, old_button, strict=False
        )
        stale_answer = fake.wait_for("answerCallbackQuery", timeout=15, since=since)
        assert stale_answer.params["text"] == (
            "这道题已经作答过了，以第一次作答为准。没看到下一题的话，请发送 /quiz 继续。"
        )
        for _ in (3, 4, 5):
            kinds.add(question_of(asked.params["text"]).type)
            asked = answer_question(fake, asked, right=True)
        assert asked.params["text"] == (
            "🎉 答题完成！本组共 5 题，答对 4 题，正确率 80%。\n"
            "答错的题已记入错题本，点“错题复习”或发送 /review 复习。\n\n"
            + messages.QUIZ_POINTS_NO_BRANCH
        )
        assert {kind.value for kind in kinds} == {"single", "multiple", "judge"}
    finally:
        assert bot.stop() == 0, bot.log()

    store = Store(tmp_path / "data", SHANGHAI)
    events = [e for e in store.events(None, "2026-11") if e.kind == "quiz_answer"]
    session = store.member_quiz(MEMBER["id"]).session
    assert session is not None and session.finished and session.correct_count == 4
    assert sorted(e.data["answer_id"] for e in events) == [f"{session.id}:{i}" for i in range(5)]
    assert [AnswerRecord.from_event(e).correct for e in events].count(False) == 1
    store.close()


def test_group_quiz_polls_are_recorded_and_summarized(fake: FakeBotApi, tmp_path: Path) -> None:
    bot, clock = quiz_bot(fake, tmp_path)
    bot.start()
    try:
        say(fake, OFFICE_GROUP, OWNER, "/bind office", "✅ 本群已绑定")
        since = len(fake.requests)
        fake.send_text(OFFICE_GROUP, OWNER, "/groupquiz basics 5")
        fake.wait_for("sendPoll", lambda c: c.params["question"].startswith("5/5 "), 15, since)
        polls = fake.calls("sendPoll")
        assert len(polls) == 5 and all(not c.params["is_anonymous"] for c in polls)
        right: dict[str, list[int]] = {}
        for call in polls:
            shown = call.params["question"].split(" ", 1)[1].removesuffix("（多选）")
            question = question_of(shown)
            right[call.result["poll"]["id"]] = sorted(question.answer)
        wrong_for_b = polls[0].result["poll"]["id"]
        for poll_id, options in right.items():
            fake.answer_poll(poll_id, A, options)
            wrong = [next(i for i in range(2) if [i] != options)]
            fake.answer_poll(poll_id, B, options if poll_id != wrong_for_b else wrong)
        for poll_id in list(right)[:3]:
            fake.answer_poll(poll_id, C, right[poll_id])
            fake.answer_poll(poll_id, C, [1])  # a second vote is not counted
        say(fake, OWNER["id"], OWNER, "/help", "您可以使用")  # every answer above is processed

        since = len(fake.requests)
        set_clock(clock, 10, 1)
        summary = fake.wait_for(
            "sendMessage", to_chat(OFFICE_GROUP, "📊"), timeout=15, since=since
        )
        text = summary.params["text"]
        assert text.startswith("📊 办公室党支部知识测验“测试题库”已截止。\n参与 3 人。\n")
        rates = ["67%（2/3）", "100%（3/3）", "100%（3/3）", "100%（2/2）", "100%（2/2）"]
        shown = [line.rsplit("正确率 ", 1)[1] for line in text.split("\n") if "正确率 " in line]
        assert shown == rates
        assert "\n全部答对（1 人）：甲\n\n💡 正确率最低的是第 1 题（67%）。\n解析：" in text
        assert len(fake.calls("stopPoll")) == 5
    finally:
        assert bot.stop() == 0, bot.log()

    store = Store(tmp_path / "data", SHANGHAI)
    events = [e for e in store.events("office", "2026-11") if e.kind == "quiz_answer"]
    assert sorted(e.data["answer_id"] for e in events) == sorted(
        [f"{p}:{u}" for p in right for u in (31, 32)] + [f"{p}:33" for p in list(right)[:3]]
    )
    assert all(AnswerRecord.from_event(e).mode == "group" for e in events)
    assert len(store.member_quiz(32).member_progress.review_list()) == 1
    assert store.member_quiz(31).member_progress.review_list() == []
    store.close()


def test_a_member_reaches_the_quiz_the_review_and_the_points_with_buttons_alone(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """From /start, never typing a command: the menu's buttons send their labels, the
    inline buttons do the rest, and 登记姓名 takes the name as a reply (across a restart)."""
    bot, clock = quiz_bot(fake, tmp_path)
    bot.start()
    try:
        say(fake, OFFICE_GROUP, OWNER, "/bind office", "✅ 本群已绑定")
        fake.send_text(OFFICE_GROUP, MEMBER, "大家好")  # speaking in the group: on the roster
        welcome = say(fake, MEMBER["id"], MEMBER, "/start", "您好，小王！")  # Telegram's START
        keyboard = welcome.params["reply_markup"]["keyboard"]
        assert [b["text"] for row in keyboard for b in row] == [
            "开始答题", "错题复习", "我的积分", "登记姓名",
        ]  # fmt: skip

        menu = say(fake, MEMBER["id"], MEMBER, "开始答题", "请选择这组答题的题数：")
        assert list(labelled(menu)) == ["5 题", "10 题", "20 题"]
        banks = press_labelled(fake, menu, "5 题", "editMessageText")
        assert banks.params["text"] == "这组答 5 题。请选择题库或专题："
        assert list(labelled(banks)) == ["综合", "测试题库", "长题", "多选", "纪律处分"]
        asked = press_labelled(fake, banks, "测试题库", "sendMessage")
        assert asked.params["text"].startswith("第 1/5 题")
        for right in (False, True, False, True, True):
            asked = answer_question(fake, asked, right)
        assert asked.params["text"] == (
            "🎉 答题完成！本组共 5 题，答对 3 题，正确率 60%。\n"
            "答错的题已记入错题本，点“错题复习”或发送 /review 复习。\n\n"
            "本次得分：3 分\n今日积分：3 分（每天最多 10 分）\n本月积分：3 分，办公室党支部第 1 名"
        )

        asked = say(fake, MEMBER["id"], MEMBER, "错题复习", "第 1/2 题")
        for _ in range(2):
            asked = answer_question(fake, asked, right=True)
        assert asked.params["text"] == (
            "📘 复习完成！本次复习 2 题，答对 2 题；错题本还有 2 题，下次再练。\n"
            "同一道题在不同的两天连续答对，就会移出错题本。\n\n"
            "本次得分：2 分\n今日积分：5 分（每天最多 10 分）\n本月积分：5 分，办公室党支部第 1 名"
        )
        set_clock(clock, 9, 0, day=3)
        asked = say(fake, MEMBER["id"], MEMBER, "错题复习", "第 1/2 题")
        for _ in range(2):
            asked = answer_question(fake, asked, right=True)
        assert asked.params["text"] == (
            "📘 复习完成！本次复习 2 题，答对 2 题，其中 2 题已从错题本移除；"
            "错题本已经清空，继续保持！\n\n"
            "本次得分：2 分\n今日积分：2 分（每天最多 10 分）\n本月积分：7 分，办公室党支部第 1 名"
        )
        mine = say(fake, MEMBER["id"], MEMBER, "我的积分", "小王 本月情况")
        assert "积分：7\n错题本：0 题待复习" in mine.params["text"]

        asked = say(fake, MEMBER["id"], MEMBER, "登记姓名", "请回复您的真实姓名（与支部名单一致）")
        assert asked.params["reply_markup"]["force_reply"] is True
        bot.kill()  # the question needs nothing remembered: the reply names it
        bot.start()
        since = len(fake.requests)
        fake.send_text(MEMBER["id"], MEMBER, "王小明", reply_to=asked.result["message_id"])
        fake.wait_for("sendMessage", to_chat(MEMBER["id"], "已登记您的姓名：王小明"), 15, since)
        say(fake, MEMBER["id"], MEMBER, "我的积分", "王小明 本月情况")
    finally:
        assert bot.stop() == 0, bot.log()


# The basics bank's questions as a group summary names them, with their answers.
SUMMARY_NAMES = {
    "s1": ("党员的纪律处分共有几种？", "C. 五种"),
    "s2": ("留党察看最长不超过多长时间？", "B. 二年"),
    "m1": ("下列属于党的纪律处分的有：", "A. 警告、C. 留党察看"),
    "m2": ("下列属于党的六项纪律的有：", "A. 政治纪律、B. 组织纪律、D. 群众纪律"),
    "j1": ("党员受到警告处分，一年内不得在党内提拔职…", "对"),
}


def test_a_two_hour_group_quiz_sends_quiz_polls_and_names_the_answers(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """Single, multiple and judge questions go out as quiz polls with the bank's correct
    options; `时长 2小时` keeps them open two hours, then the summary names the answers."""
    bot, clock = quiz_bot(fake, tmp_path)
    bot.start()
    try:
        say(fake, OFFICE_GROUP, OWNER, "/bind office", "✅ 本群已绑定")
        intro = say(fake, OFFICE_GROUP, OWNER, "/groupquiz basics 5 2小时", "📝")
        assert "共 5 题，11月2日 11:00 截止。" in intro.params["text"]
        fake.wait_for("sendPoll", lambda c: c.params["question"].startswith("5/5 "), 15)
        polls = fake.calls("sendPoll")
        asked = []
        for call in polls:
            shown = call.params["question"].split(" ", 1)[1].removesuffix("（多选）")
            question = question_of(shown)
            asked.append(question)
            assert call.ok and call.params["type"] == "quiz"
            assert call.params["correct_option_ids"] == sorted(question.answer)
            assert call.result["poll"]["correct_option_ids"] == sorted(question.answer)
            assert call.params["allows_multiple_answers"] is (question.type.value == "multiple")
            assert call.params["shuffle_options"] is (question.type.value != "judge")
            assert call.params["open_period"] == 2 * 3600
        assert {q.type.value for q in asked} == {"single", "multiple", "judge"}
        for call, question in zip(polls, asked, strict=True):
            poll_id = call.result["poll"]["id"]
            fake.answer_poll(poll_id, A, sorted(question.answer))
            fake.answer_poll(poll_id, B, [1] if question.id == "j1" else sorted(question.answer))
        say(fake, OWNER["id"], OWNER, "/help", "您可以使用")  # every answer above is processed

        set_clock(clock, 10, 1)  # past the one hour a /groupquiz without 时长 stays open
        time.sleep(ROUNDS_SETTLE_S)
        assert not fake.sent_texts(OFFICE_GROUP)[-1].startswith("📊")
        assert fake.calls("stopPoll") == []

        since = len(fake.requests)
        set_clock(clock, 11, 0)
        summary = fake.wait_for("sendMessage", to_chat(OFFICE_GROUP, "📊"), 15, since)
        lines = []
        for number, question in enumerate(asked, start=1):
            name, answer = SUMMARY_NAMES[question.id]
            rate = "50%（1/2）" if question.id == "j1" else "100%（2/2）"
            lines.append(f"第 {number} 题：{name}\n答案：{answer}；正确率 {rate}")
        hardest = next(n for n, q in enumerate(asked, start=1) if q.id == "j1")
        assert summary.params["text"] == (
            "📊 办公室党支部知识测验“测试题库”已截止。\n参与 2 人。\n各题答案和正确率：\n"
            + "\n".join(lines)
            + "\n全部答对（1 人）：甲\n\n"
            f"💡 正确率最低的是第 {hardest} 题（50%）。\n"
            "解析：警告处分的影响期为一年。\n出处：《中国共产党纪律处分条例》第十条"
        )
        assert len(fake.calls("stopPoll")) == 5
    finally:
        assert bot.stop() == 0, bot.log()
