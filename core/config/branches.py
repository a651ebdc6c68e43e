"""A party branch (支部) as `schedules.yaml` declares it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Branch:
    """A party branch (支部) as the admins declared it."""

    id: str
    name: str
    tags: frozenset[str] = frozenset()
    secretary_ids: frozenset[int] = frozenset()
    quiz_exempt: bool = False  # 免答题: no group quizzes are pushed to it
    meetings_not_required: frozenset[str] = frozenset()  # e.g. 党小组会 without 党小组
    term_ends: date | None = None  # when the 支部委员会's term ends (换届 is due)
