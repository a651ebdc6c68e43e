"""Question banks in `quizzes/*.yaml`: validated questions for the discipline quizzes.

One bank per file. A bank with any problem is refused as a whole (a half-loaded
bank would silently change which questions members get), while the other banks
still load; `load_banks` returns both the banks and every problem found.

The shape of a bank is `schema.QuestionBankFile`; what it cannot see from one field
(an answer against the type and the options, a repeated option or question id) is
checked after it, on the same document, so every problem names its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from core.config import schema
from core.config.schema import (
    JUDGE_OPTIONS,
    LETTERS,
    MAX_OPTIONS,
    MIN_OPTIONS,
    QuestionBankFile,
)
from core.config.yaml_loader import (
    MISSPELT,
    ConfigErrors,
    ConfigProblem,
    Field,
    ModelError,
    describe,
    load_yaml,
    not_text,
    validate_document,
)

BANK_KEYS = tuple(QuestionBankFile.model_fields)
REGULATIONS_FILE = "regulations.yaml"
QUESTION_KEYS = tuple(schema.Question.model_fields)
# Telegram quiz-poll limits (Bot API sendPoll).
POLL_MAX_QUESTION, POLL_MAX_OPTION, POLL_MAX_EXPLANATION = 300, 100, 200
POLL_MIN_OPTIONS, POLL_MAX_OPTIONS, POLL_MAX_EXPLANATION_LINE_FEEDS = 2, 10, 2


class QuestionType(Enum):
    """The three kinds of question."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    JUDGE = "judge"


@dataclass(frozen=True, slots=True)
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
    shuffle: bool = False  # a group poll may show the options in random order
    # The version (a year) of each regulation it follows: the bank's, overridden by its own.
    follows: tuple[tuple[str, int], ...] = ()

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
        if path.name == REGULATIONS_FILE:
            continue  # not a bank: which versions of the regulations are current
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
    if document is None:
        empty = "文件为空，至少需要声明 id、title 和 questions"
        raise ConfigErrors([ConfigProblem(file, 1, "", empty)])
    shape, errors = validate_document(QuestionBankFile, file, document)
    problems = [
        error.problem(_message(error)) for error in errors if not _checked_after(error, document)
    ]
    if (errors and not any(error.top_level for error in errors)) or _repeats(shape):
        problems += _question_problems(Field.root(file, document).child("questions"), errors)
    if not problems:  # refused by the model for what only the checks after it word
        problems = [error.problem() for error in errors]
    if problems or shape is None:
        raise ConfigErrors([_numbered(problem, document) for problem in problems])
    questions = tuple(_question(shape, question) for question in shape.questions)
    return Bank(id=shape.id, title=shape.title, file=file, questions=questions)


_IN_QUESTION = re.compile(r"^questions\[(\d+)\]\.?(.*)$")


def _numbered(problem: ConfigProblem, document: object) -> ConfigProblem:
    """A problem in a question, placed as admins count them: 第 2 题（td-002，第 12 行）answer,
    and an option as options 第 3 项."""
    found = _IN_QUESTION.match(problem.field)
    if found is None or not isinstance(document, dict):
        return problem
    index = int(found[1])
    question = document["questions"][index]
    question_id = question.get("id") if isinstance(question, dict) else None
    named = "" if not_text(question_id) else f"{str(question_id).strip()}，"
    rest = re.sub(r"\[(\d+)\]", lambda item: f" 第 {int(item[1]) + 1} 项", found[2])
    return replace(problem, label=f"第 {index + 1} 题（{named}第 {problem.line} 行）{rest}")


def _repeats(shape: QuestionBankFile | None) -> bool:
    """Whether a bank the model accepted repeats a question id or an option (a quick look:
    the checks after the model then say where)."""
    if shape is None:
        return False
    questions = shape.questions
    return len({question.id for question in questions}) < len(questions) or any(
        len(set(question.options)) < len(question.options)
        for question in questions
        if question.options is not None
    )


def _message(error: ModelError) -> str | None:
    """A bank's own wording for an error of its model; None for the common one."""
    value, kind = error.node.value, error.kind
    if error.key == "id" and kind == "string_pattern_mismatch":
        what = "题库" if error.loc == ("id",) else "题目"
        rule = "只能用小写字母、数字、- 和 _，以字母或数字开头，最长 64 个字符"
        return not_text(value) or f"{what} id '{str(value).strip()}' {rule}"
    if error.key == "type" and kind == "literal_error":
        kinds = "只能是 single（单选）、multiple（多选）或 judge（判断）"
        return not_text(value) or f"未知的题型 '{str(value).strip()}'，{kinds}"
    if error.key == "questions" and kind == "too_short":
        return "至少需要一道题"
    if error.key == "options" and kind in ("too_short", "too_long"):
        return _options_count(len(value))
    return None


def _options_count(count: int) -> str:
    return f"应有 {MIN_OPTIONS} 到 {MAX_OPTIONS} 个选项（A–F），实际 {count} 个"


def _checked_after(error: ModelError, document: object) -> bool:
    """Whether the checks after the model word this error instead: how a question's answer
    and options fit its type (neither is judged while the type itself is wrong)."""
    loc = error.loc
    if error.kind == MISSPELT:
        return False
    if loc[:1] != ("questions",) or len(loc) < 3 or not isinstance(document, dict):
        return loc[:1] == ("questions",) and len(loc) == 2 and error.kind == "value_error"
    if loc[2] == "answer":
        return True
    question = document["questions"][loc[1]]
    return loc[2] == "options" and _type_of(question.get("type")) in (None, QuestionType.JUDGE)


def _type_of(value: object) -> QuestionType | None:
    """The type a question declares, if it is one (as the model reads it)."""
    try:
        return QuestionType(value.strip() if isinstance(value, str) else value)
    except ValueError:
        return None


def _question_problems(node: Field, errors: list[ModelError]) -> list[ConfigProblem]:
    """What the model cannot see: repeated question ids and options, and each answer
    against its question's type and options."""
    if not isinstance(node.value, list):
        return []
    refused: dict[int, set[int | str]] = {}  # by question: the fields the model refused
    broken: dict[int, set[int | str]] = {}  # by question: the options it refused
    misspelt: dict[int, set[int | str]] = {}  # by question: the fields written misspelt
    for error in errors:
        if error.loc[:1] == ("questions",) and len(error.loc) > 2:
            index, key, *rest = error.loc[1:]
            refused.setdefault(int(index), set()).add(key)
            if key == "options" and rest:
                broken.setdefault(int(index), set()).add(rest[0])
            if error.kind == MISSPELT:
                misspelt.setdefault(int(index), set()).add(key)
    first_lines: dict[str, int] = {}
    for index, item in enumerate(node.items()):
        if not isinstance(item.value, dict):
            continue
        id_node = item.child("id")
        if "id" not in refused.get(index, ()):
            question_id = str(id_node.value).strip()
            if question_id in first_lines:
                first = first_lines[question_id]
                id_node.error(f"题目 id '{question_id}' 重复（第 {first} 行已使用）")
            else:
                first_lines[question_id] = id_node.line
        kind = _type_of(item.value.get("type"))
        if kind is not None:
            typos = misspelt.get(index, set())  # said once, not missed again
            # None: the model refused the list as a whole (not a list, too few or many).
            some = broken.get(index, set())
            whole = "options" in refused.get(index, ()) and not some
            options = None
            if "options" not in typos:
                options = _check_options(item.child("options"), kind, None if whole else some)
            if errors and "answer" not in typos:  # else the model has held every answer
                _check_answer(item.child("answer"), kind, options)
    return node.problems


def _check_options(
    node: Field, kind: QuestionType, broken: set[int | str] | None
) -> tuple[str, ...] | None:
    """The options, if the model took them, they fit the type and none repeats another.

    `broken` holds the options the model refused (None: the list itself).
    """
    if kind is QuestionType.JUDGE:
        if node.value is not None:
            node.error("判断题不写 options，选项固定为 对 / 错，请删除此字段")
        return None
    if node.value is None:
        node.error("缺少必填字段")
        return None
    if broken is None:
        return None
    count = len(node.value)
    if broken and not MIN_OPTIONS <= count <= MAX_OPTIONS:  # the model stops at a broken one
        node.error(_options_count(count))
    options = [None if i in broken else str(value).strip() for i, value in enumerate(node.value)]
    for index, option in enumerate(options):
        if option is not None and option in options[:index]:
            letter = LETTERS[options.index(option)]
            node.item(index).error(f"选项 '{option}' 重复（与选项 {letter} 相同）")
    valid = not broken and len(set(options)) == len(options)
    return tuple(str(option) for option in options) if valid else None


def _check_answer(node: Field, kind: QuestionType, options: tuple[str, ...] | None) -> None:
    if kind is QuestionType.JUDGE:
        _check_judge_answer(node)
        return
    letters = _letters(node, options)
    if letters is None:
        return
    chosen = "、".join(LETTERS[i] for i in letters)
    if kind is QuestionType.SINGLE and len(letters) > 1:
        node.error(
            f"单选题只能有 1 个答案，实际写了 {len(letters)} 个（{chosen}）；"
            "多个答案请用 type: multiple"
        )
    if kind is QuestionType.MULTIPLE and len(letters) < 2:
        node.error(
            f"多选题至少要有 2 个答案，实际只有 {len(letters)} 个；只有一个答案请用 type: single"
        )


def _check_judge_answer(node: Field) -> None:
    value = node.value
    if value is None:
        node.error("缺少必填字段")
    elif not (isinstance(value, str) and value.strip() in JUDGE_OPTIONS):
        # YAML reads yes/no/true/false as booleans; say so, or the admin cannot see why.
        hint = "（YAML 把 yes/no/true/false 读成布尔值）" if isinstance(value, bool) else ""
        node.error(f"判断题的答案只能写 对 或 错，实际是 {describe(value)}{hint}")


def _letters(node: Field, options: tuple[str, ...] | None) -> list[int] | None:
    """The answer's option indices, sorted; None after reporting what is wrong."""
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
        index = _letter(item, options)
        if index is not None and index in indices:
            item.error(f"答案 '{LETTERS[index]}' 重复")
        elif index is not None:
            indices.append(index)
            continue
        valid = False
    return sorted(indices) if valid else None


def _letter(node: Field, options: tuple[str, ...] | None) -> int | None:
    text = node.text()
    if text is None:
        return None
    letter = text.upper()
    if len(letter) != 1 or not "A" <= letter <= "Z":
        node.error(f"答案 '{text}' 应为选项字母，例如 A，多选题写 [A, C]")
        return None
    index = ord(letter) - ord("A")
    last = LETTERS[len(options) - 1] if options is not None else LETTERS[-1]
    if index > LETTERS.index(last):
        node.error(f"'{letter}' 不在选项 A–{last} 中")
        return None
    return index


def _question(bank: QuestionBankFile, shape: schema.Question) -> Question:
    """The frozen question the bot uses, from one the model accepted."""
    kind = QuestionType(shape.type)
    tags = frozenset([shape.tags] if isinstance(shape.tags, str) else shape.tags or ())
    options: tuple[str, ...]
    if kind is QuestionType.JUDGE:
        options, answer = JUDGE_OPTIONS, frozenset({JUDGE_OPTIONS.index(str(shape.answer))})
    else:
        options = tuple(shape.options or ())
        letters = [shape.answer] if isinstance(shape.answer, str) else shape.answer
        answer = frozenset(LETTERS.index(letter.strip().upper()) for letter in letters)
    return Question(
        bank.id,
        shape.id,
        kind,
        shape.text,
        options,
        answer,
        shape.explanation,
        shape.source,
        tags,
        _shuffle(bank, shape, kind, options),
        tuple(sorted({**(bank.follows or {}), **(shape.follows or {})}.items())),
    )


# An option that names another ("以上都对", "A和B都对", "上述均不正确") must stay where it is.
_NAMES_ANOTHER_OPTION = re.compile(r"以上|上述|前述|都|均|全部|(?<![A-Za-z])[A-F](?![A-Za-z])")
# An explanation that names an option by its letter ("故 C 错") needs the bank's order.
_NAMES_A_LETTER = re.compile(r"(?<![A-Za-z])[A-F](?![A-Za-z])")


def _shuffle(
    bank: QuestionBankFile, shape: schema.Question, kind: QuestionType, options: tuple[str, ...]
) -> bool:
    """Whether a group poll may show the options in random order: as the question says, else
    not if its bank says not, else unless it is a judge question or its options or
    explanation refer to options by place or letter."""
    if kind is QuestionType.JUDGE:
        return False
    if shape.shuffle is not None:
        return shape.shuffle
    if bank.shuffle is False:
        return False
    return not (
        any(_NAMES_ANOTHER_OPTION.search(option) for option in options)
        or _NAMES_A_LETTER.search(shape.explanation)
    )
