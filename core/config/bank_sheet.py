"""A question bank as branches already keep it: a spreadsheet, read into a bank document.

The header row names the columns, in any order (spaces and "（选填）" do not matter):

    题型 | 题干 | 选项A | 选项B | 选项C | 选项D | 答案 | 解析 | 出处 | 标签 | 题号

- 题型 is 单选、多选 or 判断; left empty it is inferred from the answer (对/错 → 判断, more
  than one letter → 多选, else 单选).
- Options are 选项A…选项F (also written A…F or A选项), or one 选项 column split on `|` or
  line breaks; a leading "A." or "A、" on every option is dropped.
- 答案 is letters (`A`, `ABD`, `A,B`, `A、B`), 对/错, 正确/错误 or √/×, or the text of the
  one right option.
- 解析, 出处, 标签 (split on 、，, ; and spaces) and 题号 may be left out. Without 题号 a
  question's id is a hash of its stem and options, so importing the same sheet again keeps
  every id (and with it members' progress and 错题本).

The rows become the same document a `quizzes/*.yaml` file holds, each question remembering
its row, so the bank's own checks (`banks.parse_bank`) judge it and every problem is named by
row and column. Nothing is written here; `bank_yaml` turns a document into the YAML text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import PurePath
from typing import Any

from core import messages
from core.config.banks import Bank, parse_bank
from core.config.schema import ID_PATTERN, LETTERS, MAX_OPTIONS
from core.config.yaml_loader import ConfigErrors, ConfigProblem, LineDict, LineList
from core.errors import UserError
from core.sheets import (
    Row,
    UnreadableSheet,
    cell_text,
    header_columns,
    header_key,
    read_sheet,
    shown,
)

MAX_QUESTIONS = 20_000
SHOWN_PROBLEMS = 30

KIND, TEXT, OPTIONS, ANSWER = "题型", "题干", "选项", "答案"
EXPLANATION, SOURCE, TAGS, NUMBER = "解析", "出处", "标签", "题号"
OPTION_COLUMNS = tuple(f"选项{letter}" for letter in LETTERS[:MAX_OPTIONS])
COLUMNS = (KIND, TEXT, OPTIONS, ANSWER, EXPLANATION, SOURCE, TAGS, NUMBER, *OPTION_COLUMNS)
REQUIRED_COLUMNS = (TEXT, ANSWER)
# Header spellings seen in shared banks, read as the column they mean.
ALIASES = {
    "题目": TEXT, "问题": TEXT, "试题": TEXT, "类型": KIND, "正确答案": ANSWER, "参考答案": ANSWER,
    "答案解析": EXPLANATION, "依据": SOURCE, "来源": SOURCE, "编号": NUMBER, "序号": NUMBER,
    **{letter: f"选项{letter}" for letter in LETTERS[:MAX_OPTIONS]},
    **{f"{letter}选项": f"选项{letter}" for letter in LETTERS[:MAX_OPTIONS]},
}  # fmt: skip
KINDS = {"单选": "single", "单选题": "single", "多选": "multiple", "多选题": "multiple",
         "判断": "judge", "判断题": "judge"}  # fmt: skip
JUDGE_WORDS = {"对": "对", "正确": "对", "√": "对", "✓": "对", "是": "对",
               "错": "错", "错误": "错", "×": "错", "✗": "错", "否": "错"}  # fmt: skip
# Which column a field of the bank document came from, to name it in a problem.
FIELD_COLUMNS = {"id": NUMBER, "type": KIND, "text": TEXT, "options": OPTIONS, "answer": ANSWER,
                 "explanation": EXPLANATION, "source": SOURCE, "tags": TAGS}  # fmt: skip
OPTION_SPLIT = re.compile(r"\s*(?:[|｜]|\r?\n)\s*")
OPTION_LETTER = re.compile(r"^\s*([A-Fa-f])\s*[.、．:：)）]\s*")
ANSWER_SEPARATORS = re.compile(r"[\s,，、;；/]+")
TAG_SEPARATORS = re.compile(r"[\s、，,;；]+")
# A blank in a stem: underscores, or a run of non-breaking or full-width spaces (as shared
# banks write one), or of three spaces or more.
BLANK = re.compile(
    r"\s*(?:[\u00a0\u3000]{2,}|[_＿]+| {3,}|[（(][\s\u00a0\u3000]*[）)])[\s\u00a0\u3000_＿]*"
)
BLANK_MARK = "\x00"
PLAIN_KEYS = ("type", "answer")
QUESTION_PATH = re.compile(r"^questions\[(\d+)\](?:\.(\w+))?")


class BankSheetError(UserError):
    """A bank spreadsheet was refused; `problems` holds every one, the message the first 30."""

    def __init__(self, where: str, problems: list[str]) -> None:
        self.problems = problems
        listed = problems[:SHOWN_PROBLEMS]
        if len(problems) > SHOWN_PROBLEMS:
            more = len(problems) - SHOWN_PROBLEMS
            listed.append(messages.SHEET_MORE_PROBLEMS.format(count=more))
        super().__init__(
            messages.BANK_SHEET_REFUSED.format(
                where=where, count=len(problems), problems="\n".join(listed)
            )
        )


@dataclass(frozen=True)
class ImportedBank:
    """A spreadsheet that passed: the bank as the bot will use it, and its YAML text."""

    bank: Bank
    text: str
    repeats: tuple[tuple[int, int], ...]  # rows left out: (row, the earlier row it repeats)


def import_bank_sheet(file_name: str, content: bytes, bank_id: str, title: str) -> ImportedBank:
    """Read and check a bank spreadsheet; `BankSheetError` lists every problem, by row."""
    try:
        sheet = read_sheet(file_name, content)
        where = _where(file_name, sheet.title)
        read = _document(sheet.rows, bank_id, title)
    except UnreadableSheet as error:
        raise BankSheetError(_where(file_name, None), [error.problem]) from error
    problems = read.problems
    if not read.stopped:  # the rows that read well go through the bank's own checks too
        try:
            bank = parse_bank(read.document, file_name)
        except ConfigErrors as errors:
            problems = problems + [(p.line, _located(p)) for p in errors.problems]
    if problems:
        raise BankSheetError(where, [text for _, text in sorted(problems, key=_row_of)])
    header = messages.BANK_SHEET_YAML_HEADER.format(file=file_name)
    return ImportedBank(bank, header + bank_yaml(read.document), tuple(read.repeats))


def _row_of(problem: tuple[int, str]) -> int:
    return problem[0]


def is_bank_sheet(file_name: str, content: bytes) -> bool:
    """Whether a spreadsheet is a question bank: its header has a 题干 column."""
    try:
        header = next(read_sheet(file_name, content).rows, None)
    except UnreadableSheet:
        return False  # the 名单 reader says what is wrong with it
    return header is not None and any(
        ALIASES.get(header_key(cell), header_key(cell)) == TEXT for cell in header.cells
    )


def bank_naming(caption: str, file_name: str) -> tuple[str, str]:
    """The id and title of a bank sent as a spreadsheet.

    From the caption (`xxqg 学习强国题库`: an id, then the title; or only a title), else from
    the file's name: `xxqg.xlsx` is bank `xxqg`; a name that is no id (`党纪题库.xlsx`)
    gives an id made from it, the same each time the file is sent.
    """
    stem = PurePath(file_name).stem.strip() or file_name
    first, _, rest = caption.strip().partition(" ")
    if first and ID_PATTERN.fullmatch(first.lower()):
        return first.lower(), rest.strip() or stem
    title = caption.strip() or stem
    if ID_PATTERN.fullmatch(stem.lower()):
        return stem.lower(), title
    return f"bank-{hashlib.sha1(stem.encode()).hexdigest()[:8]}", title


def bank_yaml(document: Mapping[str, Any]) -> str:
    """A bank document as `quizzes/*.yaml` text, written the way the shipped banks are.

    Every text is a double-quoted scalar as JSON writes it (JSON's escapes are YAML's), so
    no text can be read back as something else (对 as a boolean, 1.0 as a number), and a
    10,000-question bank is written in a tenth of the time PyYAML's emitter takes.
    """
    lines = [f"id: {_quoted(document['id'])}", f"title: {_quoted(document['title'])}"]
    lines.append("questions:")
    for question in document["questions"]:
        lines.append("")
        lines.extend(_question_lines(question))
    return "\n".join(lines) + "\n"


def _question_lines(question: Mapping[str, Any]) -> Iterator[str]:
    lead = "  - "
    for key, value in question.items():
        if isinstance(value, list):
            written = "[" + ", ".join(_quoted(item) for item in value) + "]"
        else:  # a type, a letter and 对/错 read back as they are; every other text is quoted
            written = value if key in PLAIN_KEYS else _quoted(value)
        yield f"{lead}{key}: {written}"
        lead = "    "


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _where(file_name: str, sheet: str | None) -> str:
    if sheet is None:
        return messages.BANK_SHEET_FILE.format(file=file_name)
    return messages.BANK_SHEET_FILE_AND_SHEET.format(file=file_name, sheet=sheet)


def _document(rows: Iterator[Row], bank_id: str, title: str) -> _Read:
    """The bank document the rows that read well make, every problem the sheet shows (by
    row), and the rows left out as repeats of an earlier one."""
    questions = LineList()
    questions.line = 1
    read = _Read({"id": bank_id, "title": title, "questions": questions}, [], [])
    header = next(rows, None)
    if header is None:
        return read.stop(messages.BANK_SHEET_EMPTY)
    columns, problems = _columns(header)
    data = list(islice(rows, MAX_QUESTIONS + 1))
    if len(data) > MAX_QUESTIONS:
        problems.append(messages.BANK_SHEET_TOO_MANY.format(limit=MAX_QUESTIONS))
    if problems:
        return read.stop(*problems)
    first_rows: dict[str, LineDict] = {}  # by generated id: the first row with that question
    for row in data:
        cells = _Cells(row, columns, read.problems)
        question = _question(cells)
        if question is None:
            continue
        first = first_rows.get(question["id"]) if not cells.text(NUMBER) else None
        if first is None:
            first_rows.setdefault(question["id"], question)
            questions.append(question)
        elif first["answer"] == question["answer"]:
            read.repeats.append((row.number, first.line))
        else:
            cells.error(ANSWER, messages.BANK_SHEET_REPEAT_DIFFERS.format(first=first.line))
    if not questions:
        return read.stop(*([] if read.problems else [messages.BANK_SHEET_NO_ROWS]))
    return read


@dataclass
class _Read:
    document: dict[str, Any]
    problems: list[tuple[int, str]]  # (row, problem); row 0: the file as a whole
    repeats: list[tuple[int, int]]  # (row, the earlier row it repeats)
    stopped: bool = False  # no bank to check: the header, or every row, is wrong

    def stop(self, *problems: str) -> _Read:
        self.problems.extend((0, problem) for problem in problems)
        self.stopped = True
        return self


def _columns(header: Row) -> tuple[dict[str, int], list[str]]:
    """Where each column is, and what is wrong with the header (options written twice too)."""
    columns, problems = header_columns(header, COLUMNS, REQUIRED_COLUMNS, ALIASES)
    if OPTIONS in columns and any(column in columns for column in OPTION_COLUMNS):
        problem = messages.BANK_SHEET_OPTIONS_TWICE
        problems.append(messages.SHEET_AT_ROW.format(row=header.number, problem=problem))
    return columns, problems


@dataclass(frozen=True)
class _Cells:
    """One data row's cells by column, and the problem list its problems go to."""

    row: Row
    columns: Mapping[str, int]
    problems: list[tuple[int, str]]

    def text(self, column: str) -> str:
        index = self.columns.get(column)
        if index is None or index >= len(self.row.cells):
            return ""
        return cell_text(self.row.cells[index])

    def raw(self, column: str) -> str:
        """The cell's text with its line breaks and blanks kept (for 选项 and 题干)."""
        index = self.columns.get(column)
        if index is None or index >= len(self.row.cells) or self.row.cells[index] is None:
            return ""
        return str(self.row.cells[index]).strip()

    def error(self, column: str, problem: str) -> None:
        row = self.row.number
        located = messages.SHEET_AT_CELL.format(row=row, column=column, problem=problem)
        self.problems.append((row, located))


def _question(cells: _Cells) -> LineDict | None:
    """The row as a bank question (None, with its problems recorded, if it cannot be one)."""
    known_problems = len(cells.problems)
    text = _stem(cells.raw(TEXT))
    options = _options(cells)
    answer = cells.text(ANSWER)
    if not text and not answer and not options:
        return None  # a row with only a 序号, or notes in other columns
    kind = _kind(cells, answer, options)
    letters = _answer(cells, kind, answer, options) if kind else None
    if not text:
        cells.error(TEXT, messages.SHEET_EMPTY_VALUE)
    if len(cells.problems) > known_problems or kind is None or letters is None:
        return None
    fields: dict[str, Any] = {
        "id": cells.text(NUMBER) or _hashed_id(text, options),
        "type": kind,
        "text": text,
    }
    if kind != "judge":
        fields["options"] = list(options)
    # One letter as a text, several as a list (the bank then tells a 单选 with two apart).
    fields["answer"] = letters[0] if len(letters) == 1 and kind != "multiple" else letters
    for key, column in (("explanation", EXPLANATION), ("source", SOURCE)):
        if value := cells.text(column):
            fields[key] = value
    if tags := [tag for tag in TAG_SEPARATORS.split(cells.text(TAGS)) if tag]:
        fields["tags"] = tags
    question = LineDict(fields)
    question.line = cells.row.number
    question.key_lines = dict.fromkeys(fields, cells.row.number)
    return question


def _stem(raw: str) -> str:
    """The 题干 on one line, each blank shown as （　）."""
    marked = " ".join(BLANK.sub(BLANK_MARK, raw).split())
    return re.sub(rf" ?{BLANK_MARK} ?", "（　）", marked)


def _options(cells: _Cells) -> tuple[str, ...]:
    if OPTIONS in cells.columns:
        options = [part for part in OPTION_SPLIT.split(cells.raw(OPTIONS)) if part]
    else:
        options = [cells.text(column) for column in OPTION_COLUMNS]
        while options and not options[-1]:
            options.pop()
        for letter, option in zip(LETTERS, options, strict=False):
            if not option:
                cells.error(f"选项{letter}", messages.BANK_SHEET_OPTION_GAP)
    lettered = [OPTION_LETTER.match(option) for option in options]
    if options and all(
        match and match[1].upper() == LETTERS[i] for i, match in enumerate(lettered)
    ):
        options = [OPTION_LETTER.sub("", option, count=1) for option in options]
    return tuple(" ".join(option.split()) for option in options)


def _kind(cells: _Cells, answer: str, options: tuple[str, ...]) -> str | None:
    """The question's type: as written, or inferred from its answer and options."""
    written = cells.text(KIND)
    if written:
        kind = KINDS.get(written)
        if kind is None:
            cells.error(KIND, messages.BANK_SHEET_BAD_KIND.format(value=shown(written)))
        return kind
    if answer in JUDGE_WORDS and (not options or set(options) <= set(JUDGE_WORDS)):
        return "judge"
    letters = _letters(answer, options)
    return "multiple" if letters is not None and len(letters) > 1 else "single"


def _answer(cells: _Cells, kind: str, answer: str, options: tuple[str, ...]) -> list[str] | None:
    """The answer as the bank writes it: letters, or 对/错 for a judge question."""
    if not answer:
        cells.error(ANSWER, messages.SHEET_EMPTY_VALUE)
        return None
    if kind == "judge":
        judged = JUDGE_WORDS.get(answer) or _judged_letter(answer, options)
        if judged is None:
            cells.error(ANSWER, messages.BANK_SHEET_BAD_JUDGE.format(value=shown(answer)))
            return None
        return [judged]
    letters = _letters(answer, options)
    if letters is None:
        choices = f"A–{LETTERS[len(options) - 1]}" if options else "A–F"
        problem = messages.BANK_SHEET_BAD_ANSWER.format(value=shown(answer), choices=choices)
        cells.error(ANSWER, problem)
    return letters


def _letters(answer: str, options: tuple[str, ...]) -> list[str] | None:
    """`ABD`, `A,B` or the text of one option, as letters; None if it is none of them."""
    compact = ANSWER_SEPARATORS.sub("", answer).upper()
    if compact and all("A" <= letter <= "Z" for letter in compact):
        return list(compact)
    if answer in options:
        return [LETTERS[options.index(answer)]]
    return None


def _judged_letter(answer: str, options: tuple[str, ...]) -> str | None:
    """A judge question answered by letter over 正确/错误 options (A: 正确)."""
    letters = _letters(answer, options)
    if options and letters is not None and len(letters) == 1:
        index = LETTERS.index(letters[0])
        if index < len(options):
            return JUDGE_WORDS.get(options[index])
    return None


def _hashed_id(text: str, options: tuple[str, ...]) -> str:
    """A question id from its stem and options: the same sheet gives the same ids."""
    digest = hashlib.sha1("\n".join((text, *options)).encode()).hexdigest()
    return f"q{digest[:10]}"


def _located(problem: ConfigProblem) -> str:
    """A bank problem named as the sheet names things: row and column."""
    match = QUESTION_PATH.match(problem.field)
    if match is None:  # the bank's id or title, from the caption or the file's name
        named = messages.BANK_SHEET_NAMING.get(problem.field, problem.field)
        return f"{named}：{problem.message}" if named else problem.message
    column = FIELD_COLUMNS.get(match[2] or "", TEXT)
    return messages.SHEET_AT_CELL.format(row=problem.line, column=column, problem=problem.message)
