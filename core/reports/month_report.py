"""Monthly participation reports (台账) of a branch: study tasks, quiz answers and points.

Pure functions over records the store hands out; the handlers load, call and send.

What counts, decided once here:
- A month is a calendar month in the bot's time zone, written "YYYY-MM".
- The month's tasks are those pushed to the branch in the month; each is assigned to
  every member of the report. "Done" counts a completion whenever it happened (a task
  pushed on the 28th may be finished on the 2nd), "on time" one at or before `due_at`.
- Answers count when given in the month (and recorded under the branch).
- Points are those of the month's local days (see core/reports/points.py). To credit a task
  pushed last month but finished this month, pass the earlier months' tasks too:
  `task_months` lists the months a task finished in `month` can come from.
- A member took part (参与) if they finished one of the month's tasks, or answered a
  question, or finished any task during the month.
- Members are the given roster (the current active members) plus anyone who acted in
  the branch that month but is no longer on it, shown as 已离开. Participation rate is
  participants on the roster / roster size, so leavers never inflate it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core import messages
from core.config.points_rule import PointsRule
from core.organization.names import name_order
from core.quizzes.statistics import member_totals
from core.reports.points import points_by_day
from core.store.quiz_sessions import AnswerRecord
from core.store.records import Person, StudyTask

TELEGRAM_TEXT_LIMIT = 4096
# Weeks of a month as the reports show them: 1–7, 8–14, 15–21, 22–28, 29–end.
WEEK_DAYS = 7
TASK_LOOKBACK_MONTHS = 3  # a task is due at most 90 days after it is pushed


@dataclass(frozen=True)
class MemberMonth:
    """One member's month in one branch."""

    user_id: int
    name: str
    tasks_assigned: int
    tasks_done: int
    tasks_on_time: int
    answered: int
    correct: int
    points: int
    on_roster: bool = True
    acted: bool = False  # did something during the month (a completion or an answer)

    @property
    def rate(self) -> float:
        """Share of answers that were right, 0.0–1.0 (0.0 with no answers)."""
        return self.correct / self.answered if self.answered else 0.0

    @property
    def participated(self) -> bool:
        """Whether the member took part this month (see the module docstring)."""
        return self.acted or self.tasks_done > 0 or self.answered > 0


@dataclass(frozen=True)
class TaskLine:
    """One study task of the month and how many finished it."""

    task_id: str
    title: str
    assigned_at: datetime
    due_at: datetime
    done: int
    on_time: int
    members: int

    @property
    def rate(self) -> float:
        """Share of the report's members who finished it, 0.0–1.0."""
        return self.done / self.members if self.members else 0.0


@dataclass(frozen=True)
class Activity:
    """One dated action of a member in the month: a task finished or a question answered."""

    user_id: int
    at: datetime


@dataclass(frozen=True)
class BranchMonthReport:
    """A branch's month: every member, every task, every answer, and the totals."""

    branch_id: str
    branch_name: str
    month: str
    members: tuple[MemberMonth, ...]
    tasks: tuple[TaskLine, ...]
    answers: tuple[AnswerRecord, ...]
    activity: tuple[Activity, ...] = ()

    @property
    def roster(self) -> tuple[MemberMonth, ...]:
        """Members currently on the roster."""
        return tuple(m for m in self.members if m.on_roster)

    @property
    def participants(self) -> int:
        """Roster members who took part."""
        return sum(1 for m in self.roster if m.participated)

    @property
    def participation_rate(self) -> float:
        """Participants on the roster / roster size, 0.0–1.0 (0.0 with an empty roster)."""
        roster = len(self.roster)
        return self.participants / roster if roster else 0.0

    @property
    def non_participants(self) -> tuple[MemberMonth, ...]:
        """Roster members who have done nothing this month yet."""
        return tuple(m for m in self.roster if not m.participated)

    @property
    def tasks_expected(self) -> int:
        """Completions there would be if every member finished every task."""
        return len(self.tasks) * len(self.members)

    @property
    def tasks_done(self) -> int:
        """Completions of the month's tasks, by the report's members."""
        return sum(m.tasks_done for m in self.members)

    @property
    def answered(self) -> int:
        """Questions answered in the branch this month."""
        return len(self.answers)

    @property
    def correct(self) -> int:
        """Questions answered right."""
        return sum(m.correct for m in self.members)

    @property
    def correct_rate(self) -> float:
        """Share of answers that were right, 0.0–1.0."""
        return self.correct / self.answered if self.answered else 0.0

    @property
    def points(self) -> int:
        """Points earned by all members this month."""
        return sum(m.points for m in self.members)

    def member(self, user_id: int) -> MemberMonth | None:
        """One member's line, if they are in the report."""
        return next((m for m in self.members if m.user_id == user_id), None)


@dataclass(frozen=True)
class WeekPoint:
    """One week of the month: who was active and how well they answered."""

    first_day: int
    last_day: int
    active: int
    roster: int
    answered: int
    correct: int

    @property
    def label(self) -> str:
        """'1–7日'."""
        return f"{self.first_day}–{self.last_day}日"

    @property
    def participation(self) -> float:
        """Share of roster members active this week, 0.0–1.0."""
        return self.active / self.roster if self.roster else 0.0

    @property
    def correct_rate(self) -> float | None:
        """Share of this week's answers that were right; None with no answers."""
        return self.correct / self.answered if self.answered else None


# --- months -------------------------------------------------------------------------------


def month_bounds(month: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The month's [start, end) in `tz`; raises ValueError unless `month` is 'YYYY-MM'."""
    start = datetime.strptime(month, "%Y-%m").replace(tzinfo=tz)
    return start, _shift_month(start, 1)


def month_of(at: datetime, tz: ZoneInfo) -> str:
    """'YYYY-MM' of a moment in `tz`."""
    return f"{at.astimezone(tz):%Y-%m}"


def task_months(month: str, tz: ZoneInfo) -> list[datetime]:
    """First instants of `month` and the months before it whose tasks can be finished in it."""
    start, _ = month_bounds(month, tz)
    return [_shift_month(start, -back) for back in range(TASK_LOOKBACK_MONTHS + 1)]


def month_label(month: str) -> str:
    """'2026-11' → '2026年11月'."""
    year, number = month.split("-")
    return messages.MONTH_LABEL.format(year=int(year), month=int(number))


def _shift_month(start: datetime, months: int) -> datetime:
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1, day=1)


# --- building ------------------------------------------------------------------------------


def build_report(
    branch_id: str,
    branch_name: str,
    month: str,
    roster: Sequence[Person],
    tasks: Sequence[StudyTask],
    answers: Sequence[AnswerRecord],
    rule: PointsRule,
    tz: ZoneInfo,
    former: Iterable[Person] = (),
) -> BranchMonthReport:
    """The branch's month; records of other branches or months in the inputs are ignored.

    `roster` gives the members and their order; `former` (optional) names people who
    acted this month but have left the branch.
    """
    start, end = month_bounds(month, tz)
    branch_tasks = [t for t in tasks if t.branch_id == branch_id]
    month_tasks = sorted(
        (t for t in branch_tasks if start <= t.assigned_at < end),
        key=lambda t: (t.assigned_at, t.id),
    )
    month_answers = sorted(
        (a for a in answers if a.branch_id == branch_id and start <= a.at < end),
        key=lambda a: (a.at, a.user_id),
    )
    activity = [
        Activity(user_id, done_at)
        for task in branch_tasks
        for user_id, done_at in task.done.items()
        if start <= done_at < end
    ]
    activity += (Activity(a.user_id, a.at) for a in month_answers)
    activity.sort(key=lambda a: (a.at, a.user_id))

    quiz = member_totals(month_answers, start, end)
    daily = points_by_day(branch_tasks, month_answers, rule, tz)
    first_day, last_day = start.date(), (end - timedelta(days=1)).date()
    points = {
        user_id: sum(p for day, p in days.items() if first_day <= day <= last_day)
        for user_id, days in daily.items()
    }
    done: dict[int, int] = {}
    on_time: dict[int, int] = {}
    for task in month_tasks:
        for user_id, done_at in task.done.items():
            done[user_id] = done.get(user_id, 0) + 1
            on_time[user_id] = on_time.get(user_id, 0) + int(done_at <= task.due_at)
    acted = {a.user_id for a in activity}

    names = {p.user_id: p.report_name for p in former}
    on_roster = [p.user_id for p in roster]
    names.update((p.user_id, p.report_name) for p in roster)
    listed = set(on_roster)
    leavers = sorted((acted | set(done)) - listed)
    unknown = messages.REPORT_UNKNOWN_NAME
    leavers.sort(key=lambda u: (name_order(names.get(u, unknown.format(user_id=u))), u))

    def line(user_id: int, is_on_roster: bool) -> MemberMonth:
        totals = quiz.get(user_id)
        return MemberMonth(
            user_id=user_id,
            name=names.get(user_id) or messages.REPORT_UNKNOWN_NAME.format(user_id=user_id),
            tasks_assigned=len(month_tasks),
            tasks_done=done.get(user_id, 0),
            tasks_on_time=on_time.get(user_id, 0),
            answered=totals.answered if totals else 0,
            correct=totals.right if totals else 0,
            points=points.get(user_id, 0),
            on_roster=is_on_roster,
            acted=user_id in acted,
        )

    members = [line(u, True) for u in on_roster] + [line(u, False) for u in leavers]
    task_lines = tuple(
        TaskLine(
            task_id=task.id,
            title=task.title,
            assigned_at=task.assigned_at,
            due_at=task.due_at,
            done=len(task.done),
            on_time=sum(1 for at in task.done.values() if at <= task.due_at),
            members=len(members),
        )
        for task in month_tasks
    )
    return BranchMonthReport(
        branch_id=branch_id,
        branch_name=branch_name,
        month=month,
        members=tuple(members),
        tasks=task_lines,
        answers=tuple(month_answers),
        activity=tuple(activity),
    )


def weekly_series(report: BranchMonthReport, tz: ZoneInfo) -> list[WeekPoint]:
    """Per week of the month (1–7, 8–14, 15–21, 22–28, 29–end): roster activity, correct rate."""
    start, end = month_bounds(report.month, tz)
    days_in_month = (end - start).days
    weeks = (days_in_month + WEEK_DAYS - 1) // WEEK_DAYS
    roster_ids = {m.user_id for m in report.roster}
    active: list[set[int]] = [set() for _ in range(weeks)]
    answered = [0] * weeks
    correct = [0] * weeks
    for action in report.activity:
        if action.user_id in roster_ids:
            active[_week_index(action.at, tz)].add(action.user_id)
    for answer in report.answers:
        week = _week_index(answer.at, tz)
        answered[week] += 1
        correct[week] += int(answer.correct)
    return [
        WeekPoint(
            first_day=week * WEEK_DAYS + 1,
            last_day=min((week + 1) * WEEK_DAYS, days_in_month),
            active=len(active[week]),
            roster=len(roster_ids),
            answered=answered[week],
            correct=correct[week],
        )
        for week in range(weeks)
    ]


def _week_index(at: datetime, tz: ZoneInfo) -> int:
    return (at.astimezone(tz).day - 1) // WEEK_DAYS


def rank_branches(reports: Iterable[BranchMonthReport]) -> list[BranchMonthReport]:
    """Branches by participation rate, highest first, then by name (赛马)."""
    return sorted(
        reports, key=lambda r: (-r.participation_rate, name_order(r.branch_name), r.branch_id)
    )


# --- text ----------------------------------------------------------------------------------


def percent(rate: float) -> str:
    """0.666 → '67%'."""
    return f"{rate * 100:.0f}%"


def _quiz_text(answered: int, rate: float) -> str:
    if not answered:
        return messages.REPORT_QUIZ_NONE
    return messages.REPORT_QUIZ.format(answered=answered, rate=percent(rate))


def _display_name(member: MemberMonth) -> str:
    return member.name if member.on_roster else member.name + messages.REPORT_LEFT_MARK


def format_report_text(report: BranchMonthReport, limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """The report as one Telegram message; members are cut with a note when it would not fit."""
    header = messages.REPORT_HEADER.format(
        branch=report.branch_name, month=month_label(report.month)
    )
    totals = messages.REPORT_TOTALS.format(
        participants=report.participants,
        roster=len(report.roster),
        rate=percent(report.participation_rate),
        done=report.tasks_done,
        expected=report.tasks_expected,
        quiz=_quiz_text(report.answered, report.correct_rate),
        points=report.points,
    )
    if not report.members:
        return "\n".join([header, totals, messages.REPORT_NO_MEMBERS])
    missing = report.non_participants
    if missing:
        footer = messages.REPORT_NOT_YET.format(
            names=messages.REPORT_NAME_SEPARATOR.join(m.name for m in missing)
        )
    else:
        footer = messages.REPORT_ALL_TOOK_PART
    lines = [
        messages.REPORT_MEMBER.format(
            name=_display_name(m),
            done=m.tasks_done,
            assigned=m.tasks_assigned,
            quiz=_quiz_text(m.answered, m.rate),
            points=m.points,
        )
        for m in report.members
    ]
    text = "\n".join([header, totals, "", *lines, "", footer])
    if len(text) <= limit:
        return text
    # Too long for one message: keep as many member lines as fit with the note, and cut
    # the 尚未参与 list itself if even that is too long.
    kept = len(lines)
    while kept > 0:
        kept -= 1
        note = messages.REPORT_TRUNCATED.format(count=len(lines) - kept)
        text = "\n".join([header, totals, "", *lines[:kept], note, "", footer])
        if len(text) <= limit:
            return text
    return text[: limit - 1] + "…"


def format_member_month(member: MemberMonth, review_size: int) -> str:
    """A member's own month, for /me."""
    quiz = (
        messages.ME_QUIZ.format(
            answered=member.answered, correct=member.correct, rate=percent(member.rate)
        )
        if member.answered
        else messages.ME_QUIZ_NONE
    )
    return "\n".join(
        [
            messages.ME_HEADER.format(name=member.name),
            messages.ME_STUDY.format(
                done=member.tasks_done,
                assigned=member.tasks_assigned,
                on_time=member.tasks_on_time,
            ),
            quiz,
            messages.ME_POINTS.format(points=member.points),
            messages.ME_REVIEW.format(count=review_size),
        ]
    )


def leaderboard(report: BranchMonthReport, top: int = 10) -> list[tuple[int, MemberMonth]]:
    """(rank, member) for the `top` members with points; equal points share a rank (1, 2, 2, 4)."""
    ranked = sorted(
        (m for m in report.members if m.points > 0),
        key=lambda m: (-m.points, -m.correct, name_order(m.name), m.user_id),
    )[: max(top, 0)]
    rows: list[tuple[int, MemberMonth]] = []
    for position, member in enumerate(ranked, start=1):
        same = rows and rows[-1][1].points == member.points
        rows.append((rows[-1][0] if same else position, member))
    return rows


def format_leaderboard(report: BranchMonthReport, top: int = 10) -> str:
    """The branch's points leaderboard, for /top."""
    header = messages.TOP_HEADER.format(branch=report.branch_name, month=month_label(report.month))
    rows = leaderboard(report, top)
    if not rows:
        return f"{header}\n{messages.TOP_EMPTY}"
    lines = [
        messages.TOP_LINE.format(rank=rank, name=_display_name(member), points=member.points)
        for rank, member in rows
    ]
    return "\n".join([header, *lines])


def format_ranking(ranked: Sequence[BranchMonthReport]) -> str:
    """Every branch by participation rate, for /branches (pass `rank_branches`' result)."""
    if not ranked:
        return messages.RANKING_EMPTY
    header = messages.RANKING_HEADER.format(month=month_label(ranked[0].month))
    lines = []
    rank = 0
    previous: float | None = None
    for position, report in enumerate(ranked, start=1):
        if report.participation_rate != previous:
            rank, previous = position, report.participation_rate
        lines.append(
            messages.RANKING_LINE.format(
                rank=rank,
                branch=report.branch_name,
                rate=percent(report.participation_rate),
                participants=report.participants,
                roster=len(report.roster),
            )
        )
    return "\n".join([header, *lines])
