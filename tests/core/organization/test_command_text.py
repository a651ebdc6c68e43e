"""Commands typed on a Chinese keyboard, read as they were meant."""

import pytest

from core.organization.command_text import as_meant, closest
from core.organization.commands import COMMANDS

NAMES = {c.name for c in COMMANDS}


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("/join王建国", "/join 王建国"),
        ("、join王建国", "/join 王建国"),
        ("、quiz", "/quiz"),
        ("、Quiz 纪律", "/quiz 纪律"),
        ("／join 张伟", "/join 张伟"),
        ("／me", "/me"),
    ],
)
def test_a_command_typed_on_a_chinese_keyboard_is_read_as_meant(typed: str, meant: str) -> None:
    assert as_meant(typed, NAMES, private=True) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "/join 王建国",
        "/quiz",
        "/report@party_study_bot",
        "、好的",
        "、hello",
        "/joinus",
        "",
        "王建国",
    ],
)
def test_what_needs_no_change_or_is_no_command_of_ours_stays(typed: str) -> None:
    assert as_meant(typed, NAMES, private=True) is None


def test_in_a_group_a_chinese_slash_is_punctuation() -> None:
    assert as_meant("、me too", NAMES, private=False) is None
    assert as_meant("/join王建国", NAMES, private=False) == "/join 王建国"


@pytest.mark.parametrize(
    ("typed", "meant"), [("jion", "join"), ("qiuz", "quiz"), ("repot", "report"), ("Help", "help")]
)
def test_a_mistyped_command_finds_the_closest(typed: str, meant: str) -> None:
    assert closest(typed, NAMES) == meant


def test_nothing_close_is_nothing() -> None:
    assert closest("weather", NAMES) is None
