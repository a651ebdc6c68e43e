"""Claims of what the rounds send once per branch (greetings, reminders, 督查), kept in the
branch's roster file (`BranchRoster.sent`, as "<key>@<day claimed>").

A claim is written before the message is sent, like a reminder's flag: after a crash the
message is missed rather than sent twice. Claims older than `SENT_KEPT_DAYS` are dropped
when a new one is written (none of them can come back).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from core.store.database import Store
from core.store.roster_records import BranchRoster

SENT_KEPT_DAYS = 400


def claim_once(store: Store, branch_id: str, key: str, today: date) -> bool:
    """Record `key` as sent for the branch; False if it was already."""
    stamp = f"{key}@{today}"

    def claim(roster: BranchRoster) -> tuple[BranchRoster | None, bool]:
        if any(sent.partition("@")[0] == key for sent in roster.sent):
            return None, False
        kept = {s for s in roster.sent if _age_days(s, today) <= SENT_KEPT_DAYS}
        return replace(roster, sent=frozenset({*kept, stamp})), True

    return store.change_branch_roster(branch_id, claim)


def _age_days(stamp: str, today: date) -> int:
    return (today - date.fromisoformat(stamp.rpartition("@")[2])).days
