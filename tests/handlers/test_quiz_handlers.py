"""Quizzes through the real Application: private buttons, group polls, poll answers, closing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from core import messages
from core.config.agency import AgencyConfig, parse_agency_config
from core.config.banks import Question, load_banks
from core.config.points_rule import PointsRule
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
BRANCH = """\
branches:
  - {id: office, name: 办公室党支部}
"""
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


def poll_question(call: Call) -> Question:
    """The bank question a sendPoll asked: its text after the number, without （多选）."""
    text = call.params["question"].split(" ", 1)[1].removesuffix("（多选）")
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
    assert sent[1] == (
        "🎉 答题完成！本组共 5 题，答对 5 题，正确率 100%。\n"
        "点“开始答题”或发送 /quiz 再来一组。\n\n"
        + messages.QUIZ_POINTS_NO_BRANCH  # 小王 has not spoken in a branch group
    )
    answers = [
        AnswerRecord.from_event(e)
        for e in bot.services.store.events(None, "2026-11")
        if e.kind == "quiz_answer"
    ]
    assert len(answers) == 5 and all(a.correct and a.mode == "private" for a in answers)
    old = bot.fake.press_button(member, 2, MEMBER, "q:3:000000000000:0:0", strict=False)
    assert await bot.feed(old) == []
    assert callback_reply(bot.fake) == "这组答题已经结束。点“开始答题”或发送 /quiz 再来一组。"


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
    for call in polls:
        params = call.params
        assert params["chat_id"] == OFFICE_GROUP and params["is_anonymous"] is False
        assert params["type"] == "quiz" and params["open_period"] == 3600  # the whole hour
        question = poll_question(call)
        assert params["correct_option_ids"] == sorted(question.answer)
        assert params["allows_multiple_answers"] is (len(question.answer) > 1)
        assert params["shuffle_options"] is (question.id != "j1")  # 对 / 错 stay in order

    for call in polls:
        correct = call.result["poll"]["correct_option_ids"]
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


async def test_groupquiz_takes_a_duration_in_any_order(bot: BotHarness, clock: FakeClock) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    sent = await bot.say(OFFICE_GROUP, OWNER, "/groupquiz 30分钟 2 basics")
    assert sent[0].startswith("📝 办公室党支部知识测验：测试题库\n共 2 题，11月2日 09:30 截止。")
    assert [c.params["open_period"] for c in bot.fake.calls("sendPoll")] == [1800, 1800]
    clock.advance(minutes=29)
    assert await bot.services.group_quizzes.close_due() == []
    assert not [t for t in bot.fake.sent_texts(OFFICE_GROUP) if t.startswith("📊")]
    clock.advance(minutes=1)
    assert await bot.services.group_quizzes.close_due() == []
    assert bot.fake.sent_texts(OFFICE_GROUP)[-1].startswith("📊 办公室党支部知识测验")


async def test_a_bad_groupquiz_duration_is_explained_and_sends_nothing(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    assert await bot.say(OFFICE_GROUP, OWNER, "/groupquiz basics 2周") == [
        "时长应写成 30分钟、2小时 或 1天，最短 5 分钟，最长 30 天。"
    ]
    assert bot.fake.calls("sendPoll") == []
    assert bot.services.store.unfinished_group_quizzes(bot.services.clock()) == []


async def test_the_default_duration_comes_from_schedules_yaml(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    text = "timezone: Asia/Shanghai\ngroup_quiz_duration: 1天\n" + BRANCH
    agency = parse_agency_config(parse_yaml_text(text.encode(), "schedules.yaml"), "x")
    async with running_bot(fake, tmp_path / "data", agency, clock, banks=BANKS) as bot:
        await bot.say(OFFICE_GROUP, OWNER, "/bind office")
        sent = await bot.say(OFFICE_GROUP, OWNER, "/groupquiz basics 1")
        assert "共 1 题，11月3日 09:00 截止。" in sent[0]
        assert fake.calls("sendPoll")[0].params["open_period"] == 24 * 3600


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
        assert {c.params["open_period"] for c in fake.calls("sendPoll")} == {24 * 3600}
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
    _, menu = await bot.say(MEMBER["id"], MEMBER, "/start quiz")
    assert menu == "请选择这组答题的题数："


async def answer_shown(bot: BotHarness, sender: dict[str, Any], right: bool) -> list[str]:
    """Answer the question last sent to `sender` by its buttons; return what the bot sent."""
    chat_id = sender["id"]
    asked = last_message(bot.fake, chat_id)
    question = shown_question(asked)
    every = frozenset(range(len(question.options)))
    chosen = question.answer if right else every - question.answer
    labels = question.labels(chosen)
    if question.type.value != "multiple":
        return await press(bot, chat_id, asked, sender, labels[0])
    shown = asked
    for label in labels:
        await press(bot, chat_id, shown, sender, f"☐ {label}")
        shown = bot.fake.calls("editMessageReplyMarkup")[-1]
    return await press(bot, chat_id, shown, sender, "提交")


async def take_quiz(bot: BotHarness, sender: dict[str, Any], rights: Sequence[bool]) -> str:
    """/quiz basics n, answered right or wrong in turn; the closing text."""
    await bot.say(sender["id"], sender, f"/quiz basics {len(rights)}")
    for right in rights:
        sent = await answer_shown(bot, sender, right)
    return sent[-1]


async def test_quiz_by_buttons_alone_ends_with_points_today_month_and_rank(
    fake: FakeBotApi, tmp_path: Path, agency: AgencyConfig, clock: FakeClock
) -> None:
    capped = replace(agency, points=PointsRule(study_on_time=1, correct_answer=1, daily_cap=7))
    async with running_bot(fake, tmp_path / "data", capped, clock, banks=BANKS) as bot:
        await bot.say(OFFICE_GROUP, OWNER, "/bind office")
        for person in (MEMBER, COLLEAGUE):
            await bot.say(OFFICE_GROUP, person, "收到")  # on the branch's roster
        assert (await take_quiz(bot, COLLEAGUE, [True] * 5)).endswith(
            "本次得分：5 分\n今日积分：5 分（每天最多 7 分）\n本月积分：5 分，办公室党支部第 1 名"
        )
        member = MEMBER["id"]
        assert await bot.say(member, MEMBER, "开始答题") == ["请选择这组答题的题数："]
        assert list(buttons(last_message(fake, member))) == ["5 题", "10 题", "20 题"]
        assert await press(bot, member, last_message(fake, member), MEMBER, "5 题") == [
            "这组答 5 题。请选择题库或专题："
        ]
        step = fake.calls("editMessageText")[-1]
        assert list(buttons(step)) == ["综合", "测试题库", "长题", "多选", "纪律处分"]
        chosen = fake.press_button(
            member, step.result["message_id"], MEMBER, buttons(step)["测试题库"]
        )
        started = await bot.feed(chosen)
        assert started[0] == "已选择：测试题库，5 题。" and started[1].startswith("第 1/5 题")
        assert await bot.feed(chosen) == []  # delivered twice: one quiz
        assert callback_reply(fake) == "这组答题已经开始了，请在题目下面作答。"
        for right in (True, False, True, False, True):
            sent = await answer_shown(bot, MEMBER, right)
        assert sent[-1] == (
            "🎉 答题完成！本组共 5 题，答对 3 题，正确率 60%。\n"
            "答错的题已记入错题本，点“错题复习”或发送 /review 复习。\n\n"
            "本次得分：3 分\n今日积分：3 分（每天最多 7 分）\n本月积分：3 分，办公室党支部第 2 名"
        )
        assert (await take_quiz(bot, MEMBER, [True] * 5)).endswith(
            "本次得分：4 分\n今日积分：7 分（每天最多 7 分）\n"
            "今天的积分已满 7 分，明天答对的题会继续计分。\n本月积分：7 分，办公室党支部第 1 名"
        )
        assert await bot.say(member, MEMBER, "/rules") == [
            "📋 积分规则\n"
            "· 按时完成学习任务（截止前点“学完了”）：每项 1 分\n"
            "· 答对一道题（私聊答题、错题复习、群内测验）：每题 1 分\n"
            "· 每人每天最多 7 分，超出的不计\n"
            "逾期完成的任务和答错的题不计分。积分算在完成或答题的当天，每月重新累计。\n"
            "发送 /me 查看本月积分，/top 查看本支部积分榜。"
        ]


async def test_an_unfinished_quiz_offers_continue_or_abandon_by_buttons(bot: BotHarness) -> None:
    member = MEMBER["id"]
    await bot.say(member, MEMBER, "/quiz basics 3")
    await answer_shown(bot, MEMBER, True)
    assert await bot.say(member, MEMBER, "开始答题") == [
        "您还有一组答题没有完成（已答 1/3 题）。接着答，还是重新开始？"
    ]
    offer = last_message(bot.fake, member)
    assert list(buttons(offer)) == ["继续（还剩 2 题）", "放弃并开始新的一组"]
    pressed = bot.fake.press_button(
        member, offer.result["message_id"], MEMBER, buttons(offer)["继续（还剩 2 题）"]
    )
    (continued,) = await bot.feed(pressed)
    assert continued.startswith("接着答第 2 题（共 3 题）：\n\n第 2/3 题")
    edited = bot.fake.calls("editMessageText")[-1]
    assert buttons(edited)  # the offer became the question, with its answer buttons
    assert await bot.feed(pressed) == []  # delivered twice: the question stays as it is
    assert bot.fake.calls("editMessageText")[-1].ok is False  # "message is not modified"
    await bot.say(member, MEMBER, "开始答题")
    offer = last_message(bot.fake, member)
    pressed = bot.fake.press_button(
        member, offer.result["message_id"], MEMBER, buttons(offer)["放弃并开始新的一组"]
    )
    assert await bot.feed(pressed) == [
        "已放弃未完成的一组（已答的题照常计分）。\n\n请选择这组答题的题数："
    ]
    assert list(buttons(bot.fake.calls("editMessageText")[-1])) == ["5 题", "10 题", "20 题"]
    assert await bot.feed(pressed) == []
    assert callback_reply(bot.fake) == messages.QUIZ_SESSION_GONE
    session = bot.services.store.member_quiz(member).session
    assert session is not None and session.finished  # ended, its id kept
