"""Calendar periods the ledger is kept in: a month, a quarter (季度) or a year.

A period is a span of local days; it is named as /export takes it ("2026-11", "2026Q4",
"2026") and labelled as the 台账 titles it ("2026年11月", "2026年第四季度", "2026年").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core import messages
from core.errors import UserError

QUARTER_NAMES = "一二三四"
# Loose on purpose: "2026-13" and "2026Q5" are periods written wrong, not branch ids.
PERIOD_WORD = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{1,2})|[Qq](?P<quarter>\d))?", re.ASCII)
FIRST_YEAR, LAST_YEAR = 2000, 2099


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
    return PERIOD_WORD.fullmatch(word.strip()) is not None
