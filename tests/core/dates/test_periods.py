"""Periods as /export names them: a month, a quarter or a year, and what lies inside."""

from __future__ import annotations

from datetime import date

import pytest

from core.dates.periods import looks_like_period, parse_period
from core.errors import UserError


def test_a_month_a_quarter_and_a_year() -> None:
    month, quarter, year = parse_period("2026-02"), parse_period("2026q4"), parse_period("2028")
    assert (month.first, month.last, month.key, month.label) == (
        date(2026, 2, 1), date(2026, 2, 28), "2026-02", "2026年2月",
    )  # fmt: skip
    assert (quarter.first, quarter.last, quarter.key, quarter.label) == (
        date(2026, 10, 1), date(2026, 12, 31), "2026Q4", "2026年第四季度",
    )  # fmt: skip
    assert (year.first, year.last, year.label) == (date(2028, 1, 1), date(2028, 12, 31), "2028年")
    assert parse_period("2028-02").last == date(2028, 2, 29)


def test_the_months_and_whole_quarters_inside() -> None:
    assert [m.key for m in parse_period("2026Q4").months()] == ["2026-10", "2026-11", "2026-12"]
    assert [q.key for q in parse_period("2026").quarters()] == [
        "2026Q1", "2026Q2", "2026Q3", "2026Q4",
    ]  # fmt: skip
    assert [q.key for q in parse_period("2026Q3").quarters()] == ["2026Q3"]
    assert parse_period("2026-11").quarters() == []  # no whole quarter inside a month
    assert len(parse_period("2026").months()) == 12


@pytest.mark.parametrize("word", ["2026-13", "2026-00", "2026Q5", "2026Q0", "1999", "2100"])
def test_a_wrongly_written_period_says_how_to_write_it(word: str) -> None:
    assert looks_like_period(word)  # not taken for a branch id
    with pytest.raises(UserError, match=f"“{word}”不是月份、季度或年份"):
        parse_period(word)


def test_a_branch_id_is_no_period() -> None:
    assert not any(map(looks_like_period, ["office", "2026office", "q4", "26Q4"]))
