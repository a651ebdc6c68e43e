"""Study points (积分): how many a member earns each day, by the rule of `schedules.yaml`.

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
from datetime import date
from zoneinfo import ZoneInfo

from core import messages
from core.config.points_rule import PointsRule
from core.store.answer_tally import AnswerTally
from core.store.quiz_sessions import AnswerRecord
from core.store.records import StudyTask


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
    return tallied_points_by_day(tasks, AnswerTally.of(answers, tz), rule, tz)


def tallied_points_by_day(
    tasks: Iterable[StudyTask], tally: AnswerTally, rule: PointsRule, tz: ZoneInfo
) -> dict[int, dict[date, int]]:
    """`points_by_day` with the answers counted already."""
    raw: dict[int, dict[date, int]] = {}
    if rule.study_on_time:
        for task in tasks:
            for user_id, done_at in task.done.items():
                if done_at <= task.due_at:
                    days = raw.setdefault(user_id, {})
                    day = done_at.astimezone(tz).date()
                    days[day] = days.get(day, 0) + rule.study_on_time
    if rule.correct_answer:
        for user_id, member in tally.members.items():
            for day, rights in member.rights_by_day.items():
                days = raw.setdefault(user_id, {})
                days[day] = days.get(day, 0) + rights * rule.correct_answer
    return {
        user_id: {day: min(points, rule.daily_cap) for day, points in days.items() if points}
        for user_id, days in raw.items()
    }


def rules_text(rule: PointsRule) -> str:
    """/rules: how points are earned, from the configured rule."""
    study = (
        messages.RULES_STUDY.format(points=rule.study_on_time)
        if rule.study_on_time
        else messages.RULES_NO_POINTS.format(action=messages.RULES_STUDY_ACTION)
    )
    answer = (
        messages.RULES_ANSWER.format(points=rule.correct_answer)
        if rule.correct_answer
        else messages.RULES_NO_POINTS.format(action=messages.RULES_ANSWER_ACTION)
    )
    cap = messages.RULES_CAP.format(cap=rule.daily_cap)
    return "\n".join([messages.RULES_HEADER, study, answer, cap, messages.RULES_FOOTER])
