"""The `schedules:` section of `schedules.yaml`: what is pushed to which branches, and when.

Each schedule has a when-rule (from `core.dates.recurrence`), a holiday policy, a target (all
branches, a list of branch ids, or branch tags) and exactly one action: a prompt message,
a study task or a quiz. `parse_schedules` validates the section and reports every problem
with file, line and field, in the style of `core.config.agency`. `parse_calendar` does the same
for the optional `calendar:` section, the days off and 调休 workdays the admins declare.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypeAlias
from zoneinfo import ZoneInfo

from core.config.branches import Branch
from core.config.yaml_loader import Field, describe
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
SCHEDULE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
SCHEDULE_KEYS = ("id", "when", "holidays", "to", "prompt", "study", "quiz")
ACTION_KEYS = ("prompt", "study", "quiz")
WHEN_KINDS = ("monthly", "weekly", "cron", "once")
MONTHLY_KEYS = ("day", "weekday", "nth", "at")
WEEKLY_KEYS = ("weekday", "at")
STUDY_KEYS = ("title", "body", "link", "due_days", "remind_before_days")
QUIZ_KEYS = ("bank", "count", "open_hours")
TARGET_KEYS = ("tags",)
PLACEHOLDERS = ("branch", "month", "date")
MAX_PROMPT_LENGTH = 2000
MAX_TITLE_LENGTH = 64
MAX_BODY_LENGTH = 2000
CALENDAR_KEYS = ("holidays", "workdays")
# core.dates.recurrence.ADJUST_MARGIN (21 days) bounds how far a push may move: a declared run of
# days off, with the weekends around it, must stay well inside it.
MAX_DECLARED_RUN_DAYS = 15

_TIME_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})$")
_ONCE_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$")
_DAY_PATTERN = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_RANGE_EXAMPLE = "起..止（例如 2027-10-01..2027-10-07）"
_DAY_EXAMPLE = f"应写成 YYYY-MM-DD（例如 2027-10-09），一段日期写成 {_RANGE_EXAMPLE}"

_WEEKDAY_NUMBERS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ENGLISH_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ENGLISH_LONG = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for char, number in _WEEKDAY_NUMBERS.items():
        for prefix in ("", "周", "星期"):
            names[prefix + char] = number
    for number, (short, long) in enumerate(zip(_ENGLISH_WEEKDAYS, _ENGLISH_LONG, strict=True)):
        names[short] = names[long] = number
    return names


WEEKDAY_NAMES = _weekday_names()
"""Every accepted spelling of a weekday (English ones lower-case) -> 0=Monday..6=Sunday."""

_HOLIDAY_HELP = (
    "next_workday（顺延到下一个工作日）、previous_workday（提前到上一个工作日）、"
    "skip（跳过这一次）、ignore（节假日照常推送）"
)


@dataclass(frozen=True)
class PromptAction:
    """Post a reminder message to the branch group."""

    template: str

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


def parse_schedules(
    node: Field, branches: Sequence[Branch], tz: ZoneInfo | None = None
) -> list[Schedule]:
    """Validate the `schedules:` list; problems go to `node.problems`, bad entries are dropped.

    `tz` is the zone `once:` times are written in (the file's `timezone`, else Asia/Shanghai).
    """
    zone = tz or DEFAULT_TIMEZONE
    schedules: list[Schedule] = []
    seen: set[str] = set()
    for item in node.sequence(required=False):
        schedule = _parse_schedule(item, branches, zone)
        id_field = item.child("id")
        schedule_id = id_field.value if isinstance(id_field.value, str) else None
        if schedule_id is not None and schedule_id in seen:
            id_field.error(f"计划 id '{schedule_id}' 重复")
            continue
        if schedule_id is not None:
            seen.add(schedule_id)
        if schedule is not None:
            schedules.append(schedule)
    return schedules


def _parse_schedule(node: Field, branches: Sequence[Branch], tz: ZoneInfo) -> Schedule | None:
    if not node.check_keys(SCHEDULE_KEYS):
        return None
    id_field = node.child("id")
    schedule_id = id_field.text()
    if schedule_id is not None and not SCHEDULE_ID_PATTERN.match(schedule_id):
        id_field.error(
            f"计划 id '{schedule_id}' 只能用小写字母、数字、- 和 _，以字母或数字开头，"
            "最长 64 个字符"
        )
        schedule_id = None
    when = _parse_when(node.child("when"), tz)
    holidays = _parse_holidays(node.child("holidays"))
    target = _parse_target(node.child("to"), branches)
    action = _parse_action(node)
    if schedule_id is None or when is None or holidays is None:
        return None
    if target is None or action is None:
        return None
    return Schedule(schedule_id, when, holidays, target, action)


# ---------------------------------------------------------------- when


def _parse_when(node: Field, tz: ZoneInfo) -> WhenRule | None:
    if node.value is None:
        node.error("缺少必填字段")
        return None
    if not isinstance(node.value, dict):
        node.error(
            "应写成 monthly、weekly、cron 或 once 之一，例如 "
            f'{{monthly: {{day: 1, at: "09:00"}}}}，实际是 {describe(node.value)}'
        )
        return None
    for key in node.value:
        if key not in WHEN_KINDS:
            hint = difflib.get_close_matches(key, WHEN_KINDS, n=1)
            suggestion = f"，是否想写 '{hint[0]}'？" if hint else ""
            node.child(key).error(
                f"未知的推送时间写法 '{key}'{suggestion}（可选：{'、'.join(WHEN_KINDS)}）"
            )
    kinds = [kind for kind in WHEN_KINDS if kind in node.value]
    if not kinds:
        if not node.value:
            node.error("需要 monthly、weekly、cron、once 之一")
        return None
    if len(kinds) > 1:
        node.error(f"{'、'.join(kinds)} 只能选一种")
        return None
    kind = kinds[0]
    child = node.child(kind)
    if kind == "monthly":
        return _parse_monthly(child)
    if kind == "weekly":
        return _parse_weekly(child)
    if kind == "cron":
        return _parse_cron(child)
    return _parse_once(child, tz)


def _parse_monthly(node: Field) -> WhenRule | None:
    if not node.check_keys(MONTHLY_KEYS):
        return None
    at = _parse_time(node.child("at"))
    has_day, has_weekday = "day" in node.value, "weekday" in node.value
    if has_day and has_weekday:
        node.error("day 与 weekday 只能选一个")
        return None
    if has_day:
        day = node.child("day").integer(1, 31)
        if "nth" in node.value:
            node.child("nth").error("nth 只能与 weekday 一起使用")
            return None
        return MonthlyOnDay(day, at) if day is not None and at is not None else None
    if has_weekday:
        weekday = _parse_weekday(node.child("weekday"))
        nth = _parse_nth(node.child("nth"))
        if weekday is None or nth is None or at is None:
            return None
        return MonthlyOnWeekday(weekday, nth, at)
    node.error("需要 day（每月几号），或 weekday 加 nth（每月第几个星期几）")
    return None


def _parse_weekly(node: Field) -> WhenRule | None:
    if not node.check_keys(WEEKLY_KEYS):
        return None
    weekday = _parse_weekday(node.child("weekday"))
    at = _parse_time(node.child("at"))
    if weekday is None or at is None:
        return None
    return Weekly(weekday, at)


def _parse_cron(node: Field) -> WhenRule | None:
    expression = node.text()
    if expression is None:
        return None
    fields = expression.split()
    if len(fields) != 5:
        node.error(
            f"cron 表达式 '{expression}' 应有 5 个字段（分 时 日 月 星期），"
            f"实际有 {len(fields)} 个"
        )
        return None
    if any(ch.isdigit() for ch in fields[4]):
        node.error(
            f"cron 表达式 '{expression}' 的星期字段请用英文缩写（如 mon-fri、sat,sun），不要用数字"
        )
        return None
    error = Cron.validate(expression)
    if error is not None:
        node.error(f"cron 表达式 '{expression}' 无效：{error}")
        return None
    return Cron(expression)


def _parse_once(node: Field, tz: ZoneInfo) -> WhenRule | None:
    text = node.text()
    if text is None:
        return None
    match = _ONCE_PATTERN.match(text)
    example = '应写成 "YYYY-MM-DD HH:MM"，例如 "2026-12-01 09:00"'
    if match is None:
        node.error(f"时间 '{text}' 格式不对，{example}")
        return None
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        node.error(f"时间 '{text}' 不存在，{example}")
        return None
    return Once(moment)


def _parse_time(node: Field) -> time | None:
    value = node.value
    if value is None:
        node.error('缺少必填字段（写成 "HH:MM"，例如 "09:00"）')
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 60 <= value < 100 * 60:
        hours, minutes = divmod(value, 60)
        written = f"{hours}:{minutes:02d}"
        if hours >= 24:
            node.error(f'时间 {written} 无效，应为 24 小时制的 "HH:MM"，并加引号，例如 "09:00"')
        else:
            node.error(
                f'时间请加引号写成 "{hours:02d}:{minutes:02d}"：不加引号的 {written} '
                f"会被 YAML 当成六十进制数字 {value}"
            )
        return None
    if not isinstance(value, str):
        node.error(f'应为带引号的时间 "HH:MM"，例如 "09:00"，实际是 {describe(value)}')
        return None
    match = _TIME_PATTERN.match(value.strip())
    if match is not None:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    node.error(f"时间 '{value}' 无效，应为 24 小时制的 \"HH:MM\"，例如 \"09:00\"")
    return None


def _parse_weekday(node: Field) -> int | None:
    value = node.value
    if value is None:
        node.error("缺少必填字段")
        return None
    text = str(value).strip()
    number = WEEKDAY_NAMES.get(text.lower()) if isinstance(value, str) else None
    if number is None:
        node.error(f"未知的星期 '{text}'，应写 一 二 三 四 五 六 日（或 周一、星期一、mon）")
    return number


def _parse_nth(node: Field) -> int | None:
    value = node.value
    if value is None:
        node.error("缺少必填字段（1、2、3、4 表示第几个，-1 表示最后一个）")
        return None
    if isinstance(value, bool) or value not in (1, 2, 3, 4, -1):
        node.error(f"应为 1、2、3、4 或 -1（最后一个），实际是 {describe(value)}")
        return None
    return int(value)


def _parse_holidays(node: Field) -> HolidayPolicy | None:
    if node.value is None:
        return HolidayPolicy.NEXT_WORKDAY
    text = node.text()
    if text is None:
        return None
    try:
        return HolidayPolicy(text)
    except ValueError:
        node.error(f"未知的节假日处理方式 '{text}'，可选：{_HOLIDAY_HELP}")
        return None


# ---------------------------------------------------------------- to


def _parse_target(node: Field, branches: Sequence[Branch]) -> Target | None:
    value = node.value
    if value is None:
        node.error("缺少必填字段（写 all 表示全部支部）")
        return None
    if value == "all":
        return Target(everyone=True)
    if isinstance(value, dict):
        if not node.check_keys(TARGET_KEYS):
            return None
        tags = _parse_tags(node.child("tags"), branches)
        return Target(everyone=False, tags=frozenset(tags)) if tags else None
    if isinstance(value, str):
        # A single branch id written without brackets.
        ids = _known_branch_ids([node], branches)
    elif isinstance(value, list):
        items = node.sequence()
        if not items:
            node.error("至少指定一个支部")
            return None
        ids = _known_branch_ids(items, branches)
    else:
        node.error(
            f"应为 all、支部 id 列表或 {{tags: [...]}}，实际是 {describe(value)}"
        )
        return None
    return Target(everyone=False, branch_ids=frozenset(ids)) if ids else None


def _known_branch_ids(items: list[Field], branches: Sequence[Branch]) -> list[str] | None:
    declared = [branch.id for branch in branches]
    return _declared_names(items, declared, "未知的支部 '{name}'，已声明的支部：{declared}")


def _parse_tags(node: Field, branches: Sequence[Branch]) -> list[str] | None:
    declared = sorted({tag for branch in branches for tag in branch.tags})
    items = [node] if isinstance(node.value, str) else node.sequence()
    if not items:
        if isinstance(node.value, list):
            node.error("至少指定一个标签")
        return None
    return _declared_names(items, declared, "没有支部带有标签 '{name}'，已声明的标签：{declared}")


def _declared_names(items: list[Field], declared: Sequence[str], unknown: str) -> list[str] | None:
    """The texts of `items` when every one is declared; otherwise report each stray and None."""
    names: list[str] = []
    ok = True
    for item in items:
        name = item.text()
        if name is None:
            ok = False
        elif name not in declared:
            item.error(unknown.format(name=name, declared=_listing(declared)))
            ok = False
        else:
            names.append(name)
    return names if ok else None


def _listing(names: Sequence[str]) -> str:
    return "、".join(names) or "（无）"


# ---------------------------------------------------------------- actions


def _parse_action(node: Field) -> Action | None:
    present = [key for key in ACTION_KEYS if key in node.value]
    if not present:
        node.error("需要 prompt（提示消息）、study（学习任务）、quiz（测验）三者之一")
        return None
    for extra in present[1:]:
        node.child(extra).error(
            f"已经有 {present[0]}，每个计划只能有 prompt、study、quiz 中的一个"
        )
    actions: list[Action | None] = []
    for key in present:
        child = node.child(key)
        if key == "prompt":
            actions.append(_parse_prompt(child))
        elif key == "study":
            actions.append(_parse_study(child))
        else:
            actions.append(_parse_quiz(child))
    return actions[0] if len(actions) == 1 else None


def _parse_prompt(node: Field) -> PromptAction | None:
    template = node.text(max_length=MAX_PROMPT_LENGTH)
    if template is None:
        return None
    return PromptAction(template) if check_template(node, template) else None


def check_template(node: Field, template: str) -> bool:
    """Report malformed braces and placeholders other than {branch} {month} {date}."""
    allowed = "、".join(f"{{{name}}}" for name in PLACEHOLDERS)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        node.error(
            f"花括号不配对：占位符只能写 {allowed}；要显示花括号本身，请写成 {{{{ 或 }}}}"
        )
        return False
    unknown = [
        f"{{{name}}}" for _, name, _, _ in parsed if name is not None and name not in PLACEHOLDERS
    ]
    if unknown:
        node.error(f"未知的占位符 {'、'.join(unknown)}，只能用 {allowed}")
        return False
    try:
        PromptAction(template).render("示例党支部", datetime(2026, 1, 1, tzinfo=DEFAULT_TIMEZONE))
    except (ValueError, KeyError, IndexError, AttributeError) as error:
        node.error(f"占位符写法有误（{error}），只能用 {allowed}")
        return False
    return True


def _parse_study(node: Field) -> StudyAction | None:
    if not node.check_keys(STUDY_KEYS):
        return None
    title = node.child("title").text(max_length=MAX_TITLE_LENGTH)
    body = node.child("body").text(max_length=MAX_BODY_LENGTH)
    link_field = node.child("link")
    link = link_field.text(required=False)
    link_ok = True
    if link is not None and not link.startswith(("http://", "https://")):
        link_field.error(f"链接 '{link}' 应以 http:// 或 https:// 开头")
        link_ok = False
    due_days = node.child("due_days").integer(1, 90)
    remind_field = node.child("remind_before_days")
    remind = remind_field.integer(1, 89, required=False)
    remind_ok = remind_field.value is None or remind is not None
    if remind is not None and due_days is not None and remind >= due_days:
        remind_field.error(f"应小于 due_days（{due_days}），实际是 {remind}")
        remind_ok = False
    if title is None or body is None or due_days is None or not (link_ok and remind_ok):
        return None
    return StudyAction(title, body, link, due_days, remind)


def _parse_quiz(node: Field) -> QuizAction | None:
    if not node.check_keys(QUIZ_KEYS):
        return None
    bank = node.child("bank").text(max_length=64)
    count = node.child("count").integer(1, 20)
    open_hours = node.child("open_hours").integer(1, 168)
    if bank is None or count is None or open_hours is None:
        return None
    return QuizAction(bank, count, open_hours)


# ---------------------------------------------------------------- calendar


def parse_calendar(node: Field) -> DeclaredDays:
    """Validate the optional `calendar:` section: the State Council's days off and 调休 days.

    Each list holds days (`2027-10-09`) or ranges (`2027-10-01..2027-10-07`); YAML may hand
    a day over as a date or as text. A day in both lists is an error.
    """
    if node.value is None or not node.check_keys(CALENDAR_KEYS):
        return NO_DECLARED_DAYS
    holidays = _declared_days(node.child("holidays"))
    workdays: set[date] = set()
    for item, days in _declared_entries(node.child("workdays")):
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


def _declared_days(node: Field) -> set[date]:
    days: set[date] = set()
    for _, found in _declared_entries(node):
        days |= found
    return days


def _declared_entries(node: Field) -> list[tuple[Field, set[date]]]:
    """Each valid entry of a `calendar:` list with its days (one value is a one-item list)."""
    if node.value is None:
        return []
    items = node.sequence() if isinstance(node.value, list) else [node]
    entries = []
    for item in items:
        span = _parse_day_span(item)
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
    if not isinstance(value, str) or not value.strip():
        node.error(f"应为日期，实际是 {describe(value)}；{_DAY_EXAMPLE}")
        return None
    text = value.strip()
    parts = [part.strip() for part in text.split("..")]
    if len(parts) > 2 or not all(_DAY_PATTERN.match(part) for part in parts):
        node.error(f"日期 '{text}' 格式不对，{_DAY_EXAMPLE}")
        return None
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
    if length > MAX_DECLARED_RUN_DAYS:
        node.error(
            f"日期范围 '{text}' 共 {length} 天，一段最长 {MAX_DECLARED_RUN_DAYS} 天，"
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
