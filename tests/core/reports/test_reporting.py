"""The reports the bot serves: request parsing, button data, the nudge and its throttle,
question statistics, and the read-only store behind `python bot.py export`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from core import messages
from core.config.agency import AgencyConfig
from core.config.banks import load_banks
from core.config.schedules import QuizAction, Schedule, Target
from core.dates.periods import parse_period
from core.dates.recurrence import HolidayPolicy, Once
from core.delivery import Button
from core.errors import DataFileError, UserError
from core.organization.branches import Organization
from core.quizzes.private_quiz import answer_event
from core.reports.requests import (
    ReportPress,
    ReportRequest,
    export_file_name,
    parse_export_args,
    parse_report_args,
    parse_report_press,
    report_buttons,
    report_data,
)
from core.reports.service import Reports
from core.store.database import Store
from core.store.quiz_sessions import AnswerRecord
from core.store.records import Binding, Membership, Person, PushRecord
from tests.conftest import SHANGHAI, FakeClock
from tests.core.scheduling.test_dispatcher import FakeMessenger

OFFICE_CHAT = -1001
BANKS = load_banks(Path(__file__).parents[2] / "fixtures" / "quizzes")


def member(user_id: int, name: str, branch: str = "office", *, private: bool = False) -> Person:
    since = datetime(2026, 10, 1, tzinfo=SHANGHAI)
    return Person(
        user_id,
        name,
        real_name=name,
        private_chat=private,
        memberships=(Membership(branch, True, since),),
    )


def answer(user_id: int, question: str, correct: bool, at: datetime) -> AnswerRecord:
    return AnswerRecord(user_id, "office", "basics", question, ("A",), correct, "private", at)


@pytest.fixture
def reports(store: Store, agency: AgencyConfig, clock: FakeClock) -> Reports:
    store.bind(Binding("office", OFFICE_CHAT, "办公室党支部群", clock()))
    for person in (
        member(31, "甲", private=True),
        member(32, "乙", private=True),
        member(33, "丙"),
        member(34, "丁", private=True),
    ):
        store.save_person(person)
    store.record_event(answer(31, "s1", True, clock()).to_event())
    return Reports(Organization(store, agency, clock), clock, SHANGHAI)


def test_report_arguments_in_either_order() -> None:
    today = date(2026, 11, 20)
    assert parse_report_args([], "report", today) == ReportRequest(None, "2026-11")
    assert parse_report_args(["2026-10", "office"], "report", today) == ReportRequest(
        "office", "2026-10"
    )
    assert parse_report_args(["office", "10月"], "report", today) == ReportRequest(
        "office", "2026-10"
    )
    with pytest.raises(UserError, match="“2026-13”不是月份"):
        parse_report_args(["2026-13"], "report", today)
    with pytest.raises(UserError, match="2026年12月还没到"):
        parse_report_args(["2026年12月", "office"], "report", today)
    with pytest.raises(UserError, match="用法：/export"):
        parse_report_args(["office", "policy"], "export", today)


@pytest.mark.parametrize(
    ("today", "month"),
    [(date(2026, 11, 1), "2026-10"), (date(2026, 11, 5), "2026-10"),
     (date(2026, 11, 6), "2026-11"), (date(2027, 1, 3), "2026-12")],
)  # fmt: skip
def test_in_the_first_five_days_a_report_is_of_last_month(today: date, month: str) -> None:
    assert parse_report_args([], "report", today) == ReportRequest(None, month)
    assert parse_report_args(["本月"], "report", today).period == f"{today:%Y-%m}"


def test_button_data_fits_telegram_and_forgeries_are_refused() -> None:
    longest = report_data("x", "b" * 32, "2026-11")
    assert len(longest.encode()) <= 64
    assert parse_report_press(longest) == ReportPress("x", "b" * 32, "2026-11")
    assert parse_report_press("rep:n:office") == ReportPress("n", "office", "")
    forged = ("rep:n:office:2026-11", "rep:r:office", "rep:r:office:2026-13", "rep:q:o:2026-11")
    assert [parse_report_press(data) for data in forged] == [None] * 4


def labels(rows: tuple[tuple[Button, ...], ...]) -> list[list[str]]:
    return [[b.label for b in row] for row in rows]


def test_report_of_the_month_has_both_buttons(reports: Reports) -> None:
    report = reports.report("office", "2026-11")
    assert [m.name for m in report.non_participants] == ["丙", "丁", "乙"]  # bing, ding, yi
    rows = report_buttons(report, date(2026, 11, 20), work_due=True)
    assert labels(rows) == [["◀ 上月（10月）"], ["提醒未完成", "导出"]]
    assert parse_report_press(rows[0][0].data) == ReportPress("r", "office", "2026-10")
    assert labels(report_buttons(report, date(2027, 1, 20), work_due=True)) == [
        ["◀ 上月（12月）", "本月（1月）▶"], ["导出"],  # not this month: nobody to remind
    ]  # fmt: skip


def test_no_nudge_before_anything_is_due(reports: Reports) -> None:
    report = reports.report("office", "2026-11")
    assert not reports.work_due(report)  # no task pushed, no group quiz sent
    rows = report_buttons(report, date(2026, 11, 20), work_due=False)
    assert labels(rows) == [["◀ 上月（10月）"], ["导出"]]


def test_a_group_quiz_sent_this_month_is_work_due(
    store: Store, agency: AgencyConfig, clock: FakeClock
) -> None:
    quiz = Schedule(
        "quiz", Once(clock()), HolidayPolicy.IGNORE, Target(True), QuizAction("basics", 5, 24)
    )
    reports = Reports(
        Organization(store, replace(agency, schedules=(quiz,)), clock), clock, SHANGHAI
    )
    sent = PushRecord("quiz/office/x", "quiz", "office", clock(), clock(), "sent", clock())
    store.save_push(replace(sent, branch_id="policy"))  # another branch's quiz
    assert not reports.work_due(reports.report("office", "2026-11"))
    store.save_push(sent)
    assert reports.work_due(reports.report("office", "2026-11"))
    assert not reports.work_due(reports.report("office", "2026-10"))


def test_last_months_report_offers_this_month(reports: Reports) -> None:
    report = reports.report("office", "2026-10")
    rows = report_buttons(report, date(2026, 11, 2), work_due=True)
    assert labels(rows) == [["本月（11月）▶"], ["导出"]]
    assert parse_report_press(rows[0][0].data) == ReportPress("r", "office", "2026-11")


def test_export_takes_a_month_a_quarter_or_a_year(reports: Reports) -> None:
    today = date(2026, 11, 2)
    assert parse_export_args([], today) == ReportRequest(None, "2026-11")
    assert parse_export_args(["2026q4", "office"], today) == ReportRequest("office", "2026Q4")
    assert parse_export_args(["2026"], today) == ReportRequest(None, "2026")
    assert parse_export_args(["上季度"], today) == ReportRequest(None, "2026Q3")
    assert parse_export_args(["10月", "office"], today) == ReportRequest("office", "2026-10")
    assert parse_export_args(["今年"], today) == ReportRequest(None, "2026")
    for wrong in ("2026Q5", "2026-13", "1999", "13月"):
        with pytest.raises(UserError, match="2026Q4（季度）"):
            parse_export_args([wrong], today)
    with pytest.raises(UserError, match="2027年第一季度还没开始"):
        parse_export_args(["2027Q1"], today)
    with pytest.raises(UserError, match="用法：/export"):
        parse_export_args(["2026Q4", "2026"], today)
    ledger = reports.ledger("office", parse_period("2026Q4"), BANKS)
    assert [m.month for m in ledger.months] == ["2026-10", "2026-11"]  # December has not begun
    assert export_file_name(ledger) == "办公室党支部-2026Q4.xlsx"
    with pytest.raises(UserError, match="2027年第一季度还没有开始"):
        reports.ledger("office", parse_period("2027Q1"), BANKS)


def test_an_export_button_carries_its_period() -> None:
    assert parse_report_press(report_data("x", "office", "2026Q4")) == ReportPress(
        "x", "office", "2026Q4"
    )
    assert parse_report_press("rep:r:office:2026Q4") is None  # a report is of a month
    assert parse_report_press("rep:x:office:2026") == ReportPress("x", "office", "2026")


async def test_nudge_reaches_exactly_the_non_participants(reports: Reports) -> None:
    messenger = FakeMessenger(reachable={31, 32, 33, 34})
    reply = await reports.nudge("office", messenger)
    assert reply == "已提醒 3 位尚未参与的同志：群里点名 3 人，私聊送达 2 人。"
    group, *private = messenger.sent
    assert group.chat_id == OFFICE_CHAT and group.html
    assert 'tg://user?id=32">乙</a>' in group.text and "id=31" not in group.text
    assert group.text.startswith(
        "⏰ 办公室党支部学习提醒：截至11月2日，以下同志本月尚未参加学习或答题：\n"
    )
    assert sorted(s.chat_id for s in private) == [32, 34]  # 丙 never opened a private chat
    assert private[0].text == (
        "⏰ 办公室党支部书记提醒您：截至11月2日，您本月尚未参加学习或答题。"
        "请完成支部群里的学习任务，或在这里发送 /quiz 答题。"
    )


async def test_a_second_nudge_within_the_hour_is_refused_even_after_a_restart(
    reports: Reports, store: Store, agency: AgencyConfig, clock: FakeClock, tmp_path: Path
) -> None:
    messenger = FakeMessenger(reachable={32, 34})
    await reports.nudge("office", messenger)
    store.close()
    reopened = Store(tmp_path / "data", SHANGHAI)  # the bot restarted
    again = Reports(Organization(reopened, agency, clock), clock, SHANGHAI)
    clock.advance(minutes=59)
    sent = len(messenger.sent)
    reply = await again.nudge("office", messenger)
    assert reply == "本支部 09:00 已经提醒过，每小时最多提醒一次，请在 10:00 以后再试。"
    assert len(messenger.sent) == sent
    clock.advance(minutes=1)
    assert (await again.nudge("office", messenger)).startswith("已提醒 3 位")
    reopened.close()


async def test_nobody_to_nudge_uses_up_nothing(
    reports: Reports, store: Store, clock: FakeClock
) -> None:
    for user_id in (32, 33, 34):
        store.record_event(answer(user_id, "s2", False, clock()).to_event())
    assert await reports.nudge("office", FakeMessenger()) == "本月全员已参与，无需提醒。"
    assert store.last_nudge("office") is None


def test_question_stats_list_the_hardest_questions(
    reports: Reports, store: Store, clock: FakeClock
) -> None:
    at = clock()
    for user_id, right in ((32, False), (33, False), (34, True)):
        store.record_event(answer(user_id, "j1", right, at).to_event())
    store.record_event(answer(31, "gone", False, at).to_event())
    reply = reports.question_stats(BANKS, [])
    assert reply.text == (
        "📊 2026年11月答题统计（全部题库）：4 人作答 3 道题，共 5 人次。\n"
        "最该讲的 3 道题（正确率最低）：\n"
        "1. basics/gone （题目已不在题库中） — 1 人作答，正确率 0%；误选最多的是 A（1 人）\n"
        "2. basics/j1 党员受到警告处分，一年内不得在党内提拔… — 3 人作答，正确率 33%"
        "；误选最多的是 A（2 人）\n"
        "3. basics/s1 党员的纪律处分共有几种？ — 1 人作答，正确率 100%\n"
        "每道题的作答人数、正确率、区分度和误选情况见附件表格。"
    )
    assert reply.file_name == "题目统计-2026-11.xlsx"
    empty = reports.question_stats(BANKS, ["2026-10"])
    assert (empty.text, empty.workbook) == ("2026年10月还没有人答题（全部题库）。", None)
    with pytest.raises(UserError, match="没有 ID 为“nosuch”的题库"):
        reports.question_stats(BANKS, ["nosuch"])


def test_home_branch_is_the_members_roster(reports: Reports) -> None:
    assert reports.home_branch(31).id == "office"
    with pytest.raises(UserError, match="您还不在任何支部名单中"):
        reports.home_branch(999)
    assert reports.member_text(31, reports.branch("office")).startswith("甲 本月情况\n")


def test_the_points_closing_a_quiz_count_only_its_own_answers(
    reports: Reports, store: Store, clock: FakeClock
) -> None:
    store.record_event(answer_event(answer(32, "s2", False, clock()), "s9:0"))
    assert reports.quiz_points_text(32, "s9") == (  # no rank without points
        "本次得分：0 分\n今日积分：0 分（每天最多 10 分）\n本月积分：0 分"
    )
    store.record_event(answer_event(answer(32, "j1", True, clock()), "s9:1"))
    assert reports.quiz_points_text(32, "s9") == (
        "本次得分：1 分\n今日积分：1 分（每天最多 10 分）\n本月积分：1 分，办公室党支部第 1 名"
    )
    assert reports.quiz_points_text(31, "s9").startswith("本次得分：0 分\n今日积分：1 分")
    assert reports.quiz_points_text(999, "s9") == messages.QUIZ_POINTS_NO_BRANCH


def test_a_read_only_store_reads_while_the_bot_holds_the_lock(
    store: Store, tmp_path: Path, clock: FakeClock
) -> None:
    store.save_person(member(31, "甲"))
    store.record_event(answer(31, "s1", True, clock()).to_event())
    reader = Store(tmp_path / "data", SHANGHAI, read_only=True)  # `store` holds the lock
    assert [p.user_id for p in reader.people()] == [31]
    assert len(list(reader.events("office", "2026-11"))) == 1
    assert reader.study_tasks_of_month(clock() - timedelta(days=60)) == []
    assert not (tmp_path / "data" / "tasks").exists()  # reading created nothing
    with pytest.raises(PermissionError):
        reader.save_person(member(32, "乙"))
    reader.close()
    with pytest.raises(DataFileError):
        Store(tmp_path / "missing", SHANGHAI, read_only=True)
