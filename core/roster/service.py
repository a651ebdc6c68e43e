"""A branch's roster as its secretary keeps it: the 名单, who claimed which entry, roll
call (报到) and leave (请假). No Telegram here; handlers call these and send the texts.

Every change is one `Store.change_branch_roster` step on the roster as stored, so two
members claiming at once, or a 名单 uploaded while someone presses 报到, never lose a
claim. Every change is also idempotent: doing it again (Telegram redelivers an update a
crash left unconfirmed) finds it done and changes nothing.

Claiming: an account claims the 名单 entry of its real name (/join 姓名, or the name
picked from buttons). A name two entries share is told apart by their 备注 (buttons).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from core import messages
from core.clock import Clock
from core.config.branches import Branch
from core.delivery import Button
from core.errors import UserError
from core.organization.branches import ChatUser, Organization
from core.roster.leave import LeaveRequest, parse_leave
from core.roster.members import Member, branch_members, on_leave
from core.store.database import Store
from core.store.records import Person
from core.store.roster_records import (
    CATEGORIES,
    BranchRoster,
    Leave,
    ListEntry,
    RollCall,
    account_key,
    entry_id,
)

PICK_PREFIX = "rpick:"  # rpick:<branch>:<entry id>: "this entry is me"
LEAVE_PREFIX = "lv:"  # lv:<branch>[:<member key>[:<YYMM>:<reason>]]: 登记请假, step by step
LEAVE_REASONS = ("病假", "产假", "事假", "外出学习", "因公出差")
ALL_MEMBERS = "*"  # lv:<branch>:*: the 登记请假 button under /roster
ROLL_CALL_PREFIX = "rollcall:"  # rollcall:<branch>: 报到
DEFAULT_CATEGORY = CATEGORIES[0]  # names pasted with /roster add
NAMES_SHOWN = 30  # names listed in one line of /roster, the rest counted
ROSTER_LINES_SHOWN = 100  # numbered lines of a roster without a 名单 (one message)


@dataclass(frozen=True)
class Claim:
    """What claiming an entry by name came to: a reply, and buttons when it is ambiguous."""

    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class RollCallText:
    """The roll call message as it should read now."""

    text: str
    buttons: tuple[Button, ...]


class Rosters:
    """The 名单, claims, roll call and leave of every branch."""

    def __init__(self, organization: Organization, clock: Clock) -> None:
        self._organization = organization
        self._clock = clock

    @property
    def _store(self) -> Store:
        return self._organization.store

    def members(self, branch_id: str) -> list[Member]:
        """The branch's members now (see `core/roster/members.py`)."""
        return branch_members(
            branch_id, self._store.branch_people(branch_id), self._store.branch_roster(branch_id)
        )

    # --- the 名单 ------------------------------------------------------------

    def replace_list(self, branch: Branch, entries: Sequence[ListEntry]) -> str:
        """A secretary's 名单 file: it replaces the list; entries kept keep their claims.

        Then every account on the roster whose real name is on the list claims its entry.
        """

        def upload(roster: BranchRoster) -> tuple[BranchRoster, None]:
            claims = {e.id: e.user_id for e in roster.entries}
            kept = tuple(replace(e, user_id=claims.get(e.id)) for e in entries)
            return replace(roster, entries=kept), None

        self._store.change_branch_roster(branch.id, upload)
        self._claim_known_names(branch.id)
        roster = self._store.branch_roster(branch.id)
        counts = Counter(e.category for e in roster.entries)
        categories = "，".join(f"{c} {counts[c]}" for c in CATEGORIES if counts[c])
        claimed = sum(1 for e in roster.entries if e.user_id is not None)
        return messages.LIST_REPLACED.format(
            branch=branch.name,
            count=len(roster.entries),
            categories=categories,
            claimed=claimed,
            unclaimed=len(roster.entries) - claimed,
        )

    def add_names(self, branch: Branch, names: Sequence[str]) -> str:
        """/roster add 张三 李四: new entries (as 正式党员); names already listed are skipped."""

        def add(roster: BranchRoster) -> tuple[BranchRoster | None, list[str]]:
            listed = {e.name for e in roster.entries}
            # A name pasted twice is one entry (two would share an id).
            new = [n for n in dict.fromkeys(names) if n not in listed]
            if not new:
                return None, []
            added = tuple(ListEntry(entry_id(n, ""), n, DEFAULT_CATEGORY) for n in new)
            return replace(roster, entries=roster.entries + added), new

        added = self._store.change_branch_roster(branch.id, add)
        self._claim_known_names(branch.id)
        skipped = [n for n in names if n not in added]
        lines = []
        if added:
            lines.append(
                messages.LIST_ADDED.format(
                    branch=branch.name, count=len(added), names="、".join(added)
                )
            )
        if skipped:
            lines.append(messages.LIST_ADD_SKIPPED.format(names="、".join(skipped)))
        return "\n".join(lines)

    def _claim_known_names(self, branch_id: str, accounts: Sequence[Person] | None = None) -> None:
        """Accounts (all on the branch's roster, unless given) whose real name matches
        exactly one free entry claim it."""
        if accounts is None:
            accounts = self._organization.roster(branch_id)
        accounts = [p for p in accounts if p.real_name]

        def claim_all(roster: BranchRoster) -> tuple[BranchRoster | None, None]:
            changed = roster
            for person in accounts:
                if changed.entry_of(person.user_id) is not None:
                    continue
                free = _free_entries(changed, person.real_name or "")
                if len(free) == 1:
                    changed = _claimed(changed, free[0], person.user_id)
            return (changed if changed != roster else None), None

        self._store.change_branch_roster(branch_id, claim_all)

    # --- claiming an entry ------------------------------------------------------

    def claim_by_name(self, branch: Branch, user_id: int, name: str) -> Claim | None:
        """After /join 姓名: claim the entry of that name; None if the branch has no 名单."""
        roster = self._store.branch_roster(branch.id)
        if not roster.entries:
            return None
        mine = roster.entry_of(user_id)
        if mine is not None and mine.name == name:
            return Claim(messages.CLAIM_DONE.format(name=name, branch=branch.name))
        free = _free_entries(roster, name)
        if len(free) > 1:
            buttons = tuple(
                Button(_entry_label(e, roster), pick_data(branch.id, e.id)) for e in free
            )
            return Claim(messages.CLAIM_WHICH.format(name=name), buttons)
        if len(free) == 1:
            return Claim(self.pick(branch, user_id, free[0].id))
        if any(e.name == name for e in roster.entries):
            return Claim(messages.CLAIM_TAKEN.format(name=name, branch=branch.name))
        return Claim(messages.CLAIM_NOT_LISTED.format(name=name, branch=branch.name))

    def pick(self, branch: Branch, user_id: int, entry_key: str) -> str:
        """The account claims this entry (a button says which); a second press is a no-op."""

        def claim(roster: BranchRoster) -> tuple[BranchRoster | None, str]:
            entry = roster.entry(entry_key)
            if entry is None:
                return None, messages.CLAIM_GONE
            if entry.user_id == user_id:
                return None, messages.CLAIM_DONE.format(name=entry.name, branch=branch.name)
            if entry.user_id is not None:
                return None, messages.CLAIM_TAKEN.format(name=entry.name, branch=branch.name)
            done = messages.CLAIM_DONE.format(name=entry.name, branch=branch.name)
            return _claimed(roster, entry, user_id), done

        return self._store.change_branch_roster(branch.id, claim)

    def claimed_entry(self, branch_id: str, user_id: int) -> ListEntry | None:
        """The 名单 entry an account claimed in a branch, if any."""
        return self._store.branch_roster(branch_id).entry_of(user_id)

    def name_choices(self, branch: Branch) -> tuple[Button, ...]:
        """Buttons of the entries nobody has claimed yet, for a member to pick their own."""
        roster = self._store.branch_roster(branch.id)
        return tuple(
            Button(_entry_label(e, roster), pick_data(branch.id, e.id))
            for e in roster.entries
            if e.user_id is None
        )

    # --- roll call ----------------------------------------------------------------

    def report_in(self, chat_id: int, user: ChatUser) -> str:
        """报到 pressed: the account is on the roster (pressing again changes nothing).

        The reply asks for a real name when neither the 名单 nor /join gave one."""
        branch = self._organization.branch_for_chat(chat_id)
        if branch is None:
            raise UserError(messages.NOT_A_BRANCH_GROUP)
        self._organization.seen_in_group(chat_id, user)
        person = self._store.person(user.user_id)
        if person is not None:  # a real name told before the 名单 came: only the presser's
            self._claim_known_names(branch.id, [person])
        roster = self._store.branch_roster(branch.id)
        if roster.entry_of(user.user_id) is not None:
            return messages.ROLL_CALL_DONE
        if not roster.entries and person is not None and person.real_name:
            return messages.ROLL_CALL_DONE
        return messages.ROLL_CALL_DONE_NAME_NEEDED

    def roll_call_posted_for(self, branch: Branch, request_id: int) -> bool:
        """Whether the message `request_id` (a /rollcall or /bind) already got its roll call:
        the same update delivered again posts nothing."""
        current = self._store.branch_roster(branch.id).roll_call
        return current is not None and current.request_id == request_id

    def replace_roll_call(self, branch: Branch, posted: RollCall) -> RollCall | None:
        """Store the roll call just posted; return the one it replaces, if any."""

        def swap(roster: BranchRoster) -> tuple[BranchRoster, RollCall | None]:
            return replace(roster, roll_call=posted), roster.roll_call

        return self._store.change_branch_roster(branch.id, swap)

    def roll_call_text(self, branch: Branch, group_members: int | None) -> RollCallText:
        """The 报到 message with its live count (群成员 from Telegram, when it answered)."""
        accounts = len(self._organization.roster(branch.id))
        count = (
            messages.ROLL_CALL_COUNT.format(reported=accounts, members=group_members)
            if group_members is not None
            else messages.ROLL_CALL_COUNT_ONLY.format(reported=accounts)
        )
        text = messages.ROLL_CALL.format(branch=branch.name, count=count)
        button = Button(messages.ROLL_CALL_BUTTON, f"{ROLL_CALL_PREFIX}{branch.id}")
        return RollCallText(text, (button,))

    def roll_call(self, branch_id: str) -> RollCall | None:
        """The branch's current roll call message, if any."""
        return self._store.branch_roster(branch_id).roll_call

    # --- leave ------------------------------------------------------------------

    def branch_of_member(self, branches: Sequence[Branch], name: str) -> Branch:
        """The one branch among `branches` with a member of this name (a `UserError` if
        none or several: then say it in the branch's group)."""
        if not branches:
            raise UserError(messages.LIST_NOT_SECRETARY)
        having = [b for b in branches if any(m.name == name for m in self.members(b.id))]
        if len(having) == 1:
            return having[0]
        if having:
            raise UserError(messages.LEAVE_WHICH_BRANCH.format(name=name))
        if len(branches) == 1:
            return branches[0]  # set_leave names who is there
        raise UserError(messages.LEAVE_NOWHERE.format(name=name))

    def set_leave(self, branch: Branch, request: LeaveRequest, actor: int) -> str:
        """/leave 张三 2026-11 病假: record the leave (the same leave again adds nothing)."""
        members = self.members(branch.id)
        found = [m for m in members if m.name == request.name]
        if not found:
            names = "、".join(m.name for m in members[:NAMES_SHOWN]) or messages.NOBODY
            raise UserError(messages.LEAVE_UNKNOWN_NAME.format(name=request.name, names=names))
        if len(found) > 1:
            raise UserError(messages.LEAVE_NAME_SHARED.format(name=request.name))
        member = found[0]
        if request.cancel:
            return self._cancel_leave(branch, member, request)
        return self._record_leave(branch, member, request, actor)

    def leave_by_button(
        self, branch: Branch, member_key: str, month: str, reason: str, actor: int
    ) -> str:
        """A reason button of /roster's 登记请假: `month` ('YYYY-MM') off for `reason`."""
        member = self._member(branch, member_key)
        request = parse_leave([member.name, month, reason])
        return self._record_leave(branch, member, request, actor)

    def member_name(self, branch: Branch, member_key: str) -> str:
        """A member's name by key (for a button drawn earlier)."""
        return self._member(branch, member_key).name

    def _member(self, branch: Branch, member_key: str) -> Member:
        member = next((m for m in self.members(branch.id) if m.key == member_key), None)
        if member is None:  # the list changed since the button was drawn
            raise UserError(messages.LEAVE_BUTTON_GONE)
        return member

    def leave_start(self, branch: Branch) -> Button:
        """The 登记请假 button under /roster."""
        return Button(messages.LEAVE_BUTTON, leave_data(branch.id, ALL_MEMBERS))

    def leave_choices(self, branch: Branch) -> tuple[Button, ...]:
        """登记请假's first step: a button per member."""
        return tuple(
            Button(m.name, leave_data(branch.id, m.key)) for m in self.members(branch.id)
        )

    def _record_leave(
        self, branch: Branch, member: Member, request: LeaveRequest, actor: int
    ) -> str:
        leave = Leave(
            member.key, request.first_day, request.last_day, request.reason, actor, self._clock()
        )

        def record(roster: BranchRoster) -> tuple[BranchRoster | None, None]:
            same = any(_same_leave(existing, leave) for existing in roster.leaves)
            return (None if same else replace(roster, leaves=(*roster.leaves, leave))), None

        self._store.change_branch_roster(branch.id, record)
        return messages.LEAVE_DONE.format(
            name=member.name,
            first=f"{request.first_day:%Y-%m-%d}",
            last=f"{request.last_day:%Y-%m-%d}",
            reason=request.reason,
        )

    def _cancel_leave(self, branch: Branch, member: Member, request: LeaveRequest) -> str:
        """Remove the member's leave overlapping the days (none left: nothing to do)."""

        def cancel(roster: BranchRoster) -> tuple[BranchRoster | None, int]:
            kept = tuple(
                leave
                for leave in roster.leaves
                if leave.member != member.key
                or not leave.covers(request.first_day, request.last_day)
            )
            removed = len(roster.leaves) - len(kept)
            return (replace(roster, leaves=kept) if removed else None), removed

        removed = self._store.change_branch_roster(branch.id, cancel)
        if not removed:
            return messages.LEAVE_NOTHING_TO_CANCEL.format(name=member.name)
        return messages.LEAVE_CANCELLED.format(name=member.name, count=removed)

    # --- /roster -------------------------------------------------------------------

    def overview(self, branch: Branch, today: date, group_members: int | None) -> str:
        """/roster: 名单 x 人 · 已报到 y · 未报到（names）· 群内未在名单（names）, and leave."""
        roster = self._store.branch_roster(branch.id)
        members = branch_members(branch.id, self._store.branch_people(branch.id), roster)
        if not members:
            return messages.ROSTER_EMPTY.format(branch=branch.name)
        away = on_leave(roster, today)
        listed = [m for m in members if m.entry is not None]
        if listed:
            unreported = [m.name for m in listed if not m.reported]
            unlisted = [m.name for m in members if m.entry is None]
            lines = [
                messages.ROSTER_TITLE.format(branch=branch.name),
                messages.ROSTER_LIST_COUNTS.format(
                    listed=len(listed), reported=len(listed) - len(unreported)
                ),
                messages.ROSTER_UNREPORTED.format(names=_names(unreported)),
                messages.ROSTER_UNLISTED.format(names=_names(unlisted)),
            ]
        else:
            lines = [messages.ROSTER_HEADER.format(branch=branch.name, count=len(members))]
            for index, member in enumerate(members[:ROSTER_LINES_SHOWN], start=1):
                note = "" if member.named else messages.ROSTER_NO_REAL_NAME
                lines.append(messages.ROSTER_LINE.format(index=index, name=member.name, note=note))
            if len(members) > ROSTER_LINES_SHOWN:
                lines.append(messages.NAMES_MORE.format(count=len(members)))
            lines.append(messages.ROSTER_NO_LIST)
        if group_members is not None:
            reported = sum(1 for m in members if m.reported)
            gap = messages.ROSTER_GROUP_GAP.format(members=group_members, reported=reported)
            lines.append(gap)
        if away:
            names = [m.name for m in members if m.key in away]
            lines.append(messages.ROSTER_ON_LEAVE.format(names=_names(names)))
        return "\n".join(lines)


def leave_data(branch_id: str, member_key: str, month: str = "", reason: int = -1) -> str:
    """The callback data of 登记请假's buttons: the branch; a member; the month (YYMM) and
    reason that one press records (at most 61 bytes)."""
    data = f"{LEAVE_PREFIX}{branch_id}:{member_key}"
    return f"{data}:{month}:{reason}" if month else data


def parse_leave_data(data: str) -> tuple[str, str, str, str] | None:
    """(branch id, member key, 'YYYY-MM' or '', reason or '') of a 登记请假 button."""
    parts = data.removeprefix(LEAVE_PREFIX).split(":")
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1], "", ""
    if len(parts) == 4 and parts[2].isdigit() and len(parts[2]) == 4 and parts[3].isdigit():
        index = int(parts[3])
        if index < len(LEAVE_REASONS):
            return parts[0], parts[1], f"20{parts[2][:2]}-{parts[2][2:]}", LEAVE_REASONS[index]
    return None


def leave_reason_buttons(branch_id: str, member_key: str, month: str) -> tuple[Button, ...]:
    """登记请假's second step: a button per common reason, for `month` ('YYYY-MM')."""
    short = month[2:4] + month[5:7]
    return tuple(
        Button(reason, leave_data(branch_id, member_key, short, index))
        for index, reason in enumerate(LEAVE_REASONS)
    )


def pick_data(branch_id: str, entry_key: str) -> str:
    """The callback data of a name button (at most 51 bytes: ids are short)."""
    return f"{PICK_PREFIX}{branch_id}:{entry_key}"


def parse_pick(data: str) -> tuple[str, str] | None:
    """(branch id, entry id) of a name button; None for anything else."""
    branch_id, _, entry_key = data.removeprefix(PICK_PREFIX).partition(":")
    return (branch_id, entry_key) if branch_id and entry_key else None


def _same_leave(one: Leave, other: Leave) -> bool:
    return (one.member, one.first_day, one.last_day, one.reason) == (
        other.member,
        other.first_day,
        other.last_day,
        other.reason,
    )


def _free_entries(roster: BranchRoster, name: str) -> list[ListEntry]:
    return [e for e in roster.entries if e.name == name and e.user_id is None]


def _claimed(roster: BranchRoster, entry: ListEntry, user_id: int) -> BranchRoster:
    """`entry` claimed by `user_id`: any other entry of theirs freed, their leave moved."""
    entries = tuple(
        replace(e, user_id=None) if e.user_id == user_id else e for e in roster.entries
    )
    freed = replace(roster, entries=entries).with_entry(replace(entry, user_id=user_id))
    old_key = account_key(user_id)
    leaves = tuple(
        replace(leave, member=entry.id) if leave.member == old_key else leave
        for leave in roster.leaves
    )
    return replace(freed, leaves=leaves)


def _entry_label(entry: ListEntry, roster: BranchRoster) -> str:
    shared = sum(1 for e in roster.entries if e.name == entry.name) > 1
    if shared and entry.note:
        return messages.CLAIM_PICK_LABEL.format(name=entry.name, note=entry.note)
    return entry.name


def _names(names: Sequence[str]) -> str:
    if not names:
        return messages.NOBODY
    shown = "、".join(names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += messages.NAMES_MORE.format(count=len(names))
    return shown
