"""A quarter's 台账: members' months added up, and the printable first sheet."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from core.dates.periods import parse_period
from core.meetings.cadence import tally
from core.reports.ledger import build_ledger
from core.reports.month_report import build_report
from core.reports.workbook import ledger_workbook
from core.store.meeting_records import DEFAULT_CADENCE
from core.store.roster_records import Leave
from tests.core.meetings.test_cadence import OFFICE, meeting
from tests.core.reports.test_reports import ANSWERS, FORMER, ROSTER, RULE, SHANGHAI, TASKS, at


def quarter_ledger():  # type: ignore[no-untyped-def]
    """October (nothing done, 王五 on sick leave) and November (the sample month)."""
    sick = Leave("k3", date(2026, 10, 8), date(2026, 10, 20), "病假", 2, at(10, 30))
    wang = next(m for m in ROSTER if m.name == "王五")
    october = build_report(
        "office", "办公室党支部", "2026-10", ROSTER, TASKS, ANSWERS, RULE, SHANGHAI, FORMER,
        {wang.key: sick},
    )  # fmt: skip
    november = build_report(
        "office", "办公室党支部", "2026-11", ROSTER, TASKS, ANSWERS, RULE, SHANGHAI, FORMER
    )
    quarter = parse_period("2026Q4")
    kinds = tally(
        OFFICE, DEFAULT_CADENCE, [meeting("主题党日", date(2026, 10, 28))], quarter,
        date(2026, 11, 20),
    )  # fmt: skip
    return build_ledger(
        "办公室党支部", quarter, [october, november], kinds=kinds, maker="陈书记",
        made_on=date(2026, 11, 20),
    )  # fmt: skip


def test_members_add_up_their_months() -> None:
    ledger = quarter_ledger()
    for member in ledger.members:
        months = [m for r in ledger.months for m in r.members if m.key == member.key]
        assert (member.tasks_done, member.answered, member.correct, member.points) == (
            sum(m.tasks_done for m in months), sum(m.answered for m in months),
            sum(m.correct for m in months), sum(m.points for m in months),
        )  # fmt: skip
        assert member.took_part == sum(m.participated for m in months)
    wang = next(m for m in ledger.members if m.name == "王五")
    assert (wang.months, wang.took_part) == (1, 0)  # excused in October, counted in November
    assert wang.leave == ("病假（2026-10-08至2026-10-20）",)
    assert [m.name for m in ledger.members] == ["张三", "李四", "王五", "赵六"]  # 赵六 has left
    assert ledger.title == "办公室党支部2026年第四季度党建工作台账"


def test_the_first_sheet_prints_the_quarter() -> None:
    workbook = load_workbook(io.BytesIO(ledger_workbook(quarter_ledger(), SHANGHAI)))
    sheet = workbook.worksheets[0]
    assert sheet.title == "台账"
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert rows[0][0] == "办公室党支部2026年第四季度党建工作台账"
    assert rows[1][0] == "支部：办公室党支部　　期间：2026-10-01 至 2026-12-31"
    by_first = {row[1]: row for row in rows if isinstance(row[0], int)}
    assert by_first["主题党日"][2:6] == ("每月1次", 1, "1/2", "10-28")
    assert by_first["主题党日"][8] == "本期进行中"
    october = quarter_ledger().months[0]
    assert by_first["2026-10"][2] == f"{october.participants}/{len(october.counted)}"
    assert len(october.counted) == 2  # 王五 excused
    assert by_first["王五"][2:] == (  # a task pushed in October, two in November
        "（未在名单）", "0/3", 0, 0, None, "0/1 个月", "请假：病假（2026-10-08至2026-10-20）",
    )  # fmt: skip
    assert by_first["赵六"][8] == "已离开本支部"
    assert rows[-2][0] == "制表人：陈书记　　　　　　　　日期：2026年11月20日"
    assert rows[-1][0] == "支部书记（签字）：　　　　　　　　"
    assert "A1:I1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.page_setup.orientation == "portrait" and sheet.oddFooter.center.text
    tasks = workbook["学习任务"]
    assert tasks.print_title_rows == "$1:$1" and tasks.page_setup.orientation == "landscape"
