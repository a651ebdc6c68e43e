"""The declared shape of `schedules.yaml` and of a question bank, as typed models.

Each file's shape is written once, here, with a Chinese description on every field. From it
come the JSON Schemas in `docs/schema/` (completion and inline errors in an editor, and
`check-jsonschema` in CI) and the reference tables in `docs/schedules.md` and
`docs/quiz-bank-format.md`; `python bot.py schema` writes all of them.

Each file is validated by its model (`banks.parse_bank` and `agency.parse_agency_config`,
through `yaml_loader.validate_document`, which places each error at its file, line and field);
the limits are declared here. What one field cannot show (repeated ids, branches named in `to`,
an answer against the options…) is checked after the model, in those modules.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema

from core.config import points_rule
from core.dates.durations import DURATION_PATTERN, format_duration, parse_duration
from core.dates.recurrence import HolidayPolicy
from core.store.meeting_records import CADENCE_WORDS, MEETING_KINDS

BRANCH_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
SCHEDULE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DEFAULT_CATCH_UP_HOURS = 12
# How long a /groupquiz stays open: an hour unless the command or schedules.yaml says; at most
# 30 days, inside the longest open_period Telegram allows a poll (2628000 s).
DEFAULT_GROUP_QUIZ_DURATION = timedelta(hours=1)
MIN_GROUP_QUIZ_DURATION, MAX_GROUP_QUIZ_DURATION = timedelta(minutes=5), timedelta(days=30)
ACTION_KEYS = ("prompt", "study", "quiz")
MeetingKind = Literal[MEETING_KINDS]  # type: ignore[valid-type]
PLACEHOLDERS = ("branch", "month", "date")
MAX_PROMPT_LENGTH, MAX_TITLE_LENGTH, MAX_BODY_LENGTH = 2000, 64, 2000
# 学习要点: a few short lines, so the material is in the chat without drowning the message.
MIN_STUDY_POINTS, MAX_STUDY_POINTS, MAX_STUDY_POINT_LENGTH = 3, 5, 60
# core.dates.recurrence.ADJUST_MARGIN (21 days) bounds how far a push may move: a declared run of
# days off, with the weekends around it, must stay well inside it.
MAX_DECLARED_RUN_DAYS = 15
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

# Bank and question ids alike; progress is stored under "bank/question", so never a "/".
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LETTERS = "ABCDEF"
JUDGE_OPTIONS = ("对", "错")
MIN_OPTIONS, MAX_OPTIONS = 2, len(LETTERS)
# Caps keep a question (text plus lettered options) inside one 4096-char Telegram message.
MAX_TITLE, MAX_TEXT, MAX_OPTION, MAX_EXPLANATION, MAX_SOURCE = 64, 1000, 200, 1500, 200

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = Path("docs") / "schema"
# A table names the allowed values of a field when there are at most this many.
MAX_LISTED_VALUES = 8


# ---------------------------------------------------------------- value types


@dataclass(frozen=True)
class _AlsoWritten:
    """In the JSON Schema a text may also be written as a number: the loader reads
    `title: 2024` as '2024' (and an id `101` as '101', a whole number from 0)."""

    as_type: str
    minimum: int | None = None

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["type"] = ["string", self.as_type]
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        return schema


_AlsoNumber = _AlsoWritten("number")
_AlsoWholeNumber = _AlsoWritten("integer", minimum=0)


def _number_as_text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _stripped(value: Any) -> Any:
    """A text without the spaces around it: the loader keeps them in a quoted ' 对 '."""
    return value.strip() if isinstance(value, str) else value


_Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S"),
    _AlsoNumber,
    BeforeValidator(_number_as_text),
]
Title = Annotated[_Text, MaxLen(MAX_TITLE)]
Name = Annotated[_Text, MaxLen(64)]
Text = _Text
Tag = _Text
# A tag, or several: the loader takes a single text as a one-item list.
Tags = Tag | list[Tag]


# One alias each, written out: pydantic keeps a pattern in the JSON Schema only when it comes
# before the BeforeValidator.
BankOrQuestionId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=ID_PATTERN.pattern),
    _AlsoWholeNumber,
    BeforeValidator(_number_as_text),
]
BranchId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=BRANCH_ID_PATTERN.pattern),
    _AlsoWholeNumber,
    BeforeValidator(_number_as_text),
]
ScheduleId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=SCHEDULE_ID_PATTERN.pattern),
    _AlsoWholeNumber,
    BeforeValidator(_number_as_text),
]
Hours = Annotated[StrictInt, Field(ge=1, le=168)]


def group_quiz_duration(text: str) -> timedelta | None:
    """How long a group quiz written `text` (30分钟, 2小时, 1天) stays open; None if that is
    not a duration or is outside the limits."""
    duration = parse_duration(text)
    if duration is None or not MIN_GROUP_QUIZ_DURATION <= duration <= MAX_GROUP_QUIZ_DURATION:
        return None
    return duration


def _group_quiz_duration(value: str) -> str:
    if group_quiz_duration(value) is None:
        raise ValueError("not a group quiz duration")
    return value


GroupQuizDuration = Annotated[
    str, StringConstraints(pattern=DURATION_PATTERN), AfterValidator(_group_quiz_duration)
]


class _Shape(BaseModel):
    """A mapping in a configuration file: unknown keys are refused, values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- schedules.yaml


PointsPerAction = Annotated[StrictInt, Field(ge=0, le=points_rule.MAX_POINTS_PER_ACTION)]


class Points(_Shape):
    """积分规则。"""

    study_on_time: PointsPerAction | None = Field(
        None,
        description="按时完成一项学习任务（截止前点“学完了”）得几分，默认 "
        f"{points_rule.DEFAULT_POINTS.study_on_time}",
    )
    correct_answer: PointsPerAction | None = Field(
        None,
        description="答对一道题得几分（私聊答题、群内测验、错题复习都算），默认 "
        f"{points_rule.DEFAULT_POINTS.correct_answer}",
    )
    daily_cap: Annotated[StrictInt, Field(ge=1, le=points_rule.MAX_DAILY_CAP)] | None = Field(
        None, description=f"每人每天最多得几分，默认 {points_rule.DEFAULT_POINTS.daily_cap}"
    )


DaySpan = Annotated[
    str,
    StringConstraints(pattern=r"^\s*\d{4}-\d{1,2}-\d{1,2}(\s*\.\.\s*\d{4}-\d{1,2}-\d{1,2})?\s*$"),
]
DaySpans = DaySpan | list[DaySpan]


class Calendar(_Shape):
    """放假安排，优先于 chinesecalendar 和按法定假日推算。"""

    holidays: DaySpans | None = Field(
        None,
        description="放假的日子：单日写 2027-10-08，连续几天写成 起..止，如 "
        f"2027-10-01..2027-10-07，一段最长 {MAX_DECLARED_RUN_DAYS} 天",
    )
    workdays: DaySpans | None = Field(
        None, description="调休上班的日子（通常是周六或周日），不能与 holidays 重复"
    )


class Term(_Shape):
    """支部委员会的任期。"""

    elected: date = Field(description="上次换届选举的日期，如 2024-03-15；换届后改成新日期")
    years: Annotated[StrictInt, Field(ge=1, le=5)] | None = Field(
        None, description="每届任期几年，默认 3（机关党支部）"
    )


class Branch(_Shape):
    """一个党支部。"""

    id: BranchId = Field(
        description="支部 id：在支部群里 /bind <id> 时使用；小写字母、数字、- 和 _，"
        "以字母或数字开头，最长 32 个字符，不能重复。绑定后不要再改"
    )
    name: Name = Field(description="支部全称，显示在消息和报表里")
    tags: Tags | None = Field(
        None, description="标签：推送计划可以用 to: {tags: [...]} 按标签选择支部"
    )
    secretaries: list[Annotated[StrictInt, Field(ge=1, le=10**15)]] | None = Field(
        None, description="即使不是群管理员也按支部书记对待的 Telegram 用户 ID"
    )
    quiz_exempt: StrictBool | None = Field(
        None,
        description="免答题（如离退休干部党支部）：true 时不向本支部推送群内测验"
        "（成员仍可私聊答题），默认 false",
    )
    meetings_not_required: list[MeetingKind] | None = Field(
        None, description="本支部不要求的会议，如没有党小组的支部写 [党小组会]"
    )
    term: Term | None = Field(
        None, description="支部委员会任期：换届前 6 个月、3 个月、1 个月提醒书记和管理员"
    )


Clock = Annotated[str, StringConstraints(pattern=r"^\s*([01]?\d|2[0-3]):[0-5]\d\s*$")]
# Mon and MON are mon: the editors' schema lists each spelling.
_WEEKDAYS = tuple(
    dict.fromkeys(
        spelling
        for case in (str.lower, str.title, str.upper)
        for spelling in map(case, WEEKDAY_NAMES)
    )
)


def _weekday_spelling(value: Any) -> Any:
    """A weekday as the loader takes it: spaces around it and the case of its letters ignored."""
    return value.strip().lower() if isinstance(value, str) else value


Weekday = Annotated[Literal[_WEEKDAYS], BeforeValidator(_weekday_spelling)]  # type: ignore[valid-type]


def _bool_as_text(value: Any) -> Any:
    """A boolean as the text YAML read it from (yes is true), which a number would take for 1."""
    return str(value) if isinstance(value, bool) else value


Nth = Annotated[Literal[1, 2, 3, 4, -1], BeforeValidator(_bool_as_text)]


class Monthly(_Shape):
    """每月一次：day 写几号，或 weekday 加 nth 写第几个星期几。"""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["day"], "properties": {"weekday": False, "nth": False}},
                {"required": ["weekday", "nth"], "properties": {"day": False}},
            ]
        }
    )

    day: Annotated[StrictInt, Field(ge=1, le=31)] | None = Field(
        None, description="每月几号；超过当月天数时取月末"
    )
    weekday: Weekday | None = Field(
        None, description="星期几：一 二 三 四 五 六 日（天），也可写 周一、星期一 或 mon"
    )
    nth: Nth | None = Field(None, description="第几个：1～4，-1 表示最后一个；只与 weekday 一起写")
    at: Clock = Field(description='24 小时制的 "HH:MM"，请加引号，例如 "09:00"')

    @model_validator(mode="after")
    def _day_or_weekday(self) -> Monthly:
        if (self.day is None) == (self.weekday is None) or (self.day is None) != (
            self.nth is not None
        ):
            raise ValueError("需要 day，或 weekday 加 nth，二者只能选一")
        return self


class Weekly(_Shape):
    """每周一次。"""

    weekday: Weekday = Field(
        description="星期几：一 二 三 四 五 六 日（天），也可写 周一、星期一 或 mon"
    )
    at: Clock = Field(description='24 小时制的 "HH:MM"，请加引号，例如 "09:00"')


OnceMoment = Annotated[
    str, StringConstraints(pattern=r"^\s*\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}\s*$")
]


class When(_Shape):
    """什么时候推送：monthly、weekly、cron、once 四种写法任选其一。"""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1, "maxProperties": 1})

    monthly: Monthly | None = Field(
        None,
        description='每月：{day: 1, at: "09:00"}，或 {weekday: 五, nth: 1, at: "09:00"}',
    )
    weekly: Weekly | None = Field(None, description='每周：{weekday: 一, at: "09:00"}')
    cron: Annotated[str, StringConstraints(pattern=r"^\s*\S+(\s+\S+){4}\s*$")] | None = Field(
        None,
        description='crontab 写法，5 个字段：分 时 日 月 星期，如 "0 9 1 1,4,7,10 *"；'
        "星期用 mon～sun，不用数字",
    )
    once: OnceMoment | None = Field(
        None, description='只推送一次："YYYY-MM-DD HH:MM"，如 "2026-12-01 09:00"'
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> When:
        if len(self.model_fields_set) != 1:
            raise ValueError("monthly、weekly、cron、once 只能且必须写一种")
        return self


class TargetTags(_Shape):
    """按标签选择支部。"""

    tags: Tag | Annotated[list[Tag], Field(min_length=1)] = Field(
        description="带有这些标签中任一个的支部都会收到"
    )


class Study(_Shape):
    """学习任务，群里带“学完了”按钮。"""

    title: Annotated[_Text, MaxLen(MAX_TITLE_LENGTH)] = Field(
        description="标题：只写学习主题，如 党章和党纪；消息开头写成“📖 11月理论学习：党章和党纪”"
    )
    body: Annotated[_Text, MaxLen(MAX_BODY_LENGTH)] = Field(description="内容")
    points: (
        Annotated[
            list[Annotated[_Text, MaxLen(MAX_STUDY_POINT_LENGTH)]],
            Field(min_length=MIN_STUDY_POINTS, max_length=MAX_STUDY_POINTS),
        ]
        | None
    ) = Field(
        None,
        description=f"学习要点：{MIN_STUDY_POINTS}～{MAX_STUDY_POINTS} 条，每条最长 "
        f"{MAX_STUDY_POINT_LENGTH} 字，编号显示在学习任务消息里",
    )
    link: Annotated[str, StringConstraints(pattern=r"^\s*https?://")] | None = Field(
        None, description="原文链接，以 http:// 或 https:// 开头"
    )
    due_days: Annotated[StrictInt, Field(ge=1, le=90)] = Field(
        description="几天内完成；截止日不是工作日时顺延"
    )
    remind_before_days: Annotated[StrictInt, Field(ge=1, le=89)] | None = Field(
        None, description="截止前几天提醒尚未完成的同志，须小于 due_days"
    )


class Quiz(_Shape):
    """群内测验。"""

    bank: Annotated[_Text, MaxLen(64)] = Field(
        description="题库 id（quizzes/ 下题库文件中的 id），也可以写题目标签"
    )
    count: Annotated[StrictInt, Field(ge=1, le=20)] = Field(description="每次抽几道题")
    open_hours: Hours = Field(description="测验开放几小时")


_PLACEHOLDERS = "、".join(f"{{{name}}}" for name in PLACEHOLDERS)


class Schedule(_Shape):
    """一个推送计划：何时、发给谁，以及 prompt、study、quiz 三者之一。"""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": [action]} for action in ACTION_KEYS]}
    )

    id: ScheduleId = Field(
        description="计划 id：小写字母、数字、- 和 _，最长 64 个字符，不能重复；"
        "推送记录按 id 区分，推送过的计划不要再改 id"
    )
    title: Title | None = Field(
        None,
        description="计划的中文名称，例如 主题党日提醒；机器人发给管理员和书记的消息里"
        "用它称呼这个计划（不写则用 id）",
    )
    when: When = Field(description="什么时候推送")
    holidays: Annotated[HolidayPolicy, BeforeValidator(_stripped)] | None = Field(
        None,
        description="推送日不是工作日时怎么办：next_workday 顺延（默认）、"
        "previous_workday 提前、skip 跳过、ignore 照常推送",
    )
    to: Literal["all"] | BranchId | Annotated[list[BranchId], Field(min_length=1)] | TargetTags = (
        Field(description="推送给哪些支部：all、支部 id 列表，或 {tags: [...]}")
    )
    prompt: Annotated[_Text, MaxLen(MAX_PROMPT_LENGTH)] | None = Field(
        None,
        description=f"在支部群里发一条提示；占位符 {_PLACEHOLDERS}："
        "支部名称、月份、推送当天的日期",
    )
    meeting: MeetingKind | None = Field(
        None,
        description="提示的会议或活动类型（只能和 prompt 一起写）：提示下面附“登记会议”按钮，"
        "支部书记开完会点它登记这种会议",
    )
    study: Study | None = Field(None, description="布置学习任务")
    quiz: Quiz | None = Field(None, description="发起群内测验")

    @model_validator(mode="after")
    def _one_action(self) -> Schedule:
        actions = [key for key in ACTION_KEYS if getattr(self, key) is not None]
        if len(actions) != 1:
            raise ValueError("prompt、study、quiz 只能且必须写一种")
        if self.meeting is not None and self.prompt is None:
            raise ValueError("meeting 只能和 prompt 一起写")
        return self


CadenceWord = Literal[CADENCE_WORDS]  # type: ignore[valid-type]


class Greetings(_Shape):
    """按名单中的日期发送的问候和提醒。"""

    political_birthday: StrictBool | None = Field(
        None,
        description="政治生日：入党纪念日（遇休息日顺延到下一个工作日）在群里祝贺，"
        "每月第一个工作日把本月名单发给书记，默认 true",
    )
    probation: StrictBool | None = Field(
        None, description="预备党员预备期满前一个月提醒书记准备转正，默认 true"
    )
    at: Clock | None = Field(None, description='发送时间，24 小时制，默认 "09:00"')


class QuietHours(_Shape):
    """夜间免打扰：这段时间里不推送、不提醒，到点的消息等到结束时再发。"""

    start: Clock = Field(description='开始时间，24 小时制的 "HH:MM"，请加引号，例如 "21:00"')
    end: Clock = Field(description='结束时间，例如 "08:00"；早于开始时间表示到第二天')


class SchedulesFile(_Shape):
    """schedules.yaml：本机关的时区、支部、推送计划、积分规则和放假安排。"""

    model_config = ConfigDict(title="schedules.yaml")

    timezone: _Text | None = Field(
        None, description="时区，推送时间都按这个时区的钟点理解，例如 Asia/Shanghai"
    )
    catch_up_hours: Annotated[StrictInt, Field(ge=0, le=168)] | None = Field(
        None,
        description="补发时限（小时）：停机后错过不超过这么多小时的推送仍会补发，默认 "
        f"{DEFAULT_CATCH_UP_HOURS}",
    )
    points: Points | None = Field(None, description="积分规则，不写时用默认值")
    quiet_hours: QuietHours | None = Field(
        None,
        description="夜间免打扰时段，不写时为 21:00～08:00；start 与 end 相同表示不设免打扰",
    )
    group_quiz_duration: GroupQuizDuration | None = Field(
        None,
        description="/groupquiz 不写时长时，群内测验开放多久：如 30分钟、2小时、1天，"
        f"最短 {format_duration(MIN_GROUP_QUIZ_DURATION)}，"
        f"最长 {format_duration(MAX_GROUP_QUIZ_DURATION)}，"
        f"默认 {format_duration(DEFAULT_GROUP_QUIZ_DURATION)}",
    )
    calendar: Calendar | None = Field(None, description="国务院公布的放假和调休安排")
    cadence: dict[MeetingKind, CadenceWord] | None = Field(
        None,
        description="三会一课和主题党日的频次：每月、每季度或不要求；不写的按"
        "《中国共产党支部工作条例（试行）》：支部党员大会、党课每季度，支部委员会会议、"
        "党小组会、主题党日每月",
    )
    greetings: Greetings | None = Field(
        None, description="政治生日祝贺和预备党员转正提醒，不写时都开启"
    )
    branches: Annotated[list[Branch], Field(min_length=1)] = Field(
        description="支部列表，至少一个"
    )
    schedules: list[Schedule] | None = Field(None, description="推送计划列表")


# ---------------------------------------------------------------- quizzes/*.yaml

Letter = Annotated[str, StringConstraints(pattern=r"^\s*[A-Fa-f]\s*$")]


RegulationName = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^《[^《》]+》$", max_length=64)
]
RegulationVersion = Annotated[StrictInt, Field(ge=1921, le=2100)]
Follows = dict[RegulationName, RegulationVersion]


JudgeAnswer = Annotated[Literal[JUDGE_OPTIONS], BeforeValidator(_stripped)]  # type: ignore[valid-type]
QuestionKind = Annotated[Literal["single", "multiple", "judge"], BeforeValidator(_stripped)]


class Question(_Shape):
    """一道题。"""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"type": {"const": "judge"}}, "required": ["type"]},
                    "then": {
                        "properties": {
                            "options": {"type": "null"},
                            "answer": {"enum": list(JUDGE_OPTIONS)},
                        }
                    },
                    "else": {"required": ["options"]},
                },
                {
                    "if": {"properties": {"type": {"const": "single"}}, "required": ["type"]},
                    "then": {
                        "properties": {
                            "answer": {
                                "anyOf": [
                                    {"type": "string", "pattern": r"^\s*[A-Fa-f]\s*$"},
                                    {"type": "array", "maxItems": 1},
                                ]
                            }
                        }
                    },
                },
                {
                    "if": {"properties": {"type": {"const": "multiple"}}, "required": ["type"]},
                    "then": {"properties": {"answer": {"type": "array", "minItems": 2}}},
                },
            ]
        }
    )

    id: BankOrQuestionId = Field(
        description="题目 id：同一题库内不能重复，规则同题库 id；发布后不要再改"
    )
    type: QuestionKind = Field(description="题型：single 单选、multiple 多选、judge 判断")
    text: Annotated[_Text, MaxLen(MAX_TEXT)] = Field(description="题干")
    options: (
        Annotated[
            list[Annotated[_Text, MaxLen(MAX_OPTION)]],
            Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS),
        ]
        | None
    ) = Field(
        None,
        description="选项，依次是 A、B、C……，不能重复；单选、多选必填，"
        "判断题不写（固定为 对 / 错）",
    )
    answer: JudgeAnswer | Letter | Annotated[list[Letter], Field(min_length=1)] = Field(
        description="单选写一个字母；多选写字母列表（至少 2 个）；判断写 对 或 错"
    )
    explanation: Annotated[_Text, MaxLen(MAX_EXPLANATION)] = Field(
        "", description="解析：答题后显示，帮助党员核对；可不写（导入的题库常常没有）"
    )
    source: Annotated[_Text, MaxLen(MAX_SOURCE)] = Field(
        "", description="出处：依据的条文，如《中国共产党纪律处分条例》第十条；可不写"
    )
    tags: Tags | None = Field(None, description="标签：/quiz 纪律处分 只抽带这个标签的题")
    follows: Follows | None = Field(
        None,
        description="本题依据的法规版本（年份），如 {《中国共产党纪律处分条例》: 2023}；"
        "不写时按题库的 follows",
    )
    shuffle: StrictBool | None = Field(
        None,
        description="群测验投票里是否让 Telegram 打乱选项顺序：不写时按题库的 shuffle；"
        "题库也没写时，单选、多选题打乱，但选项或解析提到别的选项（以上、上述、都、均、全部，"
        "或选项字母 A～F）的不打乱。判断题从不打乱，私聊答题也从不打乱",
    )

    @model_validator(mode="after")
    def _answer_fits_type(self) -> Question:
        if self.type == "judge":
            if self.options is not None or self.answer not in JUDGE_OPTIONS:
                raise ValueError("判断题不写 options，答案只能是 对 或 错")
            return self
        if self.options is None:
            raise ValueError("单选题和多选题需要 options")
        letters = [self.answer] if isinstance(self.answer, str) else self.answer
        chosen = {letter.strip().upper() for letter in letters}
        if len(chosen) != len(letters) or any(
            LETTERS.index(letter) >= len(self.options) for letter in chosen
        ):
            raise ValueError("答案重复或不在选项中")
        if (self.type == "single") != (len(chosen) == 1):
            raise ValueError("单选题一个答案，多选题至少两个")
        return self


class QuestionBankFile(_Shape):
    """quizzes/*.yaml：一个题库。"""

    model_config = ConfigDict(title="题库（quizzes/*.yaml）")

    id: BankOrQuestionId = Field(
        description="题库 id：在 /quiz、/groupquiz 和 schedules.yaml 的 quiz: {bank: ...} 里用它"
        "选择题库；小写字母、数字、- 和 _，以字母或数字开头，最长 64 个字符，全部题库之间不能"
        "重复；题库用起来以后不要再改"
    )
    title: Title = Field(description="题库标题，显示在测验开头和结果里")
    follows: Follows | None = Field(
        None,
        description="题库依据的法规及其版本（年份），如 {《中国共产党纪律处分条例》: 2023}；"
        "quizzes/regulations.yaml 把某版标为已废止时，python bot.py check 提醒引用它的题",
    )
    shuffle: StrictBool | None = Field(
        None,
        description="false：本题库的题在群测验投票里都不打乱选项顺序（题目自己写了 shuffle 的"
        "除外）；true 或不写：按每道题的规则",
    )
    questions: Annotated[list[Question], Field(min_length=1)] = Field(
        description="题目列表，至少一道"
    )


# ---------------------------------------------------------------- quizzes/regulations.yaml


class Regulation(_Shape):
    """一部法规的版本。"""

    current: RegulationVersion = Field(description="现行版本（年份），如 2023")
    superseded: list[RegulationVersion] | None = Field(
        None, description="已被取代的版本（年份）：依据它们的题目会被 check 提醒"
    )


class RegulationsFile(_Shape):
    """quizzes/regulations.yaml：题库依据的法规及其现行版本。"""

    model_config = ConfigDict(title="法规版本（quizzes/regulations.yaml）")

    regulations: dict[RegulationName, Regulation] = Field(
        description="法规名（带书名号）→ 版本，如 《中国共产党纪律处分条例》: {current: 2023}"
    )


# ---------------------------------------------------------------- what is generated from them

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "schedules.schema.json": SchedulesFile,
    "quiz-bank.schema.json": QuestionBankFile,
    "regulations.schema.json": RegulationsFile,
}
"""The files written to `docs/schema/`, each with the model it is generated from."""


class _Generator(GenerateJsonSchema):
    """Pydantic's JSON Schema without the per-field titles it makes up from the key names."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def generate(self, schema: CoreSchema, mode: Any = "validation") -> JsonSchemaValue:
        generated = super().generate(schema, mode=mode)
        return {"$schema": JSON_SCHEMA_DIALECT, **generated}


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file's model."""
    return model.model_json_schema(schema_generator=_Generator)


def json_schema_text(model: type[BaseModel]) -> str:
    """The JSON Schema as it is committed: indented, Chinese unescaped, ending in a newline."""
    return json.dumps(json_schema(model), ensure_ascii=False, indent=2) + "\n"


def reference_table(model: type[BaseModel]) -> str:
    """The Markdown table (字段 | 类型 | 必填 | 说明) of every field of a file, nested ones too."""
    schema = json_schema(model)
    rows = ["| 字段 | 类型 | 必填 | 说明 |", "|---|---|---|---|"]
    rows += _rows(schema, schema.get("$defs", {}), "")
    return "\n".join(rows) + "\n"


def _rows(schema: dict[str, Any], defs: dict[str, Any], prefix: str) -> list[str]:
    rows = []
    required = set(schema.get("required", ()))
    for key, field in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        kind = _kind(field, defs)
        meaning = field.get("description", "").replace("|", "\\|")
        rows.append(f"| `{path}` | {kind} | {'是' if key in required else '否'} | {meaning} |")
        for nested, suffix in _nested(field, defs):
            rows += _rows(nested, defs, f"{path}{suffix}.")
    return rows


def _nested(field: dict[str, Any], defs: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """The mappings a field may hold, each with its path suffix ('' or '[]')."""
    found = []
    for option in field.get("anyOf", [field]):
        if "$ref" in option:
            found.append((_resolve(option, defs), ""))
        elif option.get("type") == "array" and "$ref" in option.get("items", {}):
            found.append((_resolve(option["items"], defs), "[]"))
    return found


def _resolve(reference: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = defs[reference["$ref"].rsplit("/", 1)[-1]]
    return resolved


def _kind(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    """A field's type in words, e.g. 整数 0～168, 文本，最长 64 字, 键值对."""
    if "$ref" in schema:
        resolved = _resolve(schema, defs)
        return _kind(resolved, defs) if "enum" in resolved else "键值对"
    if "anyOf" in schema:
        kinds = [_kind(option, defs) for option in schema["anyOf"] if option != {"type": "null"}]
        return " 或 ".join(dict.fromkeys(kinds))
    if "enum" in schema and len(schema["enum"]) > MAX_LISTED_VALUES:
        return "文本（可写的值见说明）"
    if "enum" in schema:
        return "、".join(f"`{value}`" for value in schema["enum"]) + " 之一"
    if "const" in schema:
        return f"`{schema['const']}`"
    kind = schema.get("type")
    if kind == "array":
        items = _kind(schema.get("items", {}), defs)
        count = _range(schema.get("minItems"), schema.get("maxItems"), "项")
        return f"列表（每项：{items}）" + (f"，{count}" if count else "")
    if kind == "integer":
        span = _range(schema.get("minimum"), schema.get("maximum"), "")
        return "整数" + (f" {span}" if span else "")
    if kind == "object":
        return "键值对"
    if kind in ("string", ["string", "number"], ["string", "integer"]):
        longest = schema.get("maxLength")
        return "文本" + (f"，最长 {longest} 字" if longest else "")
    return str(kind)


def _range(low: int | None, high: int | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{low}～{high}{' ' + unit if unit else ''}"
    if low is not None and low > 1:
        return f"至少 {low}{' ' + unit if unit else ''}"
    if high is not None:
        return f"至多 {high}{' ' + unit if unit else ''}"
    return ""


TABLE_START = "<!-- schema-table:{name} 由 python bot.py schema 生成，请勿手改 -->"
TABLE_END = "<!-- /schema-table -->"
DOC_TABLES: dict[str, tuple[str, type[BaseModel]]] = {
    "schedules.md": ("schedules", SchedulesFile),
    "quiz-bank-format.md": ("quiz-bank", QuestionBankFile),
}
"""The docs whose reference table is generated: the marker name and the model."""


def with_reference_table(document: str, name: str, model: type[BaseModel]) -> str:
    """`document` with the text between its table markers replaced by the generated table."""
    start = TABLE_START.format(name=name)
    if start not in document or TABLE_END not in document:
        raise ValueError(f"the document has no {start} … {TABLE_END} markers")
    head, rest = document.split(start, 1)
    _, tail = rest.split(TABLE_END, 1)
    return f"{head}{start}\n{reference_table(model)}{TABLE_END}{tail}"


def generated_files(home: Path) -> dict[Path, str]:
    """Every file `python bot.py schema` writes under the project at `home`, with its text."""
    files = {home / SCHEMA_DIR / name: json_schema_text(m) for name, m in SCHEMA_FILES.items()}
    for doc, (name, model) in DOC_TABLES.items():
        path = home / "docs" / doc
        files[path] = with_reference_table(path.read_text(encoding="utf-8"), name, model)
    return files
