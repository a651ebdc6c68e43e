"""Question banks in `quizzes/*.yaml`: validated questions for the discipline quizzes.

One bank per file. A bank with any problem is refused as a whole (a half-loaded
bank would silently change which questions members get), while the other banks
still load; `load_banks` returns both the banks and every problem found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from core.config.yaml_loader import (
    ConfigErrors,
    ConfigProblem,
    Field,
    describe,
    document_root,
    load_yaml,
)

# Bank and question ids alike; progress is stored under "bank/question", so never a "/".
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
BANK_KEYS = ("id", "title", "questions")
QUESTION_KEYS = ("id", "type", "text", "options", "answer", "explanation", "source", "tags")
LETTERS = "ABCDEF"
JUDGE_OPTIONS = ("对", "错")
MIN_OPTIONS, MAX_OPTIONS = 2, len(LETTERS)
# Caps keep a question (text plus lettered options) inside one 4096-char Telegram message.
MAX_TITLE, MAX_TEXT, MAX_OPTION, MAX_EXPLANATION, MAX_SOURCE = 64, 1000, 200, 1500, 200
# Telegram quiz-poll limits (Bot API sendPoll).
POLL_MAX_QUESTION, POLL_MAX_OPTION, POLL_MAX_EXPLANATION = 300, 100, 200
POLL_MIN_OPTIONS, POLL_MAX_OPTIONS, POLL_MAX_EXPLANATION_LINE_FEEDS = 2, 10, 2


class QuestionType(Enum):
    """The three kinds of question."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    JUDGE = "judge"


@dataclass(frozen=True)
class Question:
    """One validated question; `answer` holds option indices."""

    bank_id: str
    id: str
    type: QuestionType
    text: str
    options: tuple[str, ...]
    answer: frozenset[int]
    explanation: str
    source: str
    tags: frozenset[str] = frozenset()

    @property
    def key(self) -> tuple[str, str]:
        """(bank id, question id): unique across banks."""
        return (self.bank_id, self.id)

    def is_correct(self, chosen: frozenset[int]) -> bool:
        """Right only when exactly the correct options were chosen."""
        return frozenset(chosen) == self.answer

    def labels(self, indices: Iterable[int]) -> tuple[str, ...]:
        """Each index as shown to members: 'A', 'C' … or '对' / '错' for judge questions."""
        if self.type is QuestionType.JUDGE:
            return tuple(JUDGE_OPTIONS[i] for i in sorted(indices))
        return tuple(LETTERS[i] for i in sorted(indices))

    def letters(self, indices: Iterable[int]) -> str:
        """The indices as one label, e.g. 'A、C' (judge: '对' or '错')."""
        return "、".join(self.labels(indices))

    def indices(self, labels: Iterable[str]) -> frozenset[int]:
        """The inverse of `labels` (unknown labels are ignored)."""
        names = JUDGE_OPTIONS if self.type is QuestionType.JUDGE else LETTERS[: len(self.options)]
        return frozenset(names.index(label) for label in labels if label in names)

    @property
    def fits_native_poll(self) -> bool:
        """Whether Telegram's quiz poll can carry it; other questions go out with buttons."""
        return (
            len(self.text) <= POLL_MAX_QUESTION
            and POLL_MIN_OPTIONS <= len(self.options) <= POLL_MAX_OPTIONS
            and all(len(option) <= POLL_MAX_OPTION for option in self.options)
            and len(self.explanation) <= POLL_MAX_EXPLANATION
            and self.explanation.count("\n") <= POLL_MAX_EXPLANATION_LINE_FEEDS
        )


@dataclass(frozen=True)
class Bank:
    """One `quizzes/*.yaml` file."""

    id: str
    title: str
    file: str
    questions: tuple[Question, ...]
    _index: Mapping[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Sessions look questions up by id on every answer; keep that O(1) for big banks.
        object.__setattr__(self, "_index", {q.id: q for q in self.questions})

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if the bank has it."""
        return self._index.get(question_id)


@dataclass(frozen=True)
class BankSet:
    """The banks that loaded, and the problems of those that were refused."""

    banks: tuple[Bank, ...] = ()
    problems: tuple[ConfigProblem, ...] = ()

    def bank(self, bank_id: str) -> Bank | None:
        """The loaded bank with this id."""
        return next((b for b in self.banks if b.id == bank_id), None)

    def question(self, key: tuple[str, str]) -> Question | None:
        """The question with this (bank id, question id), if still loaded."""
        bank = self.bank(key[0])
        return bank.question(key[1]) if bank else None

    def questions_for(self, selector: str | None) -> list[Question]:
        """Questions of a bank (selector is its id), else with that tag; None means all."""
        if selector is None:
            return [q for bank in self.banks for q in bank.questions]
        bank = self.bank(selector)
        if bank is not None:
            return list(bank.questions)
        return [q for b in self.banks for q in b.questions if selector in q.tags]

    def tags(self) -> set[str]:
        """Every tag used by a loaded question."""
        return {tag for bank in self.banks for q in bank.questions for tag in q.tags}


def load_banks(quiz_dir: Path, display_dir: str = "quizzes") -> BankSet:
    """Load every `*.yaml` bank in name order; refuse the broken ones, keep the rest."""
    banks: list[Bank] = []
    problems: list[ConfigProblem] = []
    owners: dict[str, str] = {}
    for path in sorted(quiz_dir.glob("*.yml")):
        # An admin who names a file .yml would otherwise wonder why it never shows up.
        name = f"{display_dir}/{path.name}"
        problems.append(ConfigProblem(name, 0, "", "题库文件的扩展名应为 .yaml，此文件未加载"))
    for path in sorted(quiz_dir.glob("*.yaml")):
        name = f"{display_dir}/{path.name}"
        try:
            bank = _load_bank(path, name, owners)
        except ConfigErrors as errors:
            problems.extend(errors.problems)
            continue
        owners[bank.id] = name
        banks.append(bank)
    return BankSet(banks=tuple(banks), problems=tuple(sorted(problems)))


def _load_bank(path: Path, name: str, owners: Mapping[str, str]) -> Bank:
    document = load_yaml(path, name)
    bank = parse_bank(document, name)
    if bank.id in owners:
        node = Field.root(name, document).child("id")
        node.error(f"题库 id '{bank.id}' 已在 {owners[bank.id]} 中使用")
        raise ConfigErrors(node.problems)
    return bank


def parse_bank(document: object, file: str) -> Bank:
    """Validate one parsed bank document; raise `ConfigErrors` listing every problem."""
    root = document_root(file, document, BANK_KEYS, "id、title 和 questions")
    bank_id = _parse_id(root.child("id"), "题库")
    title = root.child("title").text(max_length=MAX_TITLE)
    questions = _parse_questions(root.child("questions"), bank_id or "")
    if root.problems or bank_id is None or title is None:
        raise ConfigErrors(root.problems)
    return Bank(id=bank_id, title=title, file=file, questions=tuple(questions))


def _parse_id(node: Field, what: str) -> str | None:
    value = node.text()
    if value is not None and not ID_PATTERN.match(value):
        node.error(
            f"{what} id '{value}' 只能用小写字母、数字、- 和 _，以字母或数字开头，最长 64 个字符"
        )
        return None
    return value


def _parse_questions(node: Field, bank_id: str) -> list[Question]:
    questions: list[Question] = []
    first_lines: dict[str, int] = {}
    items = node.sequence()
    if isinstance(node.value, list) and not items:
        node.error("至少需要一道题")
    for item in items:
        if not item.check_keys(QUESTION_KEYS):
            continue
        id_field = item.child("id")
        question_id = _parse_id(id_field, "题目")
        if question_id is not None and question_id in first_lines:
            first = first_lines[question_id]
            id_field.error(f"题目 id '{question_id}' 重复（第 {first} 行已使用）")
            question_id = None
        elif question_id is not None:
            first_lines[question_id] = id_field.line
        question = _parse_question(item, bank_id, question_id)
        if question is not None:
            questions.append(question)
    return questions


def _parse_question(node: Field, bank_id: str, question_id: str | None) -> Question | None:
    question_type = _parse_type(node.child("type"))
    text = node.child("text").text(max_length=MAX_TEXT)
    options: tuple[str, ...] | None = None
    answer: frozenset[int] | None = None
    if question_type is not None:
        options = _parse_options(node.child("options"), question_type)
        answer = _parse_answer(node.child("answer"), question_type, options)
    explanation = node.child("explanation").text(max_length=MAX_EXPLANATION)
    source = node.child("source").text(max_length=MAX_SOURCE)
    tags = frozenset(node.child("tags").text_list())
    if (
        question_id is None
        or question_type is None
        or text is None
        or options is None
        or answer is None
        or explanation is None
        or source is None
    ):
        return None
    return Question(
        bank_id, question_id, question_type, text, options, answer, explanation, source, tags
    )


def _parse_type(node: Field) -> QuestionType | None:
    name = node.text()
    if name is None:
        return None
    try:
        return QuestionType(name)
    except ValueError:
        node.error(f"未知的题型 '{name}'，只能是 single（单选）、multiple（多选）或 judge（判断）")
        return None


def _parse_options(node: Field, question_type: QuestionType) -> tuple[str, ...] | None:
    if question_type is QuestionType.JUDGE:
        if node.value is not None:
            node.error("判断题不写 options，选项固定为 对 / 错，请删除此字段")
            return None
        return JUDGE_OPTIONS
    items = node.sequence()
    if not isinstance(node.value, list):
        return None
    valid = MIN_OPTIONS <= len(items) <= MAX_OPTIONS
    if not valid:
        node.error(f"应有 {MIN_OPTIONS} 到 {MAX_OPTIONS} 个选项（A–F），实际 {len(items)} 个")
    options: list[str] = []
    for item in items:
        option = item.text(max_length=MAX_OPTION)
        if option is None:
            valid = False
        elif option in options:
            item.error(f"选项 '{option}' 重复（与选项 {LETTERS[options.index(option)]} 相同）")
            valid = False
        options.append(option or "")
    return tuple(options) if valid else None


def _parse_answer(
    node: Field, question_type: QuestionType, options: tuple[str, ...] | None
) -> frozenset[int] | None:
    if question_type is QuestionType.JUDGE:
        return _parse_judge_answer(node)
    letters = _parse_letters(node, options)
    if letters is None:
        return None
    chosen = "、".join(LETTERS[i] for i in letters)
    if question_type is QuestionType.SINGLE and len(letters) > 1:
        node.error(
            f"单选题只能有 1 个答案，实际写了 {len(letters)} 个（{chosen}）；"
            "多个答案请用 type: multiple"
        )
        return None
    if question_type is QuestionType.MULTIPLE and len(letters) < 2:
        node.error(
            f"多选题至少要有 2 个答案，实际只有 {len(letters)} 个；只有一个答案请用 type: single"
        )
        return None
    return frozenset(letters)


def _parse_judge_answer(node: Field) -> frozenset[int] | None:
    value = node.value
    if value is None:
        node.error("缺少必填字段")
        return None
    if isinstance(value, str) and value.strip() in JUDGE_OPTIONS:
        return frozenset({JUDGE_OPTIONS.index(value.strip())})
    # YAML reads yes/no/true/false as booleans; say so, or the admin cannot see why.
    hint = "（YAML 把 yes/no/true/false 读成布尔值）" if isinstance(value, bool) else ""
    node.error(f"判断题的答案只能写 对 或 错，实际是 {describe(value)}{hint}")
    return None


def _parse_letters(node: Field, options: tuple[str, ...] | None) -> list[int] | None:
    if node.value is None:
        node.error("缺少必填字段")
        return None
    items = node.sequence() if isinstance(node.value, list) else [node]
    if not items:
        node.error("不能为空")
        return None
    indices: list[int] = []
    valid = True
    for item in items:
        index = _parse_letter(item, options)
        if index is not None and index in indices:
            item.error(f"答案 '{LETTERS[index]}' 重复")
        elif index is not None:
            indices.append(index)
            continue
        valid = False
    return sorted(indices) if valid else None


def _parse_letter(node: Field, options: tuple[str, ...] | None) -> int | None:
    text = node.text()
    if text is None:
        return None
    letter = text.upper()
    if len(letter) != 1 or not "A" <= letter <= "Z":
        node.error(f"答案 '{text}' 应为选项字母，例如 A，多选题写 [A, C]")
        return None
    index = ord(letter) - ord("A")
    if options is not None and index >= len(options):
        node.error(f"'{letter}' 不在选项 A–{LETTERS[len(options) - 1]} 中")
        return None
    if options is None and index >= len(LETTERS):
        node.error(f"'{letter}' 不在选项 A–F 中")
        return None
    return index
