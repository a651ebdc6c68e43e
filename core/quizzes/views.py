"""What members see and press in a quiz, private or group: question texts, answer
buttons, the callback data behind the buttons (written and read back), and the
`[bank|tag] [n]` selection a command names (with a duration for /groupquiz).

No Telegram here: handlers send the views and pass back the presses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from core import messages
from core.config.banks import LETTERS, BankSet, Question, QuestionType
from core.config.schema import group_quiz_duration
from core.dates.durations import format_duration, meant_as_duration
from core.delivery import Button
from core.errors import UserError

PRIVATE_PREFIX = "q:"
GROUP_PREFIX = "g:"
DEFAULT_COUNT = 5
MAX_COUNT = 20
MAX_MESSAGE = 4096
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit
SUBMIT = "s"
TOGGLE = "t"
SELECT, UNSELECT = "+", "-"
# q:<user>:<session>:<position>:<action>: an option index (answer), +<index> / -<index>
# (select / unselect a multiple-choice option) or s<hex> (submit the options the buttons
# showed selected, as a bit mask). Buttons drawn before they said what they set carry
# t<index> or a bare s: pressing one only redraws the buttons.
PRIVATE_DATA = re.compile(
    r"q:(\d{1,15}):([0-9a-f]{1,16}):(\d{1,3}):(s[0-9a-f]{0,2}|[-+t]?\d)", re.ASCII
)
NUMBER = re.compile(r"-?\d{1,6}", re.ASCII)
# g:<quiz>:<question>:<action>: an option index (answer), t<index> (toggle the presser's
# selection: the message is the same for everyone) or s (submit it).
GROUP_DATA = re.compile(r"g:(\d{4}-[0-9a-f]{8}):(\d{1,2}):(s|t?\d)", re.ASCII)

Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class QuestionView:
    """A message to send: a question with its buttons, or a closing text without any."""

    text: str
    keyboard: Keyboard = ()


@dataclass(frozen=True)
class Press:
    """What a button press changes: the short answer shown to the presser, and the messages."""

    reply: str  # "" shows nothing (the pressed message changes instead)
    alert: bool = False
    edit_text: str | None = None  # new text of the pressed message, with `keyboard` or none
    keyboard: Keyboard | None = None  # new buttons of the pressed message (alone: same text)
    follow_up: QuestionView | None = None  # the next question, or the score


@dataclass(frozen=True)
class _Action:
    kind: str  # "answer" | "toggle" | "select" | "unselect" | "submit" | "outdated"
    option: int = -1
    shown: frozenset[int] = frozenset()  # a private 提交: the selection its buttons showed


# --- choosing questions ---------------------------------------------------------


def parse_selection(args: Sequence[str], command: str, banks: BankSet) -> tuple[str | None, int]:
    """`[bank-id|tag] [n]` from a command's words: (selector, None meaning all; count)."""
    return _selection(list(args), command, banks, _usage(command, banks))


def parse_group_selection(
    args: Sequence[str], banks: BankSet, default_duration: timedelta
) -> tuple[str | None, int, timedelta]:
    """`[bank-id|tag] [n] [时长]` in any order, from /groupquiz's words: (selector, count,
    how long the quiz stays open)."""
    words = list(args)
    usage = messages.GROUP_QUIZ_USAGE.format(
        max=MAX_COUNT,
        default=DEFAULT_COUNT,
        duration=format_duration(default_duration),
        example=_example_bank(banks),
    )
    # A bank or tag called like a duration is the bank or tag.
    durations = [w for w in words if meant_as_duration(w) and not banks.questions_for(w)]
    if len(durations) > 1:
        raise UserError(usage)
    duration = default_duration
    if durations:
        written = group_quiz_duration(durations[0])
        if written is None:
            raise UserError(messages.GROUP_QUIZ_BAD_DURATION)
        duration = written
        words.remove(durations[0])
    if len(words) == 2 and NUMBER.fullmatch(words[0]) and not NUMBER.fullmatch(words[1]):
        words.reverse()  # the count before the bank: /groupquiz 5 discipline
    selector, count = _selection(words, "groupquiz", banks, usage)
    return selector, count, duration


def _selection(
    words: list[str], command: str, banks: BankSet, usage: str
) -> tuple[str | None, int]:
    if len(words) > 2 or (len(words) == 2 and not NUMBER.fullmatch(words[1])):
        raise UserError(usage)
    count = DEFAULT_COUNT
    # A lone number is a count, unless a bank or tag is called that.
    if (
        words
        and NUMBER.fullmatch(words[-1])
        and (len(words) == 2 or not banks.questions_for(words[0]))
    ):
        count = int(words.pop())
        if not 1 <= count <= MAX_COUNT:
            raise UserError(messages.QUIZ_BAD_COUNT.format(max=MAX_COUNT, command=command))
    selector = words[0] if words else None
    candidates_for(banks, selector)  # refuse an unknown selector now, with the choices
    return selector, count


def candidates_for(banks: BankSet, selector: str | None) -> list[Question]:
    """The questions a selector names; a `UserError` listing the choices when none."""
    if not banks.banks:
        raise UserError(messages.QUIZ_NO_BANKS)
    candidates = banks.questions_for(selector)
    if not candidates:
        raise UserError(
            messages.QUIZ_UNKNOWN_SELECTOR.format(
                selector=selector,
                banks="、".join(f"{b.id}（{b.title}）" for b in banks.banks),
                tags="、".join(sorted(banks.tags())) or messages.NOBODY,
            )
        )
    return candidates


def selection_title(banks: BankSet, selector: str | None) -> str:
    """How a selection is named to members: the bank's title, the tag, or 综合."""
    if selector is None:
        return messages.QUIZ_ALL_TITLE
    bank = banks.bank(selector)
    return bank.title if bank else selector


def _usage(command: str, banks: BankSet) -> str:
    return messages.QUIZ_USAGE.format(
        command=command, max=MAX_COUNT, default=DEFAULT_COUNT, example=_example_bank(banks)
    )


def _example_bank(banks: BankSet) -> str:
    return banks.banks[0].id if banks.banks else "discipline-basics"


# --- showing questions ---------------------------------------------------------------


def question_text(question: Question, number: int, total: int) -> str:
    """A question as members read it: header, text, lettered options (never shuffled)."""
    kind = messages.QUIZ_TYPE_NAMES[question.type.value]
    parts = [
        messages.QUIZ_QUESTION.format(number=number, total=total, kind=kind, text=question.text)
    ]
    if question.type is not QuestionType.JUDGE:
        parts.append(
            "\n".join(
                messages.QUIZ_OPTION_LINE.format(letter=LETTERS[i], option=option)
                for i, option in enumerate(question.options)
            )
        )
    if question.type is QuestionType.MULTIPLE:
        parts.append(messages.QUIZ_MULTIPLE_HINT)
    return "\n\n".join(parts)


def answer_keyboard(
    question: Question, data: Callable[[str], str], selected: frozenset[int] | None = None
) -> Keyboard:
    """Option buttons (A, B … or 对 / 错); multiple choice selects, then 提交.

    With `selected` (a private question) each option is marked ☑/☐ and its button says
    what it sets, and 提交 names the selection shown: a press handled twice, or one on
    buttons drawn before the last change, cannot change the answer. None shows no marks,
    for a group message whose selection differs for everyone: there an option toggles
    the presser's selection, once per press (`GroupQuizzes.press`).
    """
    labels = question.labels(range(len(question.options)))
    if question.type is not QuestionType.MULTIPLE:
        return (tuple(Button(label, data(str(i))) for i, label in enumerate(labels)),)
    if selected is None:
        options = [Button(label, data(f"{TOGGLE}{i}")) for i, label in enumerate(labels)]
        return (tuple(options), (Button(messages.QUIZ_SUBMIT, data(SUBMIT)),))
    options = [
        Button(f"{messages.QUIZ_CHECKED} {label}", data(f"{UNSELECT}{i}"))
        if i in selected
        else Button(f"{messages.QUIZ_UNCHECKED} {label}", data(f"{SELECT}{i}"))
        for i, label in enumerate(labels)
    ]
    submit = f"{SUBMIT}{sum(1 << i for i in selected):x}"
    return (tuple(options), (Button(messages.QUIZ_SUBMIT, data(submit)),))


def feedback_text(question: Question, chosen: frozenset[int]) -> str:
    """Right or wrong, the correct answer, the explanation and the source."""
    right = question.is_correct(chosen)
    lines = [
        messages.QUIZ_FEEDBACK.format(
            verdict=messages.QUIZ_RIGHT if right else messages.QUIZ_WRONG,
            chosen=question.letters(chosen),
            answer=question.letters(question.answer),
        )
    ]
    if question.explanation:
        lines.append(messages.QUIZ_FEEDBACK_EXPLANATION.format(explanation=question.explanation))
    if question.source:
        lines.append(messages.QUIZ_FEEDBACK_SOURCE.format(source=question.source))
    return "\n".join(lines)


def selected_reply(question: Question, pending: frozenset[int]) -> str:
    """What a toggle press answers: the options selected so far."""
    if not pending:
        return messages.QUIZ_SELECTED_NONE
    return messages.QUIZ_SELECTED.format(chosen=question.letters(pending))


def fit(text: str) -> str:
    """The text, cut to one Telegram message."""
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def shorten(text: str, length: int) -> str:
    """The text on one line, cut to `length` characters and an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= length else line[:length] + "…"


def group_action(action: str, question: Question) -> _Action | None:
    """What a group button's action asks for; None if the question has no such button."""
    multiple = question.type is QuestionType.MULTIPLE
    if action == SUBMIT:
        return _Action("submit") if multiple else None
    option = int(action.removeprefix(TOGGLE))
    if option >= len(question.options) or multiple != action.startswith(TOGGLE):
        return None
    return _Action("toggle" if multiple else "answer", option)


def private_action(action: str, question: Question) -> _Action | None:
    """What a private button's action asks for; None if the question has no such button."""
    multiple = question.type is QuestionType.MULTIPLE
    count = len(question.options)
    if action.startswith(SUBMIT):
        if not multiple:
            return None
        if action == SUBMIT:
            return _Action("outdated")
        mask = int(action.removeprefix(SUBMIT), 16)
        if mask >> count:
            return None
        return _Action("submit", shown=frozenset(i for i in range(count) if mask >> i & 1))
    option = int(action.lstrip(SELECT + UNSELECT + TOGGLE))
    if option >= count or multiple == action[0].isdigit():
        return None
    kinds = {TOGGLE: "outdated", SELECT: "select", UNSELECT: "unselect"}
    return _Action(kinds.get(action[0], "answer"), option)


def percent(right: int, total: int) -> int:
    """The correct rate in whole percent (0 when nothing was answered)."""
    return round(100 * right / total) if total else 0
