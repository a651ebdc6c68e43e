"""A ledger period's meetings against the cadence: held, met, missed, still running."""

from __future__ import annotations

from datetime import date, datetime

from core.config.branches import Branch
from core.dates.periods import parse_period
from core.meetings.cadence import compliance, tally
from core.store.meeting_records import CLOSED, DEFAULT_CADENCE, OPEN, Meeting
from tests.conftest import SHANGHAI

OFFICE = Branch("office", "办公室党支部")


def meeting(kind: str, day: date, status: str = CLOSED, branch: str = "office") -> Meeting:
    created = datetime.combine(day, datetime.min.time(), SHANGHAI)
    return Meeting(f"{day:%y%m}-{kind}", branch, kind, day, -1, 2, created, status)


def by_kind(meetings: list[Meeting], period: str, today: date, branch: Branch = OFFICE) -> dict:
    rows = tally(branch, DEFAULT_CADENCE, meetings, parse_period(period), today)
    return {row.kind: row for row in rows}


def test_a_quarter_in_its_second_month() -> None:
    held = [
        meeting("支部委员会会议", date(2026, 10, 15)),
        meeting("支部委员会会议", date(2026, 10, 30)),
        meeting("党课", date(2026, 11, 3)),
        meeting("主题党日", date(2026, 11, 5), status=OPEN),  # not closed: not held
        meeting("支部委员会会议", date(2026, 11, 5), branch="policy"),
        meeting("党课", date(2026, 9, 30)),  # the quarter before
    ]
    rows = by_kind(held, "2026Q4", date(2026, 11, 20))
    committee = rows["支部委员会会议"]
    assert (committee.days, committee.started, committee.met) == (
        (date(2026, 10, 15), date(2026, 10, 30)), 2, 1,
    )  # fmt: skip
    assert (committee.missed, committee.pending) == ((), True)  # November is still running
    lecture = rows["党课"]
    assert (lecture.started, lecture.met, lecture.missed, lecture.pending) == (1, 1, (), False)
    theme = rows["主题党日"]
    assert ([p.key for p in theme.missed], theme.pending) == (["2026-10"], True)


def test_after_the_quarter_every_miss_is_named() -> None:
    rows = by_kind([meeting("党小组会", date(2026, 12, 1))], "2026Q4", date(2027, 1, 4))
    assert [p.key for p in rows["党小组会"].missed] == ["2026-10", "2026-11"]
    assert [p.key for p in rows["党课"].missed] == ["2026Q4"]
    assert not any(row.pending for row in rows.values())


def test_a_month_owes_no_quarterly_kind_and_a_kind_turned_off_owes_nothing() -> None:
    no_groups = Branch("office", "办公室党支部", meetings_not_required=frozenset({"党小组会"}))
    rows = by_kind([], "2026-10", date(2026, 11, 2), no_groups)
    assert (rows["党课"].started, rows["党课"].missed) == (0, ())
    assert rows["党小组会"].rule == "不要求" and rows["党小组会"].missed == ()
    assert [p.key for p in rows["主题党日"].missed] == ["2026-10"]


def test_months_not_begun_are_not_counted() -> None:
    rows = by_kind([], "2027", date(2027, 2, 10))
    assert rows["主题党日"].started == 2 and rows["党课"].started == 1


def test_a_quarters_compliance_counts_each_month_of_a_monthly_kind() -> None:
    held = [
        meeting("支部委员会会议", date(2026, 10, 15)),
        meeting("支部委员会会议", date(2026, 11, 5)),
        meeting("支部委员会会议", date(2026, 11, 20)),  # a second one in November: still 1
        meeting("党课", date(2026, 11, 3)),
        meeting("主题党日", date(2026, 12, 1), status=OPEN),
    ]
    quarter = parse_period("2026Q4")
    # 3 monthly kinds × 3 months + 2 quarterly kinds, whatever the day it is asked on.
    assert compliance(OFFICE, DEFAULT_CADENCE, held, quarter) == (3, 11)
