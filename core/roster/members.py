"""Who a branch's members are, decided once for every report, count and reminder.

A branch's members are its 名单 entries, claimed by an account or not, and the accounts
on its roster (seen in the group) that no entry holds. So a member who never speaks is
still counted once the secretary lists them, and nobody the bot has seen is dropped
because the list forgot them. Without a 名单 the members are the accounts, as before.

Leave: a member on leave for any day of a period is excused (`excused`) from that
period's counts, unless they took part anyway: then they count as anyone who did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from core.organization.names import name_order
from core.store.records import Person
from core.store.roster_records import BranchRoster, Leave, ListEntry, account_key


@dataclass(frozen=True)
class Member:
    """One member of a branch: a 名单 entry, an account, or an entry an account claimed."""

    key: str  # the entry's id, or `account_key(user_id)` for an account on no entry
    name: str
    user_id: int | None  # None: a 名单 entry nobody has claimed (未报到)
    entry: ListEntry | None = None  # None: in the group, not on the 名单
    private_chat: bool = False
    named: bool = True  # False: an account that has not told its real name (/join)

    @property
    def reported(self) -> bool:
        """Whether an account answers for this member (报到)."""
        return self.user_id is not None


def branch_members(branch_id: str, people: Iterable[Person], roster: BranchRoster) -> list[Member]:
    """The branch's members by name: 名单 entries and the active accounts no entry holds."""
    accounts = {p.user_id: p for p in people if p.is_active_in(branch_id)}
    claimed = {e.user_id: e for e in roster.entries if e.user_id is not None}
    members = []
    for entry in roster.entries:
        person = accounts.get(entry.user_id) if entry.user_id is not None else None
        private = person.private_chat if person else False
        members.append(Member(entry.id, entry.name, entry.user_id, entry, private))
    members += (account_member(p) for user_id, p in accounts.items() if user_id not in claimed)
    return sorted(members, key=lambda m: (name_order(m.name), m.user_id or 0, m.key))


def account_member(person: Person) -> Member:
    """A member who is an account no 名单 entry holds."""
    key = account_key(person.user_id)
    named = person.real_name is not None
    return Member(key, person.report_name, person.user_id, None, person.private_chat, named)


def leave_of(roster: BranchRoster, key: str, first: date, last: date) -> Leave | None:
    """The member's leave overlapping `first`..`last` (the latest recorded), if any."""
    overlapping = [leave for leave in roster.leaves if leave.member == key]
    overlapping = [leave for leave in overlapping if leave.covers(first, last)]
    return max(overlapping, key=lambda leave: leave.at) if overlapping else None


def on_leave(roster: BranchRoster, day: date) -> set[str]:
    """Keys of the members on leave on `day`."""
    return {leave.member for leave in roster.leaves if leave.covers(day, day)}
