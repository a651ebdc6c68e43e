"""A branch's 名单 (member list) as its secretary sends it: an .xlsx or .csv file, read here.

The first worksheet of an .xlsx (a .csv: UTF-8, with or without BOM, or GBK/GB18030 as many
Chinese Excel versions save it). The first non-empty row is the header; its columns may come
in any order, and spaces or a trailing "（选填）" in a header do not matter:

    姓名 | 类别     | 入党日期（选填） | 转正日期（选填） | 备注（选填）
    张伟 | 正式党员 | 2015-07-01       | 2016-07-01       | 办公室
    李娜 | 预备党员 | 2024/7/1         |                  |

姓名 and 类别 are required; 类别 is one of `CATEGORIES`; a 预备党员 needs 入党日期, from which the
bot reminds the secretary before 预备期满. Dates are date cells or text such as 2020-07-01,
2020/7/1, 2020.07.01, 2020年7月1日 or 20200701. Two people of the same name are told apart by
备注, which is part of an entry's id (`entry_id`). Other columns (序号, 性别…) are ignored, and
so are rows with nothing in the columns read. Every problem is collected, each naming its row
as the spreadsheet numbers it, before the file is refused with `MemberListError`. Cells are
read as stored: a formula is never evaluated, and "=…" text is just text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice

from core import messages
from core.errors import UserError
from core.organization.branches import REAL_NAME_PATTERN
from core.sheets import Row, UnreadableSheet, cell_text, header_columns, read_sheet, shown
from core.store.roster_records import CATEGORIES, PROBATIONARY, ListEntry, entry_id

MAX_ROWS = 2000
SHOWN_PROBLEMS = 30

NAME = messages.MEMBER_LIST_COLUMN_NAME
CATEGORY = messages.MEMBER_LIST_COLUMN_CATEGORY
JOINED = messages.MEMBER_LIST_COLUMN_JOINED
CONFIRMED = messages.MEMBER_LIST_COLUMN_CONFIRMED
NOTE = messages.MEMBER_LIST_COLUMN_NOTE
COLUMNS = (NAME, CATEGORY, JOINED, CONFIRMED, NOTE)
REQUIRED_COLUMNS = (NAME, CATEGORY)

DATE_PATTERNS = (
    re.compile(r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"),
    re.compile(r"(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日"),
    re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"),
)
# How /roster add separates names: spaces, 、，, ; and newlines.
NAME_SEPARATORS = re.compile(r"[\s、，,;；]+")


class MemberListError(UserError):
    """A 名单 file was refused; `problems` holds every one found, the message the first 30."""

    def __init__(self, file_name: str, problems: list[str]) -> None:
        self.file_name = file_name
        self.problems = problems
        shown = problems[:SHOWN_PROBLEMS]
        if len(problems) > SHOWN_PROBLEMS:
            shown.append(messages.SHEET_MORE_PROBLEMS.format(count=len(problems) - SHOWN_PROBLEMS))
        super().__init__(
            messages.MEMBER_LIST_REFUSED.format(
                file=file_name, count=len(problems), problems="\n".join(shown)
            )
        )


def parse_member_list(file_name: str, content: bytes) -> tuple[ListEntry, ...]:
    """The entries of a 名单 file (.xlsx or .csv); `MemberListError` lists all its problems."""
    try:
        entries, problems = _entries(read_sheet(file_name, content).rows)
    except UnreadableSheet as error:
        raise MemberListError(file_name, [error.problem]) from error
    if problems:
        raise MemberListError(file_name, problems)
    return entries


def parse_names(text: str) -> tuple[str, ...]:
    """The names of `/roster add 张三 李四`, in order and each once; `UserError` lists bad ones."""
    names = tuple(dict.fromkeys(name for name in NAME_SEPARATORS.split(text) if name))
    if not names:
        raise UserError(messages.MEMBER_NAMES_EMPTY)
    bad = [name for name in names if not REAL_NAME_PATTERN.match(name)]
    if bad:
        quoted = (messages.MEMBER_NAMES_QUOTED.format(name=shown(name)) for name in bad)
        raise UserError(
            messages.MEMBER_NAMES_BAD.format(names=messages.MEMBER_LIST_SEPARATOR.join(quoted))
        )
    return names


# ---------------------------------------------------------------- header and rows


def _entries(rows: Iterator[Row]) -> tuple[tuple[ListEntry, ...], list[str]]:
    header = next(rows, None)
    if header is None:
        return (), [messages.MEMBER_LIST_EMPTY_FILE]
    columns, problems = header_columns(header, COLUMNS, REQUIRED_COLUMNS)
    data = list(islice(_with_content(rows, columns), MAX_ROWS + 1))
    if len(data) > MAX_ROWS:
        return (), [*problems, messages.MEMBER_LIST_TOO_MANY_ROWS.format(limit=MAX_ROWS)]
    if not data and columns:
        problems.append(messages.MEMBER_LIST_NO_ROWS)
    entries: list[ListEntry] = []
    first_rows: dict[tuple[str, str], int] = {}
    for row in data:
        cells = _Cells(row, columns, problems)
        entry = _entry(cells)
        if entry is None:
            continue
        first = first_rows.setdefault((entry.name, entry.note), row.number)
        if first != row.number:
            cells.error(NAME, messages.MEMBER_LIST_DUPLICATE.format(name=entry.name, first=first))
        else:
            entries.append(entry)
    return tuple(entries), problems


def _with_content(rows: Iterable[Row], columns: Mapping[str, int]) -> Iterator[Row]:
    """The rows with something in a column read (a 序号 alone is an unused template row)."""
    for row in rows:
        if any(cell_text(row.cells[i]) for i in columns.values() if i < len(row.cells)):
            yield row


@dataclass(frozen=True)
class _Cells:
    """One data row's cells by column, and the problem list its problems go to."""

    row: Row
    columns: Mapping[str, int]
    problems: list[str]

    def has(self, column: str) -> bool:
        return column in self.columns

    def value(self, column: str) -> object:
        index = self.columns.get(column)
        if index is None or index >= len(self.row.cells):
            return None
        return self.row.cells[index]

    def text(self, column: str) -> str:
        return cell_text(self.value(column))

    def error(self, column: str, problem: str) -> None:
        self.problems.append(
            messages.SHEET_AT_CELL.format(
                row=self.row.number, column=column, problem=problem
            )
        )


def _entry(cells: _Cells) -> ListEntry | None:
    """The row's entry as far as it reads (None without a good name); problems are recorded."""
    name = _name(cells)
    category = _category(cells)
    joined = _date(cells, JOINED)
    confirmed = _date(cells, CONFIRMED)
    if joined and confirmed and confirmed < joined:
        problem = messages.MEMBER_LIST_CONFIRMED_TOO_EARLY.format(
            confirmed=confirmed.isoformat(), joined=joined.isoformat()
        )
        cells.error(CONFIRMED, problem)
    if category == PROBATIONARY and not cells.text(JOINED):
        cells.error(JOINED, messages.MEMBER_LIST_PROBATIONARY_NO_JOINED)
    if name is None:
        return None
    note = cells.text(NOTE)
    return ListEntry(entry_id(name, note), name, category, joined, confirmed, note)


def _name(cells: _Cells) -> str | None:
    if not cells.has(NAME):
        return None
    name = cells.text(NAME)
    if not name:
        cells.error(NAME, messages.SHEET_EMPTY_VALUE)
        return None
    if not REAL_NAME_PATTERN.match(name):
        cells.error(NAME, messages.MEMBER_LIST_BAD_NAME.format(value=shown(name)))
        return None
    return name


def _category(cells: _Cells) -> str:
    category = cells.text(CATEGORY)
    if not cells.has(CATEGORY) or category in CATEGORIES:
        return category
    if not category:
        cells.error(CATEGORY, messages.SHEET_EMPTY_VALUE)
    else:
        choices = messages.MEMBER_LIST_SEPARATOR.join(CATEGORIES)
        problem = messages.MEMBER_LIST_BAD_CATEGORY.format(value=shown(category), choices=choices)
        cells.error(CATEGORY, problem)
    return ""


def _date(cells: _Cells, column: str) -> date | None:
    value = cells.value(column)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    parsed = _parse_date(text)
    if parsed is None:
        cells.error(column, messages.MEMBER_LIST_BAD_DATE.format(value=shown(text)))
    return parsed


def _parse_date(text: str) -> date | None:
    compact = "".join(text.split())
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(compact)
        if match:
            try:
                return date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:  # 2020-13-01, 2021-02-29
                return None
    return None
