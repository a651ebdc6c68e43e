"""The `schedules:` section of `schedules.yaml`: what is pushed to which branches, and when.

Each schedule has a when-rule (from `core.dates.recurrence`), a holiday policy, a target (all
branches, a list of branch ids, or branch tags) and exactly one action: a prompt message,
a study task or a quiz. Their shape is `schema.Schedule`: `schedule_message` words its errors,
`check_schedules` looks after it at what it cannot see (repeated ids, declared branches and
tags, placeholders, the due day) and `build_schedule` makes the frozen schedule. `parse_calendar`
turns the optional `calendar:` section, the days off and 调休 workdays the admins declare, into
days.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from core.config import schema
from core.config.branches import Branch
from core.config.schema import WEEKDAY_NAMES
from core.config.yaml_loader import MISSPELT, Field, ModelError, describe, not_text
from core.dates.recurrence import (
    Cron,
    HolidayPolicy,
    MonthlyOnDay,
    MonthlyOnWeekday,
    Once,
    Weekly,
    WhenRule,
)
from core.dates.workdays import NO_DECLARED_DAYS, DeclaredDays, days_between

DEFAULT_TIMEZONE = ZoneInfo("Asia/Shanghai")
SCHEDULE_KEYS = tuple(schema.Schedule.model_fields)
WHEN_KINDS = tuple(schema.When.model_fields)
MONTHLY_KEYS = tuple(schema.Monthly.model_fields)
WEEKLY_KEYS = tuple(schema.Weekly.model_fields)
STUDY_KEYS = tuple(schema.Study.model_fields)
QUIZ_KEYS = tuple(schema.Quiz.model_fields)
TARGET_KEYS = tuple(schema.TargetTags.model_fields)
CALENDAR_KEYS = tuple(schema.Calendar.model_fields)
_RANGE_EXAMPLE = "起..止（例如 2027-10-01..2027-10-07）"
_DAY_EXAMPLE = f"应写成 YYYY-MM-DD（例如 2027-10-09），一段日期写成 {_RANGE_EXAMPLE}"

_HOLIDAY_HELP = (
    "next_workday（顺延到下一个工作日）、previous_workday（提前到上一个工作日）、"
    "skip（跳过这一次）、ignore（节假日照常推送）"
)


@dataclass(frozen=True)
class PromptAction:
    """Post a reminder message to the branch group; one reminding of a meeting carries
    a 登记会议 button for that kind."""

    template: str
    meeting: str | None = None

    def render(self, branch_name: str, at: datetime) -> str:
        """The message: {branch} is the branch name, {month} the month, {date} "2026年10月8日"."""
        return self.template.format(
            branch=branch_name, month=at.month, date=f"{at.year}年{at.month}月{at.day}日"
        )


@dataclass(frozen=True)
class StudyAction:
    """Assign a theory-study task, due `due_days` days after it is pushed."""

    title: str
    body: str
    link: str | None
    due_days: int
    remind_before_days: int | None
    points: tuple[str, ...] = ()  # 学习要点, shown numbered in the task message


@dataclass(frozen=True)
class QuizAction:
    """Open a quiz of `count` questions from a question bank for `open_hours` hours."""

    bank: str
    count: int
    open_hours: int


Action: TypeAlias = PromptAction | StudyAction | QuizAction


@dataclass(frozen=True)
class Target:
    """Which branches a schedule is pushed to."""

    everyone: bool
    branch_ids: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()

    def includes(self, branch: Branch) -> bool:
        """True if `branch` receives this schedule's pushes."""
        return self.everyone or branch.id in self.branch_ids or bool(self.tags & branch.tags)


@dataclass(frozen=True)
class Schedule:
    """One entry of `schedules:`."""

    id: str
    when: WhenRule
    holidays: HolidayPolicy
    target: Target
    action: Action
    title: str | None = None

    @property
    def name(self) -> str:
        """What messages call the schedule: its `title:`, else its id."""
        return self.title or self.id


# ---------------------------------------------------------------- the model's errors, worded


def schedule_message(error: ModelError) -> str | None:
    """The wording of `schedules:` and `calendar:` for an error of the model; None: the common."""
    value, kind, key, loc = error.node.value, error.kind, error.key, error.loc
    parent = next((step for step in reversed(loc[:-1]) if isinstance(step, str)), None)
    if loc[:1] == ("calendar",) and (isinstance(loc[-1], int) or key in CALENDAR_KEYS):
        if isinstance(value, str) and value.strip():
            return f"日期 '{value.strip()}' 格式不对，{_DAY_EXAMPLE}"
        return f"应为日期，实际是 {describe(value)}；{_DAY_EXAMPLE}"
    if key == "id" and kind == "string_pattern_mismatch":
        return not_text(value) or (
            f"计划 id '{str(value).strip()}' 只能用小写字母、数字、- 和 _，以字母或数字开头，"
            "最长 64 个字符"
        )
    if key == "when" and kind == "model_type" and value is not None:
        return (
            "应写成 monthly、weekly、cron 或 once 之一，例如 "
            f'{{monthly: {{day: 1, at: "09:00"}}}}，实际是 {describe(value)}'
        )
    if kind == "extra_forbidden" and parent == "when":
        hint = difflib.get_close_matches(str(key), WHEN_KINDS, n=1)
        suggestion = f"，是否想写 '{hint[0]}'？" if hint else ""
        return f"未知的推送时间写法 '{key}'{suggestion}（可选：{'、'.join(WHEN_KINDS)}）"
    if key == "at":
        return time_message(value)
    if key == "weekday":
        text = str(value).strip()
        return (
            None
            if value is None
            else (f"未知的星期 '{text}'，应写 一 二 三 四 五 六 日（或 周一、星期一、mon）")
        )
    if key == "nth" and value is not None:
        return f"应为 1、2、3、4 或 -1（最后一个），实际是 {describe(value)}"
    if key == "cron":
        expression = str(value).strip()
        return not_text(value) or (
            f"cron 表达式 '{expression}' 应有 5 个字段（分 时 日 月 星期），"
            f"实际有 {len(expression.split())} 个"
        )
    if key == "once":
        return not_text(value) or f"时间 '{str(value).strip()}' 格式不对，{_ONCE_EXAMPLE}"
    if key == "holidays" and kind == "enum":
        return (
            not_text(value)
            or f"未知的节假日处理方式 '{str(value).strip()}'，可选：{_HOLIDAY_HELP}"
        )
    if key == "link":
        return not_text(value) or f"链接 '{str(value).strip()}' 应以 http:// 或 https:// 开头"
    if parent == "study" and key == "points" and kind in ("too_short", "too_long"):
        return (
            f"学习要点应写 {schema.MIN_STUDY_POINTS} 到 {schema.MAX_STUDY_POINTS} 条，"
            f"实际 {len(value)} 条"
        )
    if loc[2:3] == ("to",):
        return _target_message(error)
    return None


def _target_message(error: ModelError) -> str | None:
    value = error.node.value
    if error.node.path.endswith("].to"):
        if value is None:
            return "缺少必填字段（写 all 表示全部支部）"
        if error.kind == "too_short":
            return "至少指定一个支部"
        if isinstance(value, str):
            return not_text(value)
        return f"应为 all、支部 id 列表或 {{tags: [...]}}，实际是 {describe(value)}"
    if error.key == "tags" and error.kind == "too_short":
        return "至少指定一个标签"
    return None


_ONCE_EXAMPLE = '应写成 "YYYY-MM-DD HH:MM"，例如 "2026-12-01 09:00"'


def time_message(value: object) -> str:
    """What is wrong with a value given for a "HH:MM" time."""
    if value is None:
        return '缺少必填字段（写成 "HH:MM"，例如 "09:00"）'
    if isinstance(value, int) and not isinstance(value, bool) and 60 <= value < 100 * 60:
        hours, minutes = divmod(value, 60)
        written = f"{hours}:{minutes:02d}"
        if hours >= 24:
            return f'时间 {written} 无效，应为 24 小时制的 "HH:MM"，并加引号，例如 "09:00"'
        return (
            f'时间请加引号写成 "{hours:02d}:{minutes:02d}"：不加引号的 {written} '
            f"会被 YAML 当成六十进制数字 {value}"
        )
    if not isinstance(value, str):
        return f'应为带引号的时间 "HH:MM"，例如 "09:00"，实际是 {describe(value)}'
    return f'时间 \'{value}\' 无效，应为 24 小时制的 "HH:MM"，例如 "09:00"'


_BRANCH_IN_TO = re.compile(r"\.to(\[\d+\])?$")


def worded_after(error: ModelError, document: dict[str, Any]) -> bool:
    """Whether the checks after the model word this error instead (or it is not reported):
    one action, one when kind, day or weekday, and the whole of `to`."""
    loc = error.loc
    if loc[:1] != ("schedules",) or len(loc) < 2 or error.kind == MISSPELT:
        return False
    rest = loc[2:]
    if not rest:
        return error.kind == "value_error"  # not exactly one action
    if rest[0] == "to":  # a branch id not declared, as the checks after the model say
        value = error.node.value
        return _BRANCH_IN_TO.search(error.node.path) is not None and not not_text(value)
    if rest[0] == "when" and error.kind == "value_error":
        return True
    item = document["schedules"][loc[1]]
    when = item.get("when") if isinstance(item, dict) else None
    if rest[0] != "when" or not isinstance(when, dict) or len(rest) < 2:
        return False
    if len([kind for kind in WHEN_KINDS if kind in when]) > 1:
        return True  # only "choose one" is said
    if len(rest) < 3:
        return False
    monthly = when.get("monthly")
    if rest[1] != "monthly" or not isinstance(monthly, dict):
        return False
    field = rest[2]
    if "day" in monthly and "weekday" in monthly:
        return field in ("day", "weekday", "nth")
    if "day" in monthly:
        return field in ("nth", "weekday")
    return field in ("nth", "day") and "weekday" not in monthly


# ---------------------------------------------------------------- checks after the model


def check_schedules(
    node: Field,
    branches: Sequence[Branch],
    refused: set[tuple[int | str, ...]],
    reported: set[str],
) -> None:
    """What the model cannot see in `schedules:`; problems go to `node.problems`.

    `refused` holds the locations of the model's errors, whose values are not judged again,
    and `reported` the paths of those it words.
    """
    if not isinstance(node.value, list):
        return
    seen: set[str] = set()
    for index, item in enumerate(node.items()):
        if not isinstance(item.value, dict):
            continue
        where = ("schedules", index)
        id_field = item.child("id")
        schedule_id = None if not_text(id_field.value) else str(id_field.value).strip()
        if schedule_id is not None and schedule_id in seen:
            id_field.error(f"计划 id '{schedule_id}' 重复")
        elif schedule_id is not None:
            seen.add(schedule_id)
        _check_when(item.child("when"), (*where, "when"), refused)
        _check_target(item.child("to"), branches, reported)
        _check_actions(item, where, refused)


def _check_when(
    node: Field, where: tuple[int | str, ...], refused: set[tuple[int | str, ...]]
) -> None:
    if not isinstance(node.value, dict):
        return
    kinds = [kind for kind in WHEN_KINDS if kind in node.value]
    if len(kinds) > 1:
        node.error(f"{'、'.join(kinds)} 只能选一种")
        return
    if not node.value:
        node.error("需要 monthly、weekly、cron、once 之一")
    if kinds == ["monthly"]:
        _check_monthly(node.child("monthly"), (*where, "monthly"), refused)
    elif kinds == ["cron"] and (*where, "cron") not in refused:
        _check_cron(node.child("cron"))
    elif kinds == ["once"] and (*where, "once") not in refused:
        text = str(node.child("once").value).strip()
        if _once(text, DEFAULT_TIMEZONE) is None:
            node.child("once").error(f"时间 '{text}' 不存在，{_ONCE_EXAMPLE}")


def _check_monthly(
    node: Field, where: tuple[int | str, ...], refused: set[tuple[int | str, ...]]
) -> None:
    """Day or weekday and nth; a key absent but misspelt (in `refused`) is not missed again."""
    monthly = node.value
    if not isinstance(monthly, dict):
        return
    if "day" in monthly and "weekday" in monthly:
        node.error("day 与 weekday 只能选一个")
    elif "day" in monthly:
        if monthly["day"] is None:
            node.child("day").error("缺少必填字段")
        if "nth" in monthly:
            node.child("nth").error("nth 只能与 weekday 一起使用")
    elif "weekday" in monthly:
        if monthly["weekday"] is None:
            node.child("weekday").error("缺少必填字段")
        if monthly.get("nth") is None and (*where, "nth") not in refused:
            node.child("nth").error("缺少必填字段（1、2、3、4 表示第几个，-1 表示最后一个）")
    elif not {(*where, "day"), (*where, "weekday")} & refused:
        node.error("需要 day（每月几号），或 weekday 加 nth（每月第几个星期几）")


def _check_cron(node: Field) -> None:
    expression = str(node.value).strip()
    if any(ch.isdigit() for ch in expression.split()[4]):
        node.error(
            f"cron 表达式 '{expression}' 的星期字段请用英文缩写（如 mon-fri、sat,sun），不要用数字"
        )
        return
    error = Cron.validate(expression)
    if error is not None:
        node.error(f"cron 表达式 '{expression}' 无效：{error}")


def _check_target(node: Field, branches: Sequence[Branch], reported: set[str]) -> None:
    """Each branch id and tag `to` names must be declared (a branch refused is not).

    A number alone is not taken for a name here, though the model reads it as one: `to: 7`
    is more likely a count than branch 7.
    """
    value = node.value
    if isinstance(value, dict):
        tags = node.child("tags")
        if _is_number(tags.value) and tags.path not in reported:
            tags.error(f"应为列表，实际是 {describe(tags.value)}")
            return
        declared = sorted({tag for branch in branches for tag in branch.tags})
        items = tags.sequence() if isinstance(tags.value, list) else [tags]
        unknown = "没有支部带有标签 '{name}'，已声明的标签：{declared}"
        _check_declared([item for item in items if item.path not in reported], declared, unknown)
    elif node.path in reported or value == "all":
        return
    elif _is_number(value):
        node.error(f"应为 all、支部 id 列表或 {{tags: [...]}}，实际是 {describe(value)}")
    else:
        items = node.sequence() if isinstance(value, list) else [node]
        ids = [branch.id for branch in branches]
        items = [item for item in items if item.path not in reported]
        _check_declared(items, ids, "未知的支部 '{name}'，已声明的支部：{declared}")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_declared(items: list[Field], declared: Sequence[str], unknown: str) -> None:
    for item in items:
        if not_text(item.value) is not None:
            continue  # the model has said so
        name = str(item.value).strip()
        if name not in declared:
            item.error(unknown.format(name=name, declared="、".join(declared) or "（无）"))


def _check_actions(
    node: Field, where: tuple[int | str, ...], refused: set[tuple[int | str, ...]]
) -> None:
    present = [key for key in schema.ACTION_KEYS if key in node.value]
    misspelt = any((*where, key) in refused for key in schema.ACTION_KEYS)
    if not present and not misspelt:
        node.error("需要 prompt（提示消息）、study（学习任务）、quiz（测验）三者之一")
    for key in present:  # written but empty: the model takes that for not written
        if node.value[key] is None:
            node.child(key).error(
                "缺少必填字段" if key == "prompt" else "应为键值对（mapping），实际是 空值"
            )
    for extra in present[1:]:
        node.child(extra).error(
            f"已经有 {present[0]}，每个计划只能有 prompt、study、quiz 中的一个"
        )
    if "prompt" in present and (*where, "prompt") not in refused:
        check_template(node.child("prompt"), str(node.value["prompt"]).strip())
    if "meeting" in node.value and present and "prompt" not in present:
        node.child("meeting").error(
            f"只能和 prompt 一起写（它给提示消息加上“登记会议”按钮），这个计划是 {present[0]}"
        )
    study = node.child("study")
    if "study" in present and isinstance(study.value, dict):
        due, remind = study.value.get("due_days"), study.child("remind_before_days")
        judged = {(*where, "study", "due_days"), (*where, "study", "remind_before_days")}
        valid = remind.value is not None and due is not None and not judged & refused
        if valid and remind.value >= due:
            remind.error(f"应小于 due_days（{due}），实际是 {remind.value}")


def check_template(node: Field, template: str) -> None:
    """Report malformed braces and placeholders other than {branch} {month} {date}."""
    allowed = "、".join(f"{{{name}}}" for name in schema.PLACEHOLDERS)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        node.error(f"花括号不配对：占位符只能写 {allowed}；要显示花括号本身，请写成 {{{{ 或 }}}}")
        return
    unknown = [
        f"{{{name}}}"
        for _, name, _, _ in parsed
        if name is not None and name not in schema.PLACEHOLDERS
    ]
    if unknown:
        node.error(f"未知的占位符 {'、'.join(unknown)}，只能用 {allowed}")
        return
    try:
        PromptAction(template).render("示例党支部", datetime(2026, 1, 1, tzinfo=DEFAULT_TIMEZONE))
    except (ValueError, KeyError, IndexError, AttributeError) as error:
        node.error(f"占位符写法有误（{error}），只能用 {allowed}")


# ---------------------------------------------------------------- the frozen schedules


def build_schedule(shape: schema.Schedule, tz: ZoneInfo) -> Schedule:
    """The schedule the bot runs, from one the model and the checks after it accepted."""
    holidays = shape.holidays or HolidayPolicy.NEXT_WORKDAY
    return Schedule(
        shape.id, _when(shape.when, tz), holidays, _target(shape.to), _action(shape), shape.title
    )


def _when(shape: schema.When, tz: ZoneInfo) -> WhenRule:
    if shape.monthly is not None:
        at = time_of_day(shape.monthly.at)
        if shape.monthly.day is not None:
            return MonthlyOnDay(shape.monthly.day, at)
        nth = shape.monthly.nth
        assert nth is not None  # the model holds weekday and nth together
        return MonthlyOnWeekday(_weekday(shape.monthly.weekday), nth, at)
    if shape.weekly is not None:
        return Weekly(_weekday(shape.weekly.weekday), time_of_day(shape.weekly.at))
    if shape.cron is not None:
        return Cron(shape.cron.strip())
    moment = _once(str(shape.once).strip(), tz)
    assert moment is not None  # checked after the model
    return Once(moment)


def time_of_day(text: str) -> time:
    """A "HH:MM" the model took, as a time."""
    hour, minute = text.strip().split(":")
    return time(int(hour), int(minute))


def _weekday(text: str | None) -> int:
    return WEEKDAY_NAMES[str(text)]  # the model has made it lower-case


def _once(text: str, tz: ZoneInfo) -> datetime | None:
    day, moment = re.split(r"[ T]", text)
    year, month, date_ = (int(part) for part in day.split("-"))
    hour, minute = (int(part) for part in moment.split(":"))
    try:
        return datetime(year, month, date_, hour, minute, tzinfo=tz)
    except ValueError:
        return None


def _target(to: str | list[str] | schema.TargetTags) -> Target:
    if to == "all":
        return Target(everyone=True)
    if isinstance(to, schema.TargetTags):
        tags = [to.tags] if isinstance(to.tags, str) else to.tags
        return Target(everyone=False, tags=frozenset(tags))
    ids = [to] if isinstance(to, str) else to
    return Target(everyone=False, branch_ids=frozenset(ids))


def _action(shape: schema.Schedule) -> Action:
    if shape.prompt is not None:
        return PromptAction(shape.prompt, shape.meeting)
    if shape.study is not None:
        study = shape.study
        link = study.link.strip() if study.link is not None else None
        return StudyAction(
            study.title,
            study.body,
            link,
            study.due_days,
            study.remind_before_days,
            tuple(study.points or ()),
        )
    assert shape.quiz is not None
    return QuizAction(shape.quiz.bank, shape.quiz.count, shape.quiz.open_hours)


# ---------------------------------------------------------------- calendar


def parse_calendar(node: Field, refused: frozenset[str] = frozenset()) -> DeclaredDays:
    """Validate the optional `calendar:` section: the State Council's days off and 调休 days.

    Each list holds days (`2027-10-09`) or ranges (`2027-10-01..2027-10-07`) as the model
    took them, save the entries at the paths in `refused`, which are left out; PyYAML's own
    loaders hand a day over as a date. A day in both lists is an error.
    """
    if not isinstance(node.value, dict):
        return NO_DECLARED_DAYS
    holidays = _declared_days(node.child("holidays"), refused)
    workdays: set[date] = set()
    for item, days in _declared_entries(node.child("workdays"), refused):
        clash = sorted(days & holidays)
        if clash:
            shown = "、".join(day.isoformat() for day in clash[:3])
            more = f" 等 {len(clash)} 天" if len(clash) > 3 else ""
            item.error(
                f"{shown}{more} 同时写在 holidays（放假）和 workdays（调休上班）里，"
                "一天只能是其中之一"
            )
        workdays |= days
    return DeclaredDays(frozenset(holidays), frozenset(workdays - holidays))


def _declared_days(node: Field, refused: frozenset[str]) -> set[date]:
    days: set[date] = set()
    for _, found in _declared_entries(node, refused):
        days |= found
    return days


def _declared_entries(node: Field, refused: frozenset[str]) -> list[tuple[Field, set[date]]]:
    """Each valid entry of a `calendar:` list with its days (one value is a one-item list)."""
    if node.value is None:
        return []
    items = node.sequence() if isinstance(node.value, list) else [node]
    entries = []
    for item in items:
        span = None if item.path in refused else _parse_day_span(item)
        if span is not None:
            entries.append((item, set(days_between(*span))))
    return entries


def _parse_day_span(node: Field) -> tuple[date, date] | None:
    value = node.value
    if isinstance(value, datetime):
        node.error(f"只写日期，不写时间（实际是 {value}），{_DAY_EXAMPLE}")
        return None
    if isinstance(value, date):
        return value, value
    text = str(value).strip()
    parts = [part.strip() for part in text.split("..")]
    days: list[date] = []
    for part in parts:
        day = _parse_day(node, part)
        if day is None:
            return None
        days.append(day)
    first, last = days[0], days[-1]
    if last < first:
        node.error(f"日期范围 '{text}' 的结束日早于开始日，应写成 {_RANGE_EXAMPLE}")
        return None
    length = (last - first).days + 1
    if length > schema.MAX_DECLARED_RUN_DAYS:
        node.error(
            f"日期范围 '{text}' 共 {length} 天，一段最长 {schema.MAX_DECLARED_RUN_DAYS} 天，"
            "请检查是否写错"
        )
        return None
    return first, last


def _parse_day(node: Field, part: str) -> date | None:
    year, month, day = (int(number) for number in part.split("-"))
    try:
        return date(year, month, day)
    except ValueError:
        node.error(f"日期 '{part}' 不存在，{_DAY_EXAMPLE}")
        return None
