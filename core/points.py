"""Study points (积分): how many a member earns each day, and the rule from `schedules.yaml`.

The rule, optional at the top level of `schedules.yaml`:

    points:
      study_on_time: 1     # per study task marked 学完了 at or before its due time
      correct_answer: 1    # per quiz question answered right (private, group or review)
      daily_cap: 10        # at most this many points per member per local day

Points land on the member's local day of the action (the day 学完了 was pressed, the
day the answer was given), so a task pushed on the 28th and finished on the 2nd earns
its point in the next month. A late completion or a wrong answer earns nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from core.quiz import AnswerRecord
from core.records import StudyTask
from core.yaml_source import Field

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


def is_on_time(task: StudyTask, user_id: int) -> bool:
    """Whether this member finished the task at or before its due time."""
    done_at = task.done.get(user_id)
    return done_at is not None and done_at <= task.due_at


def points_by_day(
    tasks: Iterable[StudyTask],
    answers: Iterable[AnswerRecord],
    rule: PointsRule,
    tz: ZoneInfo,
) -> dict[int, dict[date, int]]:
    """Points per member per local day, each day capped at `rule.daily_cap`.

    Counts every completion and answer given; the caller chooses which (one branch,
    one period). Days with no points are left out.
    """
    raw: dict[int, dict[date, int]] = {}
    if rule.study_on_time:
        for task in tasks:
            for user_id, done_at in task.done.items():
                if done_at <= task.due_at:
                    days = raw.setdefault(user_id, {})
                    day = done_at.astimezone(tz).date()
                    days[day] = days.get(day, 0) + rule.study_on_time
    if rule.correct_answer:
        for answer in answers:
            if answer.correct:
                days = raw.setdefault(answer.user_id, {})
                day = answer.at.astimezone(tz).date()
                days[day] = days.get(day, 0) + rule.correct_answer
    return {
        user_id: {day: min(points, rule.daily_cap) for day, points in days.items() if points}
        for user_id, days in raw.items()
    }
