"""What a private /quiz offers before its questions: 题数, then 题库 or 标签; and, with a
quiz unfinished, 继续 or 放弃. The buttons, and their callback data read back.

Every button carries all it means, so it works after a restart and a press handled twice
changes nothing more:

- `qn:<draw>:<count>` (题数): shows the banks and tags for that count;
- `qs:<draw>:<count>:<selector>` (题库 or 标签; an empty selector is 综合): starts the
  quiz, whose session id begins with the draw's, so a second press finds it started;
- `qc:<session>:<position>` (继续): shows that session's question at that position;
- `qa:<session>:<then>` (放弃): ends that session if it is still the unfinished one,
  then shows the 题数 buttons (`m`), starts the review (`r`) or the quiz the command named
  (`q:<count>:<selector>`); its replay finds the session gone and drops nothing.

No Telegram here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import messages
from core.config.banks import BankSet
from core.delivery import Button
from core.quizzes.views import MAX_CALLBACK_DATA, MAX_COUNT, Keyboard
from core.store.quiz_sessions import QuizSession

COUNT_CHOICES = (5, 10, 20)
CHOICE_PATTERN = "^q[nsca]:"  # the handler's pattern; `PRIVATE_PREFIX` ("q:") is apart
THEN_MENU, THEN_REVIEW, THEN_QUIZ = "m", "r", "q"
BUTTONS_PER_ROW = 3
_DATA = re.compile(r"q([nsca]):([0-9a-f]{1,16}):(.*)", re.ASCII | re.DOTALL)
_NUMBER = re.compile(r"\d{1,3}", re.ASCII)


@dataclass(frozen=True)
class Choice:
    """A pressed choice, as its button's data says."""

    kind: str  # "count" | "selection" | "continue" | "abandon"
    token: str  # the draw (count, selection) or the session (continue, abandon)
    count: int = 0
    selector: str | None = None  # None: 综合 (every bank)
    position: int = 0  # continue: the question it was drawn at
    then: str = ""  # abandon: THEN_MENU, THEN_REVIEW or THEN_QUIZ (with count and selector)


def parse_choice(data: str) -> Choice | None:
    """The choice a button's data names; None for data no button of ours carries."""
    match = _DATA.fullmatch(data)
    if match is None:
        return None
    kind, token, rest = match[1], match[2], match[3]
    if kind == "c":
        return Choice("continue", token, position=int(rest)) if _NUMBER.fullmatch(rest) else None
    if kind == "a":
        if rest in (THEN_MENU, THEN_REVIEW):
            return Choice("abandon", token, then=rest)
        then, _, selection = rest.partition(":")
        found = _selection(selection) if then == THEN_QUIZ else None
        return Choice("abandon", token, *found, then=THEN_QUIZ) if found else None
    if kind == "n":
        count = _count(rest)
        return Choice("count", token, count) if count else None
    found = _selection(rest)
    return Choice("selection", token, *found) if found else None


def _count(text: str) -> int | None:
    """A quiz's number of questions, 1 to `MAX_COUNT`."""
    return int(text) if _NUMBER.fullmatch(text) and 1 <= int(text) <= MAX_COUNT else None


def _selection(text: str) -> tuple[int, str | None] | None:
    """`<count>:<selector>` (an empty selector is every bank: None)."""
    count, colon, selector = text.partition(":")
    number = _count(count)
    return (number, selector or None) if colon and number else None


def _selection_data(count: int, selector: str | None) -> str:
    return f"{count}:{selector or ''}"


# --- drawing the buttons ------------------------------------------------------------------


def count_keyboard(draw: str) -> Keyboard:
    """题数: 5 题 · 10 题 · 20 题."""
    return (
        tuple(
            Button(messages.QUIZ_COUNT_BUTTON.format(count=n), f"qn:{draw}:{n}")
            for n in COUNT_CHOICES
        ),
    )


def selection_keyboard(banks: BankSet, draw: str, count: int) -> Keyboard:
    """题库 or 标签 for `count` questions: 综合 (when there is more than one bank), each
    bank, each tag. A name too long for a button's data is left out (ask it by /quiz)."""
    named: list[tuple[str, str | None]] = [(b.title, b.id) for b in banks.banks]
    if len(named) > 1:
        named.insert(0, (messages.QUIZ_ALL_TITLE, None))
    named += [(tag, tag) for tag in sorted(banks.tags()) if banks.bank(tag) is None]
    buttons = [
        Button(label, data)
        for label, selector in named
        if len((data := f"qs:{draw}:{_selection_data(count, selector)}").encode())
        <= MAX_CALLBACK_DATA
    ]
    return tuple(
        tuple(buttons[i : i + BUTTONS_PER_ROW]) for i in range(0, len(buttons), BUTTONS_PER_ROW)
    )


def resume_keyboard(session: QuizSession, then: str) -> Keyboard:
    """继续（还剩 n 题） and 放弃 (and what follows it: `then`, e.g. 'q:10:basics')."""
    left = len(session.question_keys) - session.position
    restart = messages.QUIZ_ABANDON_FOR_REVIEW if then == THEN_REVIEW else messages.QUIZ_ABANDON
    return (
        (Button(messages.QUIZ_CONTINUE.format(left=left), f"qc:{session.id}:{session.position}"),),
        (Button(restart, f"qa:{session.id}:{then}"),),
    )


def then_quiz(count: int, selector: str | None) -> str:
    """What 放弃 goes on to for `/quiz <selector> <count>`, if it fits in a button's data."""
    then = f"{THEN_QUIZ}:{_selection_data(count, selector)}"
    # qa:<session, 16 at most>:<then>
    return then if len(f"qa:{'0' * 16}:{then}".encode()) <= MAX_CALLBACK_DATA else THEN_MENU
