"""Spreadsheets as people send them, made for tests: .xlsx bytes and GBK .csv bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook


def xlsx(rows: Sequence[Sequence[object]], title: str | None = None) -> bytes:
    """A one-sheet workbook holding `rows` (the sheet named `title`, else Excel's default)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title is not None:
        sheet.title = title
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def gbk_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """`rows` as a CSV file the way Chinese Excel saves one (GB18030)."""
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("gb18030")
