"""The weekly word to admins when next year's holidays are unknown, and study due dates."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from core import messages
from core.config.agency import AgencyConfig
from core.config.branches import Branch
from core.config.schedules import StudyAction
from core.dates.workdays import DeclaredDays, WorkCalendar
from core.delivery import Button
from core.organization.branches import Notice, Organization
from core.scheduling.dispatcher import Dispatcher
from core.scheduling.holiday_warning import missing_holidays_notices
from core.scheduling.study_tasks import new_task
from core.store.database import Store
from tests.conftest import SHANGHAI, FakeClock

OFFICE = Branch("office", "办公室党支部")
DECLARED_2027 = DeclaredDays(workdays=frozenset({date(2027, 2, 14)}))


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def warned(
    now: datetime, store: Store, calendar: WorkCalendar | None = None, year: int | None = None
) -> bool:
    notices = missing_holidays_notices(now, calendar or WorkCalendar(), store)
    expected = year or now.year + 1
    assert notices in ([], [Notice(messages.HOLIDAYS_MISSING.format(year=expected))])
    return bool(notices)


def test_no_warning_before_november(store: Store) -> None:
    assert not warned(at(2026, 10, 31, 23, 59), store)
    assert store.last_holiday_warning() is None


def test_from_1_november_once_a_week(store: Store) -> None:
    assert warned(at(2026, 11, 1, 0, 0), store)
    assert store.last_holiday_warning() == at(2026, 11, 1, 0, 0)
    assert not warned(at(2026, 11, 1, 0, 0) + timedelta(seconds=10), store)
    assert not warned(at(2026, 11, 7, 23, 59), store)
    assert warned(at(2026, 11, 8, 0, 0), store)
    assert not warned(at(2026, 11, 14, 9), store)
    assert warned(at(2026, 12, 31, 9), store)


def test_a_warning_nobody_acted_on_goes_on_into_that_year(store: Store) -> None:
    assert warned(at(2026, 12, 28), store)
    assert warned(at(2027, 1, 4), store, year=2027)  # 2027 still unknown: keep saying so
    assert not warned(at(2027, 1, 5), store, year=2027)
    assert warned(at(2027, 6, 7), store, year=2027)
    assert not warned(at(2027, 6, 14, 10), store, WorkCalendar(DECLARED_2027), year=2027)


def test_a_restart_does_not_repeat_it(tmp_path: Path) -> None:
    first = Store(tmp_path / "data", SHANGHAI)
    assert warned(at(2026, 11, 2), first)
    first.close()
    again = Store(tmp_path / "data", SHANGHAI)
    try:
        assert not warned(at(2026, 11, 2, 10), again)
        assert warned(at(2026, 11, 9, 10), again)
    finally:
        again.close()


def test_no_warning_when_next_year_is_known(store: Store) -> None:
    assert not warned(at(2025, 11, 3), store)  # chinesecalendar has 2026
    assert not warned(at(2026, 11, 3), store, WorkCalendar(DECLARED_2027))
    assert store.last_holiday_warning() is None


def test_the_message_says_what_to_add() -> None:
    text = messages.HOLIDAYS_MISSING.format(year=2027)
    assert "2027 年" in text and "calendar:" in text
    assert "holidays: [2027-10-01..2027-10-07]" in text and "workdays: [2027-10-10]" in text


class SilentMessenger:
    """A messenger the reminder must never use."""

    async def wait_turn(self, chat_id: int) -> None:
        raise AssertionError("nothing is sent to groups")

    async def send(
        self,
        chat_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        html: bool = False,
        reply_to: int | None = None,
    ) -> int:
        raise AssertionError("nothing is sent to groups")

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        html: bool = False,
    ) -> None:
        raise AssertionError("nothing is sent to groups")

    async def group_admin_ids(self, chat_id: int) -> list[int]:
        raise AssertionError("nothing is sent to groups")


async def test_the_dispatcher_reminds_after_its_round_and_follows_reload(store: Store) -> None:
    clock = FakeClock(at(2026, 11, 2))
    config = AgencyConfig(timezone=SHANGHAI, branches=(OFFICE,))
    org = Organization(store, config, clock)
    dispatcher = Dispatcher(org, SilentMessenger(), WorkCalendar(), clock, SHANGHAI)
    assert await dispatcher.tick() == []  # the round itself stays about pushes
    (notice,) = dispatcher.holiday_reminders()
    assert notice.text.startswith("📅 机器人还没有 2027 年的放假安排")
    clock.advance(days=7)
    org.config = dataclasses.replace(config, calendar=DECLARED_2027)  # as /reload does
    assert dispatcher.holiday_reminders() == []


# ---------------------------------------------------------------- study due dates


@pytest.mark.parametrize(
    ("assigned", "due_days", "due", "remind"),
    [
        # Due on a Wednesday: nothing moves.
        (at(2026, 11, 5, 9, 30), 13, at(2026, 11, 18, 9, 30), at(2026, 11, 16, 9, 30)),
        # Due Sunday 2026-09-27: Monday. The reminder two days before it would fall on a
        # Saturday and moves back to Thursday (Friday 09-25 is 中秋节).
        (at(2026, 9, 17, 9, 30), 10, at(2026, 9, 28, 9, 30), at(2026, 9, 24, 9, 30)),
        # Due on 国庆节 2026-10-05: 10-08, the first workday after the holiday.
        (at(2026, 9, 24, 9, 30), 11, at(2026, 10, 8, 9, 30), at(2026, 9, 30, 9, 30)),
        # Past chinesecalendar: due on 元旦 2027 by rule, so Monday 01-04.
        (at(2026, 12, 22, 9, 30), 10, at(2027, 1, 4, 9, 30), at(2026, 12, 31, 9, 30)),
        # A reminder that would move back to the assignment itself stays where it was.
        (at(2026, 11, 6, 9, 30), 3, at(2026, 11, 9, 9, 30), at(2026, 11, 7, 9, 30)),
    ],
)
def test_due_dates_move_to_the_next_workday(
    assigned: datetime, due_days: int, due: datetime, remind: datetime
) -> None:
    action = StudyAction("学习", "内容", None, due_days=due_days, remind_before_days=2)
    task = new_task("study/office/x", action, OFFICE, -100, assigned, WorkCalendar())
    assert (task.assigned_at, task.due_at, task.remind_at) == (assigned, due, remind)
    assert task.due_at.time() == time(9, 30)


def test_declared_days_move_due_dates_too() -> None:
    # 2027-02-14 is a Sunday declared a 调休 workday: a task due then stays there.
    action = StudyAction("学习", "内容", None, due_days=10, remind_before_days=None)
    assigned = at(2027, 2, 4, 9, 30)
    calendar = WorkCalendar(DECLARED_2027)
    assert new_task("k", action, OFFICE, -100, assigned, calendar).due_at == at(2027, 2, 14, 9, 30)
    assert new_task("k", action, OFFICE, -100, assigned, WorkCalendar()).due_at == at(
        2027, 2, 15, 9, 30
    )
