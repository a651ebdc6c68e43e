"""A group quiz's poll answers, appended one line each to `<quiz_id>.answers.jsonl`.

When a thousand members answer a poll at once, rewriting the quiz file for each answer
costs what the quiz holds so far: the last answer waited for a million answers' worth of
writes (a drain of 26–99 s). Appending a line and fsyncing it costs the same for the
first answer and the thousandth. The quiz file keeps everything else; any other change
of the quiz rewrites its file whole, answers included, and then drops the log.

A line is `{"q": question index, "user": id, "chosen": [...], "correct": bool, "at": ISO}`.
A crash may leave the last line torn: it was never fsynced, so never acknowledged, and is
cut off before the next append.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from core.store.atomic_files import fsync_path
from core.store.quiz_records import GroupAnswer, GroupQuiz

Logged = tuple[int, int, GroupAnswer]  # question index, user id, answer

SUFFIX = ".answers.jsonl"


def log_path(quiz_file: Path) -> Path:
    """The answer log beside a group quiz's file."""
    return quiz_file.with_name(quiz_file.stem + SUFFIX)


def added_answers(stored: GroupQuiz, changed: GroupQuiz) -> list[Logged] | None:
    """The answers `changed` adds to `stored`, if adding answers is all it does; else None
    (the change must rewrite the quiz file)."""
    if len(changed.questions) != len(stored.questions):
        return None
    if replace(changed, questions=stored.questions) != stored:
        return None
    added: list[Logged] = []
    for index, (before, after) in enumerate(zip(stored.questions, changed.questions, strict=True)):
        if after is before:
            continue
        if replace(after, answers=before.answers) != before:
            return None
        # Kept answers unchanged and none dropped: compared in C (an answer is compared by
        # identity first), as a poll's thousandth answer must cost what its first did.
        if not before.answers.items() <= after.answers.items():
            return None
        new = sorted(after.answers.keys() - before.answers.keys())
        added.extend((index, user, after.answers[user]) for user in new)
    return added


def with_logged(quiz: GroupQuiz, logged: Iterable[Logged]) -> GroupQuiz:
    """The quiz with the logged answers its file does not hold yet."""
    answers: dict[int, dict[int, GroupAnswer]] = {}
    for index, user, answer in logged:
        if index < len(quiz.questions) and user not in quiz.questions[index].answers:
            answers.setdefault(index, {}).setdefault(user, answer)
    for index, extra in answers.items():
        question = quiz.questions[index]
        quiz = quiz.with_question(index, replace(question, answers={**question.answers, **extra}))
    return quiz


def read_answers(path: Path) -> Iterator[Logged]:
    """(question index, user id, answer) of every whole line, oldest first."""
    if not path.exists():
        return
    for line in path.read_bytes().split(b"\n"):
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a torn last line (or the empty one after the last newline)
        chosen = tuple(entry["chosen"])
        at = datetime.fromisoformat(entry["at"])
        yield entry["q"], entry["user"], GroupAnswer(chosen, entry["correct"], at)


def append_answers(path: Path, answers: list[Logged]) -> None:
    """Append the answers and fsync: on return they are on disk."""
    created = not path.exists()
    _cut_torn_line(path)
    lines = "".join(
        json.dumps(
            {"q": index, "user": user, "chosen": list(a.chosen), "correct": a.correct,
             "at": a.at.isoformat()},
            ensure_ascii=False, separators=(",", ":"),
        ) + "\n"
        for index, user, a in answers
    )  # fmt: skip
    with open(path, "ab") as handle:
        handle.write(lines.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    if created:
        fsync_path(path.parent)


def drop_log(path: Path) -> None:
    """Remove the log once the quiz file holds its answers (that file fsynced first)."""
    if path.exists():
        path.unlink()
        fsync_path(path.parent)


def _cut_torn_line(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        whole = handle.read(1) == b"\n"  # only the last byte is read, as a rule
    if not whole:
        content = path.read_bytes()
        os.truncate(path, content.rfind(b"\n") + 1)
