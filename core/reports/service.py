"""Reports as the bot serves them: a branch's month read from the store, the ranking of all
branches, leaderboards, question statistics and the 提醒未完成 nudge.

No Telegram here: handlers decide who may see what, call these and send the result.

Decided here:
- Reports, /me, /top and /stats cover a calendar month ("YYYY-MM", this month unless
  named), in the bot's time zone, like `core/reports/month_report.py`.
- 提醒未完成 is about this month only, and a branch is nudged at most once an hour
  (`NUDGE_INTERVAL`). The time is stored (state.json) before anything is sent, so a
  restart neither forgets it nor lets a crash send a nudge twice.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core import messages
from core.clock import Clock
from core.config.banks import BankSet
from core.config.branches import Branch
from core.delivery import Button, ChatGone, DeliveryError, Messenger
from core.errors import UserError
from core.meetings.cadence import compliance, held_line, quarter_of
from core.meetings.service import Meetings
from core.organization.branches import Organization
from core.quizzes.statistics import question_facility
from core.reports.month_report import (
    BranchMonthReport,
    MeetingLine,
    build_report,
    format_leaderboard,
    format_member_month,
    month_bounds,
    month_days,
    month_label,
    month_of,
    percent,
    rank_branches,
    task_months,
)
from core.roster.members import branch_members, leave_of
from core.store.database import Store
from core.store.quiz_sessions import ANSWER_EVENT_KIND, AnswerRecord
from core.store.records import Person, StudyTask

REPORT_PREFIX = "rep:"
SHOW, EXPORT, NUDGE = "r", "x", "n"
# rep:r:<branch>:<YYYY-MM> shows a report, rep:x:… exports it, rep:n:<branch> nudges;
# a branch id has at most 32 characters, so the data stays within Telegram's 64 bytes.
REPORT_DATA = re.compile(
    r"rep:(?P<kind>[rxn]):(?P<branch>[a-z0-9][a-z0-9_-]{0,31})(?::(?P<month>\d{4}-\d{2}))?",
    re.ASCII,
)
MONTH = re.compile(r"\d{4}-\d{2}", re.ASCII)
NUDGE_INTERVAL = timedelta(hours=1)
# Telegram refuses a message with too many mentions; the rest are counted, not named.
NUDGE_MENTIONS_SHOWN = 50
STATS_SHOWN = 10
STATS_TEXT_CHARS = 20


@dataclass(frozen=True)
class ReportRequest:
    """What /report or /export asked for: a branch (None: the caller's) and a month."""

    branch_id: str | None
    month: str


@dataclass(frozen=True)
class ReportPress:
    """A button under a report or a branch picker."""

    kind: str  # SHOW | EXPORT | NUDGE
    branch_id: str
    month: str  # "" for NUDGE: a nudge is always about this month


def parse_month(word: str) -> str:
    """'2026-11' as given; a `UserError` for anything that is not a real year and month."""
    if not MONTH.fullmatch(word) or not 1 <= int(word[5:]) <= 12:
        raise UserError(messages.REPORT_BAD_MONTH.format(month=word))
    return word


def name_and_month(args: Sequence[str], usage: str) -> tuple[str | None, str | None]:
    """`[name] [YYYY-MM]` in either order; a `UserError` with `usage` for anything else."""
    name: str | None = None
    month: str | None = None
    for word in args:
        if MONTH.fullmatch(word) and month is None:
            month = parse_month(word)
        elif not MONTH.fullmatch(word) and name is None:
            name = word
        else:
            raise UserError(usage)
    return name, month


def parse_report_args(args: Sequence[str], command: str, this_month: str) -> ReportRequest:
    """`[branch-id] [YYYY-MM]` in either order."""
    usage = messages.REPORT_USAGE.format(command=command, month=this_month)
    branch_id, month = name_and_month(args, usage)
    return ReportRequest(branch_id, month or this_month)


def report_data(kind: str, branch_id: str, month: str = "") -> str:
    """A button's callback data."""
    return (
        f"{REPORT_PREFIX}{kind}:{branch_id}:{month}"
        if month
        else f"{REPORT_PREFIX}{kind}:{branch_id}"
    )


def parse_report_press(data: str) -> ReportPress | None:
    """The press a button's data describes; None for anything stale or forged."""
    match = REPORT_DATA.fullmatch(data)
    if match is None or (match["kind"] == NUDGE) != (match["month"] is None):
        return None
    month = match["month"] or ""
    if month and not 1 <= int(month[5:]) <= 12:
        return None
    return ReportPress(match["kind"], match["branch"], month)


def report_buttons(report: BranchMonthReport, this_month: str) -> tuple[Button, ...]:
    """提醒未完成 (this month, when someone has done nothing yet) and 导出."""
    buttons = []
    if report.month == this_month and report.non_participants:
        buttons.append(Button(messages.REPORT_BUTTON_NUDGE, report_data(NUDGE, report.branch_id)))
    export = report_data(EXPORT, report.branch_id, report.month)
    buttons.append(Button(messages.REPORT_BUTTON_EXPORT, export))
    return tuple(buttons)


def picker_buttons(branches: Iterable[Branch], kind: str, month: str) -> tuple[Button, ...]:
    """One button per branch, for a caller who leads several."""
    return tuple(Button(b.name, report_data(kind, b.id, month)) for b in branches)


def export_file_name(report: BranchMonthReport) -> str:
    """'办公室党支部-2026-11.xlsx' (no path separators, whatever the branch is called)."""
    name = re.sub(r'[\\/:*?"<>|]', "_", report.branch_name)
    return f"{name}-{report.month}.xlsx"


def _people(names: list[str]) -> str:
    """'2 人：张三、李四' (a cell of the 组织生活 sheet)."""
    joined = "、".join(names) or messages.NOBODY
    return messages.EXPORT_PEOPLE.format(count=len(names), names=joined)


def short_text(text: str, limit: int = STATS_TEXT_CHARS) -> str:
    """The first line of a question, cut to `limit` characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


class Reports:
    """Everything the bot says about a branch's month, read from the store on each request."""

    def __init__(self, organization: Organization, clock: Clock, timezone: ZoneInfo) -> None:
        self._organization = organization
        self._clock = clock
        self._timezone = timezone
        self._meetings = Meetings(organization, clock, timezone)

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
        return self._build(branch, month, self._store.people(), self._tasks(month))

    def ranking(self, month: str) -> list[BranchMonthReport]:
        """Every declared branch's month, by participation rate (people and tasks read once)."""
        people, tasks = self._store.people(), self._tasks(month)
        branches = self._organization.config.branches
        return rank_branches(self._build(b, month, people, tasks) for b in branches)

    def member_text(self, user_id: int, branch: Branch) -> str:
        """/me: the member's month in the branch, with the size of their review list."""
        report = self.report(branch.id, self.this_month())
        member = report.member(user_id)
        if member is None:
            raise UserError(messages.ME_NOT_ON_ROSTER.format(branch=branch.name))
        review = len(self._store.member_quiz(user_id).member_progress.review_list())
        return format_member_month(member, review)

    def leaderboard_text(self, branch: Branch) -> str:
        """/top: the branch's points leaderboard of this month."""
        return format_leaderboard(self.report(branch.id, self.this_month()))

    def _tasks(self, month: str) -> list[StudyTask]:
        # Tasks pushed in earlier months can be finished (and earn points) in this one.
        return [
            task
            for start in task_months(month, self._timezone)
            for task in self._store.study_tasks_of_month(start)
        ]

    def _build(
        self, branch: Branch, month: str, people: Sequence[Person], tasks: Sequence[StudyTask]
    ) -> BranchMonthReport:
        kept = self._store.branch_roster(branch.id)
        roster = branch_members(branch.id, people, kept)
        first, last = month_days(month, self._timezone)
        leave = {m.key: found for m in roster if (found := leave_of(kept, m.key, first, last))}
        former = [p for p in people if p.membership(branch.id) and not p.is_active_in(branch.id)]
        answers = [
            AnswerRecord.from_event(event)
            for event in self._store.events(branch.id, month)
            if event.kind == ANSWER_EVENT_KIND
        ]
        rule = self._organization.config.points
        return build_report(
            branch.id, branch.name, month, roster, tasks, answers, rule, self._timezone, former,
            leave,
        )  # fmt: skip

    # --- meetings ---------------------------------------------------------------------

    def meeting_line(self, branch: Branch, month: str) -> str:
        """The month's 组织生活 against the cadence (the quarter's, for quarterly kinds), as
        of today in this month, or of the month's last day."""
        last = month_days(month, self._timezone)[1]
        day = min(last, self._clock().astimezone(self._timezone).date())
        quarter = quarter_of(day)
        meetings = self._meetings.dated_between(quarter.first, quarter.last)
        return held_line(branch, self._organization.config.cadence, meetings, day)

    def meeting_lines(self, branch: Branch, month: str) -> list[MeetingLine]:
        """The month's closed meetings for the export's 组织生活 sheet."""
        start, _ = month_bounds(month, self._timezone)
        lines = []
        for meeting in self._meetings.closed_in_month(branch.id, start):
            present, excused = self._meetings.ledger_names(meeting)
            lines.append(
                MeetingLine(
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
            )
        return lines

    def quarter_compliance(self, branch: Branch) -> tuple[int, int]:
        """(requirements met, requirements) of this quarter's meetings, for /branches."""
        quarter = quarter_of(self._clock().astimezone(self._timezone).date())
        meetings = self._meetings.dated_between(quarter.first, quarter.last)
        return compliance(branch, self._organization.config.cadence, meetings, quarter)

    # --- question statistics ------------------------------------------------------------

    def question_stats(self, banks: BankSet, args: Sequence[str]) -> str:
        """/stats [bank] [YYYY-MM]: the month's questions with the lowest share answered right."""
        bank_id, month = self._stats_args(banks, args)
        answers = [
            AnswerRecord.from_event(event)
            for event in self._store.month_events(month)
            if event.kind == ANSWER_EVENT_KIND
            and (bank_id is None or event.data["bank"] == bank_id)
        ]
        scope = (
            messages.STATS_SCOPE_BANK.format(bank=bank_id) if bank_id else messages.STATS_SCOPE_ALL
        )
        rows = question_facility(answers)
        if not rows:
            return messages.STATS_EMPTY.format(month=month_label(month), scope=scope)
        lines = [
            messages.STATS_HEADER.format(
                month=month_label(month),
                scope=scope,
                shown=min(len(rows), STATS_SHOWN),
                questions=len(rows),
                answers=len(answers),
            )
        ]
        for rank, row in enumerate(rows[:STATS_SHOWN], start=1):
            question = banks.question((row.bank_id, row.question_id))
            text = short_text(question.text) if question else messages.STATS_QUESTION_GONE
            lines.append(
                messages.STATS_LINE.format(
                    rank=rank,
                    bank=row.bank_id,
                    question=row.question_id,
                    text=text,
                    answered=row.answered,
                    rate=percent(row.facility),
                )
            )
        return "\n".join(lines)

    def _stats_args(self, banks: BankSet, args: Sequence[str]) -> tuple[str | None, str]:
        usage = messages.STATS_USAGE.format(month=self.this_month())
        bank_id, month = name_and_month(args, usage)
        if bank_id is not None and banks.bank(bank_id) is None:
            loaded = "、".join(b.id for b in banks.banks) or messages.NOBODY
            raise UserError(messages.STATS_UNKNOWN_BANK.format(bank=bank_id, banks=loaded))
        return bank_id, month or self.this_month()

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
        label = month_label(month)
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
                branch=html.escape(branch.name), month=label, mentions=mentions
            )
            await messenger.wait_turn(binding.chat_id)
            try:
                await messenger.send(binding.chat_id, text, html=True)
                mentioned = len(missing)
            except DeliveryError:
                pass  # the direct messages below still go out
        private = 0
        text = messages.NUDGE_PRIVATE.format(branch=branch.name, month=label)
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
