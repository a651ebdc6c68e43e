"""Points per day with the daily cap, and the `points:` section of schedules.yaml."""

from __future__ import annotations

from datetime import date

import pytest

from core.config.agency import parse_agency_config
from core.config.points_rule import DEFAULT_POINTS, PointsRule
from core.config.yaml_loader import ConfigErrors, parse_yaml_text
from core.reports.points import is_on_time, points_by_day, rules_text
from tests.core.reports.test_reports import ANSWERS, RULE, SHANGHAI, TASKS

BRANCHES = "branches:\n  - {id: office, name: 办公室党支部}\n"


def test_points_per_local_day_are_capped() -> None:
    daily = points_by_day(TASKS, ANSWERS, RULE, SHANGHAI)
    assert daily[1] == {
        date(2026, 10, 31): 1,  # the October answer: the caller chooses the period
        date(2026, 11, 2): 5,  # 2 for the task + 5 right answers = 7, capped at 5
        date(2026, 11, 9): 2,
        date(2026, 11, 10): 2,
        date(2026, 12, 1): 1,
    }
    # 李四: the October task on 11-01 (2) and the 00:05 answer (1) share the Shanghai day.
    assert daily[2] == {date(2026, 11, 1): 3, date(2026, 11, 3): 1}
    assert daily[3] == {date(2026, 11, 5): 1, date(2026, 11, 9): 2}  # the policy branch's
    assert daily[4] == {date(2026, 11, 4): 1}


def test_zero_points_rule_gives_nothing() -> None:
    rule = PointsRule(study_on_time=0, correct_answer=0, daily_cap=10)
    assert points_by_day(TASKS, ANSWERS, rule, SHANGHAI) == {}


def test_on_time_is_at_or_before_due() -> None:
    t1 = TASKS[1]
    assert is_on_time(t1, 1)
    assert not is_on_time(t1, 2)  # late
    assert not is_on_time(t1, 3)  # not done


def config(text: str) -> PointsRule:
    document = parse_yaml_text(text.encode(), "schedules.yaml")
    return parse_agency_config(document, "schedules.yaml").points


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigErrors) as caught:
        config(text)
    return [str(p) for p in caught.value.problems]


def test_points_default_when_absent() -> None:
    assert config(BRANCHES) == DEFAULT_POINTS == PointsRule(1, 1, 10)


def test_points_read_from_schedules_yaml() -> None:
    text = "points:\n  study_on_time: 3\n  correct_answer: 0\n  daily_cap: 20\n" + BRANCHES
    assert config(text) == PointsRule(study_on_time=3, correct_answer=0, daily_cap=20)
    assert config("points: {daily_cap: 5}\n" + BRANCHES) == PointsRule(1, 1, 5)


def test_points_mistakes_are_all_reported() -> None:
    text = (
        "points:\n"
        "  study_on_time: 101\n"
        "  correct_answr: 2\n"
        "  daily_cap: 0\n"
        "branches:\n"
        "  - {id: office, name: 办公室党支部}\n"
    )
    assert problems(text) == [
        "schedules.yaml:2: points.study_on_time: 应在 0 到 100 之间，实际是 101",
        "schedules.yaml:3: points: 字段名 correct_answr 应为 correct_answer",
        "schedules.yaml:4: points.daily_cap: 应在 1 到 1000 之间，实际是 0",
    ]


def test_points_must_be_a_mapping_of_integers() -> None:
    assert problems("points: 5\n" + BRANCHES) == [
        "schedules.yaml:1: points: 应为键值对（mapping），实际是 数字 5"
    ]
    assert problems("points: {daily_cap: 很多}\n" + BRANCHES) == [
        "schedules.yaml:1: points.daily_cap: 应为整数，实际是 文本 '很多'"
    ]


def test_top_level_typo_suggests_points() -> None:
    assert problems("pionts: {daily_cap: 5}\n" + BRANCHES) == [
        "schedules.yaml:1: 字段名 pionts 应为 points"
    ]


def test_rules_are_read_from_the_configured_rule() -> None:
    assert rules_text(PointsRule(study_on_time=2, correct_answer=1, daily_cap=8)) == (
        "📋 积分规则\n"
        "· 按时完成学习任务（截止前点“学完了”）：每项 2 分\n"
        "· 答对一道题（私聊答题、错题复习、群内测验）：每题 1 分\n"
        "· 每人每天最多 8 分，超出的不计\n"
        "逾期完成的任务和答错的题不计分。积分算在完成或答题的当天，每月重新累计。\n"
        "发送 /me 查看本月积分，/top 查看本支部积分榜。"
    )
    no_study = rules_text(PointsRule(study_on_time=0, correct_answer=3, daily_cap=10))
    assert no_study.split("\n")[1:3] == [
        "· 完成学习任务：不计分",
        "· 答对一道题（私聊答题、错题复习、群内测验）：每题 3 分",
    ]
