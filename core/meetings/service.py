"""Recording a meeting from the branch group, without Telegram.

The secretary sends /meeting and presses a kind and a date (a draft is stored), replies
to the bot's question with the topic (the meeting opens and its 签到 message goes out),
members press 签到 or 请假, photos and files sent as replies to the 签到 message are
attached, and 结束签到 (or 23:59 of the meeting's day, in a scheduler round) closes it into
a record: 应到 (the branch's members less those on leave), 实到, 请假 and 缺席, with names.

Every change is one `Store.change_meeting` step, and every button says what it sets, so a
press or reply Telegram delivers twice changes nothing the second time: the draft's id comes
from the message its date button was under, a press sets a member's answer (it never
toggles), an attachment is kept once per file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core import messages
from core.clock import Clock
from core.config.branches import Branch
from core.dates.periods import month_starts
from core.delivery import Button
from core.errors import UserError
from core.organization.branches import Organization
from core.roster.members import branch_members, leave_of
from core.store.database import Store
from core.store.meeting_records import (
    CLOSED,
    DRAFT,
    HOST,
    MEETING_KINDS,
    OPEN,
    TOPIC,
    Attachment,
    Attendance,
    Correction,
    Meeting,
)

PREFIX = "mt:"
# mt:k:<kind> a kind; mt:n:<kind> 登记会议 under a scheduled prompt;
# mt:d:<kind>:<YYMMDD> a date; mt:s:<id> 签到; mt:l:<id>:<reason> 请假;
# mt:c:<id> 结束签到; corrections: mt:e:<id> the record's buttons, mt:a:<id>:<name hash>
# 补签到 of an absentee, mt:f:<id>:<0|1> asks for a new topic or host.
KIND, FROM_PROMPT, DAY, SIGN_IN, LEAVE, CLOSE = "k", "n", "d", "s", "l", "c"
EDIT, MARK_PRESENT, FIELD = "e", "a", "f"
EDIT_FIELDS = (TOPIC, HOST)
MAX_HOST_CHARS = 20
EDITABLE_SHOWN = 8  # /meeting edit offers the newest records
ABSENT_SHOWN = 30  # 补签到 buttons on one record
LEAVE_REASONS = ("病假", "事假", "因公外出")
DAYS_OFFERED = 3  # 今天, 昨天, 前天
MAX_TOPIC_CHARS = 60
CLOSING_TIME = time(23, 59)


@dataclass(frozen=True)
class Press:
    """A meeting button, parsed."""

    action: str
    kind: str = ""
    day: date | None = None
    meeting_id: str = ""
    reason: str = ""
    name_hash: str = ""  # MARK_PRESENT: whose absence is corrected
    field: str = ""  # FIELD: TOPIC or HOST


def parse_press(data: str) -> Press | None:
    """The press a button's data describes; None for anything stale or forged."""
    parts = data.removeprefix(PREFIX).split(":")
    action, args = parts[0], parts[1:]
    try:
        if action in (KIND, FROM_PROMPT) and len(args) == 1:
            return Press(action, kind=MEETING_KINDS[int(args[0])])
        if action == DAY and len(args) == 2:
            text = args[1]
            if len(text) != 6 or not text.isdigit():
                return None
            day = date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
            return Press(DAY, kind=MEETING_KINDS[int(args[0])], day=day)
        if action in (SIGN_IN, CLOSE) and len(args) == 1:
            return Press(action, meeting_id=args[0])
        if action == LEAVE and len(args) == 2:
            return Press(LEAVE, meeting_id=args[0], reason=LEAVE_REASONS[int(args[1])])
        if action == EDIT and len(args) == 1:
            return Press(EDIT, meeting_id=args[0])
        if action == MARK_PRESENT and len(args) == 2:
            return Press(MARK_PRESENT, meeting_id=args[0], name_hash=args[1])
        if action == FIELD and len(args) == 2:
            return Press(FIELD, meeting_id=args[0], field=EDIT_FIELDS[int(args[1])])
    except (ValueError, IndexError):
        return None
    return None


def kind_buttons() -> tuple[Button, ...]:
    """The first step of /meeting."""
    return tuple(Button(kind, f"{PREFIX}{KIND}:{i}") for i, kind in enumerate(MEETING_KINDS))


def prompt_button(kind: str) -> Button:
    """登记会议 under a scheduled prompt of a meeting of this kind."""
    index = MEETING_KINDS.index(kind)
    return Button(messages.MEETING_FROM_PROMPT, f"{PREFIX}{FROM_PROMPT}:{index}")


def day_buttons(kind: str, today: date) -> tuple[Button, ...]:
    """The second step: today and the days before."""
    index = MEETING_KINDS.index(kind)
    return tuple(
        Button(
            messages.MEETING_DAY_LABELS[back].format(day=f"{today - timedelta(back):%m-%d}"),
            f"{PREFIX}{DAY}:{index}:{today - timedelta(back):%y%m%d}",
        )
        for back in range(DAYS_OFFERED)
    )


def attendance_buttons(meeting: Meeting) -> tuple[Button, ...]:
    """签到, a 请假 per reason, and 结束签到 (checked to be the secretary's when pressed)."""
    leave = tuple(
        Button(
            messages.MEETING_LEAVE_BUTTON.format(reason=reason),
            f"{PREFIX}{LEAVE}:{meeting.id}:{index}",
        )
        for index, reason in enumerate(LEAVE_REASONS)
    )
    return (
        Button(messages.MEETING_SIGN_IN_BUTTON, f"{PREFIX}{SIGN_IN}:{meeting.id}"),
        *leave,
        Button(messages.MEETING_CLOSE_BUTTON, f"{PREFIX}{CLOSE}:{meeting.id}"),
    )


def name_hash(name: str) -> str:
    """A name in a button's data: short, and still meaning the same person after the list
    of absentees changes (an index would not)."""
    return hashlib.sha1(name.encode()).hexdigest()[:8]


def record_buttons(meeting: Meeting) -> tuple[Button, ...]:
    """Under a record opened for correction: 改主题, 改主持人, a 补签到 per absentee."""
    fields = tuple(
        Button(
            messages.MEETING_EDIT_FIELD_BUTTON.format(field=field),
            f"{PREFIX}{FIELD}:{meeting.id}:{i}",
        )
        for i, field in enumerate(EDIT_FIELDS)
    )
    late = tuple(
        Button(
            messages.MEETING_MARK_PRESENT_BUTTON.format(name=name),
            f"{PREFIX}{MARK_PRESENT}:{meeting.id}:{name_hash(name)}",
        )
        for name in meeting.absent[:ABSENT_SHOWN]
    )
    return fields + late


def editable_buttons(meetings: list[Meeting]) -> tuple[Button, ...]:
    """/meeting edit: the newest closed records, one button each."""
    newest = sorted(meetings, key=lambda m: (m.day, m.created_at), reverse=True)
    return tuple(
        Button(
            messages.MEETING_EDIT_PICK_BUTTON.format(
                day=f"{m.day:%m-%d}", kind=m.kind, topic=m.topic
            ),
            f"{PREFIX}{EDIT}:{m.id}",
        )
        for m in newest[:EDITABLE_SHOWN]
    )


class Meetings:
    """Drafts, 签到 and records of the branches' meetings."""

    def __init__(self, organization: Organization, clock: Clock, timezone: ZoneInfo) -> None:
        self._organization = organization
        self._clock = clock
        self._timezone = timezone

    @property
    def _store(self) -> Store:
        return self._organization.store

    def today(self) -> date:
        """The local day now."""
        return self._clock().astimezone(self._timezone).date()

    # --- the draft --------------------------------------------------------------

    def start(self, branch: Branch, chat_id: int, press: Press, menu_id: int, by: int) -> Meeting:
        """A date pressed under the /meeting menu `menu_id`: the draft (the same press
        again finds the same draft)."""
        assert press.day is not None
        if press.day > self.today():
            raise UserError(messages.MEETING_FUTURE_DAY)
        digest = hashlib.sha1(f"{branch.id}|{chat_id}|{menu_id}|{press.kind}".encode())
        meeting_id = f"{press.day:%y%m}-{digest.hexdigest()[:10]}"
        draft = Meeting(meeting_id, branch.id, press.kind, press.day, chat_id, by, self._clock())
        return self._store.add_meeting(draft)

    def asked_topic(self, meeting_id: str, prompt_id: int) -> None:
        """The question for the topic went out as message `prompt_id`."""
        self._store.change_meeting(meeting_id, lambda m: (replace(m, prompt_id=prompt_id), None))

    def topic_given(
        self, chat_id: int, prompt_id: int, by: int, host: str, topic: str
    ) -> Meeting | None:
        """A reply to the bot's topic question (`prompt_id`) by the draft's creator: the
        meeting opens. None: no draft of theirs here, or it is open already (the same reply
        delivered again).

        A draft whose question went out but was not stored as asked (a kill in between:
        the press is then handled again and asks again) is still found: the newest draft
        of this secretary in this chat."""
        drafts = [
            m
            for m in self._store.unclosed_meetings(self._clock())
            if m.chat_id == chat_id and m.created_by == by and m.status == DRAFT
        ]
        if not drafts:
            return None  # not an answer to our question, or not by who was asked
        asked = [m for m in drafts if m.prompt_id == prompt_id]
        draft = asked[0] if asked else max(drafts, key=lambda m: m.created_at)
        topic = _checked_text(topic, MAX_TOPIC_CHARS)
        closes = datetime.combine(max(draft.day, self.today()), CLOSING_TIME, self._timezone)

        def open_it(meeting: Meeting) -> tuple[Meeting | None, Meeting | None]:
            if meeting.status != DRAFT:
                return None, None
            opened = replace(meeting, status=OPEN, topic=topic, host=host, closes_at=closes)
            return opened, opened

        return self._store.change_meeting(draft.id, open_it)

    def posted(self, meeting_id: str, message_id: int) -> None:
        """The 签到 message went out."""
        self._store.change_meeting(meeting_id, lambda m: (replace(m, message_id=message_id), None))

    # --- 签到 --------------------------------------------------------------------

    def answer(self, press: Press, user_id: int) -> tuple[str, Meeting | None]:
        """签到 or 请假 pressed: the member's answer is what the button says."""
        answer = Attendance(self._clock(), press.reason or None)

        def record(meeting: Meeting) -> tuple[Meeting | None, tuple[str, Meeting | None]]:
            if meeting.status != OPEN:
                return None, (messages.MEETING_CLOSED_ALREADY, None)
            reply = (
                messages.MEETING_SIGNED_IN
                if answer.leave is None
                else messages.MEETING_ON_LEAVE.format(reason=answer.leave)
            )
            current = meeting.attendance.get(user_id)
            if current is not None and current.leave == answer.leave:
                return None, (reply, None)  # pressed before: nothing changes
            changed = replace(meeting, attendance={**meeting.attendance, user_id: answer})
            return changed, (reply, changed)

        found = self._store.change_meeting(press.meeting_id, record)
        if found is None:
            raise UserError(messages.MEETING_GONE)
        return found

    def attach(self, chat_id: int, reply_to: int, attachment: Attachment) -> Meeting | None:
        """A photo or file sent as a reply to a 签到 message: kept once per file (None: the
        reply is to no meeting's message)."""
        meeting = self.replied_meeting(chat_id, reply_to)
        if meeting is None:
            return None

        def add(stored: Meeting) -> tuple[Meeting | None, Meeting]:
            if any(a.file_id == attachment.file_id for a in stored.attachments):
                return None, stored
            changed = replace(stored, attachments=(*stored.attachments, attachment))
            return changed, changed

        return self._store.change_meeting(meeting.id, add)

    def replied_meeting(self, chat_id: int, message_id: int) -> Meeting | None:
        """The recent meeting whose 签到 message (or record) is `message_id` of the chat."""
        return next(
            (
                m
                for m in self._recent_meetings()
                if m.chat_id == chat_id and m.message_id == message_id and m.status != DRAFT
            ),
            None,
        )

    # --- the record -----------------------------------------------------------------

    def close(self, meeting_id: str) -> Meeting | None:
        """结束签到, or its time came: 应到 and 缺席 are fixed from the branch's members then.
        None if it was closed already."""

        def close_it(meeting: Meeting) -> tuple[Meeting | None, Meeting | None]:
            if meeting.status != OPEN:
                return None, None
            expected, absent = self._expected(meeting)
            closed = replace(meeting, status=CLOSED, expected=expected, absent=absent)
            return closed, closed

        return self._store.change_meeting(meeting_id, close_it)

    # --- corrections -------------------------------------------------------------

    def editable(self, branch_id: str) -> list[Meeting]:
        """The branch's closed records of this month and the last, which /meeting edit offers."""
        found = [
            m for m in self._recent_meetings() if m.branch_id == branch_id and m.status == CLOSED
        ]
        if not found:
            raise UserError(messages.MEETING_NOTHING_TO_EDIT)
        return found

    def closed_record(self, meeting_id: str, branch_id: str) -> Meeting:
        """A closed record of the branch; a `UserError` for anything else (a forged button)."""
        meeting = self._store.meeting(meeting_id)
        if meeting is None or meeting.branch_id != branch_id or meeting.status != CLOSED:
            raise UserError(messages.MEETING_GONE)
        return meeting

    def mark_present(self, press: Press, by: int) -> tuple[str, Meeting]:
        """补签到: an absentee of the record was there after all. Pressed again, nothing
        changes (the name is no longer among the absent)."""

        def mark(meeting: Meeting) -> tuple[Meeting | None, tuple[str, Meeting]]:
            name = next((n for n in meeting.absent if name_hash(n) == press.name_hash), None)
            if meeting.status != CLOSED or name is None:
                return None, (messages.MEETING_MARKED_ALREADY, meeting)
            field = messages.MEETING_ATTENDANCE_FIELD.format(name=name)
            was, now = messages.MEETING_ABSENT_WORD, messages.MEETING_PRESENT_WORD
            fix = Correction(by, self._clock(), field, was, now)
            changed = replace(
                meeting,
                absent=tuple(n for n in meeting.absent if n != name),
                late_present=(*meeting.late_present, name),
                corrections=(*meeting.corrections, fix),
            )
            return changed, (messages.MEETING_MARKED_PRESENT.format(name=name), changed)

        found = self._store.change_meeting(press.meeting_id, mark)
        if found is None:
            raise UserError(messages.MEETING_GONE)
        return found

    def asked_edit(self, meeting_id: str, field: str, prompt_id: int) -> None:
        """The question for a new topic or host went out as message `prompt_id`."""
        self._store.change_meeting(
            meeting_id,
            lambda m: (replace(m, edit_prompts={**m.edit_prompts, prompt_id: field}), None),
        )

    def edit_question(self, chat_id: int, prompt_id: int) -> Meeting | None:
        """The recent record whose correction question is message `prompt_id` of the chat."""
        return next(
            (
                m
                for m in self._recent_meetings()
                if m.chat_id == chat_id and prompt_id in m.edit_prompts
            ),
            None,
        )

    def edit_given(self, meeting: Meeting, prompt_id: int, by: int, text: str) -> Meeting:
        """A reply to the question `prompt_id` of `meeting` (`edit_question`): its topic or
        host becomes `text`, and the change is kept with who made it. The same reply again
        changes nothing."""
        field = meeting.edit_prompts[prompt_id]
        value = _checked_text(text, MAX_TOPIC_CHARS if field == TOPIC else MAX_HOST_CHARS)

        def edit(stored: Meeting) -> tuple[Meeting | None, Meeting]:
            old = stored.topic if field == TOPIC else stored.host
            if old == value:
                return None, stored
            fix = Correction(by, self._clock(), field, old, value)
            changed = replace(
                stored,
                topic=value if field == TOPIC else stored.topic,
                host=value if field == HOST else stored.host,
                corrections=(*stored.corrections, fix),
            )
            return changed, changed

        changed = self._store.change_meeting(meeting.id, edit)
        if changed is None:
            raise UserError(messages.MEETING_GONE)
        return changed

    def due_to_close(self) -> list[Meeting]:
        """Open meetings whose 签到 time is over."""
        now = self._clock()
        return [
            m
            for m in self._store.unclosed_meetings(now)
            if m.status == OPEN and m.closes_at is not None and m.closes_at <= now
        ]

    def _expected(self, meeting: Meeting) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(应到, 缺席): the members not on leave that day nor excused at 签到, and those of
        them who did not sign in."""
        roster = self._store.branch_roster(meeting.branch_id)
        members = branch_members(
            meeting.branch_id, self._store.branch_people(meeting.branch_id), roster
        )
        excused = meeting.excused()
        present = set(meeting.present())
        expected = [
            m
            for m in members
            if (m.user_id in present)
            or (
                m.user_id not in excused
                and leave_of(roster, m.key, meeting.day, meeting.day) is None
            )
        ]
        absent = [m.name for m in expected if m.user_id not in present]
        return tuple(m.name for m in expected), tuple(absent)

    def dated_between(self, first: date, last: date) -> list[Meeting]:
        """Every meeting (any status) dated in the months from `first`'s to `last`'s."""
        return [
            meeting
            for month in month_starts(first, last)
            for meeting in self._store.meetings_of_month(
                datetime.combine(month, time(0), self._timezone)
            )
        ]

    def _recent_meetings(self) -> list[Meeting]:
        """This month's and last month's."""
        today = self.today()
        return self.dated_between(today.replace(day=1) - timedelta(days=1), today)

    # --- texts --------------------------------------------------------------------

    def sign_in_text(self, meeting: Meeting, branch_name: str) -> str:
        """The 签到 message with its live counts."""
        return messages.MEETING_SIGN_IN.format(
            branch=branch_name,
            kind=meeting.kind,
            day=f"{meeting.day:%Y-%m-%d}",
            topic=meeting.topic,
            host=meeting.host,
            present=len(meeting.present()),
            excused=len(meeting.excused()),
        )

    def record_text(self, meeting: Meeting, branch_name: str) -> str:
        """The closed meeting's record, as the 签到 message becomes."""
        present, excused = self.ledger_names(meeting)
        return messages.MEETING_RECORD.format(
            branch=branch_name,
            kind=meeting.kind,
            day=f"{meeting.day:%Y-%m-%d}",
            topic=meeting.topic,
            host=meeting.host,
            expected=len(meeting.expected),
            present_count=len(present),
            present="、".join(present) or messages.NOBODY,
            excused_count=len(excused),
            excused="、".join(excused) or messages.NOBODY,
            absent_count=len(meeting.absent),
            absent="、".join(meeting.absent) or messages.NOBODY,
            attachments=len(meeting.attachments),
        )

    def ledger_names(
        self, meeting: Meeting, names: Mapping[int, str] | None = None
    ) -> tuple[list[str], list[str]]:
        """(实到, 请假 with reasons) of a meeting, by the names the reports use (`names`
        from `names_of`, when naming many meetings of a branch)."""
        names = self.names_of(meeting.branch_id) if names is None else names
        present = [names.get(u, str(u)) for u in meeting.present()] + list(meeting.late_present)
        excused = [f"{names.get(u, str(u))}（{r}）" for u, r in meeting.excused().items()]
        return present, excused

    def names_of(self, branch_id: str) -> dict[int, str]:
        """Each account's name as the branch's reports give it (its 名单 entry's, if any)."""
        people = self._store.people()
        names = {p.user_id: p.report_name for p in people}
        roster = self._store.branch_roster(branch_id)
        names.update(
            (m.user_id, m.name)
            for m in branch_members(branch_id, people, roster)
            if m.user_id is not None
        )
        return names


def _checked_text(text: str, limit: int) -> str:
    """A topic or a name as one line; a `UserError` if it is empty or too long."""
    line = " ".join(text.split())
    if not line:
        raise UserError(messages.MEETING_TOPIC_EMPTY)
    if len(line) > limit:
        raise UserError(messages.MEETING_TOPIC_TOO_LONG.format(limit=limit))
    return line
