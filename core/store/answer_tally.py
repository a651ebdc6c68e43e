"""A branch's month of quiz answers as counts: what the ranking of all branches needs.

/branches ranks every branch by its month. Reading a provincial agency's answers for it
(85,000 late in the month, in 13,000 day shards) took seconds, and the ranking uses only
counts: per member, answers and right answers, and right answers per local day (points
are capped per day). The store builds a branch's tally from its shards once, then adds
each answer as it records it, in the same step, so a kept tally equals the files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from zoneinfo import ZoneInfo

from core.store.quiz_sessions import AnswerRecord


@dataclass(slots=True)
class MemberTally:
    """One member's answers in the tallied period."""

    answered: int = 0
    correct: int = 0
    rights_by_day: dict[date, int] = field(default_factory=dict)  # local days with a right


class AnswerTally:
    """Answers counted per member (see the module docstring)."""

    def __init__(self) -> None:
        self._members: dict[int, MemberTally] = {}
        self._view = MappingProxyType(self._members)

    @classmethod
    def of(cls, answers: Iterable[AnswerRecord], tz: ZoneInfo) -> AnswerTally:
        """The tally of `answers`, each on its local day in `tz`."""
        tally = cls()
        for answer in answers:
            tally.add(answer.user_id, answer.correct, answer.at.astimezone(tz).date())
        return tally

    def add(self, user_id: int, correct: bool, day: date) -> None:
        """Count one answer given on `day` (the answerer's local date)."""
        member = self._members.get(user_id)
        if member is None:
            member = self._members[user_id] = MemberTally()
        member.answered += 1
        if correct:
            member.correct += 1
            member.rights_by_day[day] = member.rights_by_day.get(day, 0) + 1

    @property
    def members(self) -> Mapping[int, MemberTally]:
        """Every member who answered, by user id."""
        return self._view

    def copy(self) -> AnswerTally:
        """A copy that later answers added to this one leave alone."""
        copied = AnswerTally()
        for user_id, member in self._members.items():
            copied._members[user_id] = MemberTally(
                member.answered, member.correct, dict(member.rights_by_day)
            )
        return copied
