"""Item analysis on small hand-computed examples."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.quizzes.statistics import (
    analyse_questions,
    discrimination,
    first_answers,
    tag_facility,
    weakest_tag_by_branch,
)
from core.store.quiz_sessions import AnswerRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEYS = {("bank", q): frozenset({"A"}) for q in ("q1", "q2", "q3", "q4")}


def answer(
    user: int, question: str, correct: bool, day: int, chosen: tuple[str, ...] = ("A",)
) -> AnswerRecord:
    at = datetime(2026, 11, day, 10, 0, tzinfo=SHANGHAI)
    chosen = chosen if correct or chosen != ("A",) else ("B",)
    return AnswerRecord(user, "office", "bank", question, chosen, correct, "private", at)


ANSWERS = [
    answer(1, "q1", True, 2),
    answer(2, "q1", True, 2),
    answer(3, "q1", False, 3),  # q1: 2 of 3 right
    answer(1, "q2", False, 3, ("C",)),
    answer(2, "q2", True, 4),  # q2: 1 of 2 right
    answer(1, "q3", False, 4),
    answer(2, "q3", False, 5, ("C",)),  # q3: 0 of 2 right
    answer(3, "q4", False, 5),  # q4: 0 of 1 right
    answer(3, "q1", True, 6),  # a retake: the first answer counts
]


def test_facility_is_hardest_first_on_first_answers() -> None:
    rows = analyse_questions(first_answers(ANSWERS), KEYS.get)
    assert [(r.question_id, r.answered, r.right) for r in rows] == [
        ("q3", 2, 0),  # 0.0 and answered more often than q4
        ("q4", 1, 0),
        ("q2", 2, 1),
        ("q1", 3, 2),  # member 3's retake on the 6th is not counted
    ]
    assert [r.facility for r in rows] == pytest.approx([0.0, 0.0, 0.5, 2 / 3])
    assert [r.discrimination for r in rows] == [None] * 4  # fewer than 20 answerers


def test_distractors_count_the_wrong_options_chosen() -> None:
    rows = analyse_questions(first_answers(ANSWERS), KEYS.get)
    (q3,) = [r for r in rows if r.question_id == "q3"]
    assert q3.distractors == {"B": 1, "C": 1}
    assert q3.worst_distractor() == ("B", 1)  # a tie: the first label
    multiple = [answer(1, "q1", False, 2, ("A", "C")), answer(2, "q1", False, 2, ("C",))]
    (row,) = analyse_questions(first_answers(multiple), KEYS.get)
    assert row.distractors == {"C": 2}  # A is right: choosing it misled nobody
    (gone,) = analyse_questions(first_answers(multiple), lambda key: None)
    assert gone.distractors == {"A": 1, "C": 2}


def test_discrimination_compares_the_top_and_bottom_27_percent() -> None:
    # 22 answerers: groups of round(22 * 0.27) = 6. Scores: member u's is u / 100.
    scores = {user: user / 100 for user in range(1, 23)}
    right = {22, 21, 20, 19, 1, 2, 3}  # 4 of the top 6 right, 3 of the bottom 6
    given = [answer(user, "q1", user in right, 2) for user in range(1, 23)]
    assert discrimination(given, scores) == pytest.approx((4 - 3) / 6)
    assert discrimination(given[:19], scores) is None


def test_each_branch_s_weakest_tag_needs_enough_answers() -> None:
    tags = {("bank", "q1"): {"处分"}, ("bank", "q2"): {"处分", "廉洁"}, ("bank", "q3"): {"廉洁"}}
    rows = tag_facility(first_answers(ANSWERS), lambda key: tags.get(key, set()))
    assert [(r.tag, r.answered, r.right) for r in rows] == [("廉洁", 4, 1), ("处分", 5, 3)]
    assert weakest_tag_by_branch(rows) == {}  # fewer than 10 answers each
    many = [answer(user, "q3", user % 3 == 0, 2) for user in range(1, 13)]
    rows = tag_facility(first_answers(many), lambda key: tags[key])
    (weakest,) = weakest_tag_by_branch(rows).values()
    assert (weakest.branch_id, weakest.tag, weakest.answered, weakest.right) == (
        "office", "廉洁", 12, 4,
    )  # fmt: skip


def test_first_answers_keep_one_per_member_and_question() -> None:
    assert len(first_answers(ANSWERS)) == len(ANSWERS) - 1


def test_nothing_answered_means_no_rows() -> None:
    assert analyse_questions(first_answers([]), KEYS.get) == []
