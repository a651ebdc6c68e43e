"""The `points` rule of `schedules.yaml` (see core/reports/points.py for how it is applied)."""

from __future__ import annotations

from dataclasses import dataclass

POINTS_KEYS = ("study_on_time", "correct_answer", "daily_cap")
MAX_POINTS_PER_ACTION = 100
MAX_DAILY_CAP = 1000


@dataclass(frozen=True)
class PointsRule:
    """Points per action and the most a member can earn in one local day."""

    study_on_time: int = 1
    correct_answer: int = 1
    daily_cap: int = 10


DEFAULT_POINTS = PointsRule()
