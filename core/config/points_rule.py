"""The `points` rule of `schedules.yaml` (see core/reports/points.py for how it is applied)."""

from __future__ import annotations

from dataclasses import dataclass

from core.config.yaml_loader import Field

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


def parse_points(node: Field) -> PointsRule:
    """The `points` mapping of `schedules.yaml` (the defaults when absent); problems go to node."""
    default = DEFAULT_POINTS
    if node.value is None or not node.check_keys(POINTS_KEYS):
        return default
    study = node.child("study_on_time").integer(0, MAX_POINTS_PER_ACTION, required=False)
    correct = node.child("correct_answer").integer(0, MAX_POINTS_PER_ACTION, required=False)
    cap = node.child("daily_cap").integer(1, MAX_DAILY_CAP, required=False)
    return PointsRule(
        study_on_time=default.study_on_time if study is None else study,
        correct_answer=default.correct_answer if correct is None else correct,
        daily_cap=default.daily_cap if cap is None else cap,
    )
