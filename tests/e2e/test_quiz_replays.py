"""End to end: quiz presses and closes that a kill makes Telegram deliver again.

After a SIGKILL, Telegram re-sends the updates the bot handled but had not yet confirmed.
A member ticks A, B, D and E of a multiple-choice question and presses 提交; the bot dies
before Telegram heard that the tick of E was handled, so after the restart E comes again,
before the 提交. The stored answer must be A, B, D, E: a replayed tick must not untick.
And a group quiz's summary is never posted twice, nor lost without the admins being told.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from core.store.database import Store
from core.store.quiz_sessions import AnswerRecord
from tests.botprocess import BotProcess
from tests.conftest import SHANGHAI
from tests.e2e.test_crash import ADMIN, CONFIG, GROUP, OWNER, make_bot, say, set_clock
from tests.fakeapi import Call, FakeBotApi
from tests.harness import user

MEMBER = user(3, "小王")
PREAMBLE = "阅读下面这段话后作答：" + "党员必须自觉遵守党的纪律，模范遵守国家的法律法规。" * 14
# Longer than a poll question may be (300 characters): a group gets it with buttons too.
REPLAY_BANK = f"""\
id: replay
title: 重放测试
questions:
  - id: r1
    type: multiple
    text: "{PREAMBLE}下列说法正确的有："
    options: [纪律是行为规则, 纪律可有可无, 纪律维护团结统一, 纪律面前人人平等, 纪律必须严格执行]
    answer: [A, C, D, E]
    explanation: 党的纪律是全体党员必须遵守的行为规则。
    source: 《中国共产党章程》第四十条
"""
TICKED = ("A", "C", "D", "E")


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(GROUP, title="办公室党支部群")
        server.set_member_status(GROUP, OWNER["id"], "creator")
        yield server


def replay_bot(fake: FakeBotApi, tmp_path: Path) -> BotProcess:
    """The crash tests' bot, with the bank of one long multiple-choice question."""
    bot = make_bot(fake, tmp_path, CONFIG)
    (tmp_path / "config" / "quizzes" / "replay.yaml").write_text(REPLAY_BANK)
    return bot


def current_buttons(fake: FakeBotApi, chat_id: int, message_id: int) -> dict[str, str]:
    """The buttons the message shows now: as sent, or as last edited."""
    shown = [
        c
        for c in fake.requests
        if c.ok
        and c.method in ("sendMessage", "editMessageReplyMarkup")
        and c.params["chat_id"] == chat_id
        and c.result["message_id"] == message_id
    ]
    rows = shown[-1].params.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def press(fake: FakeBotApi, message: Call, member: dict[str, Any], label: str) -> dict[str, Any]:
    """`member` presses the button labelled `label` on the message as it is shown now."""
    chat_id, message_id = message.params["chat_id"], message.result["message_id"]
    data = current_buttons(fake, chat_id, message_id)[label]
    return fake.press_button(chat_id, message_id, member, data)


def handled(fake: FakeBotApi, update: dict[str, Any], since: int) -> None:
    """Wait until the bot has answered the press (and redrawn its buttons, in private)."""
    query = update["callback_query"]
    fake.wait_for(
        "answerCallbackQuery", lambda c: c.params["callback_query_id"] == query["id"], 15, since
    )
    if query["message"]["chat"]["type"] == "private":
        fake.wait_for("editMessageReplyMarkup", timeout=15, since=since)


def tick_then_kill_then_submit(
    fake: FakeBotApi, bot: BotProcess, question: Call, labels: dict[str, str]
) -> None:
    """Tick every option in TICKED, kill the bot, redeliver the last tick, press 提交."""
    tick: dict[str, Any] = {}
    for letter in TICKED:
        since = len(fake.requests)
        tick = press(fake, question, MEMBER, labels[letter])
        handled(fake, tick, since)
    bot.kill()
    fake.redeliver(tick)  # killed before Telegram was told the last tick was handled
    press(fake, question, MEMBER, "提交")
    bot.start()
    fake.wait_until(lambda: not fake.pending_updates(), timeout=15)
    assert bot.stop() == 0, bot.log()


def test_a_redelivered_tick_keeps_the_private_answer(fake: FakeBotApi, tmp_path: Path) -> None:
    bot = replay_bot(fake, tmp_path)
    bot.start()
    question = say(fake, MEMBER["id"], MEMBER, "/quiz replay", "第 1/1 题 · 多选题")
    tick_then_kill_then_submit(fake, bot, question, {x: f"☐ {x}" for x in TICKED})

    store = Store(tmp_path / "data", SHANGHAI)
    events = [e for e in store.events(None, "2026-11") if e.kind == "quiz_answer"]
    state = store.member_quiz(MEMBER["id"])
    store.close()
    (answer,) = [AnswerRecord.from_event(e) for e in events]
    assert answer.chosen == TICKED and answer.correct
    assert state.session is not None and state.session.finished
    assert state.session.correct_count == 1


def test_a_redelivered_tick_keeps_the_group_answer(fake: FakeBotApi, tmp_path: Path) -> None:
    bot = replay_bot(fake, tmp_path)
    bot.start()
    say(fake, GROUP, OWNER, "/bind office", "✅ 本群已绑定")
    fake.send_text(GROUP, OWNER, "/groupquiz replay")
    question = fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == GROUP and "提交" in str(c.params), 15
    )
    tick_then_kill_then_submit(fake, bot, question, {x: x for x in TICKED})

    store = Store(tmp_path / "data", SHANGHAI)
    (quiz,) = store.unfinished_group_quizzes(datetime(2026, 11, 2, 9, 5, tzinfo=SHANGHAI))
    store.close()
    answers = quiz.questions[0].answers
    assert {u: (a.chosen, a.correct) for u, a in answers.items()} == {MEMBER["id"]: (TICKED, True)}


def test_a_summary_cut_off_by_a_kill_is_reported_not_reposted(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    bot = replay_bot(fake, tmp_path)
    bot.start()
    say(fake, ADMIN["id"], ADMIN, "/start", "")  # so the admin can be told what to check
    say(fake, GROUP, OWNER, "/bind office", "✅ 本群已绑定")
    since = len(fake.requests)
    fake.send_text(GROUP, OWNER, "/groupquiz basics 1")
    fake.wait_for("sendPoll", timeout=15, since=since)
    fake.stall_next("sendMessage", 30, chat_id=GROUP)  # the summary never reaches Telegram
    set_clock(tmp_path / "now", "2026-11-02 10:01")
    fake.wait_until(lambda: summaries(fake) != [], timeout=15)
    bot.kill()  # while the summary is on its way: claimed, not known to be posted
    fake.clear_faults()
    since = len(fake.requests)
    bot.start()
    notice = fake.wait_for(
        "sendMessage",
        lambda c: c.params["chat_id"] == ADMIN["id"] and "测验结果" in c.params["text"],
        timeout=15,
        since=since,
    )
    assert notice.params["text"].startswith(
        "⚠️ 办公室党支部的测验结果发送时中断或超时，无法确认是否已发到群里。"
    )
    assert "\n📊 办公室党支部知识测验“测试题库”已截止。" in notice.params["text"]
    threading.Event().wait(1.0)  # twenty rounds: none of them posts the summary again
    assert bot.stop() == 0, bot.log()
    (summary,) = summaries(fake)
    assert not summary.ok  # the stalled one, never repeated


def summaries(fake: FakeBotApi) -> list[Call]:
    """Every attempt to post a group quiz's summary, whether it arrived or not."""
    return [c for c in fake.calls("sendMessage") if c.params["text"].startswith("📊")]
