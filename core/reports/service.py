"""Reports as the bot serves them: a branch's month read from the store, the ranking of all
branches, leaderboards, question statistics and the 提醒未完成 nudge.

No Telegram here: handlers decide who may see what, call these and send the result.

Decided here:
- Reports, /me and /top cover a calendar month ("YYYY-MM", this month unless named), in
  the bot's time zone, like `core/reports/month_report.py`; /stats a month or a quarter.
- 提醒未完成 is about this month only, and a branch is nudged at most once an hour
  (`NUDGE_INTERVAL`). The time is stored (state.json) before anything is sent, so a
  restart neither forgets it nor lets a crash send a nudge twice.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core import messages
from core.clock import Clock
from core.config.banks import BankSet
from core.config.branches import Branch
from core.config.schedules import QuizAction
from core.dates.periods import Period, month_period, quarter_period
from core.delivery import ChatGone, DeliveryError, Messenger
from core.errors import UserError
from core.meetings.cadence import compliance, held_line, tally
from core.meetings.service import Meetings
from core.organization.branches import Organization
from core.reports.branches_overview import BranchesOverview, branch_line, overview
from core.reports.ledger import CorrectionLine, Ledger, build_ledger
from core.reports.month_report import (
    BranchMonthReport,
    MeetingLine,
    build_report,
    build_totals,
    format_leaderboard,
    format_member_month,
    member_rank,
    month_bounds,
    month_days,
    month_of,
    rank_branches,
    ranking_header,
    ranking_lines,
    task_months,
)
from core.reports.points import points_by_day
from core.reports.question_stats import (
    collect_stats,
    stats_file_name,
    stats_text,
    stats_workbook,
)
from core.reports.requests import name_and_period
from core.roster.members import branch_members, leave_of
from core.store.database import ANSWER_ID, Store
from core.store.meeting_records import CLOSED, Meeting
from core.store.quiz_sessions import ANSWER_EVENT_KIND, AnswerRecord
from core.store.records import StudyTask

NUDGE_INTERVAL = timedelta(hours=1)
# Telegram refuses a message with too many mentions; the rest are counted, not named.
NUDGE_MENTIONS_SHOWN = 50


@dataclass(frozen=True)
class StatsReply:
    """What /stats answers: the message, and the whole table when there is one."""

    text: str
    workbook: bytes | None = None
    file_name: str = ""


def _people(names: list[str]) -> str:
    """'2 人：张三、李四' (a cell of the 组织生活 sheet)."""
    joined = "、".join(names) or messages.NOBODY
    return messages.EXPORT_PEOPLE.format(count=len(names), names=joined)


class _TaskMonths:
    """A branch's study tasks by the month they were pushed in, each month read once: a
    month's report needs the tasks of the months before it too (`task_months`)."""

    def __init__(self, store: Store, timezone: ZoneInfo, branch_id: str) -> None:
        self._store = store
        self._timezone = timezone
        self._branch_id = branch_id
        self._read: dict[datetime, list[StudyTask]] = {}

    def for_month(self, month: str) -> list[StudyTask]:
        """The tasks that can be finished in `month`."""
        found = []
        for start in task_months(month, self._timezone):
            if start not in self._read:
                self._read[start] = self._store.study_tasks_of_month(start, self._branch_id)
            found += self._read[start]
        return found


def _corrections(meeting: Meeting, names: Mapping[int, str]) -> list[CorrectionLine]:
    """A meeting's corrections as the 更正记录 sheet lists them."""
    return [
        CorrectionLine(
            meeting_day=meeting.day,
            kind=meeting.kind,
            field=c.field,
            old=c.old,
            new=c.new,
            by=names.get(c.by, str(c.by)),
            at=c.at,
        )
        for c in meeting.corrections
    ]


class Reports:
    """Everything the bot says about a branch's month, read from the store on each request."""

    def __init__(self, organization: Organization, clock: Clock, timezone: ZoneInfo) -> None:
        self._organization = organization
        self._clock = clock
        self._timezone = timezone
        self._meetings = Meetings(organization, clock, timezone)
        # ranking(): month -> branch -> (store version, config, the report as ranked), for
        # this month and the last other month asked; one build at a time.
        self._ranked: dict[str, dict[str, tuple[int, object, BranchMonthReport]]] = {}
        self._ranking_lock = threading.Lock()

    @property
    def _store(self) -> Store:
        return self._organization.store

    @property
    def timezone(self) -> ZoneInfo:
        """The time zone months and times are read in."""
        return self._timezone

    def today(self) -> date:
        """The local day now."""
        return self._clock().astimezone(self._timezone).date()

    def this_month(self) -> str:
        """'YYYY-MM' now, in the bot's time zone."""
        return month_of(self._clock(), self._timezone)

    def branch(self, branch_id: str) -> Branch:
        """A declared branch; a `UserError` listing the ids otherwise."""
        config = self._organization.config
        branch = config.branch(branch_id)
        if branch is None:
            ids = "、".join(b.id for b in config.branches)
            raise UserError(messages.BIND_UNKNOWN_BRANCH.format(branch_id=branch_id, ids=ids))
        return branch

    def home_branch(self, user_id: int) -> Branch:
        """The branch a member's /me and /top are about in private: their first roster."""
        person = self._store.person(user_id)
        active = sorted(m.branch_id for m in person.memberships if m.active) if person else []
        branches = [b for b in map(self._organization.config.branch, active) if b is not None]
        if not branches:
            raise UserError(messages.ME_NO_BRANCH)
        return branches[0]

    # --- reports ----------------------------------------------------------------------

    def report(self, branch_id: str, month: str) -> BranchMonthReport:
        """One branch's month."""
        branch = self.branch(branch_id)
        return self._build(branch, month, self._tasks(month, branch.id))

    def ranking(self, month: str) -> list[BranchMonthReport]:
        """Every declared branch's month by participation rate, each report cut to its
        members (no answers, activity or tasks: the ranking needs its totals alone).

        Kept per branch and month, and built again only for a branch whose records changed
        since (`Store.branch_version`): 500 branches take seconds to build, and /branches
        asks for all of them. The bot builds this month's once it runs (`keep_ranking`);
        a caller meanwhile waits for that build rather than doing it twice."""
        config = self._organization.config
        ranked = []
        with self._ranking_lock:
            month_kept = self._kept_month(month)
            for branch in config.branches:
                version = self._store.branch_version(branch.id)  # before the reads
                kept = month_kept.get(branch.id)
                if kept is None or kept[0] != version or kept[1] is not config:
                    tasks = self._tasks(month, branch.id)
                    built = self._build(branch, month, tasks, totals_only=True)
                    kept = (version, config, replace(built, tasks=()))
                    month_kept[branch.id] = kept
                ranked.append(kept[2])
        return rank_branches(ranked)

    def keep_ranking(self) -> None:
        """Build this month's ranking ahead of the first /branches (seconds for a
        provincial agency's 500 branches): run off the event loop once the bot runs."""
        self.ranking(self.this_month())

    def _kept_month(self, month: str) -> dict[str, tuple[int, object, BranchMonthReport]]:
        """The ranking kept for `month`; of other months only this month's stays kept."""
        this_month = self.this_month()
        for other in [m for m in self._ranked if m not in (month, this_month)]:
            del self._ranked[other]
        return self._ranked.setdefault(month, {})

    def work_due(self, report: BranchMonthReport) -> bool:
        """Whether the branch has had anything to do in the report's month: a study task
        pushed, or a group quiz sent (before that, 提醒未完成 has nothing to remind of)."""
        if report.tasks:
            return True
        start, _ = month_bounds(report.month, self._timezone)
        config = self._organization.config
        return any(
            push.branch_id == report.branch_id
            and (schedule := config.schedule(push.schedule_id)) is not None
            and isinstance(schedule.action, QuizAction)
            for push in self._store.pushes_with_status("sent", start)
        )

    def member_text(self, user_id: int, branch: Branch) -> str:
        """/me: the member's month in the branch, with the size of their review list."""
        report = self.report(branch.id, self.this_month())
        member = report.member(user_id)
        if member is None:
            raise UserError(messages.ME_NOT_ON_ROSTER.format(branch=branch.name))
        review = len(self._store.member_quiz(user_id).member_progress.review_list())
        return format_member_month(member, review)

    def quiz_points_text(self, user_id: int, session_id: str) -> str:
        """The end of a private quiz: the points it earned, today's against the daily cap,
        the month's and the member's place on the branch's leaderboard (as /me and /top)."""
        try:
            branch = self.home_branch(user_id)
        except UserError:
            return messages.QUIZ_POINTS_NO_BRANCH
        month = self.this_month()
        report = self.report(branch.id, month)
        member = report.member(user_id)
        if member is None:
            return messages.QUIZ_POINTS_NO_BRANCH
        rule = self._organization.config.points
        tasks = self._tasks(month, branch.id)
        mine = [
            (str(event.data.get(ANSWER_ID, "")), AnswerRecord.from_event(event))
            for event in self._store.events(branch.id, month)
            if event.kind == ANSWER_EVENT_KIND and event.user_id == user_id
        ]

        def daily(answers: list[AnswerRecord]) -> dict[date, int]:
            return points_by_day(tasks, answers, rule, self._timezone).get(user_id, {})

        # What the quiz earned is what the days earn with its answers, less without them:
        # an answer beyond the daily cap earns nothing.
        days = daily([a for _, a in mine])
        before = daily([a for answer_id, a in mine if not answer_id.startswith(f"{session_id}:")])
        today = days.get(self.today(), 0)
        lines = [
            messages.QUIZ_POINTS_EARNED.format(earned=sum(days.values()) - sum(before.values())),
            messages.QUIZ_POINTS_TODAY.format(today=today, cap=rule.daily_cap),
        ]
        if today >= rule.daily_cap:
            lines.append(messages.QUIZ_POINTS_CAPPED.format(cap=rule.daily_cap))
        rank = member_rank(report, user_id)
        lines.append(
            messages.QUIZ_POINTS_MONTH.format(points=member.points, branch=branch.name, rank=rank)
            if rank is not None
            else messages.QUIZ_POINTS_MONTH_UNRANKED.format(points=member.points)
        )
        return "\n".join(lines)

    def leaderboard_text(self, branch: Branch) -> str:
        """/top: the branch's points leaderboard of this month."""
        return format_leaderboard(self.report(branch.id, self.this_month()))

    def _tasks(self, month: str, branch_id: str) -> list[StudyTask]:
        # Tasks pushed in earlier months can be finished (and earn points) in this one.
        return _TaskMonths(self._store, self._timezone, branch_id).for_month(month)

    def _build(
        self, branch: Branch, month: str, tasks: Sequence[StudyTask], *, totals_only: bool = False
    ) -> BranchMonthReport:
        """The branch's month; `totals_only` (the ranking): its members' totals alone, from
        the answers as the store keeps them counted."""
        people = self._store.branch_people(branch.id)
        kept = self._store.branch_roster(branch.id)
        roster = branch_members(branch.id, people, kept)
        first, last = month_days(month, self._timezone)
        leave = {m.key: found for m in roster if (found := leave_of(kept, m.key, first, last))}
        former = [p for p in people if p.membership(branch.id) and not p.is_active_in(branch.id)]
        rule, tz = self._organization.config.points, self._timezone
        if totals_only:
            tally = self._store.answer_tally(branch.id, month)
            return build_totals(
                branch.id, branch.name, month, roster, tasks, tally, rule, tz, former, leave
            )  # fmt: skip
        answers = self._store.answers(branch.id, month)
        return build_report(
            branch.id, branch.name, month, roster, tasks, answers, rule, tz, former, leave
        )  # fmt: skip

    # --- meetings ---------------------------------------------------------------------

    def meeting_line(self, branch: Branch, month: str) -> str:
        """The month's 组织生活 against the cadence (the quarter's, for quarterly kinds), as
        of today in this month, or of the month's last day."""
        last = month_days(month, self._timezone)[1]
        day = min(last, self.today())
        quarter = quarter_period(day)
        meetings = self._meetings.dated_between(quarter.first, quarter.last)
        return held_line(branch, self._organization.config.cadence, meetings, day)

    def ledger(self, branch_id: str, period: Period, banks: BankSet, maker: str = "") -> Ledger:
        """The branch's 台账 for the period's months so far: each month's report, the
        meetings against the cadence, their corrections, the questions' texts.

        It reads a month of the store per month of the period: run it off the event loop."""
        branch = self.branch(branch_id)
        today = self.today()
        months = [m.key for m in period.months() if m.first <= today]
        if not months:
            raise UserError(messages.LEDGER_NOT_STARTED.format(period=period.label))
        tasks = _TaskMonths(self._store, self._timezone, branch.id)
        reports = [self._build(branch, month, tasks.for_month(month)) for month in months]
        meetings = [
            m
            for m in self._meetings.dated_between(period.first, period.last)
            if m.branch_id == branch.id
        ]
        closed = sorted(
            (m for m in meetings if m.status == CLOSED and period.holds(m.day)),
            key=lambda m: (m.day, m.kind, m.id),
        )
        names = self._meetings.names_of(branch.id)
        questions = {
            key: question.text
            for report in reports
            for key in {(a.bank_id, a.question_id) for a in report.answers}
            if (question := banks.question(key)) is not None
        }
        return build_ledger(
            branch.name,
            period,
            reports,
            [self._meeting_line(m, names) for m in closed],
            tally(branch, self._organization.config.cadence, meetings, period, today),
            [line for m in closed for line in _corrections(m, names)],
            questions,
            maker,
            today,
        )

    def _meeting_line(self, meeting: Meeting, names: Mapping[int, str]) -> MeetingLine:
        present, excused = self._meetings.ledger_names(meeting, names)
        return MeetingLine(
            day=meeting.day,
            kind=meeting.kind,
            topic=meeting.topic,
            host=meeting.host,
            expected=len(meeting.expected),
            present=_people(present),
            excused=_people(excused),
            absent=_people(list(meeting.absent)),
            attachments=len(meeting.attachments),
        )

    def branches_overview(self) -> BranchesOverview:
        """/branches: each branch's group, roster and quarter's meetings, then this month's
        ranking, in pages when too long for one message. Reads every branch's month (each
        store read once per branch, never everyone per branch): call it off the event loop."""
        config = self._organization.config
        bindings = {binding.branch_id: binding for binding in self._store.bindings()}
        paused = self._store.paused_branches()
        quarter = quarter_period(self.today())
        meetings: dict[str, list[Meeting]] = {}
        for meeting in self._meetings.dated_between(quarter.first, quarter.last):
            meetings.setdefault(meeting.branch_id, []).append(meeting)
        ranked = self.ranking(self.this_month())
        on_roster = {report.branch_id: len(report.roster) for report in ranked}  # 名单 now
        today = self.today()
        lines = []
        for branch in config.branches:
            binding = bindings.get(branch.id)
            met, needed = compliance(branch, config.cadence, meetings.get(branch.id, []), quarter)
            lines.append(
                branch_line(branch, binding, on_roster[branch.id], (met, needed),
                            branch.id in paused, today)
            )  # fmt: skip
        unbound = {branch.id for branch in config.branches if branch.id not in bindings}
        return overview(lines, ranking_lines(ranked, unbound), ranking_header(ranked))

    def quarter_compliance(self, branch: Branch) -> tuple[int, int]:
        """(requirements met, requirements) of this quarter's meetings, for /branches."""
        quarter = quarter_period(self.today())
        meetings = self._meetings.dated_between(quarter.first, quarter.last)
        return compliance(branch, self._organization.config.cadence, meetings, quarter)

    # --- question statistics ------------------------------------------------------------

    def question_stats(self, banks: BankSet, args: Sequence[str]) -> StatsReply:
        """/stats [bank] [month|quarter]: what to teach next, and the whole table as .xlsx.

        Reads every answer of the period: call it off the event loop.
        """
        usage = messages.STATS_USAGE.format(month=self.this_month())
        bank_id, period = name_and_period(args, usage, self.today())
        if bank_id is not None and banks.bank(bank_id) is None:
            loaded = "、".join(b.id for b in banks.banks) or messages.NOBODY
            raise UserError(messages.STATS_UNKNOWN_BANK.format(bank=bank_id, banks=loaded))
        stats = collect_stats(self._store, banks, bank_id, period or month_period(self.today()))
        text = stats_text(stats, banks, self._branch_name)
        if not stats.questions:
            return StatsReply(text)
        workbook = stats_workbook(stats, banks, self._branch_name)
        return StatsReply(text, workbook, stats_file_name(stats))

    def _branch_name(self, branch_id: str | None) -> str:
        branch = self._organization.config.branch(branch_id) if branch_id else None
        if branch is not None:
            return branch.name
        return branch_id or messages.STATS_NO_BRANCH

    # --- 提醒未完成 ----------------------------------------------------------------------

    def claim_nudge(self, branch_id: str) -> datetime | None:
        """Record a nudge now, unless one went out within the hour; then return when it did."""
        now = self._clock()
        last = self._store.last_nudge(branch_id)
        if last is not None and now - last < NUDGE_INTERVAL:
            return last
        self._store.set_last_nudge(branch_id, now)
        return None

    async def nudge(self, branch_id: str, messenger: Messenger) -> str:
        """Mention this month's non-participants in the group and message them privately.

        Returns what to tell the secretary who pressed the button.
        """
        quiet = self._organization.config.quiet_hours
        if quiet.contains(self._clock().astimezone(self._timezone)):
            return messages.NUDGE_QUIET.format(hours=quiet.describe(), end=f"{quiet.end:%H:%M}")
        branch = self.branch(branch_id)
        month = self.this_month()
        missing = self.report(branch.id, month).non_participants
        if not missing:
            return messages.NUDGE_NOBODY
        last = self.claim_nudge(branch.id)
        if last is not None:
            local = last.astimezone(self._timezone)
            after = local + NUDGE_INTERVAL
            return messages.NUDGE_TOO_SOON.format(last=f"{local:%H:%M}", next=f"{after:%H:%M}")
        now = self._clock().astimezone(self._timezone)
        today = f"{now.month}月{now.day}日"
        mentioned = 0
        unreported = len(missing)
        missing = tuple(m for m in missing if m.user_id is not None)  # 未报到: no one to tell
        unreported -= len(missing)
        binding = self._store.binding_for_branch(branch.id)
        if binding is not None and missing:
            shown = missing[:NUDGE_MENTIONS_SHOWN]
            mentions = "、".join(
                f'<a href="tg://user?id={m.user_id}">{html.escape(m.name)}</a>' for m in shown
            )
            if len(missing) > len(shown):
                mentions += messages.NUDGE_MORE.format(count=len(missing))
            text = messages.NUDGE_GROUP.format(
                branch=html.escape(branch.name), today=today, mentions=mentions
            )
            await messenger.wait_turn(binding.chat_id)
            try:
                await messenger.send(binding.chat_id, text, html=True)
                mentioned = len(missing)
            except DeliveryError:
                pass  # the direct messages below still go out
        private = 0
        text = messages.NUDGE_PRIVATE.format(branch=branch.name, today=today)
        for member in missing:
            person = self._store.person(member.user_id) if member.user_id else None
            if person is None or not person.private_chat:
                continue
            await messenger.wait_turn(person.user_id)
            try:
                await messenger.send(person.user_id, text)
                private += 1
            except ChatGone:
                self._organization.private_chat_closed(person.user_id)
            except DeliveryError:
                pass
        done = messages.NUDGE_DONE.format(count=len(missing), mentioned=mentioned, private=private)
        if unreported:
            done += "\n" + messages.NUDGE_UNREPORTED.format(count=unreported)
        return done
