"""/stats on a simulated month: its figures against an independent computation.

Forty members of two branches answer 15 of 24 questions each through November, right
with a chance that grows with their ability and falls with the question's difficulty
(a Rasch model), a few of them a second time. The workbook /stats attaches must give
each question's answerers, facility and discrimination index as the computation below
does from the same answers, and the message must name the five hardest questions
answered by at least five members and each branch's weakest tag.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from core.config.agency import AgencyConfig
from core.config.banks import Bank, BankSet, Question, QuestionType
from core.errors import UserError
from core.organization.branches import Organization
from core.reports.service import Reports
from core.store.database import Store
from core.store.quiz_sessions import AnswerRecord
from tests.conftest import SHANGHAI, FakeClock

MEMBERS = 40
QUESTIONS = 24
ANSWERED_EACH = 15
TAGS = ("处分", "廉洁", "组织")


def bank() -> BankSet:
    questions = tuple(
        Question(
            "sim",
            f"q{number:02d}",
            QuestionType.SINGLE,
            f"模拟题 {number}",
            ("甲", "乙", "丙", "丁"),
            frozenset({number % 4}),
            "",
            "",
            frozenset({TAGS[number % 3]}),
        )
        for number in range(QUESTIONS)
    )
    return BankSet((Bank("sim", "模拟题库", "quizzes/sim.yaml", questions),))


@dataclass(frozen=True)
class Given:
    user: int
    question: Question
    correct: bool
    chosen: str
    at: datetime


def simulate(banks: BankSet) -> list[Given]:
    rng = random.Random(20261101)
    questions = banks.banks[0].questions
    difficulty = {q.id: rng.uniform(-1.5, 1.5) for q in questions}
    given = []
    for user in range(1, MEMBERS + 1):
        ability = rng.gauss(0, 1)
        for question in rng.sample(questions, ANSWERED_EACH):
            chance = 1 / (1 + math.exp(difficulty[question.id] - ability))
            correct = rng.random() < chance
            (key,) = question.answer
            wrong = [i for i in range(4) if i != key]
            chosen = key if correct else rng.choice(wrong)
            at = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI) + timedelta(hours=rng.randrange(600))
            given.append(Given(user, question, correct, "ABCD"[chosen], at))
    # A few retakes at the month's end, all right: practice, not counted.
    for first in given[:30]:
        given.append(Given(first.user, first.question, True, "ABCD"[min(first.question.answer)],
                           datetime(2026, 11, 28, 9, tzinfo=SHANGHAI)))  # fmt: skip
    return given


def branch_of(user: int) -> str:
    return "office" if user <= MEMBERS // 2 else "policy"


def independent(given: list[Given]) -> dict[str, tuple[int, float, float | None]]:
    """(answerers, facility, discrimination) per question, computed the textbook way."""
    first: dict[tuple[int, str], Given] = {}
    for g in sorted(given, key=lambda g: (g.at, g.user, g.question.id)):
        if (g.user, g.question.id) not in first:
            first[(g.user, g.question.id)] = g
    score = {}
    for user in {u for u, _ in first}:
        mine = [g for (u, _), g in first.items() if u == user]
        score[user] = sum(g.correct for g in mine) / len(mine)
    result = {}
    for question_id in {q for _, q in first}:
        answers = [g for (_, q), g in first.items() if q == question_id]
        facility = sum(g.correct for g in answers) / len(answers)
        index = None
        if len(answers) >= 20:
            ranked = sorted(answers, key=lambda g: (-score[g.user], g.user))
            n = round(0.27 * len(ranked))
            top, bottom = ranked[:n], ranked[len(ranked) - n :]
            index = sum(g.correct for g in top) / n - sum(g.correct for g in bottom) / n
        result[question_id] = (len(answers), facility, index)
    return result


@pytest.fixture
def simulated(store: Store, clock: FakeClock) -> list[Given]:
    banks = bank()
    given = simulate(banks)
    events = [
        AnswerRecord(g.user, branch_of(g.user), "sim", g.question.id, (g.chosen,), g.correct,
                     "private", g.at).to_event()
        for g in given
    ]  # fmt: skip
    store.record_events(events)
    clock.now = datetime(2026, 11, 30, 18, tzinfo=SHANGHAI)
    return given


def test_stats_figures_equal_an_independent_computation(
    store: Store, agency: AgencyConfig, clock: FakeClock, simulated: list[Given]
) -> None:
    banks = bank()
    reports = Reports(Organization(store, agency, clock), clock, SHANGHAI)
    reply = reports.question_stats(banks, ["2026-11"])
    assert reply.file_name == "题目统计-2026-11.xlsx" and reply.workbook is not None
    sheet = load_workbook(io.BytesIO(reply.workbook))["题目"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    expected = independent(simulated)
    assert len(rows) == len(expected) == QUESTIONS
    discriminating = 0
    for bank_id, question_id, _, _, answered, facility, index, _ in rows:
        count, rate, textbook = expected[question_id]
        assert (bank_id, answered) == ("sim", count)
        assert facility == pytest.approx(rate, abs=5e-5)  # stored to 4 places
        if textbook is None:
            assert index is None
        else:
            assert index == pytest.approx(textbook)
            discriminating += 1
    assert discriminating >= QUESTIONS // 2  # the test checks real indices, not only None

    hardest = sorted(
        (q for q, (n, _, _) in expected.items() if n >= 5),
        key=lambda q: (expected[q][1], -expected[q][0], q),
    )[:5]
    lines = reply.text.split("\n")
    assert lines[0] == (
        f"📊 2026年11月答题统计（全部题库）：{MEMBERS} 人作答 {QUESTIONS} 道题，"
        f"共 {MEMBERS * ANSWERED_EACH} 人次。"
    )
    assert lines[1] == "最该讲的 5 道题（正确率最低）："
    assert [line.split()[1] for line in lines[2:7]] == [f"sim/{q}" for q in hardest]
    assert lines[7] == "各支部最薄弱的知识点："
    assert {line.split("：")[0] for line in lines[8:10]} == {"办公室党支部", "政策法规处党支部"}


def test_a_quarter_is_a_period_and_a_year_is_refused(
    store: Store, agency: AgencyConfig, clock: FakeClock, simulated: list[Given]
) -> None:
    reports = Reports(Organization(store, agency, clock), clock, SHANGHAI)
    quarter = reports.question_stats(bank(), ["2026Q4", "sim"])
    assert quarter.text.startswith("📊 2026年第四季度答题统计（题库 sim）")
    assert quarter.file_name == "题目统计-2026Q4-sim.xlsx"
    with pytest.raises(UserError, match="用法：/stats"):
        reports.question_stats(bank(), ["2026"])
