"""What the store keeps of a branch's own roster: its 名单, who is on leave, its roll call.

One document per branch (`data/rosters/<branch>.json`, the branch id is the file's name),
so that changing a branch's list costs what that branch holds, never the agency.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime

from core.store.documents import declare

# The 类别 a 名单 entry may have, in the order the secretary's guide lists them.
CATEGORIES = ("正式党员", "预备党员", "入党积极分子", "其他")
PROBATIONARY = "预备党员"
ACCOUNT_KEY_PREFIX = "u"  # the member key of someone in the group but not on the 名单


def entry_id(name: str, note: str) -> str:
    """A 名单 entry's id, from what tells it apart (name and 备注): uploading the list
    again keeps every entry's id, and with it the account linked and the leave recorded."""
    return "e" + hashlib.sha1(f"{name}|{note}".encode()).hexdigest()[:8]


def account_key(user_id: int) -> str:
    """The member key of an account that no 名单 entry holds."""
    return f"{ACCOUNT_KEY_PREFIX}{user_id}"


@dataclass(frozen=True)
class ListEntry:
    """One person on a branch's 名单, and the Telegram account that claimed it, if any."""

    id: str
    name: str
    category: str
    joined: date | None = None  # 入党日期
    confirmed: date | None = None  # 转正日期
    note: str = ""  # 备注: tells two entries of the same name apart
    user_id: int | None = None  # None: nobody has claimed it yet (未报到)


@dataclass(frozen=True)
class Leave:
    """A member excused (请假) from `first_day` to `last_day`, both included."""

    member: str  # a member key: a 名单 entry's id, or `account_key(user_id)`
    first_day: date
    last_day: date
    reason: str
    by: int
    at: datetime

    def covers(self, first: date, last: date) -> bool:
        """Whether the leave overlaps the days `first`..`last`."""
        return self.first_day <= last and first <= self.last_day


@dataclass(frozen=True)
class RollCall:
    """The group's current 报到 message (a new one replaces it)."""

    chat_id: int
    message_id: int
    posted_at: datetime
    request_id: int = 0  # the /rollcall or /bind message it answers: one roll call per request


@dataclass(frozen=True)
class BranchRoster:
    """A branch's 名单, its leave and its roll call; empty until a secretary gives them."""

    branch_id: str
    entries: tuple[ListEntry, ...] = ()
    leaves: tuple[Leave, ...] = ()
    roll_call: RollCall | None = None
    # Greetings and reminders from the list's dates already sent ("<key>@<day claimed>").
    sent: frozenset[str] = frozenset()

    def entry(self, entry_key: str) -> ListEntry | None:
        """An entry by id."""
        return next((e for e in self.entries if e.id == entry_key), None)

    def entry_of(self, user_id: int) -> ListEntry | None:
        """The entry an account claimed, if any."""
        return next((e for e in self.entries if e.user_id == user_id), None)

    def member_key(self, user_id: int) -> str:
        """The key leave is recorded under for an account."""
        entry = self.entry_of(user_id)
        return entry.id if entry else account_key(user_id)

    def with_entry(self, entry: ListEntry) -> BranchRoster:
        """A copy with `entry` replacing the entry of the same id."""
        entries = tuple(entry if e.id == entry.id else e for e in self.entries)
        return replace(self, entries=entries)


declare(BranchRoster, unwritten=["branch_id"])
