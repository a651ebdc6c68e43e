"""Quiz statistics from answer records: which questions are hard, who answered how much."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.store.quiz_sessions import AnswerRecord


@dataclass(frozen=True)
class QuestionFacility:
    """How often one question was answered right (its facility index)."""

    bank_id: str
    question_id: str
    answered: int
    right: int

    @property
    def facility(self) -> float:
        """Share of answers that were right, 0.0–1.0."""
        return self.right / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class MemberTotals:
    """One member's answers in a period."""

    answered: int
    right: int

    @property
    def rate(self) -> float:
        """Share of answers that were right, 0.0–1.0 (0.0 with no answers)."""
        return self.right / self.answered if self.answered else 0.0


def question_facility(answers: Iterable[AnswerRecord]) -> list[QuestionFacility]:
    """Per-question facility, hardest first (lowest facility, then most answered)."""
    counts: dict[tuple[str, str], list[int]] = {}
    for answer in answers:
        tally = counts.setdefault(answer.key, [0, 0])
        tally[0] += 1
        tally[1] += int(answer.correct)
    rows = [QuestionFacility(b, q, n, right) for (b, q), (n, right) in counts.items()]
    # Ids break the remaining ties so reports never reorder between runs.
    rows.sort(key=lambda r: (r.facility, -r.answered, r.bank_id, r.question_id))
    return rows


def member_totals(
    answers: Iterable[AnswerRecord], start: datetime, end: datetime
) -> dict[int, MemberTotals]:
    """Answers and right answers per member, for answers given in [start, end)."""
    counts: dict[int, list[int]] = {}
    for answer in answers:
        if start <= answer.at < end:
            tally = counts.setdefault(answer.user_id, [0, 0])
            tally[0] += 1
            tally[1] += int(answer.correct)
    return {user: MemberTotals(answered, right) for user, (answered, right) in counts.items()}
