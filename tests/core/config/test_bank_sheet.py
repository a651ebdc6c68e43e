"""Question banks from spreadsheets: every way people write them, every mistake by row and
column, ids that stay the same, and YAML that reads back as the same bank."""

from __future__ import annotations

import io
import string
from collections.abc import Sequence

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from core import messages
from core.config.bank_sheet import (
    BankSheetError,
    bank_naming,
    bank_yaml,
    import_bank_sheet,
    is_bank_sheet,
)
from core.config.bank_template import template_workbook
from core.config.banks import QuestionType, parse_bank
from core.config.yaml_loader import parse_yaml_text
from tests.spreadsheets import gbk_csv, xlsx

HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "出处", "标签"]






def refused(rows: Sequence[Sequence[object]]) -> list[str]:
    with pytest.raises(BankSheetError) as caught:
        import_bank_sheet("题库.xlsx", xlsx(rows), "imported", "导入的题库")
    return caught.value.problems


def test_answers_written_every_usual_way_are_read() -> None:
    rows = [
        HEADER,
        ["单选", "处分种类有几种？", "三种", "五种", "四种", "六种", "B",
         "第八条。", "条例第八条", "处分"],
        ["", "哪些是纪律？", "政治纪律", "组织纪律", "经济纪律", "", "A,B", "", "", ""],
        ["多选", "哪些是纪律（二）？", "政治纪律", "组织纪律", "廉洁纪律", "", "A、C", "", "", ""],
        ["", "哪些是纪律（三）？", "政治纪律", "组织纪律", "廉洁纪律", "", "abc", "", "", ""],
        ["判断", "警告影响期一年。", "", "", "", "", "正确", "", "", ""],
        ["", "严重警告影响期一年。", "", "", "", "", "×", "", "", ""],
        ["", "留党察看最长两年。", "正确", "错误", "", "", "正确", "", "", ""],
        ["", "开除党籍后几年内不得重新入党？", "三种", "五种", "", "", "五种", "", "", ""],
        ["判断", "党费按月交纳。", "正确", "错误", "", "", "A", "", "", ""],
    ]  # fmt: skip
    bank = import_bank_sheet("题库.xlsx", xlsx(rows), "imported", "导入的题库").bank
    read = [(q.type, q.options, sorted(q.answer)) for q in bank.questions]
    judge = ("对", "错")
    assert read == [
        (QuestionType.SINGLE, ("三种", "五种", "四种", "六种"), [1]),
        (QuestionType.MULTIPLE, ("政治纪律", "组织纪律", "经济纪律"), [0, 1]),
        (QuestionType.MULTIPLE, ("政治纪律", "组织纪律", "廉洁纪律"), [0, 2]),
        (QuestionType.MULTIPLE, ("政治纪律", "组织纪律", "廉洁纪律"), [0, 1, 2]),
        (QuestionType.JUDGE, judge, [0]),
        (QuestionType.JUDGE, judge, [1]),
        (QuestionType.JUDGE, judge, [0]),  # 正确/错误 options with no 题型: a judge question
        (QuestionType.SINGLE, ("三种", "五种"), [1]),  # the right option's own text
        (QuestionType.JUDGE, judge, [0]),  # A over 正确/错误
    ]
    first = bank.questions[0]
    assert (first.explanation, first.source, first.tags) == ("第八条。", "条例第八条", {"处分"})
    assert bank.questions[1].explanation == ""  # none given: the quiz shows none


def test_one_options_column_split_on_bars_or_line_breaks_with_letters_dropped() -> None:
    rows = [
        ["题目", "选项", "正确答案"],
        ["填空：依规治党（  ）。", "A. 从严|B、从宽|C．从快", "A"],
        ["第二题", "甲\n乙\n丙", "C"],
        ["第三题", "A.甲|乙", "B"],  # not every option lettered: the letters are text
    ]
    bank = import_bank_sheet("x.csv", gbk_csv(rows), "imported", "t").bank
    assert [q.options for q in bank.questions] == [
        ("从严", "从宽", "从快"),
        ("甲", "乙", "丙"),
        ("A.甲", "乙"),
    ]
    assert bank.questions[0].text == "填空：依规治党（　）。"


def test_blanks_in_a_stem_are_shown_as_one_pair_of_brackets() -> None:
    rows = [
        ["题干", "选项A", "选项B", "答案"],
        ["由\u00a0\u00a0\u00a0\u00a0送审。", "作者", "出版单位", "B"],
        ["填____空", "甲", "乙", "A"],
        ["两个  空格不是空", "甲", "乙", "A"],
    ]
    bank = import_bank_sheet("x.xlsx", xlsx(rows), "imported", "t").bank
    assert [q.text for q in bank.questions] == ["由（　）送审。", "填（　）空", "两个 空格不是空"]


def test_every_mistake_is_listed_by_row_and_column_at_once() -> None:
    rows = [
        [*HEADER, "题号"],
        ["单选", "答案超出选项", "甲", "乙", "丙", "丁", "E", "", "", "", "t-1"],
        ["问答", "不认识的题型", "甲", "乙", "", "", "A", "", "", "", "t-2"],
        ["判断", "判断题答案不对", "", "", "", "", "也许", "", "", "", "t-3"],
        ["", "", "甲", "乙", "", "", "A", "", "", "", "t-4"],
        ["单选", "选项中间空了一个", "甲", "", "丙", "", "A", "", "", "", "t-5"],
        ["单选", "单选写了两个答案", "甲", "乙", "丙", "", "AB", "", "", "", "t-6"],
        ["单选", "第一题", "甲", "乙", "", "", "A", "", "", "", "t-7"],
        ["单选", "题号重复", "甲", "乙", "", "", "A", "", "", "", "t-7"],
        ["单选", "没有答案", "甲", "乙", "", "", "", "", "", "", "t-8"],
        ["单选", "选项重复", "甲", "甲", "", "", "A", "", "", "", "t-9"],
        ["", "答案不是字母", "甲", "乙", "", "", "丙", "", "", "", "t-10"],
        ["多选", "多选只有一个答案", "甲", "乙", "丙", "", "B", "", "", "", "t-11"],
    ]  # fmt: skip
    assert refused(rows) == [
        "第 2 行，答案：'E' 不在选项 A–D 中",
        "第 3 行，题型：“问答”不是题型（单选、多选或判断；留空则按答案判断）",
        "第 4 行，答案：判断题的答案应为 对/错、正确/错误 或 √/×，实际是“也许”",
        "第 5 行，题干：没有填写",
        "第 6 行，选项B：没有填写，但后面还有选项（选项要从 A 起连续填写）",
        "第 7 行，答案：单选题只能有 1 个答案，实际写了 2 个（A、B）；多个答案请用 type: multiple",
        "第 9 行，题号：题目 id 't-7' 重复（第 8 行已使用）",
        "第 10 行，答案：没有填写",
        "第 11 行，选项：选项 '甲' 重复（与选项 A 相同）",
        "第 12 行，答案：“丙”不是答案：请写选项字母（A–B，多选如 ABD 或 A,B），或正确选项的原文",
        "第 13 行，答案：多选题至少要有 2 个答案，实际只有 1 个；只有一个答案请用 type: single",
    ]


def test_a_missing_column_is_named_with_the_columns_found() -> None:
    assert refused([["题干", "选项A", "选项B"], ["题", "甲", "乙"]]) == [
        "第 1 行：缺少“答案”列（表头应为第一个非空行，现有的列：题干、选项A、选项B）"
    ]
    assert refused([["题干", "选项", "选项A", "答案"], ["题", "甲|乙", "甲", "A"]]) == [
        "第 1 行：既有“选项”列又有“选项A”等列，请只用一种写法"
    ]


def test_the_refusal_names_the_file_and_the_sheet() -> None:
    with pytest.raises(BankSheetError) as caught:
        import_bank_sheet("题库.xlsx", xlsx([["题干", "答案"]], "第一章"), "x", "t")
    assert caught.value.message == (
        "⛔ 题库表格“题库.xlsx”（工作表“第一章”）有 1 处问题，未做任何改动。请改正后重新发送：\n"
        + messages.BANK_SHEET_NO_ROWS
    )


def test_the_same_question_twice_is_kept_once_unless_the_answers_differ() -> None:
    rows = [
        ["题干", "选项A", "选项B", "答案"],
        ["由\u00a0\u00a0送审。", "作者", "出版单位", "B"],
        ["由 \u00a0\u00a0\u00a0 送审。", "作者", "出版单位", "B"],  # the same, spaced otherwise
    ]
    imported = import_bank_sheet("x.xlsx", xlsx(rows), "x", "t")
    assert len(imported.bank.questions) == 1
    assert imported.repeats == ((3, 2),)
    assert refused([*rows, ["由（ ）送审。", "作者", "出版单位", "A"]]) == [
        "第 4 行，答案：题干和选项与第 2 行相同，答案却不同，请核对后删去一行"
    ]


def test_ids_come_from_the_rows_so_a_reordered_sheet_keeps_them() -> None:
    rows = [
        ["题干", "选项A", "选项B", "答案"],
        ["甲题", "对的", "错的", "A"],
        ["乙题", "x", "y", "B"],
    ]
    first = import_bank_sheet("x.xlsx", xlsx(rows), "x", "t").bank
    again = import_bank_sheet("x.xlsx", xlsx([rows[0], rows[2], rows[1]]), "x", "t").bank
    assert {q.text: q.id for q in first.questions} == {q.text: q.id for q in again.questions}
    assert len({q.id for q in first.questions}) == 2


LETTERS_AND_CJK = st.text(
    alphabet=st.sampled_from(
        list(string.ascii_letters + string.digits + "\"'\\:#-[]{}&*!|>%@`,?")
        + list("对错是否党纪条例处分（）、。\n\t ")
    ),
    min_size=1,
    max_size=30,
).filter(lambda text: text.strip() != "")


@settings(max_examples=60, deadline=None)
@given(text=LETTERS_AND_CJK, options=st.lists(LETTERS_AND_CJK, min_size=2, max_size=4))
def test_written_yaml_reads_back_as_the_same_bank(text: str, options: list[str]) -> None:
    options = list(dict.fromkeys(" ".join(option.split()) for option in options))
    if len(options) < 2:
        return
    rows = [["题干", "选项", "答案", "解析"], [text, "|".join(options), "A", text]]
    try:
        imported = import_bank_sheet("x.xlsx", xlsx(rows), "x", "标题")
    except BankSheetError:
        return  # e.g. an option with | in it: split, then repeated; the sheet is told so
    raw = imported.text.encode()
    assert parse_bank(parse_yaml_text(raw, "quizzes/x.yaml"), "quizzes/x.yaml").questions == (
        imported.bank.questions
    )
    assert yaml.safe_load(raw)["questions"][0]["text"] == imported.bank.questions[0].text


def test_bank_yaml_quotes_every_text_and_nothing_else() -> None:
    document = {
        "id": "x",
        "title": "题库",
        "questions": [{"id": "q1", "type": "judge", "text": "yes: no", "answer": "对"}],
    }
    assert bank_yaml(document) == (
        'id: "x"\ntitle: "题库"\nquestions:\n\n'
        '  - id: "q1"\n    type: judge\n    text: "yes: no"\n    answer: 对\n'
    )


def test_the_template_is_a_bank_sheet_and_imports() -> None:
    content = template_workbook()
    assert is_bank_sheet("题库模板.xlsx", content)
    bank = import_bank_sheet("题库模板.xlsx", content, "tpl", "模板").bank
    assert [q.type for q in bank.questions] == [
        QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.JUDGE,
    ]  # fmt: skip
    notes = load_workbook(io.BytesIO(content))[messages.BANK_TEMPLATE_NOTES_SHEET]
    assert notes["A2"].value == "题型"


def test_a_member_list_is_not_a_bank_sheet() -> None:
    assert not is_bank_sheet("名单.xlsx", xlsx([["姓名", "类别"], ["张伟", "正式党员"]]))
    assert not is_bank_sheet("名单.xlsx", b"not a zip")
    assert is_bank_sheet("题.csv", gbk_csv([["序号", "题目", "答案"]]))


@pytest.mark.parametrize(
    ("caption", "file_name", "named"),
    [
        ("xxqg 学习强国题库", "anything.xlsx", ("xxqg", "学习强国题库")),
        ("XXQG", "anything.xlsx", ("xxqg", "anything")),
        ("学习强国题库", "xxqg.xlsx", ("xxqg", "学习强国题库")),
        ("", "Discipline-2024.xlsx", ("discipline-2024", "Discipline-2024")),
    ],
)
def test_a_bank_is_named_by_its_caption_else_by_its_file(
    caption: str, file_name: str, named: tuple[str, str]
) -> None:
    assert bank_naming(caption, file_name) == named


def test_a_file_name_that_is_no_id_gives_the_same_made_up_id_each_time() -> None:
    bank_id, title = bank_naming("", "党纪题库.xlsx")
    assert title == "党纪题库"
    assert bank_id.startswith("bank-") and len(bank_id) == len("bank-") + 8
    assert bank_naming("", "党纪题库.xlsx") == (bank_id, title)
    assert bank_naming("", "廉洁题库.xlsx")[0] != bank_id
