"""Cells and sheets of the export, written safely and laid out for A4.

Every string is written as a text cell, whatever it starts with: a member named
`=HYPERLINK(...)` stays a name, never a live formula in the secretary's Excel. Every
sheet prints on A4, fitted to the page's width, with page numbers; a table sheet repeats
its header row on every page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from core import messages

TIME_FORMAT = "%Y-%m-%d %H:%M"
PERCENT_FORMAT = "0%"
A4 = Worksheet.PAPERSIZE_A4
BOLD = Font(bold=True)
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")


def new_sheet(
    workbook: Workbook, title: str, widths: Sequence[int], landscape: bool = True
) -> WriteOnlyWorksheet:
    """A sheet with its column widths (in characters; a CJK character is about two) and
    its print layout: A4, one page wide, page numbers in the footer."""
    sheet = workbook.create_sheet(title)
    # In write-only mode, widths and the fit-to-page flag must be set before the first row.
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.paperSize = A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = messages.EXPORT_PAGE_FOOTER
    return sheet


def table_sheet(
    workbook: Workbook, title: str, headers: Sequence[str], widths: Sequence[int]
) -> WriteOnlyWorksheet:
    """A sheet of rows under a bold header that stays in view and prints on every page."""
    sheet = new_sheet(workbook, title, widths)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    header = []
    for text in headers:
        cell = text_cell(sheet, text)
        cell.font = BOLD
        header.append(cell)
    sheet.append(header)
    return sheet


def append(sheet: WriteOnlyWorksheet, values: Iterable[object]) -> None:
    """Append one row, every string in it as text."""
    sheet.append([_text(sheet, v) if isinstance(v, str) else v for v in values])


def _text(sheet: WriteOnlyWorksheet, text: str) -> str | WriteOnlyCell:
    """`text` itself where openpyxl would store it as text anyway (a plain value is several
    times cheaper to write than a cell), else a text cell (see `text_cell`)."""
    clean = ILLEGAL_CHARACTERS_RE.sub("", text)
    if clean.startswith("=") or clean in ERROR_CODES:
        return text_cell(sheet, clean)
    return clean


def text_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    """A cell that holds `text` as text: openpyxl would make "=..." a formula, "#N/A" an error.

    Control characters (a Telegram name may hold them) cannot be stored in the file at all:
    openpyxl refuses them and the whole export would fail, so they are dropped."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def percent_cell(sheet: WriteOnlyWorksheet, rate: float | None) -> WriteOnlyCell | None:
    """A rate shown as a percentage; an empty cell for None (nothing to rate)."""
    if rate is None:
        return None
    cell = WriteOnlyCell(sheet, value=round(rate, 4))
    cell.number_format = PERCENT_FORMAT
    return cell


def day_text(day: date | None) -> str:
    """A date as text ('2020-07-01'), like the times: it reads the same in every Excel."""
    return f"{day:%Y-%m-%d}" if day else ""


def format_time(at: datetime, tz: ZoneInfo) -> str:
    """'2026-11-05 09:30' in `tz` (Excel has no time zones; this text sorts in time order)."""
    return at.astimezone(tz).strftime(TIME_FORMAT)
