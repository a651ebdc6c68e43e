"""Durations as people write them: 30分钟, 2小时, 1天."""

from datetime import timedelta

import pytest

from core.dates.durations import format_duration, meant_as_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30分钟", timedelta(minutes=30)),
        ("45分", timedelta(minutes=45)),
        ("2小时", timedelta(hours=2)),
        ("3个小时", timedelta(hours=3)),
        (" 1 天 ", timedelta(days=1)),
        ("2周", None),
        ("1.5小时", None),
        ("两小时", None),
        ("小时", None),
        ("basics", None),
    ],
)
def test_parse_duration(text: str, expected: timedelta | None) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("30分钟", True),
        ("5秒", True),
        ("1.5小时", True),
        ("两小时", True),
        ("10", False),
        ("-3", False),
        ("discipline-basics", False),
        ("纪律处分", False),
    ],
)
def test_words_meant_as_durations(text: str, meant: bool) -> None:
    assert meant_as_duration(text) is meant


def test_format_duration_uses_the_largest_whole_unit() -> None:
    assert format_duration(timedelta(hours=1)) == "1小时"
    assert format_duration(timedelta(days=30)) == "30天"
    assert format_duration(timedelta(minutes=90)) == "90分钟"
    assert format_duration(timedelta(hours=48)) == "2天"
