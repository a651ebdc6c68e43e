"""Monthly branch reports on a small hand-computed month (every number worked out below)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.config.points_rule import PointsRule
from core.reports.month_report import (
    BranchMonthReport,
    MemberMonth,
    build_report,
    format_leaderboard,
    format_member_month,
    format_ranking,
    format_report_text,
    leaderboard,
    member_rank,
    month_bounds,
    rank_branches,
    task_months,
    weekly_series,
)
from core.roster.members import Member, account_member
from core.store.quiz_sessions import AnswerRecord
from core.store.records import Person, StudyTask
from core.store.roster_records import Leave, ListEntry, account_key, entry_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULE = PointsRule(study_on_time=2, correct_answer=1, daily_cap=5)
PEOPLE = [Person(1, "zs", real_name="张三"), Person(2, "李四"), Person(3, "王五")]
ROSTER = [account_member(p) for p in PEOPLE]
FORMER = [Person(4, "赵六")]  # left the branch, but answered once this month


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def task(
    task_id: str, title: str, assigned: datetime, done: dict[int, datetime], branch: str = "office"
) -> StudyTask:
    return StudyTask(
        id=task_id,
        push_key=f"push:{task_id}",
        branch_id=branch,
        chat_id=-100,
        title=title,
        body="",
        link=None,
        assigned_at=assigned,
        due_at=assigned + timedelta(days=7),
        remind_at=None,
        done=done,
    )


def answer(user: int, when: datetime, correct: bool, branch: str = "office") -> AnswerRecord:
    return AnswerRecord(user, branch, "bank", f"q{when:%d%H%M}", ("A",), correct, "private", when)


TASKS = [
    # Pushed in October, due 11-03: 李四 finishes it on 11-01, on time: 2 points on 11-01,
    # activity in week 1, but it is not one of November's tasks.
    task("2610-t0", "学习党章总纲", at(10, 27, 8), {2: at(11, 1, 8)}),
    # Due 11-09 09:00: 张三 on time (11-02), 李四 late (11-16, week 3, no points).
    task("2611-t1", "学习党章", at(11, 2, 9), {1: at(11, 2, 10), 2: at(11, 16, 8)}),
    # Due 11-16 09:00: 张三 on time (11-09).
    task("2611-t2", "学习二十大报告", at(11, 9, 9), {1: at(11, 9, 12)}),
    task("2611-x", "别的支部的任务", at(11, 9, 9), {3: at(11, 9, 12)}, branch="policy"),
]
ANSWERS = [
    # 张三 on 11-02: 5 right and 1 wrong; with the task's 2 that is 7 points, capped at 5.
    *(answer(1, at(11, 2, 11, m), True) for m in range(5)),
    answer(1, at(11, 2, 11, 30), False),
    # 张三 on 11-10 (week 2): 2 right, 1 wrong.
    answer(1, at(11, 10, 9), True),
    answer(1, at(11, 10, 9, 5), True),
    answer(1, at(11, 10, 9, 10), False),
    # 李四: 00:05 on 11-01 in Shanghai is still October in UTC, but counts for November.
    answer(2, at(11, 1, 0, 5), True),
    answer(2, at(11, 3), True),
    answer(2, at(11, 3, 11), False),
    answer(2, at(11, 12), False),
    # 赵六, no longer on the roster.
    answer(4, at(11, 4), True),
    # Not counted: another branch, October, December.
    answer(3, at(11, 5), True, branch="policy"),
    answer(1, at(10, 31, 23, 55), True),
    answer(1, at(12, 1, 0, 10), True),
]


def sample_report() -> BranchMonthReport:
    """The hand-computed month, shared with the export and chart tests."""
    return build_report(
        "office", "办公室党支部", "2026-11", ROSTER, TASKS, ANSWERS, RULE, SHANGHAI, FORMER
    )


def test_every_member_number() -> None:
    report = sample_report()
    rows = [
        (
            m.name,
            m.on_roster,
            m.tasks_assigned,
            m.tasks_done,
            m.tasks_on_time,
            m.answered,
            m.correct,
            m.points,
            m.participated,
        )
        for m in report.members
    ]
    assert rows == [
        ("张三", True, 2, 2, 2, 9, 7, 9, True),  # points: 5 (capped) + 2 + 2
        ("李四", True, 2, 1, 0, 4, 2, 4, True),  # points: 11-01 2+1, 11-03 1
        ("王五", True, 2, 0, 0, 0, 0, 0, False),
        ("赵六", False, 2, 0, 0, 1, 1, 1, True),
    ]
    first = report.member(1)
    assert first is not None and first.rate == pytest.approx(7 / 9)
    assert report.member(99) is None


def test_branch_totals() -> None:
    report = sample_report()
    assert [m.name for m in report.roster] == ["张三", "李四", "王五"]
    assert report.participants == 2
    assert report.participation_rate == pytest.approx(2 / 3)  # 赵六 left: not counted
    assert [m.name for m in report.non_participants] == ["王五"]
    assert (report.tasks_done, report.tasks_expected) == (3, 8)
    assert (report.answered, report.correct, report.points) == (14, 10, 14)
    assert report.correct_rate == pytest.approx(10 / 14)


def test_task_lines() -> None:
    lines = sample_report().tasks
    assert [(t.task_id, t.title, t.done, t.on_time, t.members) for t in lines] == [
        ("2611-t1", "学习党章", 2, 1, 4),
        ("2611-t2", "学习二十大报告", 1, 1, 4),
    ]
    assert lines[0].assigned_at == at(11, 2, 9)
    assert lines[0].due_at == at(11, 9, 9)
    assert lines[0].rate == 0.5


def test_answers_kept_are_the_months_of_the_branch_in_time_order() -> None:
    answers = sample_report().answers
    assert len(answers) == 14
    assert answers[0].at == at(11, 1, 0, 5)
    assert all(a.branch_id == "office" for a in answers)
    assert [a.at for a in answers] == sorted(a.at for a in answers)


def test_weekly_series() -> None:
    weeks = weekly_series(sample_report(), SHANGHAI, date(2026, 12, 1))
    assert [(w.label, w.active, w.roster, w.answered, w.correct) for w in weeks] == [
        ("1–7日", 2, 3, 10, 8),
        ("8–14日", 2, 3, 4, 2),
        ("15–21日", 1, 3, 0, 0),  # 李四's late completion
        ("22–28日", 0, 3, 0, 0),
        ("29–30日", 0, 3, 0, 0),
    ]
    assert weeks[0].participation == pytest.approx(2 / 3)
    assert weeks[0].correct_rate == pytest.approx(0.8)
    assert weeks[1].correct_rate == pytest.approx(0.5)
    assert weeks[2].correct_rate is None
    assert all(w.started for w in weeks)


def test_the_weeks_still_to_come_have_not_started() -> None:
    weeks = weekly_series(sample_report(), SHANGHAI, date(2026, 11, 15))
    assert [w.started for w in weeks] == [True, True, True, False, False]


@pytest.mark.parametrize(("month", "last"), [("2026-02", "22–28日"), ("2028-02", "29–29日")])
def test_february_has_four_or_five_weeks(month: str, last: str) -> None:
    report = build_report("office", "办公室党支部", month, ROSTER, [], [], RULE, SHANGHAI)
    assert weekly_series(report, SHANGHAI, date(2028, 3, 1))[-1].label == last


def test_report_text() -> None:
    assert format_report_text(sample_report()) == (
        "办公室党支部 2026年11月 参与情况\n"
        "参与 2/3 人（67%）· 学习 3/8 · 答题 14 题 正确率 71% · 积分 14\n"
        "\n"
        "张三 学习 2/2 · 答题 9 题 正确率 78% · 积分 9\n"
        "李四 学习 1/2 · 答题 4 题 正确率 50% · 积分 4\n"
        "王五 学习 0/2 · 答题 0 题 · 积分 0\n"
        "赵六（已离开） 学习 0/2 · 答题 1 题 正确率 100% · 积分 1\n"
        "\n"
        "尚未参与：王五"
    )


def test_report_text_when_everyone_took_part_or_nobody_is_listed() -> None:
    everyone = build_report(
        "office", "办公室党支部", "2026-11", ROSTER[:2], TASKS, ANSWERS, RULE, SHANGHAI
    )
    assert format_report_text(everyone).endswith("\n\n全员已参与。")
    empty = build_report("office", "办公室党支部", "2026-11", [], [], [], RULE, SHANGHAI)
    assert empty.participation_rate == 0.0
    assert format_report_text(empty) == (
        "办公室党支部 2026年11月 参与情况\n"
        "参与 0/0 人（0%）· 学习 0/0 · 答题 0 题 · 积分 0\n"
        "花名册上还没有成员。"
    )


def test_unknown_leaver_gets_a_placeholder_name() -> None:
    report = build_report(
        "office", "办公室党支部", "2026-11", ROSTER, TASKS, ANSWERS, RULE, SHANGHAI
    )
    assert report.members[-1].name == "用户4"


def test_long_report_is_cut_to_fit_one_message() -> None:
    roster = [
        account_member(Person(1000 + i, f"很长很长的名字第{i:03d}号同志")) for i in range(200)
    ]
    answers = [answer(1000 + i, at(11, 3), True) for i in range(150)]
    report = build_report("office", "办公室党支部", "2026-11", roster, [], answers, RULE, SHANGHAI)
    text = format_report_text(report)
    assert len(text) <= 4096
    assert "……另有" in text and "完整名单请用 /export 导出。" in text
    assert text.endswith("很长很长的名字第199号同志")  # the 尚未参与 list survives whole
    assert text.startswith("办公室党支部 2026年11月 参与情况\n参与 150/200 人（75%）")


def test_member_month_for_me() -> None:
    member = sample_report().members[0]
    assert format_member_month(member, review_size=2) == (
        "张三 本月情况\n"
        "学习任务：完成 2/2，按时 2\n"
        "答题：9 题，答对 7 题，正确率 78%\n"
        "积分：9\n"
        "错题本：2 题待复习"
    )
    idle = sample_report().members[2]
    assert "答题：本月还没有答题" in format_member_month(idle, review_size=0)


def test_leaderboard() -> None:
    assert format_leaderboard(sample_report()) == (
        "办公室党支部 2026年11月 积分榜\n1. 张三 9 分\n2. 李四 4 分\n3. 赵六（已离开） 1 分"
    )
    assert len(leaderboard(sample_report(), top=2)) == 2
    empty = build_report("office", "办公室党支部", "2026-11", ROSTER, [], [], RULE, SHANGHAI)
    assert format_leaderboard(empty) == "办公室党支部 2026年11月 积分榜\n本月还没有人获得积分。"


def test_equal_points_share_a_rank() -> None:
    members = tuple(
        MemberMonth(i, name, 0, 0, 0, 0, 0, points)
        for i, (name, points) in enumerate([("甲", 5), ("乙", 3), ("丙", 5), ("丁", 1)])
    )
    report = BranchMonthReport("office", "办公室党支部", "2026-11", members, (), ())
    assert [(rank, m.name) for rank, m in leaderboard(report)] == [
        (1, "丙"),
        (1, "甲"),
        (3, "乙"),
        (4, "丁"),
    ]


def test_a_members_rank_is_their_place_on_the_leaderboard() -> None:
    members = tuple(
        MemberMonth(i, name, 0, 0, 0, 0, 0, points)
        for i, (name, points) in enumerate([("甲", 5), ("乙", 3), ("丙", 5), ("丁", 0)])
    )
    report = BranchMonthReport("office", "办公室党支部", "2026-11", members, (), ())
    assert [member_rank(report, i) for i in range(5)] == [1, 3, 1, None, None]


def branch(name: str, took_part: int, size: int) -> BranchMonthReport:
    members = tuple(
        MemberMonth(i, f"m{i}", 0, 0, 0, 1 if i < took_part else 0, 0, 0) for i in range(size)
    )
    return BranchMonthReport(name, name, "2026-11", members, (), ())


def test_branches_ranked_by_participation_then_name() -> None:
    reports = [
        branch("乙支部", 1, 2),
        branch("空支部", 0, 0),
        branch("甲支部", 2, 3),
        branch("丙支部", 2, 3),
        branch("丁支部", 1, 4),
    ]
    ranked = rank_branches(reports)
    assert [r.branch_name for r in ranked] == ["丙支部", "甲支部", "乙支部", "丁支部", "空支部"]
    assert format_ranking(ranked, unbound=()) == (
        "2026年11月 各支部参与率\n"
        "1. 丙支部 67%（2/3）\n"
        "1. 甲支部 67%（2/3）\n"
        "3. 乙支部 50%（1/2）\n"
        "4. 丁支部 25%（1/4）\n"
        "5. 空支部 0%（0/0）"
    )
    assert format_ranking([], unbound=()) == "还没有支部的数据。"


def test_an_unbound_branch_is_listed_but_not_ranked() -> None:
    reports = [branch("甲支部", 2, 3), branch("乙支部", 2, 3), branch("丙支部", 3, 3)]
    ranked = rank_branches([*reports, branch("空支部", 0, 0)])
    assert format_ranking(ranked, unbound={"丙支部", "空支部"}) == (
        "2026年11月 各支部参与率\n"
        "1. 甲支部 67%（2/3）\n"
        "1. 乙支部 67%（2/3）\n"
        "丙支部 —（未绑定）\n"
        "空支部 —（未绑定）"
    )


def test_month_helpers() -> None:
    start, end = month_bounds("2026-12", SHANGHAI)
    assert (start, end) == (at(12, 1, 0), datetime(2027, 1, 1, tzinfo=SHANGHAI))
    assert [f"{m:%Y-%m}" for m in task_months("2026-02", SHANGHAI)] == [
        "2026-02",
        "2026-01",
        "2025-12",
        "2025-11",
    ]
    with pytest.raises(ValueError):
        month_bounds("2026-13", SHANGHAI)


# --- the 名单 and leave -------------------------------------------------------------------

QIAN = ListEntry(entry_id("钱七", ""), "钱七", "正式党员")
UNCLAIMED = Member(QIAN.id, QIAN.name, None, QIAN)  # on the 名单, nobody claimed it


def on_leave(user_id: int, reason: str = "病假") -> dict[str, Leave]:
    key = account_key(user_id)
    leave = Leave(key, date(2026, 11, 3), date(2026, 11, 13), reason, 501, at(11, 2, 9))
    return {key: leave}


def test_an_entry_nobody_claimed_is_not_yet_taking_part_and_counts_in_the_rate() -> None:
    report = build_report(
        "office", "办公室党支部", "2026-11", [*ROSTER, UNCLAIMED], TASKS, ANSWERS, RULE,
        SHANGHAI, FORMER,
    )
    assert (report.participants, len(report.counted)) == (2, 4)
    assert [m.name for m in report.unreported] == ["钱七"]
    assert format_report_text(report) == (
        "办公室党支部 2026年11月 参与情况\n"
        "参与 2/4 人（50%）· 学习 3/10 · 答题 14 题 正确率 71% · 积分 14\n"
        "\n"
        "张三 学习 2/2 · 答题 9 题 正确率 78% · 积分 9\n"
        "李四 学习 1/2 · 答题 4 题 正确率 50% · 积分 4\n"
        "王五 学习 0/2 · 答题 0 题 · 积分 0\n"
        "钱七（未报到） 学习 0/2 · 答题 0 题 · 积分 0\n"
        "赵六（已离开） 学习 0/2 · 答题 1 题 正确率 100% · 积分 1\n"
        "\n"
        "尚未参与：王五、钱七（未报到）"
    )


def test_a_member_on_leave_who_did_nothing_is_left_out_of_the_rate() -> None:
    report = build_report(
        "office", "办公室党支部", "2026-11", ROSTER, TASKS, ANSWERS, RULE, SHANGHAI, FORMER,
        leave=on_leave(3),
    )
    assert report.participation_rate == 1.0
    assert [m.name for m in report.excused] == ["王五"]
    assert [m.name for m in report.non_participants] == []
    assert format_report_text(report) == (
        "办公室党支部 2026年11月 参与情况\n"
        "参与 2/2 人（100%）· 学习 3/6 · 答题 14 题 正确率 71% · 积分 14\n"
        "\n"
        "张三 学习 2/2 · 答题 9 题 正确率 78% · 积分 9\n"
        "李四 学习 1/2 · 答题 4 题 正确率 50% · 积分 4\n"
        "王五（请假：病假） 学习 0/2 · 答题 0 题 · 积分 0\n"
        "赵六（已离开） 学习 0/2 · 答题 1 题 正确率 100% · 积分 1\n"
        "\n"
        "全员已参与。\n"
        "请假（不计入参与率）：王五（病假）"
    )


def test_a_member_on_leave_who_took_part_counts_as_anyone_who_did() -> None:
    plain = sample_report()
    report = build_report(
        "office", "办公室党支部", "2026-11", ROSTER, TASKS, ANSWERS, RULE, SHANGHAI, FORMER,
        leave=on_leave(2, "出差"),
    )
    assert (report.participants, len(report.counted)) == (2, 3)
    assert report.participation_rate == plain.participation_rate
    assert report.excused == ()
    text = format_report_text(report)
    assert "\n李四（请假：出差） 学习 1/2 · 答题 4 题 正确率 50% · 积分 4\n" in text
    assert text.startswith(
        "办公室党支部 2026年11月 参与情况\n"
        "参与 2/3 人（67%）· 学习 3/8 · 答题 14 题 正确率 71% · 积分 14\n"
    )
    assert text.endswith("\n\n尚未参与：王五")
