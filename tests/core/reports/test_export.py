"""The /export workbook read back with openpyxl: Chinese headers, the report's rows."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from openpyxl import load_workbook

from core.dates.periods import parse_period
from core.reports.ledger import build_ledger
from core.reports.month_report import BranchMonthReport, build_report
from core.reports.workbook import ledger_workbook
from core.roster.members import Member
from core.store.roster_records import Leave, ListEntry, account_key
from tests.core.reports.test_reports import RULE, SHANGHAI, answer, at, sample_report


def report_workbook(
    report: BranchMonthReport, questions: Mapping[tuple[str, str], str] | None = None
) -> bytes:
    """The export of one month's report (no meetings recorded)."""
    period = parse_period(report.month)
    ledger = build_ledger(report.branch_name, period, [report], questions=questions)
    return ledger_workbook(ledger, SHANGHAI)


def read(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def test_sheets_and_headers_are_chinese() -> None:
    sheets = read(report_workbook(sample_report()))
    assert list(sheets) == ["台账", "成员", "名单", "组织生活", "更正记录", "学习任务", "答题记录"]
    assert sheets["成员"][0] == (
        "姓名",
        "用户ID",
        "在册",
        "应学任务",
        "已完成",
        "按时完成",
        "答题数",
        "答对数",
        "正确率",
        "积分",
        "本月参与",
    )
    assert sheets["学习任务"][0] == (
        "任务ID",
        "标题",
        "下发时间",
        "截止时间",
        "完成人数",
        "按时完成人数",
        "应完成人数",
        "完成率",
    )
    assert sheets["答题记录"][0] == (
        "时间",
        "姓名",
        "用户ID",
        "题库",
        "题号",
        "题目",
        "所选",
        "结果",
        "方式",
    )


def test_member_rows_equal_the_report() -> None:
    report = sample_report()
    rows = read(report_workbook(report))["成员"][1:]
    assert rows == [
        ("张三", 1, "是", 2, 2, 2, 9, 7, round(7 / 9, 4), 9, "是"),
        ("李四", 2, "是", 2, 1, 0, 4, 2, 0.5, 4, "是"),
        ("王五", 3, "是", 2, 0, 0, 0, 0, None, 0, "否"),
        ("赵六", 4, "否", 2, 0, 0, 1, 1, 1, 1, "是"),
    ]


def test_task_rows_have_local_times() -> None:
    rows = read(report_workbook(sample_report()))["学习任务"][1:]
    assert rows == [
        ("2611-t1", "学习党章", "2026-11-02 09:00", "2026-11-09 09:00", 2, 1, 4, 0.5),
        ("2611-t2", "学习二十大报告", "2026-11-09 09:00", "2026-11-16 09:00", 1, 1, 4, 0.25),
    ]


def test_answer_rows_equal_the_inputs() -> None:
    report = sample_report()
    first = report.answers[0]
    questions = {(first.bank_id, first.question_id): "党章规定，党员有哪些义务？"}
    rows = read(report_workbook(report, questions))["答题记录"][1:]
    names = {1: "张三", 2: "李四", 4: "赵六"}
    assert rows == [
        (
            a.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
            names[a.user_id],
            a.user_id,
            a.bank_id,
            a.question_id,
            questions.get((a.bank_id, a.question_id), "（题目已不在题库中）"),
            "A",
            "正确" if a.correct else "错误",
            "私聊答题",
        )
        for a in report.answers
    ]
    # 00:05 on 11-01 in Shanghai (still October in UTC) is written in the bot's time zone.
    assert rows[0][0] == "2026-11-01 00:05"
    assert report.answers[0].at == at(11, 1, 0, 5)


def test_widths_and_frozen_header() -> None:
    workbook = load_workbook(io.BytesIO(report_workbook(sample_report())))
    tasks = workbook["学习任务"]
    assert tasks.freeze_panes == "A2"
    assert tasks.column_dimensions["B"].width == 40


def test_empty_month_has_headers_only() -> None:
    empty = build_report("office", "办公室党支部", "2026-11", [], [], [], RULE, SHANGHAI)
    sheets = read(report_workbook(empty))
    assert [len(rows) for rows in list(sheets.values())[1:]] == [1, 1, 1, 1, 1, 1]


# What a spreadsheet would run as a formula (or hand to one) if written as anything but text.
HOSTILE = (
    '=HYPERLINK("http://evil.example/x","点我")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
)


def test_text_from_users_and_config_is_never_a_formula() -> None:
    report = sample_report()
    hostile = iter(HOSTILE * 20)
    members = tuple(replace(m, name=next(hostile)) for m in report.members)
    tasks = tuple(replace(t, task_id=next(hostile), title=next(hostile)) for t in report.tasks)
    answers = tuple(
        replace(a, bank_id=next(hostile), question_id=next(hostile), chosen=(next(hostile),))
        for a in report.answers
    )
    names = {m.user_id: m.name for m in members}
    questions = {(a.bank_id, a.question_id): next(hostile) for a in answers}
    data = report_workbook(
        replace(report, members=members, tasks=tasks, answers=answers), questions
    )
    # Cell by cell, from row 2: (column, the text written there).
    expected: dict[str, list[list[tuple[int, str]]]] = {
        "成员": [[(1, m.name)] for m in members],
        "名单": [[(1, m.name)] for m in members if m.on_roster],
        "学习任务": [[(1, t.task_id), (2, t.title)] for t in tasks],
        "答题记录": [
            [
                (2, names[a.user_id]),
                (4, a.bank_id),
                (5, a.question_id),
                (6, questions[(a.bank_id, a.question_id)]),
                (7, a.chosen[0]),
            ]
            for a in answers
        ],
    }
    workbook = load_workbook(io.BytesIO(data))
    for title, rows in expected.items():
        sheet = workbook[title]
        assert sheet.max_row == len(rows) + 1
        for row_number, cells in enumerate(rows, start=2):
            for column, text in cells:
                cell = sheet.cell(row_number, column)
                # A text cell's bare CR reads back as LF (openpyxl writes no &#13;), a
                # shared string keeps it: text all the same.
                value = cell.value.replace("\r", "\n")
                assert (value, cell.data_type) == (text.replace("\r", "\n"), "s"), (
                    title,
                    cell.coordinate,
                )
    for sheet in workbook:  # headers and every other cell too
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title


def test_a_name_with_control_characters_still_exports() -> None:
    """openpyxl cannot store them (the whole export failed); they are dropped."""
    report = sample_report()
    members = (replace(report.members[0], name="张\x01三\x1b"), *report.members[1:])
    sheets = read(report_workbook(replace(report, members=members)))
    assert sheets["成员"][1][0] == "张三"


def test_the_list_sheet_says_who_is_listed_reported_and_on_leave() -> None:
    joined, confirmed = date(2020, 7, 1), date(2021, 7, 1)
    listed = ListEntry("e1", "张三", "正式党员", joined, confirmed, "=综合科", user_id=1)
    unclaimed = ListEntry("e2", "赵六", "预备党员", date(2026, 3, 1))
    roster = [
        Member("e1", "张三", 1, listed),
        Member("e2", "赵六", None, unclaimed),
        Member(account_key(7), "群友", 7),
    ]
    sick = Leave("e1", date(2026, 11, 1), date(2026, 11, 30), "病假", 2, at(10, 30))
    answers = [answer(7, at(11, 3), True)]
    report = build_report(
        "office", "办公室党支部", "2026-11", roster, [], answers, RULE, SHANGHAI, (), {"e1": sick}
    )
    rows = read(report_workbook(report))["名单"]
    assert rows[0] == (
        "姓名", "类别", "报到", "用户ID", "请假", "入党日期", "转正日期", "备注", "本月参与",
    )  # fmt: skip
    assert rows[1:] == [  # in the roster's order
        ("张三", "正式党员", "是", 1, "病假（2026-11-01至2026-11-30）", "2020-07-01",
         "2021-07-01", "=综合科", "请假"),
        ("赵六", "预备党员", "否", None, None, "2026-03-01", None, None, "否"),
        ("群友", "（未在名单）", "是", 7, None, None, None, None, "是"),
    ]  # fmt: skip
