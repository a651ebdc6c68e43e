"""Question facility and member totals on a small hand-computed example."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.quizzes.statistics import member_totals, question_facility
from core.store.quiz_sessions import AnswerRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")


def answer(user: int, question: str, correct: bool, day: int) -> AnswerRecord:
    at = datetime(2026, 11, day, 10, 0, tzinfo=SHANGHAI)
    return AnswerRecord(user, "office", "bank", question, ("A",), correct, "private", at)


ANSWERS = [
    answer(1, "q1", True, 2),
    answer(2, "q1", True, 2),
    answer(3, "q1", False, 3),  # q1: 2 of 3 right
    answer(1, "q2", False, 3),
    answer(2, "q2", True, 4),  # q2: 1 of 2 right
    answer(1, "q3", False, 4),
    answer(2, "q3", False, 5),  # q3: 0 of 2 right
    answer(3, "q4", False, 5),  # q4: 0 of 1 right
]


def test_facility_is_hardest_first() -> None:
    rows = question_facility(ANSWERS)
    assert [(r.question_id, r.answered, r.right) for r in rows] == [
        ("q3", 2, 0),  # 0.0 and answered more often than q4
        ("q4", 1, 0),
        ("q2", 2, 1),
        ("q1", 3, 2),
    ]
    assert [r.facility for r in rows] == pytest.approx([0.0, 0.0, 0.5, 2 / 3])
    assert rows[0].bank_id == "bank"


def test_member_totals_in_a_half_open_period() -> None:
    start = datetime(2026, 11, 3, 0, 0, tzinfo=SHANGHAI)
    end = datetime(2026, 11, 5, 0, 0, tzinfo=SHANGHAI)  # the 5th itself is out
    totals = member_totals(ANSWERS, start, end)
    assert {user: (t.answered, t.right) for user, t in totals.items()} == {
        1: (2, 0),
        2: (1, 1),
        3: (1, 0),
    }
    assert totals[2].rate == 1.0 and totals[1].rate == 0.0


def test_nothing_answered_means_no_rows() -> None:
    assert question_facility([]) == []
    start = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    assert member_totals(ANSWERS, start, start) == {}
