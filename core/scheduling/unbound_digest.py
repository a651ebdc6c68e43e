"""The admins' daily digest of pushes no group could take, and pausing a branch's pushes.

A push due to a branch with no group bound is recorded `unbound` and not reported on its
own: a branch that has not bound its group yet would otherwise cost the admins a message
per push. Once a day, in the first round that finds such pushes (rounds do not run in
quiet hours), one message lists them by branch, with a 暂停该支部推送 button for each
branch still unbound. A paused branch's pushes are recorded `paused` and sent nowhere
until an admin resumes them (恢复推送, under the pause's reply or /branches).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core import messages
from core.config.agency import AgencyConfig
from core.delivery import Button
from core.organization.branches import Notice
from core.store.database import Store
from core.store.records import PushRecord

PAUSE_PREFIX = "pushes:"
PAUSE, RESUME = "pause", "resume"
# pushes:pause:<branch> or pushes:resume:<branch>: the state the press sets, so a second
# press (or a redelivered one) changes nothing.
PAUSE_DATA = re.compile(r"pushes:(?P<action>pause|resume):(?P<branch>[a-z0-9][a-z0-9_-]{0,31})")
# The digest reads the push records of this month and the one before (a push recorded at
# the end of a month is reported early in the next).
DIGEST_MONTHS = 2


@dataclass(frozen=True)
class PausePress:
    """A 暂停该支部推送 or 恢复推送 button: the branch and whether it pauses."""

    branch_id: str
    paused: bool


def pause_button(branch_id: str, branch_name: str) -> Button:
    """暂停该支部推送 under the digest."""
    label = messages.PUSH_PAUSE_BUTTON.format(branch=branch_name)
    return Button(label, f"{PAUSE_PREFIX}{PAUSE}:{branch_id}")


def resume_button(branch_id: str, branch_name: str) -> Button:
    """恢复推送, under a pause's reply and /branches."""
    label = messages.PUSH_RESUME_BUTTON.format(branch=branch_name)
    return Button(label, f"{PAUSE_PREFIX}{RESUME}:{branch_id}")


def parse_pause_press(data: str) -> PausePress | None:
    """The press a button's data describes; None for anything forged."""
    match = PAUSE_DATA.fullmatch(data)
    return PausePress(match["branch"], match["action"] == PAUSE) if match else None


def unbound_digest(
    store: Store, config: AgencyConfig, now: datetime, timezone: ZoneInfo
) -> Notice | None:
    """The digest, if none went out today and pushes went unbound since the last one;
    recorded as sent before it is returned (a crash loses a digest, never repeats one).

    `now` must be read after the pushes it reports were recorded: the next digest
    reports only those recorded after it."""
    last = store.last_unbound_digest()
    local = now.astimezone(timezone)
    if last is not None and last.astimezone(timezone).date() == local.date():
        return None
    months = [(local.replace(day=1) - timedelta(days=31 * back)) for back in range(DIGEST_MONTHS)]
    records = [
        record
        for month in months
        for record in store.pushes_with_status("unbound", month)
        if last is None or record.updated_at > last
    ]
    if not records:
        return None
    store.set_last_unbound_digest(now)
    return _digest(records, config, store.paused_branches(), timezone)


def _digest(
    records: Iterable[PushRecord], config: AgencyConfig, paused: frozenset[str], tz: ZoneInfo
) -> Notice:
    by_branch: dict[str, list[PushRecord]] = {}
    for record in sorted(records, key=lambda r: (r.actual, r.schedule_id)):
        by_branch.setdefault(record.branch_id, []).append(record)
    lines = [messages.PUSH_UNBOUND_HEADER]
    buttons = []
    for branch_id, pushes in sorted(by_branch.items(), key=lambda item: _order(config, item[0])):
        branch = config.branch(branch_id)
        name = branch.name if branch else branch_id
        lines.append(
            messages.PUSH_UNBOUND_LINE.format(
                branch=name, branch_id=branch_id, pushes=_push_names(pushes, config, tz)
            )
        )
        if branch is not None and branch_id not in paused:
            buttons.append(pause_button(branch_id, name))
    lines.append(messages.PUSH_UNBOUND_FOOTER)
    return Notice("\n".join(lines), tuple(buttons))


def _order(config: AgencyConfig, branch_id: str) -> tuple[int, str]:
    """Branches in the order schedules.yaml declares them."""
    ids = [b.id for b in config.branches]
    return (ids.index(branch_id) if branch_id in ids else len(ids), branch_id)


def _push_names(pushes: Iterable[PushRecord], config: AgencyConfig, tz: ZoneInfo) -> str:
    """'主题党日提醒（11-02 09:00）、每月理论学习（11-05 09:30）'."""
    names: Mapping[str, str] = {s.id: s.name for s in config.schedules}
    return messages.PUSH_UNBOUND_SEPARATOR.join(
        messages.PUSH_UNBOUND_PUSH.format(
            schedule=names.get(p.schedule_id, p.schedule_id),
            time=f"{p.actual.astimezone(tz):%m-%d %H:%M}",
        )
        for p in pushes
    )
