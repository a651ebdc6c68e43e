"""The scheduler's engine: what is due now, delivered exactly once, and study-task upkeep.

`tick()` is called every few seconds (by the JobQueue in production, by tests
with a clock they move). Each round plans the pushes whose time has come,
skips those already recorded, and delivers the rest. A push is recorded as
`sending` right before its message leaves and `sent` when Telegram confirms;
a `sending` record found after a crash cannot be known to have arrived, so it
is reported to the admins as uncertain and never sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from core import messages
from core.clock import Clock
from core.config.agency import AgencyConfig
from core.config.branches import Branch
from core.config.schedules import PromptAction, QuizAction, Schedule, StudyAction
from core.dates.workdays import WorkCalendar
from core.delivery import (
    Button,
    ChatGone,
    ChatMoved,
    DeliveryError,
    MaybeDelivered,
    Messenger,
    TryLater,
    Undeliverable,
)
from core.meetings.service import Meetings, prompt_button
from core.organization.branches import Notice, Organization
from core.scheduling.holiday_warning import missing_holidays_notices
from core.scheduling.meeting_cadence import CadenceReminders
from core.scheduling.member_dates import MemberDates
from core.scheduling.planner import PlannedPush, plan
from core.scheduling.secretaries import Secretaries
from core.scheduling.study_tasks import CALLBACK_PREFIX, StudyTasks, new_task
from core.scheduling.term_reminders import TermReminders
from core.scheduling.unbound_digest import unbound_digest
from core.store.database import Store
from core.store.records import PushRecord, StudyTask

# How much further back than the catch-up window a push may be due and still wait for
# the end of quiet hours (a night is shorter than a day).
NIGHT_REACH = timedelta(days=1)
# How far back `recover` looks for pushes a crash left half-sent.
RECOVERY_MONTHS = 2
# Telegram allows about 20 messages a minute per group, edits included: during a burst of
# 学完了 presses the count is edited at most this often, and the next round catches up.
COUNT_EDIT_SECONDS = 5.0


RESEND_PREFIX = "resend:"


def resend_token(record: PushRecord) -> str:
    """A short name for a push record in a button's callback data (64 bytes at most)."""
    digest = hashlib.sha1(f"{record.key}|{record.nominal.isoformat()}".encode()).hexdigest()
    return f"{record.nominal:%Y%m}{digest[:16]}"


class GroupQuizStarter(Protocol):
    """Starts a group quiz in a branch group (the quiz feature implements it)."""

    async def start_group_quiz(
        self, branch: Branch, chat_id: int, action: QuizAction, at: datetime
    ) -> int:
        """Send the quiz; return the id of its first message."""


class Dispatcher:
    """Delivers due pushes exactly once and keeps study tasks moving."""

    def __init__(
        self,
        organization: Organization,
        messenger: Messenger,
        calendar: WorkCalendar,
        clock: Clock,
        timezone: ZoneInfo,
        quizzes: GroupQuizStarter | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._organization = organization
        self._messenger = messenger
        self._calendar = calendar
        self._clock = clock
        self._timezone = timezone
        self._quizzes = quizzes
        self.study = StudyTasks(organization, clock)
        self.secretaries = Secretaries(organization, messenger)
        self.member_dates = MemberDates(organization, messenger, self.secretaries, clock, timezone)
        self.meetings = Meetings(organization, clock, timezone)
        self.cadence = CadenceReminders(
            organization, self.secretaries, self.meetings, clock, timezone
        )
        self.terms = TermReminders(organization, self.secretaries, clock, timezone)
        self._lock = asyncio.Lock()
        self._monotonic = monotonic
        self._count_edited_at: dict[str, float] = {}

    @property
    def _store(self) -> Store:
        return self._organization.store

    @property
    def _config(self) -> AgencyConfig:
        return self._organization.config  # read each time: /reload may replace it

    @property
    def _workdays(self) -> WorkCalendar:
        return self._calendar.declaring(self._config.calendar)  # with its `calendar:` days

    # --- rounds -----------------------------------------------------------

    async def recover(self) -> list[Notice]:
        """At start-up: pushes a crash left in `sending` become `uncertain`, reported once."""
        now = self._clock()
        uncertain = []
        for months_back in range(RECOVERY_MONTHS):
            month = now.replace(day=1) - timedelta(days=31 * months_back)
            for record in self._store.pushes_with_status("sending", month):
                uncertain.append(self._store.set_push_status(record, "uncertain", updated_at=now))
        return [self._uncertain_notice(uncertain)] if uncertain else []

    async def tick(self) -> list[Notice]:
        """One round: deliver due pushes, then study reminders and summaries."""
        async with self._lock:
            now = self._clock()
            notices: list[Notice] = []
            await self._close_due_meetings()  # an edit of the 签到 message, not a new one
            if not self.quiet(now):  # what falls due at night waits for the morning
                notices += await self._deliver_due_pushes(now)
                self._store.set_last_push_round(now)
                # Read the clock again: the round's pushes were recorded after `now`.
                digest = unbound_digest(self._store, self._config, self._clock(), self._timezone)
                notices += [digest] if digest else []
                notices += await self._upkeep_study_tasks(now)
                await self.member_dates.run(self._workdays)
                notices += await self.cadence.run(self._workdays)
                notices += await self.terms.run(self._workdays)
            self._store.set_last_tick(now)
            return notices

    def quiet(self, moment: datetime) -> bool:
        """Whether `moment` is inside the agency's quiet hours (夜间免打扰)."""
        return self._config.quiet_hours.contains(moment.astimezone(self._timezone))

    def holiday_reminders(self) -> list[Notice]:
        """Once a week while this or (from November) next year's holidays are unknown."""
        return missing_holidays_notices(self._clock(), self._workdays, self._store)

    def due_pushes(self, now: datetime) -> tuple[list[PlannedPush], list[PlannedPush]]:
        """(pushes to send now, pushes too old to send) among those not yet handled.

        The window reaches back `catch_up_hours` before the last round that delivered
        pushes: the bot was down since, or quiet hours held them.
        """
        catch_up = timedelta(hours=self._config.catch_up_hours)
        last_round = self._store.last_push_round()
        since = (min(last_round, now) if last_round else now) - catch_up
        # A push due in the night counts from the morning, when quiet hours let it go:
        # plan a day further back and keep those whose morning is in the window.
        planned = plan(
            self._config,
            self._workdays,
            self._timezone,
            since - NIGHT_REACH,
            now + timedelta(0, 1),
        )
        unhandled = [
            (push, ready)
            for push in planned
            if since <= (ready := self._ready_at(push)) <= now
            and self._store.push(push.key, push.nominal) is None
        ]
        fresh = [push for push, ready in unhandled if now - ready <= catch_up]
        stale = [push for push, ready in unhandled if now - ready > catch_up]
        return fresh, stale

    def _ready_at(self, push: PlannedPush) -> datetime:
        """When a push may go: its time, or the end of the quiet hours it falls in."""
        return self._config.quiet_hours.over_at(push.actual.astimezone(self._timezone))

    # --- pushes -----------------------------------------------------------

    async def _deliver_due_pushes(self, now: datetime) -> list[Notice]:
        fresh, stale = self.due_pushes(now)
        notices = []
        for push in stale:
            self._store.save_push(self._record(push, "missed", now))
        if stale:
            hours = self._config.catch_up_hours
            lines = [self._push_line(p.branch_id, p.schedule_id, p.actual) for p in stale]
            header = messages.PUSH_MISSED_HEADER.format(hours=hours)
            notices.append(Notice("\n".join([header, *lines])))
        for push in fresh:
            try:
                notice = await self._deliver(push)
            except TryLater:
                break  # Telegram is not answering: the rest waits for the next round
            if notice is not None:
                notices.append(notice)
        return notices

    async def _deliver(self, push: PlannedPush) -> Notice | None:
        schedule = self._schedule(push.schedule_id)
        branch = self._config.branch(push.branch_id)
        if schedule is None or branch is None:
            return None  # removed from schedules.yaml since it was planned
        if branch.id in self._store.paused_branches():
            self._store.save_push(self._record(push, "paused", self._clock()))
            return None
        binding = self._store.binding_for_branch(branch.id)
        if binding is None:  # told in the day's digest (core/scheduling/unbound_digest.py)
            self._store.save_push(self._record(push, "unbound", self._clock()))
            return None
        record = self._record(push, "sending", self._clock(), chat_id=binding.chat_id)
        return await self._claim_and_send(record, schedule, branch)

    async def _claim_and_send(
        self, record: PushRecord, schedule: Schedule, branch: Branch
    ) -> Notice | None:
        """Wait for a send slot, record the push as `sending`, then send it."""
        assert record.chat_id is not None
        await self._messenger.wait_turn(record.chat_id)
        claim = self._store.set_push_status(
            record, "sending", chat_id=record.chat_id, updated_at=self._clock()
        )
        return await self._send_claimed(claim, schedule, branch)

    async def _send_claimed(
        self, claim: PushRecord, schedule: Schedule, branch: Branch
    ) -> Notice | None:
        assert claim.chat_id is not None
        try:
            message_id = await self._perform(schedule, branch, claim)
        except ChatMoved as moved:
            self._store.forget_push(claim)  # sent again next round, to the new chat
            return self._organization.chat_migrated(claim.chat_id, moved.new_chat_id)
        except ChatGone:
            self._store.set_push_status(claim, "failed", detail="bot removed")
            return self._organization.bot_removed(claim.chat_id)
        except TryLater:
            self._store.forget_push(claim)
            raise
        except MaybeDelivered:
            return self._uncertain_notice([self._store.set_push_status(claim, "uncertain")])
        except Undeliverable as error:
            self._store.set_push_status(claim, "failed", detail=str(error))
            return Notice(
                messages.PUSH_FAILED.format(
                    schedule=schedule.name, branch=branch.name, reason=error, branch_id=branch.id
                )
            )
        self._store.set_push_status(claim, "sent", message_id=message_id, updated_at=self._clock())
        return None

    async def _perform(self, schedule: Schedule, branch: Branch, claim: PushRecord) -> int:
        assert claim.chat_id is not None
        action = schedule.action
        if isinstance(action, PromptAction):
            text = action.render(branch.name, claim.actual)
            buttons = [prompt_button(action.meeting)] if action.meeting else []
            return await self._messenger.send(claim.chat_id, text, buttons=buttons)
        if isinstance(action, StudyAction):
            return await self._assign_study(claim, action, branch)
        if isinstance(action, QuizAction):
            if self._quizzes is None:
                raise Undeliverable(messages.QUIZ_UNAVAILABLE)
            return await self._quizzes.start_group_quiz(
                branch, claim.chat_id, action, claim.actual
            )
        raise AssertionError(f"unknown action {action!r}")

    async def _assign_study(self, claim: PushRecord, action: StudyAction, branch: Branch) -> int:
        assert claim.chat_id is not None
        # Stored before sending, so a press on the message always finds its task. A resend
        # (补发) keeps the stored task: presses on a first message that did arrive count.
        task = self._store.add_study_task(
            new_task(claim.key, action, branch, claim.chat_id, claim.actual, self._workdays)
        )
        shown = len(task.done)
        text = self.study.task_text(task)
        message_id = await self._messenger.send(
            claim.chat_id, text, buttons=[self._study_button(task)]
        )
        # Presses may have been recorded while the message was on its way: only the message
        # (in the group it went to: a 补发 follows a rebind) and the count it shows are set,
        # so the next round edits the count if it moved.
        chat_id = claim.chat_id

        def sent(stored: StudyTask) -> tuple[StudyTask, None]:
            return replace(stored, chat_id=chat_id, message_id=message_id, shown_done=shown), None

        self._store.change_study_task(task.id, sent)
        return message_id

    # --- resending what may not have arrived ------------------------------

    async def resend(self, token: str) -> Notice:
        """An admin checked the group and found an uncertain push missing: send it now.

        Returns what to tell the admin. Only an `uncertain` push can be resent, so a
        second press, or a press on an old notice, sends nothing.
        """
        async with self._lock:
            record = self._uncertain_push(token)
            schedule = self._schedule(record.schedule_id) if record else None
            branch = self._config.branch(record.branch_id) if record else None
            if record is None or schedule is None or branch is None:
                return Notice(messages.RESEND_GONE)
            binding = self._store.binding_for_branch(branch.id)
            if binding is None:
                text = messages.RESEND_UNBOUND.format(branch=branch.name, branch_id=branch.id)
                return Notice(text)
            try:
                notice = await self._claim_and_send(
                    replace(record, chat_id=binding.chat_id), schedule, branch
                )
            except TryLater:
                # still uncertain: the admin may press again
                self._store.set_push_status(record, "uncertain")
                return Notice(messages.RESEND_LATER)
            return notice or Notice(messages.RESEND_DONE.format(branch=branch.name))

    def _uncertain_push(self, token: str) -> PushRecord | None:
        try:
            month = datetime.strptime(token[:6], "%Y%m").replace(tzinfo=self._timezone)
        except ValueError:
            return None  # not a token this bot made
        candidates = self._store.pushes_with_status("uncertain", month)
        return next((r for r in candidates if resend_token(r) == token), None)

    def _uncertain_notice(self, records: list[PushRecord]) -> Notice:
        labels = [self._push_label(r.branch_id, r.schedule_id, r.actual) for r in records]
        lines = [messages.PUSH_LINE.format(push=label) for label in labels]
        buttons = [
            Button(messages.RESEND_BUTTON.format(push=label), f"{RESEND_PREFIX}{resend_token(r)}")
            for r, label in zip(records, labels, strict=True)
        ]
        return Notice("\n".join([messages.PUSH_UNCERTAIN_HEADER, *lines]), tuple(buttons))

    # --- meetings -------------------------------------------------------------

    async def _close_due_meetings(self) -> None:
        """签到 ends at 23:59 of the meeting's day: the record replaces the 签到 message."""
        for meeting in self.meetings.due_to_close():
            closed = self.meetings.close(meeting.id)
            if closed is None or closed.message_id is None:
                continue
            branch = self._config.branch(closed.branch_id)
            text = self.meetings.record_text(closed, branch.name if branch else closed.branch_id)
            with contextlib.suppress(DeliveryError):  # the record is stored either way
                await self._messenger.edit(closed.chat_id, closed.message_id, text)

    # --- study tasks --------------------------------------------------------

    async def _upkeep_study_tasks(self, now: datetime) -> list[Notice]:
        # Each step reads the task afresh from the store: members press 学完了 while the
        # round awaits Telegram, and a copy read earlier would not show their presses.
        notices = []
        for task in self._store.open_study_tasks(now):
            await self.refresh_count(task.id)
            if task.remind_at and not task.reminded and task.remind_at <= now < task.due_at:
                await self._remind(task.id)
            if task.due_at <= now:
                notice = await self._summarize(task.id)
                if notice is not None:
                    notices.append(notice)
        return notices

    async def refresh_count(self, task_id: str) -> None:
        """Edit the task message when its 已完成 count is stale, at most every few seconds."""
        task = self._store.study_task(task_id)
        if task is None or task.message_id is None or task.shown_done == len(task.done):
            return
        now = self._monotonic()
        if now - self._count_edited_at.get(task.id, -COUNT_EDIT_SECONDS) < COUNT_EDIT_SECONDS:
            return
        self._count_edited_at[task.id] = now
        shown = len(task.done)
        try:
            await self._messenger.edit(
                task.chat_id,
                task.message_id,
                self.study.task_text(task),
                buttons=[self._study_button(task)],
            )
        except (TryLater, MaybeDelivered):
            return  # the next round tries again
        except (ChatGone, ChatMoved, Undeliverable):
            pass  # the group is gone or the message deleted: stop trying
        # Only the count the message shows is stored: presses made during the edit stay,
        # and the next round sees the count moved on and edits again.
        self._store.change_study_task(
            task_id, lambda stored: (replace(stored, shown_done=shown), None)
        )

    async def _remind(self, task_id: str) -> None:
        # Marked first: a reminder is better missed once than repeated after a crash.
        task = self._mark_once(task_id, "reminded")
        if task is None:
            return
        pending = self.study.pending(task)
        if not pending:
            return
        done = self._study_button(task)  # a press on a reminder counts as on the task
        with contextlib.suppress(DeliveryError):  # best effort; direct messages follow
            await self._messenger.send(
                task.chat_id,
                self.study.reminder_text(task, pending),
                buttons=[done],
                html=True,
                reply_to=task.message_id,
            )
        text = self.study.private_reminder_text(task)
        read = [Button(messages.STUDY_READ_BUTTON, url=task.link)] if task.link else []
        for member in pending:
            if member.private_chat and member.user_id is not None:
                await self.secretaries.send_private(member.user_id, text, [done, *read])

    async def _summarize(self, task_id: str) -> Notice | None:
        task = self._mark_once(task_id, "summarized")
        if task is None:
            return None
        summary = self.study.summary_text(task)
        branch = self._config.branch(task.branch_id)
        if branch is not None and await self.secretaries.tell(
            branch, summary, chat_id=task.chat_id, reply_to=task.message_id
        ):
            return None
        name = branch.name if branch else task.branch_id
        return Notice(messages.STUDY_SUMMARY_UNDELIVERED.format(branch=name, summary=summary))

    def _mark_once(
        self, task_id: str, flag: Literal["reminded", "summarized"]
    ) -> StudyTask | None:
        """Set a task's `reminded` or `summarized` flag in the store; the task as stored
        now if this call set it, None if it was set already."""

        def mark(task: StudyTask) -> tuple[StudyTask | None, StudyTask | None]:
            if getattr(task, flag):
                return None, None
            marked = (
                replace(task, reminded=True)
                if flag == "reminded"
                else replace(task, summarized=True)
            )
            return marked, marked

        return self._store.change_study_task(task_id, mark)

    # --- helpers --------------------------------------------------------

    @staticmethod
    def _study_button(task: StudyTask) -> Button:
        return Button(messages.STUDY_BUTTON, f"{CALLBACK_PREFIX}{task.id}")

    def _schedule(self, schedule_id: str) -> Schedule | None:
        return next((s for s in self._config.schedules if s.id == schedule_id), None)

    def _record(
        self, push: PlannedPush, status: str, now: datetime, chat_id: int | None = None
    ) -> PushRecord:
        return PushRecord(
            key=push.key,
            schedule_id=push.schedule_id,
            branch_id=push.branch_id,
            nominal=push.nominal,
            actual=push.actual,
            status=status,
            updated_at=now,
            chat_id=chat_id,
        )

    def _push_line(self, branch_id: str, schedule_id: str, at: datetime) -> str:
        return messages.PUSH_LINE.format(push=self._push_label(branch_id, schedule_id, at))

    def _push_label(self, branch_id: str, schedule_id: str, at: datetime) -> str:
        branch = self._config.branch(branch_id)
        name = branch.name if branch else branch_id
        return messages.PUSH_LABEL.format(
            branch=name, time=f"{at:%Y-%m-%d %H:%M}", schedule=self._schedule_name(schedule_id)
        )

    def _schedule_name(self, schedule_id: str) -> str:
        """The schedule's title; its id if it has none or is gone from schedules.yaml."""
        schedule = self._schedule(schedule_id)
        return schedule.name if schedule else schedule_id
