"""The reports the bot serves: request parsing, button data, the nudge and its throttle,
question statistics, and the read-only store behind `python bot.py export`."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.config.agency import AgencyConfig
from core.config.banks import load_banks
from core.dates.periods import parse_period
from core.errors import DataFileError, UserError
from core.organization.branches import Organization
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
from core.store.records import Binding, Membership, Person
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
    assert parse_report_args([], "report", "2026-11") == ReportRequest(None, "2026-11")
    assert parse_report_args(["2026-10", "office"], "report", "2026-11") == ReportRequest(
        "office", "2026-10"
    )
    with pytest.raises(UserError, match="月份“2026-13”写法不对"):
        parse_report_args(["2026-13"], "report", "2026-11")
    with pytest.raises(UserError, match="用法：/export"):
        parse_report_args(["office", "policy"], "export", "2026-11")


def test_button_data_fits_telegram_and_forgeries_are_refused() -> None:
    longest = report_data("x", "b" * 32, "2026-11")
    assert len(longest.encode()) <= 64
    assert parse_report_press(longest) == ReportPress("x", "b" * 32, "2026-11")
    assert parse_report_press("rep:n:office") == ReportPress("n", "office", "")
    forged = ("rep:n:office:2026-11", "rep:r:office", "rep:r:office:2026-13", "rep:q:o:2026-11")
    assert [parse_report_press(data) for data in forged] == [None] * 4


def test_report_of_the_month_has_both_buttons(reports: Reports) -> None:
    report = reports.report("office", "2026-11")
    assert [m.name for m in report.non_participants] == ["丙", "丁", "乙"]  # bing, ding, yi
    labels = [b.label for b in report_buttons(report, "2026-11")]
    assert labels == ["提醒未完成", "导出"]
    assert [b.label for b in report_buttons(report, "2026-12")] == ["导出"]  # not this month


def test_export_takes_a_month_a_quarter_or_a_year(reports: Reports) -> None:
    assert parse_export_args([], "2026-11") == ReportRequest(None, "2026-11")
    assert parse_export_args(["2026q4", "office"], "2026-11") == ReportRequest("office", "2026Q4")
    assert parse_export_args(["2026"], "2026-11") == ReportRequest(None, "2026")
    for wrong in ("2026Q5", "2026-13", "1999"):
        with pytest.raises(UserError, match="2026Q4（季度）"):
            parse_export_args([wrong], "2026-11")
    with pytest.raises(UserError, match="用法：/export"):
        parse_export_args(["2026Q4", "2026"], "2026-11")
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
    assert reports.question_stats(BANKS, []) == (
        "2026年11月答错最多的 3 道题（全部题库；共 3 道题有人作答，作答 5 次）：\n"
        "1. basics/gone （题目已不在题库中） — 作答 1 次，正确率 0%\n"
        "2. basics/j1 党员受到警告处分，一年内不得在党内提拔… — 作答 3 次，正确率 33%\n"
        "3. basics/s1 党员的纪律处分共有几种？ — 作答 1 次，正确率 100%"
    )
    assert reports.question_stats(BANKS, ["2026-10"]) == "2026年10月还没有人答题（全部题库）。"
    with pytest.raises(UserError, match="没有 ID 为“nosuch”的题库"):
        reports.question_stats(BANKS, ["nosuch"])


def test_home_branch_is_the_members_roster(reports: Reports) -> None:
    assert reports.home_branch(31).id == "office"
    with pytest.raises(UserError, match="您还不在任何支部名单中"):
        reports.home_branch(999)
    assert reports.member_text(31, reports.branch("office")).startswith("甲 本月情况\n")


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
