"""schedules.yaml `schedules:`: the shipped file parses; every mistake names file, line, field."""

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from core.config.agency import AgencyConfig, load_agency_config, parse_agency_config
from core.config.branches import Branch
from core.config.schedules import (
    WEEKDAY_NAMES,
    PromptAction,
    QuizAction,
    StudyAction,
    Target,
    parse_calendar,
)
from core.config.yaml_loader import ConfigErrors, Field, parse_yaml_text
from core.dates.recurrence import Cron, HolidayPolicy, MonthlyOnDay, MonthlyOnWeekday, Once, Weekly
from core.dates.workdays import NO_DECLARED_DAYS, DeclaredDays, days_between
from tests.conftest import PROJECT, SHANGHAI

BAD = Path(__file__).parents[2] / "fixtures" / "bad_schedules"
NO_ACTION = "需要 prompt（提示消息）、study（学习任务）、quiz（测验）三者之一"
BRANCHES = """\
branches:
  - {id: office, name: 办公室党支部, tags: [综合]}
  - {id: policy, name: 政策法规处党支部, tags: [业务]}
"""


def problems_of(fixture: str) -> list[str]:
    raw = (BAD / fixture).read_bytes()
    with pytest.raises(ConfigErrors) as caught:
        parse_agency_config(parse_yaml_text(raw, "schedules.yaml"), "schedules.yaml")
    return [str(p) for p in caught.value.problems]


def parse(text: str) -> AgencyConfig:
    return parse_agency_config(parse_yaml_text(text.encode(), "schedules.yaml"), "schedules.yaml")


# ---------------------------------------------------------------- the shipped file


def test_shipped_file_declares_a_year_of_schedules() -> None:
    config = load_agency_config(PROJECT)
    ids = [s.id for s in config.schedules]
    assert len(ids) == len(set(ids))
    assert {"theme-day-notice", "study-monthly", "quiz-monthly"} <= set(ids)
    assert config.catch_up_hours == 12

    theme = config.schedule("theme-day-notice")
    assert theme is not None
    assert theme.when == MonthlyOnDay(1, time(9, 0))
    assert theme.holidays is HolidayPolicy.NEXT_WORKDAY
    assert theme.target.everyone

    study = config.schedule("study-monthly")
    assert study is not None and isinstance(study.action, StudyAction)
    assert (study.action.due_days, study.action.remind_before_days) == (10, 2)
    assert study.action.link in (None, "https://www.12371.cn/")
    assert study.action.title == "党章和党纪"
    assert 3 <= len(study.action.points) <= 5
    assert all(len(point) <= 60 for point in study.action.points)

    quiz = config.schedule("quiz-monthly")
    assert quiz is not None
    assert quiz.action == QuizAction(bank="discipline-basics", count=5, open_hours=24)

    kinds = {type(s.when) for s in config.schedules}
    assert {MonthlyOnDay, MonthlyOnWeekday, Cron, Once} <= kinds
    once = next(s.when for s in config.schedules if isinstance(s.when, Once))
    assert once.at.tzinfo == SHANGHAI


def test_shipped_prompts_render_in_chinese() -> None:
    config = load_agency_config(PROJECT)
    theme = config.schedule("theme-day-notice")
    assert theme is not None and isinstance(theme.action, PromptAction)
    text = theme.action.render("办公室党支部", datetime(2026, 10, 8, 9, tzinfo=SHANGHAI))
    assert text == (
        "办公室党支部：请于10月内开展主题党日活动，活动后请支部书记点下面的“登记会议”登记，"
        "并在群里上传活动照片。"
    )
    for schedule in config.schedules:
        if isinstance(schedule.action, PromptAction):
            rendered = schedule.action.render("某支部", datetime(2026, 3, 2, tzinfo=SHANGHAI))
            assert "{" not in rendered and rendered.startswith("某支部")
            # 主题党日 is 开展, never 召开 (the meetings are 召开).
            assert "召开主题党日" not in rendered
            if schedule.action.meeting == "主题党日":
                assert "召开" not in rendered and "开展主题党日" in rendered


def test_constructor_without_schedules_still_works() -> None:
    config = AgencyConfig(timezone=SHANGHAI, branches=(Branch("office", "办公室党支部"),))
    assert config.schedules == ()
    assert config.catch_up_hours == 12


# ---------------------------------------------------------------- accepted spellings


def test_render_fills_every_placeholder() -> None:
    action = PromptAction("{branch}{month}月｜{date}｜{{原样}}")
    rendered = action.render("财务处党支部", datetime(2026, 10, 8, 9, tzinfo=SHANGHAI))
    assert rendered == "财务处党支部10月｜2026年10月8日｜{原样}"


@pytest.mark.parametrize(
    ("written", "number"),
    [("一", 0), ("周二", 1), ("星期三", 2), ("thu", 3), ("Fri", 4), ("六", 5), ("日", 6),
     ("天", 6), ("星期天", 6), ("sunday", 6)],
)
def test_weekday_spellings(written: str, number: int) -> None:
    assert WEEKDAY_NAMES[written.lower()] == number
    config = parse(
        BRANCHES
        + "schedules:\n"
        + f'  - {{id: w, when: {{weekly: {{weekday: {written}, at: "16:00"}}}}, to: all,'
        + ' prompt: 读书}\n'
    )
    assert config.schedules[0].when == Weekly(number, time(16, 0))


def test_every_rule_kind_policy_and_target_form() -> None:
    config = parse(
        "timezone: Asia/Shanghai\ncatch_up_hours: 0\n"
        + BRANCHES
        + """\
schedules:
  - id: a
    when: {monthly: {weekday: 五, nth: -1, at: "17:30"}}
    holidays: previous_workday
    to: [office]
    prompt: "{branch}"
  - id: b
    when: {cron: "0 9 * * mon-fri"}
    holidays: skip
    to: policy
    quiz: {bank: discipline-basics, count: 20, open_hours: 168}
  - id: c
    when: {once: "2026-12-01 09:00"}
    holidays: ignore
    to: {tags: 业务}
    study: {title: 学习, body: 学习党章, due_days: 1}
"""
    )
    a, b, c = config.schedules
    assert config.catch_up_hours == 0
    assert a.when == MonthlyOnWeekday(4, -1, time(17, 30))
    assert a.holidays is HolidayPolicy.PREVIOUS_WORKDAY
    assert a.target == Target(everyone=False, branch_ids=frozenset({"office"}))
    assert b.when == Cron("0 9 * * mon-fri")
    assert b.holidays is HolidayPolicy.SKIP
    assert b.target.branch_ids == {"policy"}
    assert c.when == Once(datetime(2026, 12, 1, 9, tzinfo=SHANGHAI))
    assert c.holidays is HolidayPolicy.IGNORE
    assert c.action == StudyAction("学习", "学习党章", None, 1, None)
    office, policy = config.branches
    assert a.target.includes(office) and not a.target.includes(policy)
    assert c.target.includes(policy) and not c.target.includes(office)


def test_once_is_read_in_the_files_time_zone() -> None:
    config = parse(
        "timezone: Europe/Berlin\n"
        + BRANCHES
        + 'schedules:\n  - {id: x, when: {once: "2026-12-01 09:00"}, to: all, prompt: 开会}\n'
    )
    when = config.schedules[0].when
    assert isinstance(when, Once)
    assert when.at.utcoffset() is not None
    assert when.at.hour == 9 and str(when.at.tzinfo) == "Europe/Berlin"


def test_no_schedules_section_is_fine() -> None:
    assert parse(BRANCHES).schedules == ()


# ---------------------------------------------------------------- one fixture per mistake


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("schedule_unknown_key.yaml", [
            "schedules.yaml:9: schedules[0]: 字段名 promt 应为 prompt",
        ]),
        ("schedule_duplicate_id.yaml", [
            "schedules.yaml:10: schedules[1].id: 计划 id 'theme-day' 重复",
        ]),
        ("schedule_bad_id.yaml", [
            "schedules.yaml:6: schedules[0].id: 计划 id 'Theme Day' 只能用小写字母、数字、- 和 _，"
            "以字母或数字开头，最长 64 个字符",
        ]),
        ("unknown_branch_in_to.yaml", [
            "schedules.yaml:8: schedules[0].to[1]: 未知的支部 'finance'，"
            "已声明的支部：office、policy",
        ]),
        ("unknown_tag.yaml", [
            "schedules.yaml:8: schedules[0].to.tags[0]: 没有支部带有标签 '机关'，"
            "已声明的标签：业务、综合",
        ]),
        ("bad_when_kind.yaml", [
            "schedules.yaml:7: schedules[0].when.daily: 未知的推送时间写法 'daily'"
            "（可选：monthly、weekly、cron、once）",
        ]),
        ("two_when_kinds.yaml", [
            "schedules.yaml:7: schedules[0].when: monthly、weekly 只能选一种",
        ]),
        ("day_out_of_range.yaml", [
            "schedules.yaml:8: schedules[0].when.monthly.day: 应在 1 到 31 之间，实际是 32",
        ]),
        ("bad_nth.yaml", [
            "schedules.yaml:10: schedules[0].when.monthly.nth: 应为 1、2、3、4 或 -1（最后一个），"
            "实际是 数字 5",
        ]),
        ("bad_weekday.yaml", [
            "schedules.yaml:9: schedules[0].when.weekly.weekday: 未知的星期 '八'，"
            "应写 一 二 三 四 五 六 日（或 周一、星期一、mon）",
        ]),
        ("bad_time.yaml", [
            "schedules.yaml:10: schedules[0].when.weekly.at: 时间 '24:30' 无效，"
            '应为 24 小时制的 "HH:MM"，例如 "09:00"',
        ]),
        ("unquoted_time.yaml", [
            'schedules.yaml:10: schedules[0].when.weekly.at: 时间请加引号写成 "09:30"：'
            "不加引号的 9:30 会被 YAML 当成六十进制数字 570",
        ]),
        ("bad_cron.yaml", [
            "schedules.yaml:7: schedules[0].when.cron: cron 表达式 '0 25 1 1,4,7,10 *' 无效："
            "Error validating expression '25': the last value (25) is higher than the maximum "
            "value (23)",
        ]),
        ("cron_numeric_weekday.yaml", [
            "schedules.yaml:7: schedules[0].when.cron: cron 表达式 '0 9 * * 1' 的星期字段"
            "请用英文缩写（如 mon-fri、sat,sun），不要用数字",
        ]),
        ("bad_once.yaml", [
            "schedules.yaml:7: schedules[0].when.once: 时间 '2026/12/01 09:00' 格式不对，"
            '应写成 "YYYY-MM-DD HH:MM"，例如 "2026-12-01 09:00"',
        ]),
        ("bad_holidays.yaml", [
            "schedules.yaml:8: schedules[0].holidays: 未知的节假日处理方式 'next_day'，"
            "可选：next_workday（顺延到下一个工作日）、previous_workday（提前到上一个工作日）、"
            "skip（跳过这一次）、ignore（节假日照常推送）",
        ]),
        ("two_actions.yaml", [
            "schedules.yaml:10: schedules[0].quiz: 已经有 prompt，"
            "每个计划只能有 prompt、study、quiz 中的一个",
        ]),
        ("no_action.yaml", [
            f"schedules.yaml:6: schedules[0]: {NO_ACTION}",
        ]),
        ("unknown_placeholder.yaml", [
            "schedules.yaml:9: schedules[0].prompt: 未知的占位符 {name}、{year}，"
            "只能用 {branch}、{month}、{date}",
        ]),
        ("malformed_braces.yaml", [
            "schedules.yaml:9: schedules[0].prompt: 花括号不配对：占位符只能写 {branch}、{month}、"
            "{date}；要显示花括号本身，请写成 {{ 或 }}",
        ]),
        ("bad_due_days.yaml", [
            "schedules.yaml:12: schedules[0].study.due_days: 应在 1 到 90 之间，实际是 120",
        ]),
        ("remind_not_before_due.yaml", [
            "schedules.yaml:13: schedules[0].study.remind_before_days: 应小于 due_days（10），"
            "实际是 10",
        ]),
        ("bad_link.yaml", [
            "schedules.yaml:12: schedules[0].study.link: 链接 'www.12371.cn' "
            "应以 http:// 或 https:// 开头",
        ]),
        ("bad_quiz_count.yaml", [
            "schedules.yaml:11: schedules[0].quiz.count: 应在 1 到 20 之间，实际是 50",
        ]),
        ("bad_open_hours.yaml", [
            "schedules.yaml:12: schedules[0].quiz.open_hours: 应在 1 到 168 之间，实际是 0",
        ]),
        ("bad_catch_up.yaml", [
            "schedules.yaml:2: catch_up_hours: 应在 0 到 168 之间，实际是 200",
        ]),
        ("bad_group_quiz_duration.yaml", [
            "schedules.yaml:2: group_quiz_duration: 时长应写成 30分钟、2小时 或 1天，"
            "最短 5 分钟，最长 30 天。实际是 文本 '2周'",
        ]),
        ("long_group_quiz_duration.yaml", [
            "schedules.yaml:2: group_quiz_duration: 时长应写成 30分钟、2小时 或 1天，"
            "最短 5 分钟，最长 30 天。实际是 文本 '31天'",
        ]),
    ],
)
def test_each_mistake_is_reported_exactly(fixture: str, expected: list[str]) -> None:
    assert problems_of(fixture) == expected


def test_fixture_headers_name_the_broken_line() -> None:
    for path in sorted(BAD.glob("*.yaml")):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert header.startswith("# Broken"), path.name
        assert "line" in header, path.name


def test_many_mistakes_are_all_listed_at_once() -> None:
    assert problems_of("many_mistakes.yaml") == [
        "schedules.yaml:2: catch_up_hours: 应在 0 到 168 之间，实际是 -1",
        "schedules.yaml:8: schedules[0].when.monthly.at: 时间 '9点' 无效，"
        '应为 24 小时制的 "HH:MM"，例如 "09:00"',
        "schedules.yaml:8: schedules[0].when.monthly.day: 应在 1 到 31 之间，实际是 0",
        "schedules.yaml:9: schedules[0].holidays: 未知的节假日处理方式 'workday'，"
        "可选：next_workday（顺延到下一个工作日）、previous_workday（提前到上一个工作日）、"
        "skip（跳过这一次）、ignore（节假日照常推送）",
        "schedules.yaml:10: schedules[0].to[0]: 未知的支部 'offce'，已声明的支部：office、policy",
        "schedules.yaml:11: schedules[0].prompt: 未知的占位符 {月}，"
        "只能用 {branch}、{month}、{date}",
        "schedules.yaml:12: schedules[0].repeat: 未知的字段 'repeat'",
        "schedules.yaml:13: schedules[1].id: 计划 id 'theme-day' 重复",
        "schedules.yaml:14: schedules[1].when.weekly.at: 时间 25:00 无效，"
        '应为 24 小时制的 "HH:MM"，并加引号，例如 "09:00"',
        "schedules.yaml:14: schedules[1].when.weekly.weekday: 未知的星期 '周八'，"
        "应写 一 二 三 四 五 六 日（或 周一、星期一、mon）",
        "schedules.yaml:15: schedules[1].to.tags[0]: 没有支部带有标签 '党建'，"
        "已声明的标签：业务、综合",
        "schedules.yaml:17: schedules[1].study.title: 不能为空",
        "schedules.yaml:19: schedules[1].study.link: 链接 'ftp://example.org' "
        "应以 http:// 或 https:// 开头",
        "schedules.yaml:20: schedules[1].study.due_days: 应在 1 到 90 之间，实际是 0",
        "schedules.yaml:23: schedules[2].when.once: 时间 '2026-02-30 09:00' 不存在，"
        '应写成 "YYYY-MM-DD HH:MM"，例如 "2026-12-01 09:00"',
        "schedules.yaml:27: schedules[2].quiz.count: 应在 1 到 20 之间，实际是 0",
        "schedules.yaml:28: schedules[2].quiz.open_hours: 应在 1 到 168 之间，实际是 200",
    ]


# ---------------------------------------------------------------- smaller edge cases


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ('{id: x, when: {monthly: {day: 1}}, to: all, prompt: 开会}',
         'schedules[0].when.monthly.at: 缺少必填字段（写成 "HH:MM"，例如 "09:00"）'),
        ('{id: x, when: {monthly: {at: "09:00"}}, to: all, prompt: 开会}',
         "schedules[0].when.monthly: 需要 day（每月几号），或 weekday 加 nth（每月第几个星期几）"),
        ('{id: x, when: {monthly: {day: 1, weekday: 五, at: "09:00"}}, to: all, prompt: 开会}',
         "schedules[0].when.monthly: day 与 weekday 只能选一个"),
        ('{id: x, when: {monthly: {weekday: 五, at: "09:00"}}, to: all, prompt: 开会}',
         "schedules[0].when.monthly.nth: 缺少必填字段（1、2、3、4 表示第几个，-1 表示最后一个）"),
        ('{id: x, when: {monthly: {day: 3, nth: 1, at: "09:00"}}, to: all, prompt: 开会}',
         "schedules[0].when.monthly.nth: nth 只能与 weekday 一起使用"),
        ('{id: x, when: monthly, to: all, prompt: 开会}',
         "schedules[0].when: 应写成 monthly、weekly、cron 或 once 之一，例如 "
         '{monthly: {day: 1, at: "09:00"}}，实际是 文本 \'monthly\''),
        ("{id: x, to: all, prompt: 开会}", "schedules[0].when: 缺少必填字段"),
        ('{id: x, when: {cron: "0 9 1 * * *"}, to: all, prompt: 开会}',
         "schedules[0].when.cron: cron 表达式 '0 9 1 * * *' 应有 5 个字段（分 时 日 月 星期），"
         "实际有 6 个"),
        ('{id: x, when: {weekly: {weekday: 5, at: "09:00"}}, to: all, prompt: 开会}',
         "schedules[0].when.weekly.weekday: 未知的星期 '5'，"
         "应写 一 二 三 四 五 六 日（或 周一、星期一、mon）"),
        ('{id: x, when: {once: "2026-12-01 09:00"}, prompt: 开会}',
         "schedules[0].to: 缺少必填字段（写 all 表示全部支部）"),
        ('{id: x, when: {once: "2026-12-01 09:00"}, to: [], prompt: 开会}',
         "schedules[0].to: 至少指定一个支部"),
        ('{id: x, when: {once: "2026-12-01 09:00"}, to: 7, prompt: 开会}',
         "schedules[0].to: 应为 all、支部 id 列表或 {tags: [...]}，实际是 数字 7"),
        ('{id: x, when: {once: "2026-12-01 09:00"}, to: all, prompt: "{branch} }"}',
         "schedules[0].prompt: 花括号不配对：占位符只能写 {branch}、{month}、{date}；"
         "要显示花括号本身，请写成 {{ 或 }}"),
        ('{id: x, when: {once: "2026-12-01 09:00"}, to: all, prompt: "{}开会"}',
         "schedules[0].prompt: 未知的占位符 {}，只能用 {branch}、{month}、{date}"),
        ('{id: x, when: {once: "2026-12-01 09:00"}, to: all, prompt: "{month:q}"}',
         "schedules[0].prompt: 占位符写法有误（Unknown format code 'q' for object of type "
         "'int'），只能用 {branch}、{month}、{date}"),
        ('{id: x, when: {once: "2026-12-01 09:00"}, to: all,'
         " study: {title: 学, body: 学, due_days: 5, remind_before: 1}}",
         "schedules[0].study: 字段名 remind_before 应为 remind_before_days"),
        ('{id: x, when: {once: "2026-12-01 09:00"}, to: all, quiz: {count: 5, open_hours: 2}}',
         "schedules[0].quiz.bank: 缺少必填字段"),
    ],
)
def test_smaller_mistakes(schedule: str, expected: str) -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse(BRANCHES + "schedules:\n  - " + schedule + "\n")
    assert [f"{p.field}: {p.message}" for p in caught.value.problems] == [expected]
    assert [p.line for p in caught.value.problems] == [5]


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ('{id: x, wehn: {once: "2026-12-01 09:00"}, to: all, prompt: 开会}',
         "schedules[0]: 字段名 wehn 应为 when"),
        ('{id: x, when: {montly: {day: 1, at: "09:00"}}, to: all, prompt: 开会}',
         "schedules[0].when: 字段名 montly 应为 monthly"),
        ('{id: x, when: {monthly: {dya: 1, at: "09:00"}}, to: all, prompt: 开会}',
         "schedules[0].when.monthly: 字段名 dya 应为 day"),
        ('{id: x, when: {monthly: {weekday: 五, nht: 1, at: "09:00"}}, to: all, prompt: 开会}',
         "schedules[0].when.monthly: 字段名 nht 应为 nth"),
        ('{id: x, when: {weekly: {weekday: 五, att: "09:00"}}, to: all, prompt: 开会}',
         "schedules[0].when.weekly: 字段名 att 应为 at"),
        ('{id: x, when: {once: "2026-12-01 09:00"}, to: all, promt: 开会}',
         "schedules[0]: 字段名 promt 应为 prompt"),
        ('{id: x, when: {once: "2026-12-01 09:00"}, to: all, study: {titel: 学, body: 学, '
         "due_days: 5}}",
         "schedules[0].study: 字段名 titel 应为 title"),
    ],
)
def test_a_misspelt_key_is_reported_once(schedule: str, expected: str) -> None:
    """Not also as the key missing, nor as what its absence leads to (no action, no day)."""
    with pytest.raises(ConfigErrors) as caught:
        parse(BRANCHES + "schedules:\n  - " + schedule + "\n")
    assert [f"{p.field}: {p.message}" for p in caught.value.problems] == [expected]


def test_an_unknown_key_close_to_one_written_is_still_unknown() -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse(
            BRANCHES
            + 'schedules:\n  - {id: x, when: {once: "2026-12-01 09:00"}, to: all, prompt: 开会,'
            + " promt: 开会}\n"
        )
    assert [f"{p.field}: {p.message}" for p in caught.value.problems] == [
        "schedules[0].promt: 未知的字段 'promt'，是否想写 'prompt'？"
    ]


STUDY = '{id: x, when: {once: "2026-12-01 09:00"}, to: all, study: {title: 学, body: 学, '


def test_study_points_are_read_in_order() -> None:
    config = parse(
        BRANCHES + "schedules:\n  - " + STUDY + "due_days: 5, points: [一, 二, 三]}}\n"
    )
    (schedule,) = config.schedules
    assert isinstance(schedule.action, StudyAction)
    assert schedule.action.points == ("一", "二", "三")
    (without,) = parse(BRANCHES + "schedules:\n  - " + STUDY + "due_days: 5}}\n").schedules
    assert isinstance(without.action, StudyAction) and without.action.points == ()


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ("[一, 二]", "schedules[0].study.points: 学习要点应写 3 到 5 条，实际 2 条"),
        ("[一, 二, 三, 四, 五, 六]",
         "schedules[0].study.points: 学习要点应写 3 到 5 条，实际 6 条"),
        ("[一, 二, '']", "schedules[0].study.points[2]: 不能为空"),
        (f"[一, 二, {'长' * 61}]", "schedules[0].study.points[2]: 太长（61 字），最多 60 字"),
        ("要点", "schedules[0].study.points: 应为列表，实际是 文本 '要点'"),
    ],
)
def test_study_points_mistakes(points: str, expected: str) -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse(BRANCHES + "schedules:\n  - " + STUDY + f"due_days: 5, points: {points}}}}}\n")
    assert [f"{p.field}: {p.message}" for p in caught.value.problems] == [expected]
    assert [p.line for p in caught.value.problems] == [5]
    assert caught.value.problems[0].file == "schedules.yaml"


def test_misspelt_tags_key_is_reported_once() -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse(
            BRANCHES
            + 'schedules:\n  - {id: x, when: {once: "2026-12-01 09:00"}, to: {tag: [业务]},'
            + " prompt: 开会}\n"
        )
    assert [str(p) for p in caught.value.problems] == [
        "schedules.yaml:5: schedules[0].to: 字段名 tag 应为 tags",
    ]


def test_catch_up_hours_must_be_a_number() -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse("catch_up_hours: 半天\n" + BRANCHES)
    assert [str(p) for p in caught.value.problems] == [
        "schedules.yaml:1: catch_up_hours: 应为整数，实际是 文本 '半天'"
    ]


# ---------------------------------------------------------------- calendar: declared days

DAY_FORMAT = (
    "应写成 YYYY-MM-DD（例如 2027-10-09），一段日期写成 起..止（例如 2027-10-01..2027-10-07）"
)


def test_shipped_file_declares_no_days_but_shows_how() -> None:
    assert load_agency_config(PROJECT).calendar == NO_DECLARED_DAYS
    shipped = (PROJECT / "schedules.yaml").read_text(encoding="utf-8")
    assert "# calendar:\n#   holidays: [2027-02-05..2027-02-11" in shipped


def test_calendar_days_and_ranges_as_yaml_writes_them() -> None:
    config = parse(
        "calendar:\n"
        "  holidays: [2027-02-05..2027-02-11, 2027-10-01 .. 2027-10-07, '2027-01-01']\n"
        "  workdays: 2027-02-14\n" + BRANCHES
    )
    spring = days_between(date(2027, 2, 5), date(2027, 2, 11))
    national = days_between(date(2027, 10, 1), date(2027, 10, 7))
    assert config.calendar == DeclaredDays(
        holidays=frozenset([*spring, *national, date(2027, 1, 1)]),
        workdays=frozenset({date(2027, 2, 14)}),
    )


def test_calendar_accepts_date_objects() -> None:
    # PyYAML's own loaders turn 2027-02-14 into a date; the schema takes both.
    written = {"holidays": [date(2027, 10, 1)], "workdays": [date(2027, 10, 9)]}
    node = Field.root("schedules.yaml", written)
    assert parse_calendar(node) == DeclaredDays(
        frozenset({date(2027, 10, 1)}), frozenset({date(2027, 10, 9)})
    )
    timed = Field.root("schedules.yaml", {"workdays": [datetime(2027, 10, 9, 9, tzinfo=SHANGHAI)]})
    parse_calendar(timed)
    assert [p.message for p in timed.problems] == [
        f"只写日期，不写时间（实际是 2027-10-09 09:00:00+08:00），{DAY_FORMAT}"
    ]


def test_empty_calendar_declares_nothing() -> None:
    assert parse("calendar:\n" + BRANCHES).calendar == NO_DECLARED_DAYS
    assert parse("calendar: {holidays: []}\n" + BRANCHES).calendar == NO_DECLARED_DAYS


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("calendar_not_a_date.yaml", [
            f"schedules.yaml:5: calendar.holidays[0]: 日期 '2027-02-30' 不存在，{DAY_FORMAT}",
            "schedules.yaml:6: calendar.holidays[1]: 日期 '2027/10/01..2027/10/07' 格式不对，"
            + DAY_FORMAT,
            "schedules.yaml:7: calendar.workdays[0]: 应为日期，实际是 数字 20271009；"
            + DAY_FORMAT,
            "schedules.yaml:8: calendar.workdays[1]: 日期 '2027-10-01..2027-10-03..2027-10-05' "
            "格式不对，" + DAY_FORMAT,
        ]),
        ("calendar_backwards_range.yaml", [
            "schedules.yaml:4: calendar.holidays[0]: 日期范围 '2027-10-07..2027-10-01' "
            "的结束日早于开始日，应写成 起..止（例如 2027-10-01..2027-10-07）",
        ]),
        ("calendar_day_in_both.yaml", [
            "schedules.yaml:5: calendar.workdays[0]: 2027-02-11 同时写在 holidays（放假）和 "
            "workdays（调休上班）里，一天只能是其中之一",
        ]),
        ("calendar_range_too_long.yaml", [
            "schedules.yaml:3: calendar.holidays: 日期范围 '2027-07-01..2027-07-31' 共 31 天，"
            "一段最长 15 天，请检查是否写错",
            "schedules.yaml:4: calendar: 字段名 workday 应为 workdays",
        ]),
    ],
)
def test_broken_calendar_fixtures(fixture: str, expected: list[str]) -> None:
    assert problems_of(fixture) == expected


def test_a_clashing_range_names_the_days() -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse(
            "calendar:\n  holidays: [2027-10-01..2027-10-07]\n"
            "  workdays: [2027-10-03..2027-10-09]\n" + BRANCHES
        )
    assert [str(p) for p in caught.value.problems] == [
        "schedules.yaml:3: calendar.workdays[0]: 2027-10-03、2027-10-04、2027-10-05 等 5 天 "
        "同时写在 holidays（放假）和 workdays（调休上班）里，一天只能是其中之一"
    ]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (None, timedelta(hours=1)),
        ("30分钟", timedelta(minutes=30)),
        ("2 小时", timedelta(hours=2)),
    ],
)
def test_group_quiz_duration_defaults_to_an_hour(written: str | None, expected: timedelta) -> None:
    line = f"group_quiz_duration: {written}\n" if written else ""
    assert parse(line + BRANCHES).group_quiz_duration == expected


def test_a_group_quiz_duration_written_as_a_number_is_refused() -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse("group_quiz_duration: 60\n" + BRANCHES)
    assert [str(p) for p in caught.value.problems] == [
        "schedules.yaml:1: group_quiz_duration: 时长应写成 30分钟、2小时 或 1天，"
        "最短 5 分钟，最长 30 天。实际是 数字 60"
    ]
