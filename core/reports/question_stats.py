"""/stats: what to teach next, from a month's or a quarter's quiz answers.

One message for the admin: the five questions answered worst (with how well each tells
strong members from weak ones, and the wrong option most chosen), and each branch's
weakest tag. The attached workbook has every question and every branch's tags. The
figures are `core.quizzes.statistics`' item analysis of members' first answers.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook

from core import messages
from core.config.banks import BankSet
from core.dates.periods import Period
from core.quizzes.statistics import (
    QuestionAnalysis,
    TagFacility,
    analyse_questions,
    first_answers,
    tag_facility,
    weakest_tag_by_branch,
)
from core.reports.cells import append, percent_cell, table_sheet
from core.reports.month_report import percent
from core.store.database import Store
from core.store.quiz_sessions import ANSWER_EVENT_KIND, AnswerRecord

TEACH_NEXT = 5
# A question a member or two got wrong is not yet one to teach: the five are taken from
# questions at least this many members answered (from all, while none has as many).
TEACH_MIN_ANSWERED = 5
TEXT_CHARS = 20
QUESTION_WIDTHS = (16, 14, 40, 10, 8, 8, 8, 24)
TAG_WIDTHS = (20, 16, 8, 8)


@dataclass(frozen=True)
class QuestionStats:
    """A period's answers, analysed."""

    period: Period
    bank_id: str | None  # None: every bank
    answers: int  # first answers
    members: int
    questions: list[QuestionAnalysis]  # hardest first
    tags: list[TagFacility]  # weakest first

    def teach_next(self) -> list[QuestionAnalysis]:
        """The questions to teach next: the hardest among those answered often enough."""
        enough = [q for q in self.questions if q.answered >= TEACH_MIN_ANSWERED]
        return (enough or self.questions)[:TEACH_NEXT]


def collect_stats(
    store: Store, banks: BankSet, bank_id: str | None, period: Period
) -> QuestionStats:
    """Read the period's answers (of one bank, or all) and analyse them."""
    answers = [
        AnswerRecord.from_event(event)
        for month in period.months()
        for event in store.month_events(month.key)
        if event.kind == ANSWER_EVENT_KIND and (bank_id is None or event.data["bank"] == bank_id)
    ]
    firsts = first_answers(answers)

    def key_of(key: tuple[str, str]) -> frozenset[str] | None:
        question = banks.question(key)
        return frozenset(question.labels(question.answer)) if question else None

    def tags_of(key: tuple[str, str]) -> frozenset[str]:
        question = banks.question(key)
        return question.tags if question else frozenset()

    return QuestionStats(
        period=period,
        bank_id=bank_id,
        answers=len(firsts),
        members=len({a.user_id for a in firsts}),
        questions=analyse_questions(firsts, key_of),
        tags=tag_facility(firsts, tags_of),
    )


def stats_text(
    stats: QuestionStats, banks: BankSet, branch_name: Callable[[str | None], str]
) -> str:
    """The admin's one message."""
    scope = (
        messages.STATS_SCOPE_BANK.format(bank=stats.bank_id)
        if stats.bank_id
        else messages.STATS_SCOPE_ALL
    )
    if not stats.questions:
        return messages.STATS_EMPTY.format(month=stats.period.label, scope=scope)
    teach = stats.teach_next()
    lines = [
        messages.STATS_HEADER.format(
            period=stats.period.label,
            scope=scope,
            members=stats.members,
            questions=len(stats.questions),
            answers=stats.answers,
        ),
        messages.STATS_TEACH.format(count=len(teach)),
    ]
    lines += [_question_line(rank, row, banks) for rank, row in enumerate(teach, start=1)]
    weakest = weakest_tag_by_branch(stats.tags)
    if weakest:
        lines.append(messages.STATS_WEAK_TAGS)
        for branch_id, row in sorted(weakest.items(), key=lambda item: item[1].facility):
            lines.append(
                messages.STATS_WEAK_TAG.format(
                    branch=branch_name(branch_id),
                    tag=row.tag,
                    rate=percent(row.facility),
                    answered=row.answered,
                )
            )
    lines.append(messages.STATS_ATTACHED)
    return "\n".join(lines)


def stats_workbook(
    stats: QuestionStats, banks: BankSet, branch_name: Callable[[str | None], str]
) -> bytes:
    """Every question, and every branch's tags, as an .xlsx."""
    workbook = Workbook(write_only=True)
    sheet = table_sheet(
        workbook, messages.STATS_SHEET_QUESTIONS, messages.STATS_QUESTION_COLUMNS, QUESTION_WIDTHS
    )
    for row in stats.questions:
        question = banks.question(row.key)
        append(
            sheet,
            [
                row.bank_id,
                row.question_id,
                question.text if question else messages.STATS_QUESTION_GONE,
                question.letters(question.answer) if question else "",
                row.answered,
                percent_cell(sheet, row.facility),
                row.discrimination,
                _distractor_text(row),
            ],
        )
    tags = table_sheet(workbook, messages.STATS_SHEET_TAGS, messages.STATS_TAG_COLUMNS, TAG_WIDTHS)
    for tag in stats.tags:
        append(
            tags,
            [branch_name(tag.branch_id), tag.tag, tag.answered, percent_cell(tags, tag.facility)],
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def stats_file_name(stats: QuestionStats) -> str:
    """题目统计-2026-11.xlsx (with the bank, when one was asked for)."""
    scope = f"-{stats.bank_id}" if stats.bank_id else ""
    return messages.STATS_FILE.format(period=stats.period.key, scope=scope)


def _question_line(rank: int, row: QuestionAnalysis, banks: BankSet) -> str:
    question = banks.question(row.key)
    text = _short(question.text) if question else messages.STATS_QUESTION_GONE
    discrimination = (
        messages.STATS_DISCRIMINATION.format(value=row.discrimination)
        if row.discrimination is not None
        else ""
    )
    worst = row.worst_distractor()
    distractor = messages.STATS_DISTRACTOR.format(label=worst[0], count=worst[1]) if worst else ""
    return messages.STATS_LINE.format(
        rank=rank,
        bank=row.bank_id,
        question=row.question_id,
        text=text,
        answered=row.answered,
        rate=percent(row.facility),
        discrimination=discrimination,
        distractor=distractor,
    )


def _distractor_text(row: QuestionAnalysis) -> str:
    chosen = sorted(row.distractors.items(), key=lambda item: (-item[1], item[0]))
    cells = (messages.STATS_DISTRACTOR_CELL.format(label=label, count=n) for label, n in chosen)
    return "、".join(cells)


def _short(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= TEXT_CHARS else line[: TEXT_CHARS - 1] + "…"
