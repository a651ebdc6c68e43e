"""Theory-study tasks: who has pressed 学完了, reminders before the due date, the summary after."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from core import messages
from core.clock import Clock
from core.config.branches import Branch
from core.config.schedules import StudyAction
from core.dates.workdays import WorkCalendar
from core.errors import UserError
from core.organization.branches import ChatUser, Organization
from core.roster.members import Member, branch_members, leave_of
from core.store.records import StudyTask
from core.store.roster_records import account_key

CALLBACK_PREFIX = "study:"
# A title's own lead such as 每月理论学习：, which the task's heading already says.
_OWN_LEAD = re.compile(r"^[^：:]*学习\s*[：:]")


def study_topic(title: str) -> str:
    """A task's title as members read it after 「11月理论学习：」: without a colon at either
    end, nor a lead of its own (每月理论学习：党章和党纪 is 党章和党纪)."""
    topic = _OWN_LEAD.sub("", title.strip(), count=1).strip(" ：:")
    return topic or title.strip(" ：:") or title


def task_id_for(push_key: str, assigned_at: datetime) -> str:
    """A short, stable id: the month (YYMM, which tells the store where to look) and a hash."""
    digest = hashlib.sha1(push_key.encode()).hexdigest()[:8]
    return f"{assigned_at:%y%m}-{digest}"


def new_task(
    push_key: str,
    action: StudyAction,
    branch: Branch,
    chat_id: int,
    assigned_at: datetime,
    calendar: WorkCalendar,
) -> StudyTask:
    """The task a study push creates.

    A due date on a day off moves to the next workday (so does the summary sent after it);
    the reminder keeps its distance from the due date but moves back onto a workday.
    """
    nominal_due = assigned_at + timedelta(days=action.due_days)
    due_at = _on_day(nominal_due, calendar.workday_on_or_after(nominal_due.date()))
    remind_at = None
    if action.remind_before_days:
        remind_at = due_at - timedelta(days=action.remind_before_days)
        on_workday = _on_day(remind_at, calendar.workday_on_or_before(remind_at.date()))
        remind_at = on_workday if on_workday > assigned_at else remind_at
    return StudyTask(
        id=task_id_for(push_key, assigned_at),
        push_key=push_key,
        branch_id=branch.id,
        chat_id=chat_id,
        title=action.title,
        body=action.body,
        link=action.link,
        points=action.points,
        assigned_at=assigned_at,
        due_at=due_at,
        remind_at=remind_at,
    )


def _on_day(at: datetime, day: date) -> datetime:
    """`at`'s wall-clock time on `day` (the offset is recomputed for the new date)."""
    return at.replace(year=day.year, month=day.month, day=day.day)


@dataclass(frozen=True)
class Completion:
    """The result of a 学完了 press."""

    task: StudyTask
    newly_done: bool

    @property
    def reply(self) -> str:
        """The short answer shown to the member who pressed."""
        if self.newly_done:
            return messages.STUDY_DONE.format(title=study_topic(self.task.title))
        return messages.STUDY_ALREADY_DONE


class StudyTasks:
    """Records completions and composes the task, reminder and summary texts."""

    def __init__(self, organization: Organization, clock: Clock) -> None:
        self._organization = organization
        self._clock = clock

    def complete(self, task_id: str, user: ChatUser) -> Completion:
        """A member pressed 学完了: record it once."""
        task = self._organization.store.study_task(task_id)
        if task is None:
            raise UserError(messages.STUDY_UNKNOWN)
        if task.is_done_by(user.user_id):
            return Completion(task, newly_done=False)
        person = self._organization.store.person(user.user_id)
        if person is None or not person.is_active_in(task.branch_id):
            raise UserError(messages.STUDY_NOT_MEMBER.format(branch=self._branch_name(task)))
        at = self._clock()

        def press(stored: StudyTask) -> tuple[StudyTask | None, Completion]:
            if stored.is_done_by(user.user_id):
                return None, Completion(stored, newly_done=False)
            done = replace(stored, done={**stored.done, user.user_id: at})
            return done, Completion(done, newly_done=True)

        completion = self._organization.store.change_study_task(task_id, press)
        assert completion is not None  # read above, and tasks are never deleted
        return completion

    def members(self, task: StudyTask) -> list[Member]:
        """Who the task is for: the branch's members (`core/roster/members.py`) but those
        excused by leave, plus anyone who finished and has since left."""
        counted, _ = self._split(task)
        return counted + self._leavers(task, counted)

    def pending(self, task: StudyTask) -> list[Member]:
        """Members the reminder is for: reachable (报到), not done, not on leave."""
        return [
            m
            for m in self.members(task)
            if m.user_id is not None and not task.is_done_by(m.user_id)
        ]

    def _leavers(self, task: StudyTask, counted: list[Member]) -> list[Member]:
        """Who finished the task but is no longer among the branch's members."""
        listed = {m.user_id for m in counted if m.user_id is not None}
        store = self._organization.store
        return [
            Member(account_key(user_id), person.report_name, user_id)
            for user_id in task.done
            if user_id not in listed and (person := store.person(user_id))
        ]

    def _split(self, task: StudyTask) -> tuple[list[Member], list[Member]]:
        """The branch's members: (counted, excused). A member on leave any day from the
        task's assignment to its due date is excused, unless they finished it."""
        store = self._organization.store
        roster = store.branch_roster(task.branch_id)
        first, last = task.assigned_at.date(), task.due_at.date()
        counted: list[Member] = []
        excused: list[Member] = []
        for member in branch_members(task.branch_id, store.branch_people(task.branch_id), roster):
            done = member.user_id is not None and task.is_done_by(member.user_id)
            on_leave = leave_of(roster, member.key, first, last) is not None
            (excused if on_leave and not done else counted).append(member)
        return counted, excused

    def task_text(self, task: StudyTask) -> str:
        """The group message of a task, with its 学习要点 numbered and its live count."""
        link = messages.STUDY_LINK.format(link=task.link) if task.link else ""
        lines = "\n".join(
            messages.STUDY_POINT_LINE.format(number=number, point=point)
            for number, point in enumerate(task.points, start=1)
        )
        return messages.STUDY_TASK.format(
            month=task.assigned_at.month,
            title=study_topic(task.title),
            body=task.body,
            link=link,
            points=messages.STUDY_POINTS.format(lines=lines) if lines else "",
            due=messages.format_due(task.due_at),
            done=len(task.done),
            total=len(self.members(task)),
        )

    def reminder_text(self, task: StudyTask, pending: list[Member]) -> str:
        """The group reminder, mentioning (HTML) each member not done."""
        mentions = "、".join(
            f'<a href="tg://user?id={m.user_id}">{html.escape(m.name)}</a>' for m in pending
        )
        today = self._clock().astimezone(task.due_at.tzinfo)
        return messages.STUDY_REMIND_GROUP.format(
            title=html.escape(study_topic(task.title)),
            due=messages.format_due(task.due_at),
            today=f"{today.month}月{today.day}日",
            mentions=mentions,
        )

    def private_reminder_text(self, task: StudyTask) -> str:
        """The direct-message reminder."""
        return messages.STUDY_REMIND_PRIVATE.format(
            branch=self._branch_name(task),
            title=study_topic(task.title),
            due=messages.format_due(task.due_at),
        )

    def summary_text(self, task: StudyTask) -> str:
        """Who did and who did not, for the secretary after the due date."""
        counted, excused = self._split(task)
        members = counted + self._leavers(task, counted)
        done = [m.name for m in members if m.user_id is not None and task.is_done_by(m.user_id)]
        pending = [
            m.name + ("" if m.reported else messages.REPORT_UNREPORTED_MARK)
            for m in members
            if m.user_id is None or not task.is_done_by(m.user_id)
        ]
        summary = messages.STUDY_SUMMARY.format(
            branch=self._branch_name(task),
            title=study_topic(task.title),
            done_count=len(done),
            done="、".join(done) or messages.NOBODY,
            pending_count=len(pending),
            pending="、".join(pending) or messages.NOBODY,
        )
        if excused:
            names = "、".join(m.name for m in excused)
            summary += "\n" + messages.STUDY_SUMMARY_EXCUSED.format(names=names)
        return summary

    def _branch_name(self, task: StudyTask) -> str:
        branch = self._organization.config.branch(task.branch_id)
        return branch.name if branch else task.branch_id
