"""What `/leave 姓名 月份|日期 [到日期] 事由` asks for, and the refusals a secretary reads."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import UserError
from core.roster.leave import LeaveRequest, parse_leave

USAGE = (
    "请这样写：/leave 姓名 月份 事由，例如 /leave 张三 2026-11 病假；"
    "或写起止日期：/leave 张三 2026-11-03 2026-11-20 外出学习。"
    "常用事由：病假、产假、外出学习、因公出差。撤销请写：/leave 张三 2026-11 取消"
)


def refusal(args: str) -> str:
    with pytest.raises(UserError) as refused:
        parse_leave(args.split())
    return refused.value.message


@pytest.mark.parametrize(
    ("args", "first", "last"),
    [
        ("张三 2026-11 病假", date(2026, 11, 1), date(2026, 11, 30)),
        ("张三 2026-1 病假", date(2026, 1, 1), date(2026, 1, 31)),
        ("张三 2026-02 病假", date(2026, 2, 1), date(2026, 2, 28)),
        ("张三 2028-02 产假", date(2028, 2, 1), date(2028, 2, 29)),  # a leap year
        ("张三 2026-12 病假", date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_a_month_is_its_first_to_its_last_day(args: str, first: date, last: date) -> None:
    request = parse_leave(args.split())
    assert (request.first_day, request.last_day) == (first, last)
    assert not request.cancel


def test_a_range_of_days() -> None:
    assert parse_leave(["张三", "2026-11-03", "2026-11-20", "外出学习"]) == LeaveRequest(
        "张三", date(2026, 11, 3), date(2026, 11, 20), "外出学习"
    )


def test_a_single_day() -> None:
    request = parse_leave(["张三", "2026-11-03", "因公出差"])
    assert (request.first_day, request.last_day) == (date(2026, 11, 3), date(2026, 11, 3))


def test_a_reason_of_several_words_is_kept_whole() -> None:
    assert parse_leave(["张三", "2026-11", "外出", "学习"]).reason == "外出学习"


def test_a_range_ending_before_it_starts_is_refused() -> None:
    assert refusal("张三 2026-11-20 2026-11-03 出差") == (
        "结束日期 2026-11-03 早于开始日期 2026-11-20。"
    )


@pytest.mark.parametrize("word", ["2026-13", "2026-02-30", "十一月", "2026/11"])
def test_what_is_neither_a_month_nor_a_day_is_refused(word: str) -> None:
    assert refusal(f"张三 {word} 病假") == (
        f"“{word}”不是月份或日期，请写成 2026-11 或 2026-11-03。"
    )


def test_a_bad_end_day_is_refused_too() -> None:
    assert refusal("张三 2026-11-03 2026-11-31 出差") == (
        "“2026-11-31”不是月份或日期，请写成 2026-11 或 2026-11-03。"
    )


@pytest.mark.parametrize("args", ["", "张三", "张三 2026-11", "张三 2026-11-03 2026-11-20"])
def test_a_missing_reason_shows_how_to_write_it(args: str) -> None:
    assert refusal(args) == USAGE


def test_a_reason_too_long_is_refused() -> None:
    assert parse_leave(["张三", "2026-11", "病" * 20]).reason == "病" * 20
    assert refusal("张三 2026-11 " + "病" * 21) == "事由最多 20 个字。"


def test_leave_longer_than_a_year_is_refused() -> None:
    longest = parse_leave(["张三", "2026-01-01", "2027-01-01", "病假"])  # 366 days
    assert longest.last_day == date(2027, 1, 1)
    assert refusal("张三 2026-01-01 2027-01-02 病假") == "一次请假最长 366 天，请分开登记。"


def test_cancel_asks_to_remove_the_leave_of_those_days() -> None:
    request = parse_leave(["张三", "2026-11", "取消"])
    assert request.cancel
    assert (request.first_day, request.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert not parse_leave(["张三", "2026-11", "取消假"]).cancel
