"""名单 files as secretaries send them (.xlsx from Excel or WPS, .csv in UTF-8 or GBK), and
every mistake in one refusal, each naming the row as the spreadsheet numbers it."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime

import pytest

from core.errors import UserError
from core.roster.member_list import MemberListError, parse_member_list, parse_names
from core.store.roster_records import ListEntry, entry_id
from tests.spreadsheets import xlsx

Rows = Sequence[Sequence[object]]
HEADER = ("姓名", "类别", "入党日期", "转正日期", "备注")
DATE_CELL = datetime(2015, 7, 1)  # noqa: DTZ001 - an Excel date cell reads back naive




def csv_file(rows: Rows, encoding: str = "utf-8") -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def problems(file_name: str, content: bytes) -> list[str]:
    with pytest.raises(MemberListError) as refused:
        parse_member_list(file_name, content)
    return refused.value.problems


def entry(
    name: str,
    category: str,
    joined: date | None = None,
    confirmed: date | None = None,
    note: str = "",
) -> ListEntry:
    return ListEntry(entry_id(name, note), name, category, joined, confirmed, note)


GOOD = (
    entry("张伟", "正式党员", date(2015, 7, 1), date(2016, 7, 1), "办公室"),
    entry("张伟", "正式党员", date(2018, 6, 30), date(2019, 6, 30), "财务科"),
    entry("李娜", "预备党员", date(2024, 7, 1)),
    entry("王芳", "入党积极分子"),
    entry("阿依古丽·买买提", "其他", note="借调"),
)


def test_a_good_xlsx_parses_to_its_entries() -> None:
    content = xlsx(
        [
            (),  # the header is the first non-empty row
            (
                "序号",
                " 姓　名 ",
                "类别",
                "入党日期（选填）",
                "转正日期(选填)",
                "备注（选填）",
                "性别",
            ),
            (1, "张伟", "正式党员", DATE_CELL, date(2016, 7, 1), "办公室", "男"),
            (2, " 张伟 ", "正式党员 ", "2018/6/30", "2019.06.30", "财务科", "男"),
            (),
            (3, "李娜", "预备党员", "2024年7月1日", None, None, "女"),
            (4, "王芳", "入党积极分子", None, None, None, "女"),
            (5, "阿依古丽·买买提", "其他", "", "", "借调", "女"),
            (6, None, None, None, None, None, None),  # an unused template row: only its 序号
        ]
    )
    assert parse_member_list("第一支部名单.xlsx", content) == GOOD


def test_a_good_gbk_csv_parses_to_its_entries() -> None:
    rows = [
        ("备注", "类别", "姓名", "转正日期", "入党日期"),
        ("办公室", "正式党员", "张伟", "20160701", "2015-07-01"),
        ("财务科", "正式党员", "张伟", "2019-6-30", "2018-06-30"),
        ("", "预备党员", "李娜", "", "2024.7.1"),
        ("", "", "", "", ""),
        ("", "入党积极分子", "王芳", "", ""),
        ("借调", "其他", "阿依古丽·买买提", "", ""),
    ]
    assert parse_member_list("名单.CSV", csv_file(rows, "gbk")) == GOOD
    assert parse_member_list("名单.csv", csv_file(rows, "utf-8-sig")) == GOOD


def test_a_missing_column_is_named_with_the_columns_found() -> None:
    content = xlsx([("XX 支部党员名单",), ("姓名", "类别"), ("张伟", "正式党员")])
    assert problems("名单.xlsx", content) == [
        "第 1 行：缺少“姓名”列（表头应为第一个非空行，现有的列：XX 支部党员名单）",
        "第 1 行：缺少“类别”列（表头应为第一个非空行，现有的列：XX 支部党员名单）",
    ]
    content = csv_file([("姓名", "入党日期", "姓名"), ("张伟", "2020-13-01", "")])
    assert problems("名单.csv", content) == [
        "第 1 行：“姓名”列出现了不止一次",
        "第 1 行：缺少“类别”列（表头应为第一个非空行，现有的列：姓名、入党日期、姓名）",
        "第 2 行，入党日期：“2020-13-01”不是日期，请写成 2020-07-01",  # the rest is still read
    ]


def test_every_mistake_is_reported_at_once() -> None:
    content = xlsx(
        [
            HEADER,
            ("张伟", "正式党员", "2015-07-01", "2016-07-01", ""),
            ("王芳", "党员", "2015-07-01", "", ""),  # not a 类别
            ("李娜", "正式党员", "2020-13-01", "2021-02-29", ""),  # no such dates
            (),
            ("张伟", "正式党员", "", "", ""),  # 张伟 again, 备注 does not tell them apart
            ("张伟", "正式党员", "", "", "财务科"),  # this one it does
            (None, "正式党员", "2015-07-01", "", "无名"),  # no name
            ("陈静", "正式党员", "2020-07-01", "2019-07-01", ""),  # 转正 before 入党
            ("赵磊", "预备党员", "", "", ""),  # no 入党日期 to remind from
            ("孙丽", " ", "", "", ""),  # no 类别
            ("Tom2", "其他", "", "", ""),  # digits are no name
        ]
    )
    assert problems("第一支部名单.xlsx", content) == [
        "第 3 行，类别：“党员”不是可选值（正式党员、预备党员、入党积极分子、其他）",
        "第 4 行，入党日期：“2020-13-01”不是日期，请写成 2020-07-01",
        "第 4 行，转正日期：“2021-02-29”不是日期，请写成 2020-07-01",
        "第 6 行，姓名：“张伟”与第 2 行重名，请在备注中注明区别（如科室）",
        "第 8 行，姓名：没有填写",
        "第 9 行，转正日期：2019-07-01 早于入党日期 2020-07-01",
        "第 10 行，入党日期：预备党员须填写入党日期（用于预备期满前的提醒）",
        "第 11 行，类别：没有填写",
        "第 12 行，姓名：“Tom2”不是有效的姓名（1 到 20 个字，只含汉字、字母、空格、“·”或“-”）",
    ]


def test_the_message_names_the_file_and_shows_the_first_thirty() -> None:
    rows = [("姓名", "类别"), *((f"张{chr(0x4E00 + i)}", "党员") for i in range(35))]
    with pytest.raises(MemberListError) as refused:
        parse_member_list("名单.csv", csv_file(rows))
    lines = refused.value.message.splitlines()
    assert lines[0] == "⛔ 名单“名单.csv”有 35 处问题，未做任何改动。请改正后重新发送："
    assert lines[1] == "第 2 行，类别：“党员”不是可选值（正式党员、预备党员、入党积极分子、其他）"
    assert len(lines) == 1 + 30 + 1
    assert lines[-1] == "……另有 5 处"
    assert isinstance(refused.value, UserError)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2020-07-01", date(2020, 7, 1)),
        ("2020/7/1", date(2020, 7, 1)),
        ("2020.07.01", date(2020, 7, 1)),
        ("2020年7月1日", date(2020, 7, 1)),
        ("2020 年 7 月 1 日", date(2020, 7, 1)),
        ("20200701", date(2020, 7, 1)),
        ("", None),
    ],
)
def test_dates_are_read_as_written(written: str, read: date | None) -> None:
    content = csv_file([("姓名", "类别", "入党日期"), ("张伟", "正式党员", written)])
    assert parse_member_list("名单.csv", content)[0].joined == read


@pytest.mark.parametrize(
    "written", ["2020-13-01", "2020-7/1", "2020年7月", "202071", "七月一日", "44013", "1.5"]
)
def test_what_is_no_date_is_refused(written: str) -> None:
    content = csv_file([("姓名", "类别", "入党日期"), ("张伟", "正式党员", written)])
    assert problems("名单.csv", content) == [
        f"第 2 行，入党日期：“{written}”不是日期，请写成 2020-07-01"
    ]


def test_ids_are_stable_across_uploads_and_column_order() -> None:
    rows = [HEADER, ("张伟", "正式党员", "2015-07-01", "", "办公室"), ("李娜", "其他", "", "", "")]
    first = parse_member_list("名单.xlsx", xlsx(rows))
    assert parse_member_list("名单.xlsx", xlsx(rows)) == first
    reordered = [tuple(reversed(row)) for row in rows]
    assert parse_member_list("名单.csv", csv_file(reordered, "gbk")) == first
    assert [e.id for e in first] == [entry_id("张伟", "办公室"), entry_id("李娜", "")]


def test_the_same_name_with_different_notes_is_two_people() -> None:
    content = csv_file(
        [("姓名", "类别", "备注"), ("张伟", "正式党员", "办公室"), ("张伟", "其他", "")]
    )
    assert parse_member_list("名单.csv", content) == (
        entry("张伟", "正式党员", note="办公室"),
        entry("张伟", "其他"),
    )


def test_formulas_are_never_evaluated() -> None:
    # openpyxl saves "=…" as a formula with no computed value: there is nothing to read.
    content = xlsx([("姓名", "类别", "备注"), ("=A3", "正式党员", "x"), ("张伟", "其他", "=1+1")])
    assert problems("名单.xlsx", content) == ["第 2 行，姓名：没有填写"]
    content = csv_file(
        [("姓名", "类别", "备注"), ("=1+1", "正式党员", ""), ("张伟", "其他", '=HYPERLINK("x")')]
    )
    assert problems("名单.csv", content) == [
        "第 2 行，姓名：“=1+1”不是有效的姓名（1 到 20 个字，只含汉字、字母、空格、“·”或“-”）"
    ]
    kept = parse_member_list(
        "名单.csv", csv_file([("姓名", "类别", "备注"), ("张伟", "其他", "=1+1")])
    )
    assert kept == (entry("张伟", "其他", note="=1+1"),)


def test_a_file_that_is_no_member_list_is_refused() -> None:
    not_a_sheet = "不是 .xlsx 或 .csv 文件。请在 Excel 中“另存为” .xlsx 或 CSV 后重新发送。"
    unreadable_xlsx = (
        "无法打开：文件已损坏，或不是真正的 .xlsx 文件。请用 Excel 重新另存为 .xlsx。"
    )
    unreadable_csv = "无法读取：既不是 UTF-8 也不是 GBK 编码的 CSV 文件。"
    good = xlsx([("姓名", "类别"), ("张伟", "正式党员")])
    assert problems("名单.xls", good) == [not_a_sheet]
    assert problems("名单", good) == [not_a_sheet]
    assert problems("名单.xlsx", b"PK\x03\x04 not really a zip") == [unreadable_xlsx]
    assert problems("名单.xlsx", good[: len(good) // 2]) == [unreadable_xlsx]
    assert problems("名单.xlsx", csv_file([("姓名", "类别")])) == [unreadable_xlsx]
    assert problems("名单.csv", "姓名,类别\n张伟,正式党员\n".encode("utf-16")) == [unreadable_csv]


def test_an_empty_or_too_long_list_is_refused() -> None:
    assert problems("名单.csv", b"") == [
        "表格是空的：第一行应为表头（姓名、类别，选填入党日期、转正日期、备注）。"
    ]
    assert problems("名单.xlsx", xlsx([(), ("姓名", "类别", "备注"), (None, None, None)])) == [
        "表头下面没有成员，至少要有一行。"
    ]
    names = [f"张{chr(0x4E00 + i // 100)}{chr(0x4E00 + i % 100)}" for i in range(2001)]
    rows = [("姓名", "类别"), *((name, "正式党员") for name in names)]
    assert len(parse_member_list("名单.csv", csv_file(rows[:2001]))) == 2000
    assert problems("名单.csv", csv_file(rows)) == ["成员超过 2000 行的上限，请按支部分开发送。"]


def test_names_for_roster_add() -> None:
    assert parse_names("张三 李四、王五，赵六,钱七;孙八；周九\n吴十　郑一 张三") == (
        "张三",
        "李四",
        "王五",
        "赵六",
        "钱七",
        "孙八",
        "周九",
        "吴十",
        "郑一",
    )
    assert parse_names("阿依古丽·买买提 Tom") == ("阿依古丽·买买提", "Tom")
    with pytest.raises(UserError) as refused:
        parse_names("张三 Tom2 =1+1 Tom2")
    assert refused.value.message == (
        "以下姓名无效（1 到 20 个字，只含汉字、字母、“·”或“-”）：“Tom2”、“=1+1”"
    )
    with pytest.raises(UserError) as refused:
        parse_names(" 、， ")
    assert refused.value.message == "请写上姓名，多个姓名用空格或顿号隔开，例如：张三 李四"
