"""The spreadsheet an admin fills in to make a question bank (/template).

Its first sheet is what `bank_sheet` reads: the header and one example of each kind of
question; a second sheet explains each column. Built from `bank_sheet`'s own column names,
so the template and the reader cannot drift apart.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core import messages
from core.config.bank_sheet import (
    ANSWER,
    EXPLANATION,
    KIND,
    NUMBER,
    OPTION_COLUMNS,
    SOURCE,
    TAGS,
    TEXT,
)

HEADER = (KIND, TEXT, *OPTION_COLUMNS[:4], ANSWER, EXPLANATION, SOURCE, TAGS, NUMBER)
WIDTHS = (8, 48, 14, 14, 14, 14, 8, 40, 28, 12, 10)
TEMPLATE_FILE = "题库模板.xlsx"


def template_workbook() -> bytes:
    """The template as .xlsx bytes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = messages.BANK_TEMPLATE_SHEET
    sheet.append(HEADER)
    for row in messages.BANK_TEMPLATE_EXAMPLES:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHIJK", WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "@"  # text: Excel must not make 对 or 1.0 anything else
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes = workbook.create_sheet(messages.BANK_TEMPLATE_NOTES_SHEET)
    for line in messages.BANK_TEMPLATE_NOTES:
        notes.append(line)
    notes.column_dimensions["A"].width = 10
    notes.column_dimensions["B"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
