"""Quizzes through the real Application: private buttons, group polls, poll answers, closing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from core.config.agency import AgencyConfig, parse_agency_config
from core.config.banks import Question, load_banks
from core.config.yaml_loader import parse_yaml_text
from core.delivery import Button, MaybeDelivered
from core.store.quiz_sessions import AnswerRecord
from handlers.quizzes.group_quiz_sender import TelegramGroupQuizzes
from handlers.telegram_messenger import TelegramMessenger
from tests.conftest import FakeClock
from tests.fakeapi import Call, FakeBotApi
from tests.harness import BotHarness, running_bot, user

OWNER = user(2, "书记", "secretary")
MEMBER = user(3, "小王")
COLLEAGUE = user(4, "小李")
OFFICE_GROUP = -100111
OTHER_GROUP = -100333
BANKS = load_banks(Path(__file__).parents[1] / "fixtures" / "quizzes")
SCHEDULED = """
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
schedules:
  - id: quiz-once
    when: {once: "2026-11-02 09:00"}
    to: all
    quiz: {bank: basics, count: 3, open_hours: 24}
"""


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(OFFICE_GROUP, title="办公室党支部群")
        server.add_chat(OTHER_GROUP, title="闲聊群")
        for group in (OFFICE_GROUP, OTHER_GROUP):
            server.set_member_status(group, OWNER["id"], "creator")
            server.set_member_status(group, MEMBER["id"], "member")
        yield server


@pytest.fixture
async def bot(
    fake: FakeBotApi, tmp_path: Path, agency: AgencyConfig, clock: FakeClock
) -> AsyncIterator[BotHarness]:
    async with running_bot(fake, tmp_path / "data", agency, clock, banks=BANKS) as harness:
        yield harness


def last_message(fake: FakeBotApi, chat_id: int) -> Call:
    return [c for c in fake.calls("sendMessage") if c.ok and c.params["chat_id"] == chat_id][-1]


def buttons(call: Call) -> dict[str, str]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row if "callback_data" in b}


def shown_question(call: Call) -> Question:
    text = call.params["text"].split("\n")[1]
    return next(q for b in BANKS.banks for q in b.questions if q.text == text)


def callback_reply(fake: FakeBotApi) -> str:
    return str(fake.calls("answerCallbackQuery")[-1].params.get("text", ""))


async def press(
    bot: BotHarness, chat_id: int, call: Call, sender: dict[str, Any], label: str
) -> list[str]:
    update = bot.fake.press_button(
        chat_id, call.result["message_id"], sender, buttons(call)[label]
    )
    return await bot.feed(update)


async def test_private_quiz_with_buttons(bot: BotHarness) -> None:
    member = MEMBER["id"]
    replies = await bot.say(member, MEMBER, "/quiz basics 5")
    assert replies[0].startswith("第 1/5 题 · ")
    for number in range(1, 6):
        asked = last_message(bot.fake, member)
        question = shown_question(asked)
        labels = question.labels(question.answer)
        if question.type.value == "multiple":
            for label in labels:
                await press(bot, member, last_message(bot.fake, member), MEMBER, f"☐ {label}")
                assert callback_reply(bot.fake).startswith("已选：")
            asked = bot.fake.calls("editMessageReplyMarkup")[-1]
            sent = await press(bot, member, asked, MEMBER, "提交")
        else:
            sent = await press(bot, member, asked, MEMBER, labels[0])
        assert callback_reply(bot.fake) == "✅ 回答正确"
        assert sent[0].endswith(f"出处：{question.source}") and "✅ 回答正确！" in sent[0]
        if number < 5:
            assert sent[1].startswith(f"第 {number + 1}/5 题")
    assert sent[1] == "🎉 答题完成！本组共 5 题，答对 5 题，正确率 100%。\n发送 /quiz 再来一组。"
    answers = [
        AnswerRecord.from_event(e)
        for e in bot.services.store.events(None, "2026-11")
        if e.kind == "quiz_answer"
    ]
    assert len(answers) == 5 and all(a.correct and a.mode == "private" for a in answers)
    old = bot.fake.press_button(member, 2, MEMBER, "q:3:000000000000:0:0", strict=False)
    assert await bot.feed(old) == []
    assert callback_reply(bot.fake) == "这组答题已经结束。发送 /quiz 再来一组。"


@pytest.mark.parametrize(
    ("refusal", "logged"),
    [
        ("Bad Request: query is too old and response timeout expired or query ID is invalid", 0),
        ("Bad Request: message is too long", 1),
    ],
)
async def test_a_refused_press_answer_does_not_stop_the_quiz(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, refusal: str, logged: int
) -> None:
    member = MEMBER["id"]
    await bot.say(member, MEMBER, "/quiz 纪律处分 2")  # two single-choice questions
    asked = last_message(bot.fake, member)
    question = shown_question(asked)
    bot.fake.fail_next("answerCallbackQuery", 400, refusal)
    sent = await press(bot, member, asked, MEMBER, question.labels(question.answer)[0])
    assert sent[1].startswith("第 2/2 题")  # the answer counted and the quiz went on
    warnings = [r for r in caplog.records if "refused the answer" in r.getMessage()]
    assert len(warnings) == logged


async def test_quiz_is_private_and_review_starts_empty(bot: BotHarness) -> None:
    assert await bot.say(OFFICE_GROUP, MEMBER, "/quiz") == [
        "/quiz 只能在与我的私聊中使用，请点下面的按钮。"
    ]
    assert await bot.say(MEMBER["id"], MEMBER, "/review") == [
        "您的错题本是空的，继续保持！发送 /quiz 开始答题。"
    ]
    assert (await bot.say(MEMBER["id"], MEMBER, "/quiz nosuch"))[0].startswith(
        "没有 ID 或标签为“nosuch”的题库。"
    )


async def test_group_quiz_refused_to_members_and_outside_branch_groups(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    assert await bot.say(OFFICE_GROUP, MEMBER, "/groupquiz") == [
        "抱歉，/groupquiz 仅限支部书记或群管理员使用。组织委员等支委需要使用的，请群主在支部群里"
        "把您设为管理员，或请机器人管理员把您的用户 ID 3 写进 schedules.yaml 中本支部的 "
        "secretaries。发送 /help 查看您可以使用的命令。"
    ]
    assert await bot.say(OTHER_GROUP, OWNER, "/groupquiz") == [
        "本群尚未绑定支部，请群管理员发送 /bind 支部ID。"
    ]
    assert bot.fake.calls("sendPoll") == []


async def test_a_groupquiz_command_starts_one_quiz_however_often_it_comes(
    bot: BotHarness,
) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    command = bot.fake.send_text(OFFICE_GROUP, OWNER, "/groupquiz basics 2")
    assert (await bot.feed(command))[0].startswith("📝 办公室党支部知识测验")
    assert len(bot.fake.calls("sendPoll")) == 2
    # Telegram delivers it again after a kill: nothing is said or sent.
    assert await bot.feed(command) == []
    edited = bot.fake.edit_text(command, "/groupquiz basics 3")
    assert await bot.feed(edited) == [
        "这条命令已经发起过测验，修改它不会再发起一次。"
        "如需再发起测验，请发送新的 /groupquiz 命令。"
    ]
    assert len(bot.fake.calls("sendPoll")) == 2
    assert (await bot.say(OFFICE_GROUP, OWNER, "/groupquiz basics 1"))[0].startswith("📝")


async def test_group_quiz_polls_answers_and_summary(bot: BotHarness, clock: FakeClock) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    sent = await bot.say(OFFICE_GROUP, OWNER, "/groupquiz basics 5")
    assert sent[0].startswith("📝 办公室党支部知识测验：测试题库\n共 5 题，11月2日 10:00 截止。")
    polls = bot.fake.calls("sendPoll")
    assert len(polls) == 5
    by_type: dict[str, list[Call]] = {}
    for call in polls:
        params = call.params
        assert params["chat_id"] == OFFICE_GROUP and params["is_anonymous"] is False
        assert "open_period" not in params  # an hour: closed by the scheduler's rounds instead
        by_type.setdefault(params.get("type", "regular"), []).append(call)
    assert len(by_type["quiz"]) == 3 and len(by_type["regular"]) == 2
    assert all(c.params["allows_multiple_answers"] for c in by_type["regular"])
    quiz_poll = by_type["quiz"][0]
    assert quiz_poll.params["correct_option_ids"] == quiz_poll.result["poll"]["correct_option_ids"]

    for call in polls:
        correct = call.result["poll"].get("correct_option_ids", [0])
        await bot.feed(bot.fake.answer_poll(call.result["poll"]["id"], MEMBER, correct))
        await bot.feed(bot.fake.answer_poll(call.result["poll"]["id"], MEMBER, [1]))
    await bot.feed(bot.fake.answer_poll(polls[0].result["poll"]["id"], COLLEAGUE, [0]))
    roster = {p.user_id for p in bot.services.organization.roster("office")}
    assert {MEMBER["id"], COLLEAGUE["id"]} <= roster  # answering a poll is activity

    (quiz,) = bot.services.store.unfinished_group_quizzes(clock())
    assert quiz.status == "open"
    assert sum(len(q.answers) for q in quiz.questions) == 6
    assert await bot.services.group_quizzes.close_due() == []
    assert bot.fake.calls("stopPoll") == []
    clock.advance(hours=1)
    assert await bot.services.group_quizzes.close_due() == []
    assert len(bot.fake.calls("stopPoll")) == 5
    summary = bot.fake.sent_texts(OFFICE_GROUP)[-1]
    assert summary.startswith("📊 办公室党支部知识测验“测试题库”已截止。\n参与 2 人。")
    events = [e for e in bot.services.store.events("office", "2026-11") if e.kind == "quiz_answer"]
    assert len(events) == 6
    assert await bot.services.group_quizzes.close_due() == []  # closed: nothing happens twice
    assert len(bot.fake.calls("stopPoll")) == 5


async def test_group_quiz_with_buttons_for_long_questions(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    since = len(bot.fake.requests)
    await bot.say(OFFICE_GROUP, OWNER, "/groupquiz long")
    assert bot.fake.calls("sendPoll") == []
    questions = [
        c
        for c in bot.fake.requests[since:]
        if c.method == "sendMessage" and c.params["chat_id"] == OFFICE_GROUP and buttons(c)
    ]
    assert len(questions) == 2
    single = next(c for c in questions if "提交" not in buttons(c))
    await press(bot, OFFICE_GROUP, single, MEMBER, "B")
    assert callback_reply(bot.fake) == "✅ 回答正确"
    await press(bot, OFFICE_GROUP, single, MEMBER, "A")
    assert callback_reply(bot.fake) == "这道题已经作答过了，以第一次作答为准。"


async def test_scheduled_quiz_goes_through_the_dispatcher(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    agency = parse_agency_config(parse_yaml_text(SCHEDULED.encode(), "schedules.yaml"), "x")
    async with running_bot(fake, tmp_path / "data", agency, clock, banks=BANKS) as bot:
        await bot.say(OFFICE_GROUP, OWNER, "/bind office")
        assert await bot.services.dispatcher.tick() == []
        assert len(fake.calls("sendPoll")) == 3
        (quiz,) = bot.services.store.unfinished_group_quizzes(clock())
        assert quiz.closes_at == clock() + (quiz.closes_at - quiz.started_at)
        assert (quiz.closes_at - quiz.started_at).total_seconds() == 24 * 3600
        record = next(iter(bot.services.store.pushes_with_status("sent", clock())))
        assert record.message_id == quiz.intro_message_id


# --- replays: Telegram sends a press again when the bot was killed before confirming it


def quiz_answers(bot: BotHarness, branch: str | None = None) -> list[AnswerRecord]:
    events = bot.services.store.events(branch, "2026-11")
    return [AnswerRecord.from_event(e) for e in events if e.kind == "quiz_answer"]


async def test_a_replayed_tick_in_a_private_quiz_does_not_untick(bot: BotHarness) -> None:
    member = MEMBER["id"]
    await bot.say(member, MEMBER, "/quiz 多选 1")
    asked = last_message(bot.fake, member)
    question = shown_question(asked)
    labels = question.labels(question.answer)
    for label in labels:
        shown = bot.fake.calls("editMessageReplyMarkup") or [asked]
        tick = bot.fake.press_button(
            member, asked.result["message_id"], MEMBER, buttons(shown[-1])[f"☐ {label}"]
        )
        await bot.feed(tick)
    await bot.feed(tick)  # the last tick again, as Telegram re-sends it after a kill
    assert callback_reply(bot.fake) == f"已选：{'、'.join(labels)}。选好后请点“提交”。"
    current = bot.fake.calls("editMessageReplyMarkup")[-1]
    submit = bot.fake.press_button(
        member, asked.result["message_id"], MEMBER, buttons(current)["提交"]
    )
    await bot.feed(submit)
    assert callback_reply(bot.fake) == "✅ 回答正确"
    await bot.feed(submit)  # the submit again: not graded or recorded a second time
    (record,) = quiz_answers(bot)
    assert record.chosen == labels and record.correct
    session = bot.services.store.member_quiz(member).session
    assert session is not None and session.position == 1 and session.correct_count == 1


async def test_a_replayed_tick_in_a_group_quiz_does_not_untick(
    bot: BotHarness, clock: FakeClock
) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    await bot.say(OFFICE_GROUP, OWNER, "/groupquiz long")
    multiple = next(
        c
        for c in bot.fake.calls("sendMessage")
        if c.params["chat_id"] == OFFICE_GROUP and "提交" in buttons(c)
    )
    question = shown_question(multiple)
    labels = question.labels(question.answer)
    for label in labels:
        tick = bot.fake.press_button(
            OFFICE_GROUP, multiple.result["message_id"], MEMBER, buttons(multiple)[label]
        )
        await bot.feed(tick)
    await bot.feed(tick)  # redelivered: the same press, not a second one
    assert callback_reply(bot.fake) == f"已选：{'、'.join(labels)}。选好后请点“提交”。"
    submit = await press(bot, OFFICE_GROUP, multiple, MEMBER, "提交")
    assert submit == [] and callback_reply(bot.fake) == "✅ 回答正确"
    (quiz,) = bot.services.store.unfinished_group_quizzes(clock())
    answer = next(q for q in quiz.questions if q.question_id == question.id).answers
    assert {u: (a.chosen, a.correct) for u, a in answer.items()} == {MEMBER["id"]: (labels, True)}


async def test_a_second_tick_of_the_same_option_is_a_new_press(
    bot: BotHarness, clock: FakeClock
) -> None:
    """Only the very same press is ignored: pressing an option again unticks it."""
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    await bot.say(OFFICE_GROUP, OWNER, "/groupquiz long")
    multiple = next(
        c
        for c in bot.fake.calls("sendMessage")
        if c.params["chat_id"] == OFFICE_GROUP and "提交" in buttons(c)
    )
    await press(bot, OFFICE_GROUP, multiple, MEMBER, "A")
    await press(bot, OFFICE_GROUP, multiple, MEMBER, "B")
    await press(bot, OFFICE_GROUP, multiple, MEMBER, "B")
    assert callback_reply(bot.fake) == "已选：A。选好后请点“提交”。"


async def test_old_private_buttons_refresh_and_change_nothing(bot: BotHarness) -> None:
    """Buttons drawn before presses said what they set (t<option>, a bare s)."""
    member = MEMBER["id"]
    await bot.say(member, MEMBER, "/quiz 多选 1")
    asked = last_message(bot.fake, member)
    before = bot.services.store.member_quiz(member)
    assert before.session is not None
    prefix = f"q:{member}:{before.session.id}:0:"
    for action in ("t0", "s"):
        old = bot.fake.press_button(
            member, asked.result["message_id"], MEMBER, prefix + action, strict=False
        )
        await bot.feed(old)
        assert callback_reply(bot.fake) == "这个按钮已更新，请按刷新后的按钮重新选择。"
        assert bot.services.store.member_quiz(member) == before
    refreshed = bot.fake.calls("editMessageReplyMarkup")[-1]
    assert {"☐ A", "☐ B", "提交"} <= set(buttons(refreshed))
    assert quiz_answers(bot) == []


async def test_group_quiz_summary_is_posted_once(bot: BotHarness, clock: FakeClock) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    await bot.say(OFFICE_GROUP, OWNER, "/groupquiz basics 2")
    clock.advance(hours=1)
    assert await bot.services.group_quizzes.close_due() == []
    assert await bot.services.group_quizzes.close_due() == []
    summaries = [t for t in bot.fake.sent_texts(OFFICE_GROUP) if t.startswith("📊")]
    assert len(summaries) == 1
    assert bot.services.store.unfinished_group_quizzes(clock()) == []
    assert bot.services.group_quizzes.quizzes.recover() == []


class TimingOutMessenger(TelegramMessenger):
    """Every send times out: Telegram may or may not have the message."""

    async def send(
        self,
        chat_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        html: bool = False,
        reply_to: int | None = None,
    ) -> int:
        raise MaybeDelivered("Timed out")


async def test_a_summary_that_timed_out_is_reported_not_resent(
    bot: BotHarness, clock: FakeClock
) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    await bot.say(OFFICE_GROUP, OWNER, "/groupquiz basics 2")
    clock.advance(hours=1)
    found = bot.services.group_quizzes
    timing_out = TelegramGroupQuizzes(
        bot.application.bot, found.quizzes, TimingOutMessenger(bot.application.bot)
    )
    (notice,) = await timing_out.close_due()
    assert notice.text.startswith(
        "⚠️ 办公室党支部的测验结果发送时中断或超时，无法确认是否已发到群里。"
    )
    assert "📊 办公室党支部知识测验“测试题库”已截止。" in notice.text
    assert await found.close_due() == [] and found.quizzes.recover() == []
    assert [t for t in bot.fake.sent_texts(OFFICE_GROUP) if t.startswith("📊")] == []


@pytest.mark.parametrize(("command", "label", "payload"), [
    ("/quiz", "去私聊答题", "quiz"), ("/start", "去私聊答题", "quiz"),
    ("/review", "去私聊复习错题", "review"),
])  # fmt: skip
async def test_the_group_links_to_the_private_chat_that_does_it(
    bot: BotHarness, command: str, label: str, payload: str
) -> None:
    await bot.say(OFFICE_GROUP, MEMBER, command)
    (button,) = last_message(bot.fake, OFFICE_GROUP).params["reply_markup"]["inline_keyboard"][0]
    assert button == {"text": label, "url": f"https://t.me/party_study_bot?start={payload}"}


async def test_the_link_from_the_group_starts_the_quiz_in_private(bot: BotHarness) -> None:
    welcome, review = await bot.say(MEMBER["id"], MEMBER, "/start review")
    assert welcome.startswith("您好，小王！")
    assert review == "您的错题本是空的，继续保持！发送 /quiz 开始答题。"
    _, question = await bot.say(MEMBER["id"], MEMBER, "/start quiz")
    assert question.startswith("第 1/")
