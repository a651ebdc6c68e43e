"""Periods as /export names them: a month, a quarter or a year, and what lies inside."""

from __future__ import annotations

from datetime import date

import pytest

from core.dates.periods import looks_like_period, parse_period, read_month, read_period
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


NOV_2 = date(2026, 11, 2)
JAN_2027 = date(2027, 1, 15)


@pytest.mark.parametrize(
    ("word", "today", "key"),
    [
        ("10月", NOV_2, "2026-10"),
        ("10月份", NOV_2, "2026-10"),
        ("十月", NOV_2, "2026-10"),
        ("11月", NOV_2, "2026-11"),
        ("10月", JAN_2027, "2026-10"),  # the latest October not to come
        ("1月", JAN_2027, "2027-01"),
        ("本月", NOV_2, "2026-11"),
        ("上月", NOV_2, "2026-10"),
        ("上个月", JAN_2027, "2026-12"),
        ("2026年10月", NOV_2, "2026-10"),
        ("2026年3月份", NOV_2, "2026-03"),
        ("2026-10", NOV_2, "2026-10"),
        ("2026-1", NOV_2, "2026-01"),
        ("2026.10", NOV_2, "2026-10"),
        ("2026/10", NOV_2, "2026-10"),
    ],
)
def test_a_month_as_people_write_it(word: str, today: date, key: str) -> None:
    assert looks_like_period(word)
    assert read_month(word, today).key == key
    assert read_period(word, today).key == key


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("本季度", "2026Q4"), ("上季度", "2026Q3"), ("第三季度", "2026Q3"),
        ("2026年第四季度", "2026Q4"), ("今年", "2026"), ("去年", "2025"), ("2025年", "2025"),
        ("2026Q4", "2026Q4"), ("2026", "2026"),
    ],
)  # fmt: skip
def test_a_quarter_or_a_year_as_people_write_it(word: str, key: str) -> None:
    assert read_period(word, NOV_2).key == key


def test_last_quarter_in_january_is_of_the_year_before() -> None:
    assert read_period("上季度", JAN_2027).key == "2026Q4"
    assert read_period("4季度", JAN_2027).key == "2026Q4"


@pytest.mark.parametrize("word", ["2026年12月", "2026-12", "2027年1月"])
def test_a_month_to_come_is_refused(word: str) -> None:
    with pytest.raises(UserError, match="月还没到，请选本月或以前的月份"):
        read_month(word, NOV_2)


@pytest.mark.parametrize(("word", "label"), [("2027", "2027年"), ("2026-12", "2026年12月")])
def test_a_period_to_come_is_refused(word: str, label: str) -> None:
    with pytest.raises(UserError, match=f"^{label}还没开始，请选已经开始的月份、季度或年份。$"):
        read_period(word, NOV_2)


@pytest.mark.parametrize("word", ["13月", "0月", "2026年13月", "2026-13", "月", "十三月"])
def test_a_month_that_is_none_says_how_to_write_one(word: str) -> None:
    assert looks_like_period(word)
    with pytest.raises(UserError, match=f"“{word}”不是月份。请写成 10月、上月"):
        read_month(word, NOV_2)


@pytest.mark.parametrize("word", ["本季度", "2026Q4", "今年"])
def test_a_quarter_is_no_month(word: str) -> None:
    with pytest.raises(UserError, match=f"“{word}”不是月份"):
        read_month(word, NOV_2)
