"""The quiz services on a temp store and a moved clock: every answer recorded exactly once."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.config.agency import AgencyConfig
from core.config.banks import Bank, BankSet, Question, QuestionType, load_banks
from core.config.branches import Branch
from core.errors import UserError
from core.organization.branches import ChatUser, Organization
from core.quizzes.group_quiz import GroupQuestionView, GroupQuizPlan, GroupQuizzes
from core.quizzes.private_quiz import PrivateQuizzes
from core.quizzes.views import (
    MAX_CALLBACK_DATA,
    MAX_MESSAGE,
    Press,
    QuestionView,
    parse_group_selection,
    parse_selection,
)
from core.store.database import Store
from core.store.quiz_records import (
    BUTTONS,
    MULTIPLE_POLL,
    QUIZ_POLL,
    GroupAnswer,
    GroupQuestion,
    GroupQuiz,
)
from core.store.quiz_sessions import AnswerRecord
from core.store.records import Binding, Event
from tests.conftest import SHANGHAI, FakeClock

FIXTURE_BANKS = Path(__file__).parents[2] / "fixtures" / "quizzes"
MEMBER, OTHER = 3, 4
OFFICE_CHAT = -100111


@pytest.fixture
def banks() -> BankSet:
    loaded = load_banks(FIXTURE_BANKS)
    assert loaded.problems == ()
    return loaded


@pytest.fixture
def quizzes(store: Store, banks: BankSet, clock: FakeClock) -> PrivateQuizzes:
    return PrivateQuizzes(store, banks, clock, SHANGHAI, random.Random(1))


@pytest.fixture
def organization(store: Store, agency: AgencyConfig, clock: FakeClock) -> Organization:
    organization = Organization(store, agency, clock)
    store.bind(Binding("office", OFFICE_CHAT, "办公室群", clock()))
    return organization


@pytest.fixture
def office(agency: AgencyConfig) -> Branch:
    branch = agency.branch("office")
    assert branch is not None
    return branch


@pytest.fixture
def group(organization: Organization, banks: BankSet, clock: FakeClock) -> GroupQuizzes:
    return GroupQuizzes(organization, banks, clock, SHANGHAI, random.Random(2))


def question_in(view: QuestionView, banks: BankSet) -> Question:
    """The question a view shows, found by its text (the second line)."""
    text = view.text.split("\n")[1] if view.text.startswith("第") else view.text.split("\n")[3]
    return next(q for b in banks.banks for q in b.questions if q.text == text)


def data_of(view: QuestionView | GroupQuestionView | Press, label: str) -> str:
    keyboard = view.keyboard or ()
    return next(b.data for row in keyboard for b in row if b.label.endswith(label))


def labels(view: QuestionView | Press) -> list[list[str]]:
    return [[b.label for b in row] for row in view.keyboard or ()]


def answer(quizzes: PrivateQuizzes, view: QuestionView, right: bool = True) -> Press:
    """Press the right (or a wrong) answer to the question a view shows."""
    question = question_in(view, quizzes.banks)
    chosen = (
        question.answer if right else frozenset(range(len(question.options))) - question.answer
    )
    labels = question.labels(chosen)
    if len(view.keyboard) == 1:  # single or judge: one press answers
        return quizzes.press(MEMBER, data_of(view, labels[0]))
    shown: QuestionView | Press = view  # each press redraws the buttons, as the member sees
    for label in labels:
        shown = quizzes.press(MEMBER, data_of(shown, label))
    return quizzes.press(MEMBER, data_of(shown, "提交"))


PRESS_IDS = itertools.count(4_000_000)


def press_in_group(group: GroupQuizzes, user_id: int, chat_id: int, data: str) -> Press:
    """A new press (its own callback query id) on a group question's button."""
    return group.press(user_id, chat_id, data, str(next(PRESS_IDS)))


def answer_events(store: Store, month: str = "2026-11") -> list[Event]:
    return [e for e in store.events(None, month) if e.kind == "quiz_answer"] + [
        e for e in store.events("office", month) if e.kind == "quiz_answer"
    ]


# --- choosing -----------------------------------------------------------------------


def test_selection_words(banks: BankSet) -> None:
    assert parse_selection([], "quiz", banks) == (None, 5)
    assert parse_selection(["basics"], "quiz", banks) == ("basics", 5)
    assert parse_selection(["多选", "2"], "quiz", banks) == ("多选", 2)
    assert parse_selection(["12"], "quiz", banks) == (None, 12)
    with pytest.raises(UserError, match="题数应为 1～20"):
        parse_selection(["basics", "21"], "quiz", banks)
    with pytest.raises(UserError, match="用法：/quiz"):
        parse_selection(["basics", "many"], "quiz", banks)
    with pytest.raises(UserError) as unknown:
        parse_selection(["nosuch"], "groupquiz", banks)
    assert unknown.value.message == (
        "没有 ID 或标签为“nosuch”的题库。可用的题库：basics（测试题库）、long（长题）\n"
        "可用的标签：多选、纪律处分"
    )
    with pytest.raises(UserError, match="目前没有可用的题库"):
        parse_selection([], "quiz", BankSet())


HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], (None, 5, HOUR)),
        (["basics", "3", "30分钟"], ("basics", 3, timedelta(minutes=30))),
        (["2小时", "basics"], ("basics", 5, timedelta(hours=2))),
        (["1天", "4"], (None, 4, timedelta(days=1))),
        (["5", "basics", "30天"], ("basics", 5, timedelta(days=30))),
        (["多选", "2"], ("多选", 2, HOUR)),
    ],
)
def test_group_selection_words_in_any_order(
    banks: BankSet, words: list[str], expected: tuple[str | None, int, timedelta]
) -> None:
    assert parse_group_selection(words, banks, HOUR) == expected


@pytest.mark.parametrize("duration", ["31天", "2分钟", "0小时", "2周", "1.5小时", "两小时"])
def test_a_bad_group_quiz_duration_is_explained(banks: BankSet, duration: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_group_selection(["basics", duration], banks, HOUR)
    assert refused.value.message == "时长应写成 30分钟、2小时 或 1天，最短 5 分钟，最长 30 天。"


def test_group_selection_usage_names_the_duration(banks: BankSet) -> None:
    with pytest.raises(UserError) as refused:
        parse_group_selection(["basics", "many", "1小时"], banks, timedelta(minutes=90))
    assert refused.value.message == (
        "用法：/groupquiz [题库ID或标签] [题数] [时长]，顺序不限。题数 1～20 道，默认 5 道；"
        "时长如 30分钟、2小时、1天，最长 30 天，默认 90分钟。\n例如：/groupquiz basics 5 30分钟"
    )
    with pytest.raises(UserError, match="用法：/groupquiz"):
        parse_group_selection(["1小时", "2小时"], banks, HOUR)
    with pytest.raises(UserError, match="题数应为 1～20"):
        parse_group_selection(["basics", "21", "1小时"], banks, HOUR)


# --- private quizzes --------------------------------------------------------------------


def test_unseen_first_across_quizzes(quizzes: PrivateQuizzes, store: Store) -> None:
    first = quizzes.start(MEMBER, ["basics", "3"])
    asked = set()
    view = first
    while view.keyboard:
        asked.add(question_in(view, quizzes.banks).id)
        press = answer(quizzes, view)
        assert press.follow_up is not None
        view = press.follow_up
    second = quizzes.start(MEMBER, ["basics", "2"])
    fresh = {"s1", "s2", "m1", "m2", "j1"} - asked
    assert len(asked) == 3 and question_in(second, quizzes.banks).id in fresh
    view, later = second, set()
    while view.keyboard:
        later.add(question_in(view, quizzes.banks).id)
        press = answer(quizzes, view)
        assert press.follow_up is not None
        view = press.follow_up
    assert later == fresh


def test_multiple_choice_toggles_then_submits(quizzes: PrivateQuizzes, store: Store) -> None:
    view = quizzes.start(MEMBER, ["多选", "1"])
    question = question_in(view, quizzes.banks)
    assert view.text.startswith("第 1/1 题 · 多选题\n")
    assert "\n\nA. " in view.text and "再点“提交”" in view.text
    assert [b.label for b in view.keyboard[0]][:2] == ["☐ A", "☐ B"]
    first = question.labels(question.answer)[0]
    toggled = quizzes.press(MEMBER, data_of(view, first))
    assert toggled.reply == f"已选：{first}。选好后请点“提交”。"
    assert toggled.keyboard is not None and f"☑ {first}" in [b.label for b in toggled.keyboard[0]]
    untoggled = quizzes.press(MEMBER, data_of(toggled, first))
    assert untoggled.reply == "还没有选择选项。"
    assert quizzes.press(MEMBER, data_of(untoggled, "提交")).reply.startswith("请先选择")
    submitted = answer(quizzes, view)
    right = question.letters(question.answer)
    assert submitted.reply == "✅ 回答正确"
    assert submitted.edit_text is not None and submitted.edit_text.endswith(
        f"✅ 回答正确！\n您的答案：{right}\n正确答案：{right}\n"
        f"解析：{question.explanation}\n出处：{question.source}"
    )
    assert submitted.follow_up == QuestionView(
        "🎉 答题完成！本组共 1 题，答对 1 题，正确率 100%。\n点“开始答题”或发送 /quiz 再来一组。"
    )
    (event,) = answer_events(store)
    record = AnswerRecord.from_event(event)
    assert (record.question_id, record.chosen, record.correct, record.mode) == (
        question.id,
        question.labels(question.answer),
        True,
        "private",
    )


def test_selection_buttons_say_what_they_set(quizzes: PrivateQuizzes, store: Store) -> None:
    view = quizzes.start(MEMBER, ["多选", "1"])
    question = question_in(view, quizzes.banks)
    first, second = question.labels(question.answer)[:2]
    select_first = data_of(view, first)
    assert select_first.endswith(":+0") and data_of(view, "提交").endswith(":s0")
    ticked = quizzes.press(MEMBER, select_first)
    assert quizzes.press(MEMBER, select_first) == ticked  # delivered again: still ticked
    assert ticked.keyboard is not None
    select_second = next(b.data for b in ticked.keyboard[0] if b.label == f"☐ {second}")
    after_second = quizzes.press(MEMBER, select_second)
    stale_submit = data_of(ticked, "提交")  # drawn before the second tick
    changed = quizzes.press(MEMBER, stale_submit)
    assert changed.reply == (
        f"按钮显示的不是您最新的选择，已为您刷新。当前已选：{first}、{second}。请核对后再点“提交”。"
    )
    assert changed.alert and changed.keyboard == after_second.keyboard
    assert answer_events(store) == []
    submitted = quizzes.press(MEMBER, data_of(after_second, "提交"))
    assert submitted.reply.startswith("✅") or submitted.reply.startswith("❌")
    again = quizzes.press(MEMBER, data_of(after_second, "提交"))
    assert again.reply == "这组答题已经结束。点“开始答题”或发送 /quiz 再来一组。"
    (event,) = answer_events(store)
    assert AnswerRecord.from_event(event).chosen == (first, second)


def test_wrong_answer_shows_the_right_one(quizzes: PrivateQuizzes, store: Store) -> None:
    view = quizzes.start(MEMBER, ["纪律处分", "1"])
    question = question_in(view, quizzes.banks)
    press = answer(quizzes, view, right=False)
    assert press.reply == f"❌ 回答错误，正确答案：{question.letters(question.answer)}"
    assert press.edit_text is not None and "❌ 回答错误。\n您的答案：A\n" in press.edit_text
    assert press.follow_up is not None and "发送 /review 复习" in press.follow_up.text
    assert store.member_quiz(MEMBER).member_progress.review_list() == [question.key]


def test_judge_questions_use_对_and_错(quizzes: PrivateQuizzes) -> None:
    view = quizzes.start(MEMBER, ["basics", "5"])
    while "判断题" not in view.text:
        press = answer(quizzes, view)
        assert press.follow_up is not None
        view = press.follow_up
    assert [b.label for b in view.keyboard[0]] == ["对", "错"]
    assert "A. " not in view.text


def test_stale_foreign_and_forged_presses_record_nothing(
    quizzes: PrivateQuizzes, store: Store
) -> None:
    view = quizzes.start(MEMBER, ["basics", "2"])
    first = answer(quizzes, view)
    assert first.follow_up is not None
    old_button = data_of(view, view.keyboard[0][0].label)
    state = store.member_quiz(MEMBER)
    session = state.session
    assert session is not None
    next_button = data_of(first.follow_up, first.follow_up.keyboard[0][0].label)
    answered = "这道题已经作答过了，以第一次作答为准。没看到下一题的话，请发送 /quiz 继续。"
    pressed = [
        (MEMBER, old_button, answered),
        (OTHER, next_button, "这不是您的题目，请发送 /quiz 开始您自己的答题。"),
        (MEMBER, "q:3:zz:1:0", "这个按钮已失效。发送 /quiz 继续答题。"),
        (MEMBER, next_button.rsplit(":", 1)[0] + ":9", "这个按钮已失效。发送 /quiz 继续答题。"),
        (
            MEMBER,
            next_button.replace(f":{session.id}:", ":abc:"),
            "这组答题已经结束。点“开始答题”或发送 /quiz 再来一组。",
        ),
        (MEMBER, f"q:{MEMBER}:{session.id}:5:0", "这个按钮已失效。发送 /quiz 继续答题。"),
        (MEMBER, "q:3:" + "a" * 80, "这个按钮已失效。发送 /quiz 继续答题。"),
    ]
    for user_id, data, reply in pressed:
        assert quizzes.press(user_id, data) == Press(reply), data
    assert store.member_quiz(MEMBER) == state
    assert len(answer_events(store)) == 1
    last = answer(quizzes, first.follow_up)
    assert last.follow_up is not None and last.follow_up.text.startswith(
        "🎉 答题完成！本组共 2 题"
    )
    assert quizzes.press(MEMBER, next_button) == Press(
        "这组答题已经结束。点“开始答题”或发送 /quiz 再来一组。"
    )
    assert len(answer_events(store)) == 2


def test_unfinished_quiz_resumes_after_a_restart(
    tmp_path: Path, banks: BankSet, clock: FakeClock
) -> None:
    store = Store(tmp_path / "data", SHANGHAI)
    before = PrivateQuizzes(store, banks, clock, SHANGHAI, random.Random(5))
    view = before.start(MEMBER, ["basics", "4"])
    for _ in range(2):
        press = answer(before, view, right=False)
        assert press.follow_up is not None
        view = press.follow_up
    store.close()

    store = Store(tmp_path / "data", SHANGHAI)
    after = PrivateQuizzes(store, banks, clock, SHANGHAI, random.Random(6))
    offer = after.start(MEMBER, ["long"])  # the unfinished quiz is offered first
    assert offer.text == "您还有一组答题没有完成（已答 2/4 题）。接着答，还是重新开始？"
    assert labels(offer) == [["继续（还剩 2 题）"], ["放弃并开始新的一组"]]
    resumed = after.choose(MEMBER, data_of(offer, "继续（还剩 2 题）"))
    header = "接着答第 3 题（共 4 题）："
    assert resumed.edit_text == f"{header}\n\n{view.text}"
    assert resumed.keyboard == view.keyboard and resumed.follow_up is None
    view = QuestionView(resumed.edit_text, resumed.keyboard)
    while view.keyboard:
        press = answer(after, view)
        assert press.follow_up is not None
        view = press.follow_up
    assert view.text.startswith("🎉 答题完成！本组共 4 题，答对 2 题，正确率 50%。")
    assert len(answer_events(store)) == 4
    store.close()


def test_a_crash_between_write_and_flush_loses_and_doubles_nothing(
    quizzes: PrivateQuizzes, store: Store, monkeypatch: pytest.MonkeyPatch, banks: BankSet
) -> None:
    view = quizzes.start(MEMBER, ["纪律处分", "2"])

    def crash(events: object) -> int:
        raise SystemExit("killed")

    with monkeypatch.context() as patched:
        patched.setattr(store, "record_events_once", crash)
        with pytest.raises(SystemExit):
            answer(quizzes, view)
    assert answer_events(store) == []
    assert len(store.member_quiz(MEMBER).outbox) == 1  # the answer waits in the outbox
    assert quizzes.recover() == 1
    assert quizzes.recover() == 0
    offer = quizzes.start(MEMBER, [])  # flushing again
    continued = quizzes.choose(MEMBER, data_of(offer, "继续（还剩 1 题）"))
    assert continued.edit_text is not None
    assert continued.edit_text.startswith("接着答第 2 题")
    answer(quizzes, QuestionView(continued.edit_text, continued.keyboard or ()))
    events = answer_events(store)
    assert len(events) == 2
    assert {e.data["answer_id"].split(":")[1] for e in events} == {"0", "1"}
    assert store.member_quiz(MEMBER).outbox == (events[1],)  # emptied by the next write


def test_review_list_fills_and_empties(quizzes: PrivateQuizzes, clock: FakeClock) -> None:
    assert quizzes.review(MEMBER) == QuestionView(
        "您的错题本是空的，继续保持！发送 /quiz 开始答题。"
    )
    view = quizzes.start(MEMBER, ["纪律处分", "2"])
    for _ in range(2):
        press = answer(quizzes, view, right=False)
        assert press.follow_up is not None
        view = press.follow_up
    review = quizzes.review(MEMBER)
    assert review.text.startswith("第 1/2 题")
    press = answer(quizzes, review)
    assert press.follow_up is not None
    press = answer(quizzes, press.follow_up)
    assert press.follow_up is not None
    assert press.follow_up.text == (
        "📘 复习完成！本次复习 2 题，答对 2 题；错题本还有 2 题，下次再练。\n"
        "同一道题在不同的两天连续答对，就会移出错题本。"
    )
    clock.advance(days=1)
    view = quizzes.review(MEMBER)
    for _ in range(2):
        press = answer(quizzes, view)
        assert press.follow_up is not None
        view = press.follow_up
    assert view.text == (
        "📘 复习完成！本次复习 2 题，答对 2 题，其中 2 题已从错题本移除；"
        "错题本已经清空，继续保持！"
    )
    assert quizzes.review(MEMBER).text.startswith("您的错题本是空的")


def test_a_review_that_leaves_questions_reads_as_progress(
    quizzes: PrivateQuizzes, clock: FakeClock
) -> None:
    view = quizzes.start(MEMBER, ["basics", "3"])
    for right in (False, False, False, True, True, True):  # wrong today, right tomorrow
        if len(view.keyboard) == 0:
            clock.advance(days=1)
            view = quizzes.review(MEMBER)
        press = answer(quizzes, view, right=right)
        assert press.follow_up is not None
        view = press.follow_up
    assert view.text.startswith("📘 复习完成！本次复习 3 题，答对 3 题；错题本还有 3 题，下次再练")
    clock.advance(days=1)
    view = quizzes.review(MEMBER)
    for right in (True, True, False):
        press = answer(quizzes, view, right=right)
        assert press.follow_up is not None
        view = press.follow_up
    assert view.text == (
        "📘 复习完成！本次复习 3 题，答对 2 题，其中 2 题已从错题本移除；"
        "错题本还有 1 题，下次再练。"
    )


def test_review_answers_are_recorded_as_review(quizzes: PrivateQuizzes, store: Store) -> None:
    view = quizzes.start(MEMBER, ["纪律处分", "1"])
    answer(quizzes, view, right=False)
    answer(quizzes, quizzes.review(MEMBER))
    modes = [AnswerRecord.from_event(e).mode for e in answer_events(store)]
    assert modes == ["private", "review"]


def test_private_answers_are_filed_under_the_members_branch(
    quizzes: PrivateQuizzes, store: Store, organization: Organization
) -> None:
    organization.seen_in_group(OFFICE_CHAT, ChatUser(MEMBER, "小王"))
    answer(quizzes, quizzes.start(MEMBER, ["basics", "1"]))
    (event,) = [e for e in store.events("office", "2026-11") if e.kind == "quiz_answer"]
    assert event.user_id == MEMBER and event.branch_id == "office"


def test_callback_data_fits_telegram(
    quizzes: PrivateQuizzes, group: GroupQuizzes, office: Branch
) -> None:
    view = quizzes.start(10**15 - 1, ["basics", "20"])  # the longest user id there is
    buttons = [b for row in view.keyboard for b in row]
    plan = group.create(office, OFFICE_CHAT, "long", 20, timedelta(hours=168))
    buttons += [b for q in plan.questions for row in q.keyboard for b in row]
    assert buttons and all(len(b.data.encode()) <= MAX_CALLBACK_DATA for b in buttons)


# --- group quizzes --------------------------------------------------------------------------


def sent(group: GroupQuizzes, plan: GroupQuizPlan) -> dict[str, str]:
    """Pretend every question went out; return each question id's poll id."""
    polls = {}
    for view in plan.questions:
        question_id = plan.quiz.questions[view.index].question_id
        poll_id = None if view.delivery == BUTTONS else f"poll-{question_id}"
        group.question_sent(plan.quiz.id, view.index, 100 + view.index, poll_id)
        if poll_id:
            polls[question_id] = poll_id
    group.opened(plan.quiz.id)
    return polls


def test_group_questions_go_out_as_polls_or_buttons(
    group: GroupQuizzes, office: Branch, banks: BankSet
) -> None:
    plan = group.create(office, OFFICE_CHAT, None, 20, timedelta(hours=1))
    assert plan.quiz.status == "sending" and plan.quiz.title == "综合"
    assert plan.intro == (
        "📝 办公室党支部知识测验：综合\n共 7 题，11月2日 10:00 截止。\n"
        "请直接在下面的题目里作答，每题以第一次作答为准；截止后公布结果。"
    )
    deliveries = {}
    for view in plan.questions:
        asked = plan.quiz.questions[view.index]
        question = banks.question(asked.key)
        assert question is not None and asked.delivery == view.delivery
        deliveries[question.id] = view.delivery
        if view.delivery == QUIZ_POLL:
            assert view.open_period == 3600  # the whole hour: Telegram closes it on time
            assert view.correct_option_ids == tuple(sorted(question.answer))
            assert view.explanation == f"{question.explanation}\n{question.source}"
            multiple = question.id.startswith("m")
            assert view.multiple == multiple and view.shuffle == (question.id != "j1")
            suffix = "（多选）" if multiple else ""
            assert view.text == f"{view.index + 1}/7 {question.text}{suffix}"
            assert view.options == question.options
        else:
            assert view.text.startswith(f"第 {view.index + 1}/7 题")
            assert view.keyboard
    assert deliveries == {
        "s1": QUIZ_POLL,
        "s2": QUIZ_POLL,
        "j1": QUIZ_POLL,
        "m1": QUIZ_POLL,
        "m2": QUIZ_POLL,
        "l1": BUTTONS,
        "l2": BUTTONS,
    }
    correct = {
        plan.quiz.questions[v.index].question_id: v.correct_option_ids for v in plan.questions
    }
    assert correct["m2"] == (0, 1, 3) and correct["j1"] == (0,)  # the bank's A, B, D and 对


@pytest.mark.parametrize(
    ("open_for", "open_period"),
    [
        (timedelta(minutes=5), 300),
        (timedelta(hours=2), 7200),
        (timedelta(days=30), 2_592_000),
        (timedelta(days=31), 2_628_000),  # Telegram's longest; the scheduler closes the rest
        (timedelta(seconds=4), None),  # too short for Telegram: the scheduler closes it
    ],
)
def test_polls_stay_open_for_the_whole_quiz(
    group: GroupQuizzes, office: Branch, open_for: timedelta, open_period: int | None
) -> None:
    plan = group.create(office, OFFICE_CHAT, "basics", 2, open_for)
    assert {view.open_period for view in plan.questions} == {open_period}
    assert plan.quiz.closes_at - plan.quiz.started_at == open_for


def test_a_command_sent_again_finds_the_quiz_it_started(
    group: GroupQuizzes, office: Branch, store: Store
) -> None:
    """Telegram sends /groupquiz again when the bot was killed before confirming it."""
    command = f"{OFFICE_CHAT}:57"
    assert not group.already_started(OFFICE_CHAT, command)
    plan = group.create(office, OFFICE_CHAT, "basics", 2, timedelta(hours=1), command)
    assert group.already_started(OFFICE_CHAT, command)
    assert not group.already_started(OFFICE_CHAT, f"{OFFICE_CHAT}:58")  # the next command
    # Another chat's command with the same digest gets its own quiz, not the first one's.
    other = group.create(office, -100222, "basics", 2, timedelta(hours=1), command)
    assert other.quiz.id != plan.quiz.id
    assert not group.already_started(-100222, command)
    assert store.group_quiz(plan.quiz.id) == plan.quiz


def test_poll_answers_are_kept_once_per_member_and_question(
    group: GroupQuizzes, office: Branch, store: Store
) -> None:
    plan = group.create(office, OFFICE_CHAT, "basics", 5, timedelta(hours=1))
    polls = sent(group, plan)
    assert group.record_poll_answer(polls["s1"], 31, []) is not None  # retracted: nothing
    assert group.record_poll_answer(polls["s1"], 31, [2]) is not None
    group.record_poll_answer(polls["s1"], 31, [0])  # a second vote changes nothing
    group.record_poll_answer(polls["m1"], 31, [0, 2])
    group.record_poll_answer(polls["m1"], 32, [0, 9])  # no option 9: forged, ignored
    assert group.record_poll_answer("unknown-poll", 31, [0]) is None
    quiz = store.group_quiz(plan.quiz.id)
    assert quiz is not None
    answers = {q.question_id: q.answers for q in quiz.questions}
    assert {u: (a.chosen, a.correct) for u, a in answers["s1"].items()} == {31: (("C",), True)}
    assert {u: (a.chosen, a.correct) for u, a in answers["m1"].items()} == {31: (("A", "C"), True)}
    assert answer_events(store) == []  # the records get them at the close


def test_close_records_once_and_summarizes(
    group: GroupQuizzes, office: Branch, store: Store, clock: FakeClock, organization: Organization
) -> None:
    for user_id, name in [(31, "甲"), (32, "乙"), (33, "丙")]:
        organization.seen_in_group(OFFICE_CHAT, ChatUser(user_id, name))
    plan = group.create(office, OFFICE_CHAT, "basics", 5, timedelta(hours=1))
    polls = sent(group, plan)
    right = {"s1": [2], "s2": [1], "m1": [0, 2], "m2": [0, 1, 3], "j1": [0]}
    for question_id, options in right.items():
        group.record_poll_answer(polls[question_id], 31, options)
        group.record_poll_answer(polls[question_id], 32, options if question_id != "j1" else [1])
    group.record_poll_answer(polls["s1"], 33, [2])
    assert group.due_closes() == []
    clock.advance(hours=1)
    (due,) = group.due_closes()
    group.begin_close(due.id)
    group.record_poll_answer(polls["s2"], 33, [1])  # too late: the quiz is closing
    summary = group.finish_close(due.id)
    order = [q.question_id for q in plan.quiz.questions]
    named = {
        "s1": "党员的纪律处分共有几种？\n答案：C. 五种；正确率 100%（3/3）",
        "s2": "留党察看最长不超过多长时间？\n答案：B. 二年；正确率 100%（2/2）",
        "m1": "下列属于党的纪律处分的有：\n答案：A. 警告、C. 留党察看；正确率 100%（2/2）",
        "m2": "下列属于党的六项纪律的有：\n"
        "答案：A. 政治纪律、B. 组织纪律、D. 群众纪律；正确率 100%（2/2）",
        "j1": "党员受到警告处分，一年内不得在党内提拔职…\n答案：对；正确率 50%（1/2）",
    }
    lines = "\n".join(f"第 {n} 题：{named[q]}" for n, q in enumerate(order, start=1))
    assert summary == (
        f"📊 办公室党支部知识测验“测试题库”已截止。\n参与 3 人。\n各题答案和正确率：\n{lines}\n"
        "全部答对（1 人）：甲\n\n"
        f"💡 正确率最低的是第 {order.index('j1') + 1} 题（50%）。\n"
        "解析：警告处分的影响期为一年。\n出处：《中国共产党纪律处分条例》第十条"
    )
    events = answer_events(store)
    assert len(events) == 11
    assert {e.data["answer_id"] for e in events} == {
        f"{polls[q]}:{u}" for q in right for u in (31, 32)
    } | {f"{polls['s1']}:33"}
    assert all(AnswerRecord.from_event(e).mode == "group" for e in events)
    assert group.due_closes() == []
    progress = store.member_quiz(32).member_progress
    assert progress.review_list() == [("basics", "j1")]
    assert progress.progress(("basics", "s1")).times_answered == 1


def test_a_close_interrupted_by_a_crash_is_redone_without_doubles(
    group: GroupQuizzes,
    office: Branch,
    store: Store,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = group.create(office, OFFICE_CHAT, "basics", 5, timedelta(hours=1))
    polls = sent(group, plan)
    for user_id in (31, 32):
        group.record_poll_answer(polls["s1"], user_id, [0])
    clock.advance(hours=2)
    group.begin_close(plan.quiz.id)
    calls = []
    original = group._count_in_progress

    def crash_on_second(quiz: GroupQuiz, user_id: int) -> None:
        calls.append(user_id)
        if len(calls) == 2:
            raise SystemExit("killed")
        original(quiz, user_id)

    with monkeypatch.context() as patched:
        patched.setattr(group, "_count_in_progress", crash_on_second)
        with pytest.raises(SystemExit):
            group.finish_close(plan.quiz.id)
    (due,) = group.due_closes()  # still "closing": the next round redoes it
    assert due.status == "closing"
    assert group.finish_close(due.id) is not None
    assert group.finish_close(due.id) is None  # claimed: a second close posts nothing
    assert len(answer_events(store)) == 2
    for user_id in (31, 32):
        progress = store.member_quiz(user_id).member_progress
        assert progress.progress(("basics", "s1")).times_answered == 1


def test_group_button_questions_take_one_answer_per_member(
    group: GroupQuizzes, office: Branch, store: Store, clock: FakeClock
) -> None:
    plan = group.create(office, OFFICE_CHAT, "long", 2, timedelta(hours=1))
    sent(group, plan)
    views = {plan.quiz.questions[v.index].question_id: v for v in plan.questions}
    single, multiple = views["l1"], views["l2"]
    assert [b.label for b in single.keyboard[0]] == ["A", "B", "C"]
    assert [b.label for b in multiple.keyboard[0]] == ["A", "B", "C"]

    def reply(user_id: int, chat_id: int, view: GroupQuestionView, label: str) -> str:
        return press_in_group(group, user_id, chat_id, data_of(view, label)).reply

    right = press_in_group(group, 31, OFFICE_CHAT, data_of(single, "B"))
    assert right == Press("✅ 回答正确", alert=True)
    assert reply(31, OFFICE_CHAT, single, "A").startswith("这道题已经作答过")
    assert press_in_group(group, 32, OFFICE_CHAT, data_of(single, "A")) == Press(
        "❌ 回答错误，正确答案：B", alert=True
    )
    assert reply(31, OFFICE_CHAT, multiple, "A").startswith("已选：A。")
    assert reply(32, OFFICE_CHAT, multiple, "提交").startswith("请先选择")
    assert reply(31, OFFICE_CHAT, multiple, "C").startswith("已选：A、C。")
    assert reply(31, OFFICE_CHAT, multiple, "提交") == "✅ 回答正确"
    assert reply(33, -999, single, "B").startswith("这个按钮已失效")
    forged = press_in_group(group, 33, OFFICE_CHAT, "g:2611-zzzzzzzz:0:1")
    assert forged.reply.startswith("这个按钮已失效")
    unknown = press_in_group(group, 33, OFFICE_CHAT, "g:2611-00000000:0:1")
    assert unknown.reply.startswith("这个按钮已失效")
    clock.advance(hours=1)
    group.begin_close(plan.quiz.id)
    closed = press_in_group(group, 33, OFFICE_CHAT, data_of(single, "B"))
    assert closed == Press("这次测验已经截止，不能再作答了。")
    summary = group.finish_close(plan.quiz.id)
    assert summary is not None
    assert "\n参与 2 人。\n" in summary and "\n全部答对（1 人）：31\n" in summary
    assert summary.endswith(
        "（50%）。\n解析：党的纪律对全体党员一律适用。\n出处：《中国共产党章程》第四十条"
    )
    assert len(answer_events(store)) == 3


def test_a_group_toggle_delivered_twice_counts_once(
    group: GroupQuizzes, office: Branch, store: Store
) -> None:
    plan = group.create(office, OFFICE_CHAT, "long", 2, timedelta(hours=1))
    sent(group, plan)
    multiple = next(v for v in plan.questions if plan.quiz.questions[v.index].question_id == "l2")
    for press_id, label in [("p1", "A"), ("p2", "C"), ("p2", "C"), ("p1", "A")]:
        pressed = group.press(31, OFFICE_CHAT, data_of(multiple, label), press_id)
        assert pressed.reply == "已选：A、C。选好后请点“提交”。" or press_id == "p1"
    assert group.press(31, OFFICE_CHAT, data_of(multiple, "提交"), "p3").reply == "✅ 回答正确"
    again = group.press(31, OFFICE_CHAT, data_of(multiple, "提交"), "p3")
    assert again.reply == "这道题已经作答过了，以第一次作答为准。"
    quiz = store.group_quiz(plan.quiz.id)
    assert quiz is not None
    asked = quiz.questions[multiple.index]
    assert asked.answers[31].chosen == ("A", "C") and asked.presses == {} and asked.selecting == {}


def test_a_summary_is_claimed_once_and_a_cut_off_claim_is_reported(
    group: GroupQuizzes,
    office: Branch,
    store: Store,
    clock: FakeClock,
    organization: Organization,
    banks: BankSet,
) -> None:
    plan = group.create(office, OFFICE_CHAT, "basics", 2, timedelta(hours=1))
    sent(group, plan)
    clock.advance(hours=1)
    group.begin_close(plan.quiz.id)
    summary = group.finish_close(plan.quiz.id)  # claimed; then the bot is killed
    assert summary is not None and summary.startswith("📊 办公室党支部知识测验")
    assert group.due_closes() == [] and group.finish_close(plan.quiz.id) is None
    restarted = GroupQuizzes(organization, banks, clock, SHANGHAI)
    (notice,) = restarted.recover()
    assert notice.text == (
        "⚠️ 办公室党支部的测验结果发送时中断或超时，无法确认是否已发到群里。"
        "请到群里核对；没有收到的话，可把下面的结果转发到群里（机器人不会重发，以免重复）：\n"
        + summary
    )
    assert restarted.recover() == [] and restarted.due_closes() == []
    quiz = store.group_quiz(plan.quiz.id)
    assert quiz is not None and (quiz.status, quiz.summary_status) == ("closed", "uncertain")


def test_a_summary_nothing_was_sent_of_is_tried_again(
    group: GroupQuizzes, office: Branch, store: Store, clock: FakeClock
) -> None:
    plan = group.create(office, OFFICE_CHAT, "basics", 2, timedelta(hours=1))
    sent(group, plan)
    clock.advance(hours=1)
    group.begin_close(plan.quiz.id)
    assert group.finish_close(plan.quiz.id) is not None
    group.summary_later(plan.quiz.id)  # Telegram was unreachable
    (due,) = group.due_closes()
    group.begin_close(due.id)
    assert group.finish_close(due.id) is not None
    group.summary_posted(due.id, 77)
    assert group.due_closes() == [] and group.recover() == []
    quiz = store.group_quiz(plan.quiz.id)
    assert quiz is not None
    assert (quiz.status, quiz.summary_status, quiz.summary_message_id) == ("closed", "sent", 77)


def test_a_stored_multiple_answer_poll_still_closes_and_grades(
    group: GroupQuizzes, store: Store, clock: FakeClock
) -> None:
    """A quiz sent by the release before, its multiple choice as a regular poll, closes as
    it would have: graded by the bot from the options voted."""
    quiz = GroupQuiz(
        id="2611-0000beef",
        branch_id="office",
        chat_id=OFFICE_CHAT,
        title="测试题库",
        started_at=clock(),
        closes_at=clock() + HOUR,
        status="open",
        questions=(GroupQuestion("basics", "m1", MULTIPLE_POLL, "old-poll", 90),),
    )
    store.save_group_quiz(quiz)
    assert group.record_poll_answer("old-poll", 31, [0, 2]) is not None
    group.record_poll_answer("old-poll", 32, [0])
    clock.advance(hours=1)
    (due,) = group.due_closes()
    group.begin_close(due.id)
    summary = group.finish_close(due.id)
    assert summary is not None
    assert (
        "第 1 题：下列属于党的纪律处分的有：\n答案：A. 警告、C. 留党察看；正确率 50%（1/2）"
        in summary
    )
    assert [AnswerRecord.from_event(e).correct for e in answer_events(store)] == [True, False]


def test_the_summary_leaves_out_the_hardest_when_all_were_right(
    group: GroupQuizzes, office: Branch, clock: FakeClock
) -> None:
    plan = group.create(office, OFFICE_CHAT, "basics", 2, HOUR)
    polls = sent(group, plan)
    for question_id, poll_id in polls.items():
        question = group.banks.question(("basics", question_id))
        assert question is not None
        group.record_poll_answer(poll_id, 31, sorted(question.answer))
    clock.advance(hours=1)
    group.begin_close(plan.quiz.id)
    summary = group.finish_close(plan.quiz.id)
    assert summary is not None and "💡" not in summary
    assert summary.endswith("全部答对（1 人）：31")


def test_an_unanswered_or_deleted_question_is_still_listed(
    group: GroupQuizzes, office: Branch, clock: FakeClock, store: Store
) -> None:
    plan = group.create(office, OFFICE_CHAT, "basics", 2, HOUR)
    sent(group, plan)
    gone = plan.quiz.with_question(1, GroupQuestion("basics", "deleted", QUIZ_POLL))
    store.save_group_quiz(gone)
    summary = group.summary_text(gone)
    first = group.banks.question(plan.quiz.questions[0].key)
    assert first is not None
    assert f"第 1 题：{first.text}\n答案：" in summary and "；无人作答\n" in summary
    assert "第 2 题：（此题已从题库删除）\n答案：—；无人作答\n" in summary
    assert "💡" not in summary and summary.endswith("全部答对（0 人）：无")


def test_a_long_summary_fits_one_message(
    organization: Organization, clock: FakeClock, office: Branch, store: Store
) -> None:
    options = tuple(f"第{i}个选项" + "很长的选项文字" * 10 for i in range(6))
    questions = tuple(
        Question(
            "big",
            f"q{n}",
            QuestionType.MULTIPLE,
            f"第{n}题" + "题干" * 140,
            options,
            frozenset(range(6)),
            "解析" * 90,
            "出处",
        )
        for n in range(20)
    )
    banks = BankSet(banks=(Bank("big", "大题库", "quizzes/big.yaml", questions),))
    group = GroupQuizzes(organization, banks, clock, SHANGHAI, random.Random(3))
    plan = group.create(office, OFFICE_CHAT, "big", 20, HOUR)
    # 300 answerers, half of them right everywhere: answers written at once, not one by one.
    answers = {
        user_id: GroupAnswer(("A",), user_id % 2 == 1, clock()) for user_id in range(1000, 1300)
    }
    quiz = replace(
        plan.quiz, questions=tuple(replace(q, answers=answers) for q in plan.quiz.questions)
    )
    summary = group.summary_text(quiz)
    assert len(summary) <= MAX_MESSAGE and summary.endswith("…")
    assert summary.startswith("📊 办公室党支部知识测验“大题库”已截止。\n参与 300 人。\n")
    names = [line.split("：", 1)[1] for line in summary.split("\n") if line.startswith("第 ")]
    assert len(names) == 20 and all(len(name) == 21 and name.endswith("…") for name in names)
    assert "答案：A. 第0个选项很长的选项文字很长的选项文字很…、B. 第1个选项" in summary
    store.save_group_quiz(quiz)  # the admins' notice, a line before the summary, fits too
    notice = group.summary_failed(quiz.id, "Forbidden: bot was kicked from the group chat")
    assert len(notice.text) <= MAX_MESSAGE and notice.text.startswith("⚠️ 办公室党支部的测验结果")
