"""The real third-party question bank in ../shared/realdata (GPL-3.0), as test input only.

It is read from where it lies and never copied into the project; tests and benchmarks that
use it are skipped where it is absent (a clone without the shared folder).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import Workbook

SHARED = Path(__file__).resolve().parents[2] / "shared"
XXQG = SHARED / "realdata" / "xxqg-tiku" / "题库_排序版.json"
LETTERS = "ABCDEF"


def xxqg_rows() -> list[tuple[str, list[str], str]]:
    """Each entry as (stem, options, the right option's text); keys are `stem|opt|opt…`."""
    entries = json.loads(XXQG.read_text(encoding="utf-8"))
    rows = []
    for key, right in entries.items():
        stem, *options = key.split("|")
        rows.append((stem, options, right))
    return rows


def xxqg_xlsx() -> bytes:
    """The bank as a sharer's spreadsheet: 题干, 选项A–D, 答案 as a letter."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("学习强国题库")
    sheet.append(["题干", "选项A", "选项B", "选项C", "选项D", "答案"])
    for stem, options, right in xxqg_rows():
        padded = options + [""] * (4 - len(options))
        sheet.append([stem, *padded, LETTERS[options.index(right)]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
