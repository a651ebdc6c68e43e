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
- Members are the branch's members (`core/roster/members.py`: its 名单 entries, claimed
  or not, and the accounts on its roster no entry holds) plus anyone who acted in the
  branch that month but is no longer on it, shown as 已离开. An entry nobody has claimed
  is 未报到 and has not taken part.
- A member on leave (请假) for any day of the month who did not take part is excused: left
  out of the rate, the 尚未参与 list and the nudge. Participation rate is participants
  among the counted members (on the roster, not excused) / their number, so leavers and
  leave never move it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core import messages
from core.config.points_rule import PointsRule
from core.organization.names import name_order
from core.reports.points import tallied_points_by_day
from core.roster.members import Member
from core.store.answer_tally import AnswerTally
from core.store.quiz_sessions import AnswerRecord
from core.store.records import Person, StudyTask
from core.store.roster_records import Leave, ListEntry, account_key

TELEGRAM_TEXT_LIMIT = 4096
# Weeks of a month as the reports show them: 1–7, 8–14, 15–21, 22–28, 29–end.
WEEK_DAYS = 7
TASK_LOOKBACK_MONTHS = 3  # a task is due at most 90 days after it is pushed


@dataclass(frozen=True)
class MemberMonth:
    """One member's month in one branch."""

    user_id: int | None  # None: a 名单 entry nobody has claimed (未报到)
    name: str
    tasks_assigned: int
    tasks_done: int
    tasks_on_time: int
    answered: int
    correct: int
    points: int
    on_roster: bool = True
    acted: bool = False  # did something during the month (a completion or an answer)
    key: str = ""  # the member key (`core/roster/members.py`)
    entry: ListEntry | None = None  # their 名单 entry, if the branch listed them
    leave: Leave | None = None  # leave overlapping the month

    @property
    def reported(self) -> bool:
        """Whether an account answers for this member (报到)."""
        return self.user_id is not None

    @property
    def excused(self) -> bool:
        """On leave this month and did not take part: left out of the counts."""
        return self.leave is not None and not self.participated

    @property
    def counted(self) -> bool:
        """On the roster and not excused: in the rate's denominator."""
        return self.on_roster and not self.excused

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
    def counted(self) -> tuple[MemberMonth, ...]:
        """Members the rate is about: on the roster, not excused by leave."""
        return tuple(m for m in self.members if m.counted)

    @property
    def participants(self) -> int:
        """Counted members who took part."""
        return sum(1 for m in self.counted if m.participated)

    @property
    def participation_rate(self) -> float:
        """Participants / counted members, 0.0–1.0 (0.0 with nobody counted)."""
        counted = len(self.counted)
        return self.participants / counted if counted else 0.0

    @property
    def non_participants(self) -> tuple[MemberMonth, ...]:
        """Counted members who have done nothing this month yet (未报到 included)."""
        return tuple(m for m in self.counted if not m.participated)

    @property
    def unreported(self) -> tuple[MemberMonth, ...]:
        """名单 entries nobody has claimed yet (未报到)."""
        return tuple(m for m in self.roster if not m.reported)

    @property
    def excused(self) -> tuple[MemberMonth, ...]:
        """Members on leave this month who are left out of the counts."""
        return tuple(m for m in self.roster if m.excused)

    @property
    def tasks_expected(self) -> int:
        """Completions there would be if every member not excused finished every task."""
        return len(self.tasks) * sum(1 for m in self.members if not m.excused)

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

    def names(self) -> dict[int, str]:
        """Report name of every account in the report."""
        return {m.user_id: m.name for m in self.members if m.user_id is not None}


@dataclass(frozen=True)
class MeetingLine:
    """One closed meeting as the 组织生活 sheet shows it (names, not ids)."""

    day: date
    kind: str
    topic: str
    host: str
    expected: int
    present: str  # "2 人：张三、李四"
    excused: str
    absent: str
    attachments: int


@dataclass(frozen=True)
class WeekPoint:
    """One week of the month: who was active and how well they answered."""

    first_day: int
    last_day: int
    active: int
    roster: int
    answered: int
    correct: int
    started: bool = True  # False: the week is still to come (nothing to draw)

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


def month_days(month: str, tz: ZoneInfo) -> tuple[date, date]:
    """The first and the last day of a month ('YYYY-MM')."""
    start, end = month_bounds(month, tz)
    return start.date(), (end - timedelta(days=1)).date()


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
    roster: Sequence[Member],
    tasks: Sequence[StudyTask],
    answers: Sequence[AnswerRecord],
    rule: PointsRule,
    tz: ZoneInfo,
    former: Iterable[Person] = (),
    leave: Mapping[str, Leave] | None = None,
) -> BranchMonthReport:
    """The branch's month; records of other branches or months in the inputs are ignored.

    `roster` gives the members and their order (`core.roster.members.branch_members`);
    `former` (optional) names people who acted this month but have left the branch;
    `leave` the leave overlapping the month, by member key.
    """
    start, end = month_bounds(month, tz)
    month_answers = sorted(
        (a for a in answers if a.branch_id == branch_id and start <= a.at < end),
        key=lambda a: (a.at, a.user_id),
    )
    tally = AnswerTally.of(month_answers, tz)
    totals = build_totals(
        branch_id, branch_name, month, roster, tasks, tally, rule, tz, former, leave
    )  # fmt: skip
    activity = [
        Activity(user_id, done_at)
        for task in tasks
        if task.branch_id == branch_id
        for user_id, done_at in task.done.items()
        if start <= done_at < end
    ]
    activity += (Activity(a.user_id, a.at) for a in month_answers)
    activity.sort(key=lambda a: (a.at, a.user_id))
    return replace(totals, answers=tuple(month_answers), activity=tuple(activity))


def build_totals(
    branch_id: str,
    branch_name: str,
    month: str,
    roster: Sequence[Member],
    tasks: Sequence[StudyTask],
    tally: AnswerTally,
    rule: PointsRule,
    tz: ZoneInfo,
    former: Iterable[Person] = (),
    leave: Mapping[str, Leave] | None = None,
) -> BranchMonthReport:
    """`build_report` from the branch's answers of the month counted (`tally`): every
    member's totals and the tasks, no answers or activity (what the ranking needs)."""
    start, end = month_bounds(month, tz)
    branch_tasks = [t for t in tasks if t.branch_id == branch_id]
    month_tasks = sorted(
        (t for t in branch_tasks if start <= t.assigned_at < end),
        key=lambda t: (t.assigned_at, t.id),
    )
    # A point lands on the day of an on-time completion: only a task due since the month
    # began can earn one in it (at L this leaves a quarter of the four months' tasks).
    earning = [t for t in branch_tasks if t.due_at >= start]
    daily = tallied_points_by_day(earning, tally, rule, tz)
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
    acted = {
        user_id
        for task in branch_tasks
        for user_id, done_at in task.done.items()
        if start <= done_at < end
    }
    acted.update(user_id for user_id, member in tally.members.items() if member.answered)
    names = {p.user_id: p.report_name for p in former}
    listed = {m.user_id for m in roster if m.user_id is not None}
    leavers = sorted((acted | set(done)) - listed)
    unknown = messages.REPORT_UNKNOWN_NAME
    leavers.sort(key=lambda u: (name_order(names.get(u, unknown.format(user_id=u))), u))
    leave = leave or {}

    def line(member: Member, is_on_roster: bool) -> MemberMonth:
        user_id = member.user_id
        totals = tally.members.get(user_id) if user_id is not None else None
        return MemberMonth(
            user_id=user_id,
            name=member.name,
            tasks_assigned=len(month_tasks),
            tasks_done=done.get(user_id, 0) if user_id is not None else 0,
            tasks_on_time=on_time.get(user_id, 0) if user_id is not None else 0,
            answered=totals.answered if totals else 0,
            correct=totals.correct if totals else 0,
            points=points.get(user_id, 0) if user_id is not None else 0,
            on_roster=is_on_roster,
            acted=user_id in acted,
            key=member.key,
            entry=member.entry,
            leave=leave.get(member.key),
        )

    def former_member(user_id: int) -> Member:
        name = names.get(user_id) or unknown.format(user_id=user_id)
        return Member(account_key(user_id), name, user_id)

    members = [line(m, True) for m in roster]
    members += [line(former_member(u), False) for u in leavers]
    expected_members = sum(1 for m in members if not m.excused)
    task_lines = tuple(
        TaskLine(
            task_id=task.id,
            title=task.title,
            assigned_at=task.assigned_at,
            due_at=task.due_at,
            done=len(task.done),
            on_time=sum(1 for at in task.done.values() if at <= task.due_at),
            members=expected_members,
        )
        for task in month_tasks
    )
    return BranchMonthReport(
        branch_id=branch_id,
        branch_name=branch_name,
        month=month,
        members=tuple(members),
        tasks=task_lines,
        answers=(),
    )


def weekly_series(report: BranchMonthReport, tz: ZoneInfo, today: date) -> list[WeekPoint]:
    """Per week of the month (1–7, 8–14, 15–21, 22–28, 29–end): roster activity, correct
    rate; the weeks after `today`'s are marked not started."""
    start, end = month_bounds(report.month, tz)
    days_in_month = (end - start).days
    weeks = (days_in_month + WEEK_DAYS - 1) // WEEK_DAYS
    counted = report.counted
    roster_ids = {m.user_id for m in counted if m.user_id is not None}
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
            roster=len(counted),
            answered=answered[week],
            correct=correct[week],
            started=start.date() + timedelta(days=week * WEEK_DAYS) <= today,
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
    if not member.on_roster:
        return member.name + messages.REPORT_LEFT_MARK
    if not member.reported:
        return member.name + messages.REPORT_UNREPORTED_MARK
    if member.leave is not None:
        return member.name + messages.REPORT_LEAVE_MARK.format(reason=member.leave.reason)
    return member.name


def format_report_text(
    report: BranchMonthReport, limit: int = TELEGRAM_TEXT_LIMIT, notes: Sequence[str] = ()
) -> str:
    """The report as one Telegram message; members are cut with a note when it would not fit.

    `notes` follow the totals (what the group looks like to the bot, from Telegram)."""
    header = messages.REPORT_HEADER.format(
        branch=report.branch_name, month=month_label(report.month)
    )
    totals = messages.REPORT_TOTALS.format(
        participants=report.participants,
        roster=len(report.counted),
        rate=percent(report.participation_rate),
        done=report.tasks_done,
        expected=report.tasks_expected,
        quiz=_quiz_text(report.answered, report.correct_rate),
        points=report.points,
    )
    totals = "\n".join([totals, *notes])
    if not report.members:
        return "\n".join([header, totals, messages.REPORT_NO_MEMBERS])
    footer = _footer(report)
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


def _footer(report: BranchMonthReport) -> str:
    """尚未参与 (未报到 marked), then who is excused by leave."""
    separator = messages.REPORT_NAME_SEPARATOR
    missing = report.non_participants
    if missing:
        footer = messages.REPORT_NOT_YET.format(
            names=separator.join(_display_name(m) for m in missing)
        )
    else:
        footer = messages.REPORT_ALL_TOOK_PART
    if report.excused:
        names = separator.join(
            messages.REPORT_EXCUSED_NAME.format(name=m.name, reason=m.leave.reason)
            for m in report.excused
            if m.leave is not None
        )
        footer += "\n" + messages.REPORT_EXCUSED.format(names=names)
    return footer


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
        key=lambda m: (-m.points, -m.correct, name_order(m.name), m.user_id or 0),
    )[: max(top, 0)]
    rows: list[tuple[int, MemberMonth]] = []
    for position, member in enumerate(ranked, start=1):
        same = rows and rows[-1][1].points == member.points
        rows.append((rows[-1][0] if same else position, member))
    return rows


def member_rank(report: BranchMonthReport, user_id: int) -> int | None:
    """The member's place on the branch's leaderboard (/top's ranks); None without points."""
    rows = leaderboard(report, top=len(report.members))
    return next((rank for rank, member in rows if member.user_id == user_id), None)


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


def format_ranking(ranked: Sequence[BranchMonthReport], unbound: Collection[str]) -> str:
    """Every branch by participation rate, for /branches (pass `rank_branches`' result).

    Equal rates share a rank (1, 2, 2, 4). A branch in `unbound` (ids of branches with no
    group) is not ranked: it is listed last, as 未绑定, whatever its numbers."""
    if not ranked:
        return messages.RANKING_EMPTY
    return "\n".join([ranking_header(ranked), *ranking_lines(ranked, unbound)])


def ranking_header(ranked: Sequence[BranchMonthReport]) -> str:
    """The heading of a ranking (its month), or the line saying there is none yet."""
    if not ranked:
        return messages.RANKING_EMPTY
    return messages.RANKING_HEADER.format(month=month_label(ranked[0].month))


def ranking_lines(ranked: Sequence[BranchMonthReport], unbound: Collection[str]) -> list[str]:
    """The lines of `format_ranking`, without its heading."""
    lines = []
    rank = 0
    previous: float | None = None
    bound = [report for report in ranked if report.branch_id not in unbound]
    for position, report in enumerate(bound, start=1):
        if report.participation_rate != previous:
            rank, previous = position, report.participation_rate
        lines.append(
            messages.RANKING_LINE.format(
                rank=rank,
                branch=report.branch_name,
                rate=percent(report.participation_rate),
                participants=report.participants,
                roster=len(report.counted),
            )
        )
    lines += (
        messages.RANKING_UNBOUND.format(branch=report.branch_name)
        for report in ranked
        if report.branch_id in unbound
    )
    return lines
