"""Quiz statistics from answer records: which questions are hard and tell members apart,
which wrong options mislead, which tags a branch is weak on.

Item analysis reads each member's first answer to each question in the period: a retake or
a review is practice, and would count a question again for the members who got it wrong.
A member's score is the share of their first answers that were right. A question's
discrimination index is the share right among the top 27 % of its answerers by score less
the share right among the bottom 27 % (classical item analysis); below `MIN_DISCRIMINATING`
answerers it is not given, as a handful of people says nothing about a question.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from core.store.quiz_sessions import AnswerRecord, QuestionKey

GROUP_SHARE = 0.27
MIN_DISCRIMINATING = 20
MIN_TAG_ANSWERS = 10


@dataclass(frozen=True)
class QuestionAnalysis:
    """One question's first answers in a period."""

    bank_id: str
    question_id: str
    answered: int  # members who answered it
    right: int
    discrimination: float | None  # None below MIN_DISCRIMINATING answerers
    distractors: Mapping[str, int]  # a wrong option's label -> members who chose it

    @property
    def key(self) -> QuestionKey:
        """(bank id, question id)."""
        return (self.bank_id, self.question_id)

    @property
    def facility(self) -> float:
        """Share of members who answered it right, 0.0–1.0."""
        return self.right / self.answered if self.answered else 0.0

    def worst_distractor(self) -> tuple[str, int] | None:
        """The wrong option chosen most often (the first such label on a tie)."""
        if not self.distractors:
            return None
        return max(sorted(self.distractors.items()), key=lambda item: item[1])


@dataclass(frozen=True)
class TagFacility:
    """How one branch did on one tag's questions (first answers)."""

    branch_id: str | None
    tag: str
    answered: int
    right: int

    @property
    def facility(self) -> float:
        """Share right, 0.0–1.0."""
        return self.right / self.answered if self.answered else 0.0


def first_answers(answers: Iterable[AnswerRecord]) -> list[AnswerRecord]:
    """Each member's first answer to each question, oldest first."""
    first: dict[tuple[int, QuestionKey], AnswerRecord] = {}
    for answer in sorted(answers, key=lambda a: (a.at, a.user_id, a.key)):
        first.setdefault((answer.user_id, answer.key), answer)
    return list(first.values())


def analyse_questions(
    firsts: Iterable[AnswerRecord], key_of: Callable[[QuestionKey], frozenset[str] | None]
) -> list[QuestionAnalysis]:
    """Every question answered, hardest first (lowest facility, then most answered), from
    members' first answers (`first_answers`).

    ``key_of`` gives a question's right labels (None: no longer in its bank; then every
    label a wrong answer chose counts as a distractor).
    """
    firsts = list(firsts)
    scores = _scores(firsts)
    by_question: dict[QuestionKey, list[AnswerRecord]] = defaultdict(list)
    for answer in firsts:
        by_question[answer.key].append(answer)
    rows = [
        QuestionAnalysis(
            key[0],
            key[1],
            len(given),
            sum(a.correct for a in given),
            discrimination(given, scores),
            _distractors(given, key_of(key)),
        )
        for key, given in by_question.items()
    ]
    # Ids break the remaining ties so reports never reorder between runs.
    rows.sort(key=lambda r: (r.facility, -r.answered, r.bank_id, r.question_id))
    return rows


def discrimination(given: list[AnswerRecord], scores: Mapping[int, float]) -> float | None:
    """Share right in the top 27 % of a question's answerers less that in the bottom 27 %."""
    if len(given) < MIN_DISCRIMINATING:
        return None
    ranked = sorted(given, key=lambda a: (-scores[a.user_id], a.user_id))
    size = max(1, round(len(ranked) * GROUP_SHARE))
    upper = sum(a.correct for a in ranked[:size])
    lower = sum(a.correct for a in ranked[-size:])
    return (upper - lower) / size


def tag_facility(
    firsts: Iterable[AnswerRecord], tags_of: Callable[[QuestionKey], Iterable[str]]
) -> list[TagFacility]:
    """Per branch and tag, members' first answers (`first_answers`) and the right ones;
    weakest first."""
    tally: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for answer in firsts:
        for tag in tags_of(answer.key):
            counts = tally[(answer.branch_id, tag)]
            counts[0] += 1
            counts[1] += int(answer.correct)
    rows = [TagFacility(b, t, n, right) for (b, t), (n, right) in tally.items()]
    rows.sort(key=lambda r: (r.facility, -r.answered, r.branch_id or "", r.tag))
    return rows


def weakest_tag_by_branch(rows: Iterable[TagFacility]) -> dict[str | None, TagFacility]:
    """Each branch's weakest tag among those with at least `MIN_TAG_ANSWERS` answers."""
    weakest: dict[str | None, TagFacility] = {}
    for row in rows:  # weakest first
        if row.answered >= MIN_TAG_ANSWERS:
            weakest.setdefault(row.branch_id, row)
    return weakest


def _scores(firsts: Iterable[AnswerRecord]) -> dict[int, float]:
    tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for answer in firsts:
        tally[answer.user_id][0] += 1
        tally[answer.user_id][1] += int(answer.correct)
    return {user: right / answered for user, (answered, right) in tally.items()}


def _distractors(given: Iterable[AnswerRecord], key: frozenset[str] | None) -> dict[str, int]:
    chosen: Counter[str] = Counter()
    for answer in given:
        if not answer.correct:
            chosen.update(label for label in answer.chosen if key is None or label not in key)
    return dict(chosen)
