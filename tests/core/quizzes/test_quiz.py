"""Quiz sessions, answer records and the review list (错题本) rules."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.config.banks import Question, QuestionType
from core.quizzes.questions import grade, pick_questions
from core.store.documents import converter
from core.store.quiz_sessions import AnswerRecord, MemberProgress, QuestionProgress, QuizSession

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 2)
TUESDAY = MONDAY + timedelta(days=1)
KEY = ("discipline-basics", "dq-001")


def question(question_id: str, kind: QuestionType = QuestionType.SINGLE) -> Question:
    options = ("对", "错") if kind is QuestionType.JUDGE else ("甲", "乙", "丙", "丁")
    answer = frozenset({0, 2}) if kind is QuestionType.MULTIPLE else frozenset({0})
    return Question("bank", question_id, kind, "题干", options, answer, "解析", "出处")


def history(*answers: tuple[bool, date]) -> QuestionProgress:
    progress = QuestionProgress()
    for correct, day in answers:
        progress = progress.after_answer(correct, day)
    return progress


def test_wrong_answer_puts_question_in_review() -> None:
    progress = history((True, MONDAY), (False, MONDAY))
    assert progress.in_review
    assert (progress.times_answered, progress.times_right, progress.right_streak) == (2, 1, 0)


def test_right_twice_the_same_day_does_not_clear() -> None:
    assert history((False, MONDAY), (True, MONDAY), (True, MONDAY)).in_review


def test_right_wrong_right_does_not_clear() -> None:
    assert history((False, MONDAY), (True, MONDAY), (False, TUESDAY), (True, TUESDAY)).in_review


def test_right_on_two_different_days_clears() -> None:
    progress = history((False, MONDAY), (True, MONDAY), (True, TUESDAY))
    assert not progress.in_review
    assert progress.last_right_day == TUESDAY


def test_first_right_after_a_wrong_counts_even_on_the_day_of_an_earlier_right() -> None:
    # right, wrong, right on Monday starts a fresh streak, so Tuesday's right clears it.
    progress = history((True, MONDAY), (False, MONDAY), (True, MONDAY), (True, TUESDAY))
    assert not progress.in_review


def test_member_progress_review_list_and_seen() -> None:
    other = ("discipline-basics", "dq-000")
    progress = MemberProgress(7).record(KEY, False, MONDAY).record(other, False, MONDAY)
    progress = progress.record(("a-bank", "x"), True, MONDAY)
    assert progress.review_list() == [other, KEY]
    assert progress.seen(KEY) and not progress.seen(("a-bank", "y"))
    cleared = progress.record(KEY, True, MONDAY).record(KEY, True, TUESDAY)
    assert cleared.review_list() == [other]
    assert progress.review_list() == [other, KEY]  # the old value is untouched


def test_member_progress_serializes_keys_as_bank_slash_question() -> None:
    progress = MemberProgress(7).record(KEY, False, MONDAY)
    data = converter.unstructure(progress)
    assert list(data["questions"]) == ["discipline-basics/dq-001"]
    assert converter.structure(data, MemberProgress) == progress


def test_pick_puts_unseen_questions_first() -> None:
    candidates = [question(f"q{i}") for i in range(6)]
    progress = MemberProgress(1)
    for i, times in ((0, 3), (1, 1), (2, 2)):
        for _ in range(times):
            progress = progress.record(("bank", f"q{i}"), True, MONDAY)
    picked = pick_questions(candidates, progress, 5, random.Random(4))
    assert {q.id for q in picked[:3]} == {"q3", "q4", "q5"}
    assert [q.id for q in picked[3:]] == ["q1", "q2"]


def test_pick_has_no_duplicates_and_may_return_fewer() -> None:
    candidates = [question("a"), question("b"), question("a")]
    picked = pick_questions(candidates, MemberProgress(1), 10, random.Random(0))
    assert sorted(q.id for q in picked) == ["a", "b"]
    assert pick_questions(candidates, MemberProgress(1), 0, random.Random(0)) == []


def test_pick_shuffles_unseen_questions() -> None:
    candidates = [question(f"q{i}") for i in range(20)]
    orders = {
        tuple(q.id for q in pick_questions(candidates, MemberProgress(1), 20, random.Random(seed)))
        for seed in range(5)
    }
    assert len(orders) > 1


def test_grade_needs_exactly_the_right_options() -> None:
    multiple = question("m", QuestionType.MULTIPLE)
    assert grade(multiple, frozenset({0, 2}))
    assert not grade(multiple, frozenset({0, 1, 2}))
    assert not grade(multiple, frozenset())


def new_session() -> QuizSession:
    started = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    return QuizSession.start("Ab3_x-9Z", 7, "private", [("bank", "a"), ("bank", "b")], started)


def test_session_selects_then_advances() -> None:
    session = new_session()
    assert session.current_key == ("bank", "a")
    session = session.select(0).select(2).select(0, selected=False)
    assert session.pending == frozenset({2})
    assert session.select(2) == session and session.select(0, selected=False) == session
    session = session.answered(True)
    assert (session.position, session.pending, session.correct_count) == (1, frozenset(), 1)
    assert session.current_key == ("bank", "b") and not session.finished
    session = session.answered(False)
    assert session.finished and session.current_key is None and session.correct_count == 1
    assert session.select(1) == session
    with pytest.raises(ValueError):
        session.answered(True)


def test_session_round_trip() -> None:
    session = new_session().select(1).select(3)
    data = converter.unstructure(session)
    assert data["questions"] == ["bank/a", "bank/b"]
    assert converter.structure(data, QuizSession) == session


def test_session_refuses_naive_times_and_unknown_modes() -> None:
    with pytest.raises(ValueError):
        QuizSession.start("s", 1, "group", [], datetime(2026, 11, 2, tzinfo=SHANGHAI))
    data = converter.unstructure(new_session()) | {"started_at": "2026-11-02T09:00:00"}
    with pytest.raises(ValueError):
        converter.structure(data, QuizSession)


def test_answer_record_round_trip() -> None:
    record = AnswerRecord(
        user_id=7,
        branch_id="office",
        bank_id="discipline-basics",
        question_id="dq-001",
        chosen=("A", "C"),
        correct=False,
        mode="private",
        at=datetime(2026, 11, 2, 9, 30, tzinfo=SHANGHAI),
    )
    event = record.to_event()
    assert (event.user_id, event.branch_id, event.at) == (7, "office", record.at)
    assert event.data == {
        "bank": "discipline-basics",
        "question": "dq-001",
        "chosen": ["A", "C"],
        "correct": False,
        "mode": "private",
    }
    assert AnswerRecord.from_event(event) == record


HISTORY = st.lists(
    st.tuples(
        st.sampled_from([("b1", "q1"), ("b1", "q2"), ("b-2", "q_1")]),
        st.booleans(),
        st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 1, 10)),
    ),
    max_size=30,
)


@given(HISTORY)
def test_member_progress_round_trips_for_any_history(
    answers: list[tuple[tuple[str, str], bool, date]],
) -> None:
    progress = MemberProgress(42)
    for key, correct, day in answers:
        progress = progress.record(key, correct, day)
    assert converter.structure(converter.unstructure(progress), MemberProgress) == progress
