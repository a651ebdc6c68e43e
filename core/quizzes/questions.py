"""Picking a member's next questions and grading an answer."""

from __future__ import annotations

import random
from collections.abc import Sequence

from core.config.banks import Question
from core.store.quiz_sessions import MemberProgress


def grade(question: Question, chosen: frozenset[int]) -> bool:
    """Whether `chosen` (option indices) is exactly the right answer."""
    return question.is_correct(chosen)



def pick_questions(
    candidates: Sequence[Question], progress: MemberProgress, count: int, rng: random.Random
) -> list[Question]:
    """Up to `count` distinct questions: unseen ones first (shuffled), then the least answered."""
    unique = list({q.key: q for q in candidates}.values())
    rng.shuffle(unique)
    # The sort is stable, so ties keep their shuffled order and members see variety.
    unique.sort(key=lambda q: (progress.seen(q.key), progress.progress(q.key).times_answered))
    return unique[: max(count, 0)]
