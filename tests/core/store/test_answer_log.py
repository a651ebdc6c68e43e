"""A group quiz's poll answers are appended to its answer log, not rewritten with the quiz:
each answer costs the same however many came before; a restart reads them all; a torn
last line (a crash mid-append, never acknowledged) is dropped; any other change writes the
quiz whole and drops the log."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from core.store.answer_log import added_answers, log_path
from core.store.database import Store
from core.store.quiz_records import QUIZ_POLL, GroupAnswer, GroupQuestion, GroupQuiz
from tests.conftest import SHANGHAI

AT = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
QUIZ = GroupQuiz(
    "2611-g1", "office", -1001, "纪律知识", AT, AT + timedelta(hours=24), "open",
    (GroupQuestion("b", "q1", QUIZ_POLL, "poll-1"), GroupQuestion("b", "q2", QUIZ_POLL, "poll-2")),
)  # fmt: skip


def answer(store: Store, index: int, user: int) -> None:
    """What GroupQuizzes.record_poll_answer does: the first answer per member is kept."""

    def first(quiz: GroupQuiz) -> tuple[GroupQuiz | None, None]:
        asked = quiz.questions[index]
        if user in asked.answers:
            return None, None
        given = GroupAnswer(("A",), user % 2 == 0, AT + timedelta(seconds=user))
        return quiz.with_question(
            index, replace(asked, answers={**asked.answers, user: given})
        ), None

    store.change_group_quiz(QUIZ.id, first)


def quiz_file(data: Path) -> Path:
    return data / "quiz" / "group" / "2026-11" / f"{QUIZ.id}.json"


def test_answers_are_appended_and_read_back_after_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data, SHANGHAI, clock=lambda: AT)
    store.save_group_quiz(QUIZ)
    written = quiz_file(data).read_bytes()
    for user in range(1, 1001):
        answer(store, 0, user)
    answer(store, 0, 7)  # a second vote, or Telegram delivering the answer again
    answer(store, 1, 3)
    assert quiz_file(data).read_bytes() == written  # the quiz file was never rewritten
    assert len(log_path(quiz_file(data)).read_bytes().splitlines()) == 1001
    in_memory = store.group_quiz(QUIZ.id)
    store.close()

    again = Store(data, SHANGHAI, clock=lambda: AT).group_quiz(QUIZ.id)
    assert again == in_memory
    assert again is not None and len(again.questions[0].answers) == 1000
    assert again.questions[1].answers == {3: GroupAnswer(("A",), False, AT + timedelta(seconds=3))}


def test_a_torn_last_line_is_dropped_and_cut_before_the_next_answer(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data, SHANGHAI, clock=lambda: AT)
    store.save_group_quiz(QUIZ)
    answer(store, 0, 1)
    store.close()
    with open(log_path(quiz_file(data)), "ab") as log:
        log.write(b'{"q":0,"user":2,"cho')  # the process died mid-append
    store = Store(data, SHANGHAI, clock=lambda: AT)
    quiz = store.group_quiz(QUIZ.id)
    assert quiz is not None and list(quiz.questions[0].answers) == [1]
    answer(store, 0, 2)
    store.close()
    quiz = Store(data, SHANGHAI, clock=lambda: AT).group_quiz(QUIZ.id)
    assert quiz is not None and list(quiz.questions[0].answers) == [1, 2]


def test_any_other_change_writes_the_quiz_whole_and_drops_the_log(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data, SHANGHAI, clock=lambda: AT)
    store.save_group_quiz(QUIZ)
    for user in (1, 2, 3):
        answer(store, 0, user)
    store.change_group_quiz(QUIZ.id, lambda quiz: (replace(quiz, status="closing"), None))
    assert not log_path(quiz_file(data)).exists()
    store.close()
    quiz = Store(data, SHANGHAI, read_only=True).group_quiz(QUIZ.id)
    assert quiz is not None and quiz.status == "closing"
    assert list(quiz.questions[0].answers) == [1, 2, 3]


def test_only_a_change_that_adds_answers_alone_is_appended() -> None:
    given = {u: GroupAnswer(("A",), True, AT + timedelta(seconds=u)) for u in (1, 2)}
    stored = QUIZ.with_question(0, replace(QUIZ.questions[0], answers=given))

    def with_answers(answers: dict[int, GroupAnswer]) -> GroupQuiz:
        return stored.with_question(0, replace(stored.questions[0], answers=answers))

    third = GroupAnswer(("B",), False, AT)
    assert added_answers(stored, with_answers({**given, 3: third})) == [(0, 3, third)]
    assert added_answers(stored, stored) == []
    changed = {**given, 1: replace(given[1], correct=False), 3: third}
    assert added_answers(stored, with_answers(changed)) is None  # an answer changed
    assert added_answers(stored, with_answers({2: given[2], 3: third})) is None  # one dropped
    assert added_answers(stored, replace(stored, status="closing")) is None
