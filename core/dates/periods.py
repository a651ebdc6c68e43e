"""Calendar periods the ledger is kept in: a month, a quarter (季度) or a year.

A period is a span of local days; it is keyed as buttons and the command line write it
("2026-11", "2026Q4", "2026") and labelled as the 台账 titles it ("2026年11月",
"2026年第四季度", "2026年"). People write it as they say it (`read_period`, `read_month`):
"10月", "上月", "2026年10月", "2026.10", "本季度", "今年"; a bare month ("10月") is the most
recent one not in the future, so in January 2027 "10月" is 2026-10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core import messages
from core.errors import UserError

QUARTER_NAMES = "一二三四"
# Loose on purpose: "2026-13" and "2026Q5" are periods written wrong, not branch ids.
PERIOD_WORD = re.compile(
    r"(?P<year>\d{4})(?:[-./](?P<month>\d{1,2})|[Qq](?P<quarter>\d))?", re.ASCII
)
FIRST_YEAR, LAST_YEAR = 2000, 2099
# How people write a month or a quarter in Chinese: "2026年10月", "10月份", "十月",
# "2026年第四季度", "2026年" (numbers in digits or in 一…十二).
NUMBER = r"\d{1,2}|十[一二]?|[一二三四五六七八九]"
SPOKEN_MONTH = re.compile(rf"(?:(?P<year>\d{{4}})年)?(?P<month>{NUMBER})月份?")
SPOKEN_QUARTER = re.compile(rf"(?:(?P<year>\d{{4}})年)?第?(?P<quarter>{NUMBER})季度?")
SPOKEN_YEAR = re.compile(r"(?P<year>\d{4})年")
# Months, quarters and years said relative to today: (kind, how many back).
RELATIVE_WORDS = {
    "本月": ("month", 0), "这个月": ("month", 0), "当月": ("month", 0),
    "上月": ("month", 1), "上个月": ("month", 1),
    "本季度": ("quarter", 0), "本季": ("quarter", 0), "这个季度": ("quarter", 0),
    "上季度": ("quarter", 1), "上季": ("quarter", 1), "上个季度": ("quarter", 1),
    "今年": ("year", 0), "本年": ("year", 0), "去年": ("year", 1),
}  # fmt: skip
# A word with one of these is meant as a period (a branch or bank id is ASCII).
PERIOD_MARKS = ("月", "季", "年")


@dataclass(frozen=True)
class Period:
    """A month, a quarter or a year."""

    first: date
    last: date
    key: str  # "2026-11", "2026Q4" or "2026"
    label: str  # "2026年11月", "2026年第四季度" or "2026年"

    def holds(self, day: date) -> bool:
        """Whether `day` is in the period."""
        return self.first <= day <= self.last

    def months(self) -> list[Period]:
        """The calendar months of the period, in order."""
        return [month_period(day) for day in month_starts(self.first, self.last)]

    def quarters(self) -> list[Period]:
        """The whole quarters inside the period, in order (none inside a month)."""
        quarters = (quarter_period(m.first) for m in self.months() if m.first.month % 3 == 1)
        return [q for q in quarters if q.last <= self.last]


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s."""
    found = []
    month = first.replace(day=1)
    while month <= last:
        found.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return found


def month_period(day: date) -> Period:
    """The month `day` is in."""
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    label = messages.MONTH_LABEL.format(year=day.year, month=day.month)
    return Period(first, last, f"{day:%Y-%m}", label)


def quarter_period(day: date) -> Period:
    """The quarter `day` is in."""
    index = (day.month - 1) // 3
    first = date(day.year, index * 3 + 1, 1)
    last = month_period(date(day.year, index * 3 + 3, 1)).last
    label = messages.QUARTER_LABEL.format(year=day.year, quarter=QUARTER_NAMES[index])
    return Period(first, last, f"{day.year}Q{index + 1}", label)


def year_period(day: date) -> Period:
    """The year `day` is in."""
    label = messages.YEAR_LABEL.format(year=day.year)
    return Period(date(day.year, 1, 1), date(day.year, 12, 31), str(day.year), label)


def parse_period(word: str) -> Period:
    """'2026-11', '2026Q4' (or q4) or '2026'; a `UserError` saying how to write it otherwise."""
    match = PERIOD_WORD.fullmatch(word.strip())
    month = int(match["month"]) if match and match["month"] else 1
    quarter = int(match["quarter"]) if match and match["quarter"] else 1
    if (
        match is None
        or not FIRST_YEAR <= int(match["year"]) <= LAST_YEAR
        or not 1 <= month <= 12
        or not 1 <= quarter <= 4
    ):
        raise UserError(messages.BAD_PERIOD.format(word=word))
    year = int(match["year"])
    if match["month"]:
        return month_period(date(year, month, 1))
    if match["quarter"]:
        return quarter_period(date(year, quarter * 3, 1))
    return year_period(date(year, 1, 1))


def looks_like_period(word: str) -> bool:
    """Whether a command's argument is meant as a period, rightly written or not."""
    word = word.strip()
    return PERIOD_WORD.fullmatch(word) is not None or any(mark in word for mark in PERIOD_MARKS)


def read_period(word: str, today: date) -> Period:
    """A month, quarter or year as people write it, not after `today`'s; a `UserError`
    saying how to write it otherwise."""
    return _not_after(_read(word, today, messages.BAD_PERIOD), today, messages.PERIOD_IN_FUTURE)


def read_month(word: str, today: date) -> Period:
    """A month as people write it ("10月", "上月", "2026年10月", "2026-10"), not after
    `today`'s; a `UserError` saying how to write one otherwise."""
    period = _read(word, today, messages.BAD_MONTH)
    if len(period.months()) != 1:
        raise UserError(messages.BAD_MONTH.format(word=word))
    return _not_after(period, today, messages.MONTH_IN_FUTURE)


def _read(word: str, today: date, bad: str) -> Period:
    """The period `word` names; a `UserError` with `bad` when it names none."""
    try:
        return _spoken_period(word.strip(), today) or parse_period(word)
    except (UserError, ValueError):
        raise UserError(bad.format(word=word)) from None


def _not_after(period: Period, today: date, refusal: str) -> Period:
    if period.first > today:
        raise UserError(refusal.format(period=period.label))
    return period


def last_month(today: date) -> Period:
    """The month before `today`'s."""
    return month_period(today.replace(day=1) - timedelta(days=1))


def _spoken_period(word: str, today: date) -> Period | None:
    """A Chinese or relative period word; None when `word` is written some other way.

    Raises ValueError for one that names no real month, quarter or year."""
    if word in RELATIVE_WORDS:
        kind, back = RELATIVE_WORDS[word]
        if kind == "month":
            return last_month(today) if back else month_period(today)
        if kind == "quarter":
            this = quarter_period(today)
            return quarter_period(this.first - timedelta(days=1)) if back else this
        return year_period(date(today.year - back, 1, 1))
    if match := SPOKEN_YEAR.fullmatch(word):
        return parse_period(match["year"])
    if match := SPOKEN_MONTH.fullmatch(word):
        month = _number(match["month"], 12)
        if match["year"]:
            return parse_period(f"{match['year']}-{month}")
        year = today.year if month <= today.month else today.year - 1
        return month_period(date(year, month, 1))
    if match := SPOKEN_QUARTER.fullmatch(word):
        quarter = _number(match["quarter"], 4)
        if match["year"]:
            return parse_period(f"{match['year']}Q{quarter}")
        current = (today.month - 1) // 3 + 1
        year = today.year if quarter <= current else today.year - 1
        return quarter_period(date(year, quarter * 3, 1))
    return None


def _number(text: str, highest: int) -> int:
    """'10' or '十' as 10, from 1 to `highest`; ValueError otherwise."""
    digits = "一二三四五六七八九"
    if text.isdigit():
        number = int(text)
    elif text.startswith("十"):
        number = 10 + (digits.index(text[1]) + 1 if len(text) > 1 else 0)
    else:
        number = digits.index(text) + 1
    if not 1 <= number <= highest:
        raise ValueError(text)
    return number
