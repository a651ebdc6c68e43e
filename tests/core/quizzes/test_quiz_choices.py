"""The buttons before a private quiz's questions: 题数, 题库, 继续 and 放弃, each pressed
twice (a redelivery), late, or forged."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from core import messages
from core.config.banks import BankSet, load_banks
from core.errors import UserError
from core.quizzes.choices import count_keyboard, parse_choice, selection_keyboard, then_quiz
from core.quizzes.private_quiz import PrivateQuizzes
from core.quizzes.views import MAX_CALLBACK_DATA, Press, QuestionView
from core.store.database import Store
from tests.conftest import SHANGHAI, FakeClock
from tests.core.quizzes.test_quizzing import (
    FIXTURE_BANKS,
    MEMBER,
    answer,
    answer_events,
    data_of,
    labels,
)


@pytest.fixture
def banks() -> BankSet:
    return load_banks(FIXTURE_BANKS)


@pytest.fixture
def quizzes(store: Store, banks: BankSet, clock: FakeClock) -> PrivateQuizzes:
    return PrivateQuizzes(store, banks, clock, SHANGHAI, random.Random(1))


def as_view(press: Press) -> QuestionView:
    """The pressed message as it reads after the press."""
    assert press.edit_text is not None
    return QuestionView(press.edit_text, press.keyboard or ())


def test_quiz_alone_asks_the_count_then_the_bank_or_tag(
    quizzes: PrivateQuizzes, store: Store
) -> None:
    menu = quizzes.start(MEMBER, [])
    assert menu.text == "请选择这组答题的题数："
    assert labels(menu) == [["5 题", "10 题", "20 题"]]
    assert store.member_quiz(MEMBER).session is None  # nothing stored until a bank is chosen
    step = quizzes.choose(MEMBER, data_of(menu, "10 题"))
    assert step.edit_text == "这组答 10 题。请选择题库或专题："
    assert labels(step) == [["综合", "测试题库", "长题"], ["多选", "纪律处分"]]
    again = quizzes.choose(MEMBER, data_of(menu, "10 题"))  # the same press, redelivered
    assert again == step
    started = quizzes.choose(MEMBER, data_of(step, "纪律处分"))
    assert started.edit_text == "已选择：纪律处分，10 题。"
    assert started.keyboard is None and started.follow_up is not None
    assert started.follow_up.text.startswith("第 1/2 题")  # the tag has two questions
    session = store.member_quiz(MEMBER).session
    replayed = quizzes.choose(MEMBER, data_of(step, "纪律处分"))
    assert replayed == Press("这组答题已经开始了，请在题目下面作答。")
    assert store.member_quiz(MEMBER).session == session  # no second quiz
    assert quizzes.choose(MEMBER, data_of(menu, "5 题")) == replayed  # nor a step back
    for _ in range(2):
        press = answer(quizzes, started.follow_up)
        started = Press("", follow_up=press.follow_up)
    late = quizzes.choose(MEMBER, data_of(step, "综合"))
    assert late == Press("这组答题已经结束。点“开始答题”或发送 /quiz 再来一组。")


def test_every_bank_button_starts_that_bank(quizzes: PrivateQuizzes, store: Store) -> None:
    step = quizzes.choose(MEMBER, data_of(quizzes.start(MEMBER, []), "5 题"))
    started = quizzes.choose(MEMBER, data_of(step, "长题"))
    session = store.member_quiz(MEMBER).session
    assert session is not None and {k[0] for k in session.question_keys} == {"long"}
    assert started.edit_text == "已选择：长题，5 题。"


def test_a_choice_whose_bank_went_away_asks_again(quizzes: PrivateQuizzes, banks: BankSet) -> None:
    step = quizzes.choose(MEMBER, data_of(quizzes.start(MEMBER, []), "5 题"))
    quizzes.banks = BankSet(tuple(b for b in banks.banks if b.id != "long"))  # a /reload
    gone = quizzes.choose(MEMBER, data_of(step, "长题"))
    assert gone.reply == "这个题库或专题已经没有了，请重新选择。"
    assert labels(gone) == [["测试题库", "多选", "纪律处分"]]


def test_an_unfinished_quiz_is_offered_to_continue_or_abandon(
    quizzes: PrivateQuizzes, store: Store
) -> None:
    first = quizzes.start(MEMBER, ["basics", "3"])
    second = answer(quizzes, first).follow_up
    assert second is not None
    offer = quizzes.start(MEMBER, [])
    assert offer.text == "您还有一组答题没有完成（已答 1/3 题）。接着答，还是重新开始？"
    assert labels(offer) == [["继续（还剩 2 题）"], ["放弃并开始新的一组"]]
    continued = quizzes.choose(MEMBER, data_of(offer, "继续（还剩 2 题）"))
    assert continued.edit_text == f"接着答第 2 题（共 3 题）：\n\n{second.text}"
    assert continued.keyboard == second.keyboard
    assert quizzes.choose(MEMBER, data_of(offer, "继续（还剩 2 题）")) == continued  # replay
    answer(quizzes, as_view(continued))
    stale = quizzes.choose(MEMBER, data_of(offer, "继续（还剩 2 题）"))
    assert stale == Press("已经接着答了，请在最新的题目下面作答。")

    abandoned = quizzes.choose(MEMBER, data_of(offer, "放弃并开始新的一组"))
    assert abandoned.reply == "已放弃未完成的一组（已答的题照常计分）。"
    assert (
        as_view(abandoned).text
        == "已放弃未完成的一组（已答的题照常计分）。\n\n请选择这组答题的题数："
    )
    assert labels(abandoned) == [["5 题", "10 题", "20 题"]]
    session = store.member_quiz(MEMBER).session
    assert session is not None and session.finished and session.correct_count == 2
    replay = quizzes.choose(MEMBER, data_of(offer, "放弃并开始新的一组"))
    assert replay == Press(messages.QUIZ_SESSION_GONE)
    assert quizzes.choose(MEMBER, data_of(offer, "继续（还剩 2 题）")) == replay


def test_abandoning_for_the_quiz_the_command_named_starts_it(
    quizzes: PrivateQuizzes, store: Store
) -> None:
    answer(quizzes, quizzes.start(MEMBER, ["basics", "3"]))
    offer = quizzes.start(MEMBER, ["long", "2"])
    abandoned = quizzes.choose(MEMBER, data_of(offer, "放弃并开始新的一组"))
    assert abandoned.edit_text == "已放弃未完成的一组（已答的题照常计分）。"
    assert abandoned.follow_up is not None
    assert abandoned.follow_up.text.startswith("第 1/2 题")
    session = store.member_quiz(MEMBER).session
    assert session is not None and {k[0] for k in session.question_keys} == {"long"}
    replay = quizzes.choose(MEMBER, data_of(offer, "放弃并开始新的一组"))
    assert replay.follow_up is None and store.member_quiz(MEMBER).session == session


def test_review_with_a_quiz_unfinished_offers_to_abandon_it_for_the_review(
    quizzes: PrivateQuizzes, store: Store
) -> None:
    view = quizzes.start(MEMBER, ["basics", "2"])
    answer(quizzes, view, right=False)
    offer = quizzes.review(MEMBER)
    assert labels(offer) == [["继续（还剩 1 题）"], ["放弃并开始错题复习"]]
    review = quizzes.choose(MEMBER, data_of(offer, "放弃并开始错题复习"))
    assert review.follow_up is not None and review.follow_up.text.startswith("第 1/1 题")
    session = store.member_quiz(MEMBER).session
    assert session is not None and session.mode == "review"


def test_bad_selection_words_change_nothing(
    quizzes: PrivateQuizzes, store: Store, clock: FakeClock
) -> None:
    answer(quizzes, quizzes.start(MEMBER, ["basics", "3"]))
    before = store.member_quiz(MEMBER)
    with pytest.raises(UserError, match="没有 ID 或标签为“nosuch”的题库"):
        quizzes.start(MEMBER, ["nosuch"])
    assert store.member_quiz(MEMBER) == before
    with pytest.raises(UserError, match="目前没有可用的题库"):
        PrivateQuizzes(store, BankSet(), clock, SHANGHAI).start(MEMBER + 1, [])


@pytest.mark.parametrize(
    "data",
    [
        "qn:abc",  # no count
        "qn:abc:5:basics",  # a count button names no bank
        "qs:abc:5",  # a bank button names one ('' for 综合)
        "qs:abc:21:basics",  # more than a quiz holds
        "qs:abc:0:basics",
        "qc:abc:x",
        "qa:abc:z",
        "qa:abc:q:5",
        "qx:abc:5",
        "qn:ABC:5",
    ],
)
def test_forged_choices_are_refused(quizzes: PrivateQuizzes, store: Store, data: str) -> None:
    assert parse_choice(data) is None
    assert quizzes.choose(MEMBER, data) == Press("这个按钮已失效。发送 /quiz 继续答题。")
    assert store.member_quiz(MEMBER).session is None


def test_choice_buttons_fit_telegrams_limit(banks: BankSet) -> None:
    draw = "f" * 16
    long_tag = "很" * 30
    bank = banks.banks[0]
    tagged = replace(bank.questions[0], tags=frozenset({long_tag}))
    wide = BankSet((replace(bank, questions=(tagged,)),))
    shown = [b.label for row in selection_keyboard(wide, draw, 20) for b in row]
    assert long_tag not in shown  # too long for a button's data: /quiz 很很… still works
    every = [*count_keyboard(draw), *selection_keyboard(banks, draw, 20)]
    assert all(len(b.data.encode()) <= MAX_CALLBACK_DATA for row in every for b in row)
    assert then_quiz(20, long_tag) == "m"  # 放弃 then shows the 题数 buttons instead
    assert then_quiz(10, "basics") == "q:10:basics"


def test_choices_survive_a_restart(tmp_path: Path, banks: BankSet, clock: FakeClock) -> None:
    store = Store(tmp_path / "data", SHANGHAI)
    before = PrivateQuizzes(store, banks, clock, SHANGHAI, random.Random(5))
    step = before.choose(MEMBER, data_of(before.start(MEMBER, []), "5 题"))
    store.close()
    store = Store(tmp_path / "data", SHANGHAI)
    after = PrivateQuizzes(store, banks, clock, SHANGHAI, random.Random(6))
    started = after.choose(MEMBER, data_of(step, "测试题库"))
    assert started.follow_up is not None and started.follow_up.text.startswith("第 1/5 题")
    store.close()


def test_a_draw_replayed_after_its_quiz_was_abandoned_reuses_no_answer_id(
    quizzes: PrivateQuizzes, store: Store
) -> None:
    step = quizzes.choose(MEMBER, data_of(quizzes.start(MEMBER, []), "5 题"))
    first = quizzes.choose(MEMBER, data_of(step, "测试题库")).follow_up
    assert first is not None
    answer(quizzes, first)
    offer = quizzes.start(MEMBER, [])
    quizzes.choose(MEMBER, data_of(offer, "放弃并开始新的一组"))
    replayed = quizzes.choose(MEMBER, data_of(step, "测试题库"))  # after the 放弃
    assert replayed == Press("这组答题已经结束。点“开始答题”或发送 /quiz 再来一组。")
    answer(quizzes, quizzes.start(MEMBER, ["long", "1"]))  # another quiz since: forgotten
    again = quizzes.choose(MEMBER, data_of(step, "测试题库")).follow_up
    assert again is not None and again.text.startswith("第 1/5 题")  # the draw, once more
    answer(quizzes, again)
    ids = [e.data["answer_id"] for e in answer_events(store)]
    assert len(ids) == len(set(ids)) == 3  # yet under a new session id: no answer lost
