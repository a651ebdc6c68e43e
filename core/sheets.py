"""Spreadsheets people send the bot (名单, question banks): their rows, read the same way.

The first worksheet of an .xlsx, or a .csv in UTF-8 (with or without BOM) or GBK/GB18030
as many Chinese Excel versions save it. Cells are read as stored: a formula is never
evaluated, and "=…" text is just text. Empty rows are skipped; each row keeps the number
the spreadsheet shows for it, so every problem can name it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import PurePath
from typing import Any

from openpyxl import Workbook, load_workbook

from core import messages

SHEET_SUFFIXES = (".xlsx", ".csv")
SHOWN_VALUE_CHARS = 20
OPTIONAL_MARKS = ("（选填）", "(选填)")


class UnreadableSheet(Exception):
    """The file is not a spreadsheet the bot reads; `problem` says why, in Chinese."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class Row:
    """A non-empty row and its number in the spreadsheet (1-based, header counted)."""

    number: int
    cells: tuple[object, ...]


@dataclass(frozen=True)
class Sheet:
    """The sheet read: its name (a .csv: the file's) and its non-empty rows, read lazily
    (`UnreadableSheet` may come from iterating them too)."""

    title: str
    rows: Iterator[Row]


def read_sheet(file_name: str, content: bytes) -> Sheet:
    """The file's first sheet; `UnreadableSheet` when it cannot be read."""
    reader = _READERS.get(PurePath(file_name).suffix.lower())
    if reader is None:
        raise UnreadableSheet(messages.SHEET_NOT_A_SHEET)
    return reader(file_name, content)


def cell_text(value: object) -> str:
    """A cell as text, trimmed and with runs of spaces (full-width too) made one."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.time() == time():
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def header_key(cell: object) -> str:
    """A header cell as a column name: spaces and a trailing "（选填）" do not matter."""
    key = "".join(cell_text(cell).split())
    for mark in OPTIONAL_MARKS:
        key = key.removesuffix(mark)
    return key


def header_columns(
    header: Row,
    known: Collection[str],
    required: Iterable[str],
    aliases: Mapping[str, str] | None = None,
) -> tuple[dict[str, int], list[str]]:
    """Where each known column is (a header may use an alias); problems: a required one
    missing, one given twice, each naming the header's row."""
    columns: dict[str, int] = {}
    problems: list[str] = []
    for index, cell in enumerate(header.cells):
        key = header_key(cell)
        column = (aliases or {}).get(key, key)
        if column not in known:
            continue
        if column in columns:
            problem = messages.SHEET_REPEATED_COLUMN.format(column=column)
            problems.append(messages.SHEET_AT_ROW.format(row=header.number, problem=problem))
        columns.setdefault(column, index)
    found = "、".join(shown(cell_text(cell)) for cell in header.cells if cell_text(cell))
    for column in required:
        if column not in columns:
            listed = found or messages.SHEET_NO_COLUMNS
            problem = messages.SHEET_MISSING_COLUMN.format(column=column, found=listed)
            problems.append(messages.SHEET_AT_ROW.format(row=header.number, problem=problem))
    return columns, problems


def shown(text: str) -> str:
    """A value quoted back to the sender, cut short if long."""
    if len(text) <= SHOWN_VALUE_CHARS:
        return text
    return text[:SHOWN_VALUE_CHARS] + "…"


def _xlsx(file_name: str, content: bytes) -> Sheet:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    # A damaged or disguised file fails anywhere in zipfile, the XML parser or openpyxl.
    except Exception as error:
        raise UnreadableSheet(messages.SHEET_UNREADABLE_XLSX) from error
    return Sheet(sheet.title, _xlsx_rows(workbook, sheet))


def _xlsx_rows(workbook: Workbook, sheet: Any) -> Iterator[Row]:
    try:
        sheet.reset_dimensions()  # some programs write a wrong size; read what is there
        yield from _numbered(sheet.iter_rows(values_only=True))
    except Exception as error:  # read_only parses the sheet lazily, as rows are asked for
        raise UnreadableSheet(messages.SHEET_UNREADABLE_XLSX) from error
    finally:
        workbook.close()


def _csv(file_name: str, content: bytes) -> Sheet:
    return Sheet(file_name, _csv_rows(_decoded(content)))


def _csv_rows(text: str) -> Iterator[Row]:
    try:
        yield from _numbered(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise UnreadableSheet(messages.SHEET_UNREADABLE_CSV) from error


def _decoded(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableSheet(messages.SHEET_UNREADABLE_CSV)


_READERS: Mapping[str, Callable[[str, bytes], Sheet]] = {".xlsx": _xlsx, ".csv": _csv}


def _numbered(rows: Iterable[Sequence[object]]) -> Iterator[Row]:
    for number, cells in enumerate(rows, start=1):
        if any(cell_text(cell) for cell in cells):
            yield Row(number, tuple(cells))
