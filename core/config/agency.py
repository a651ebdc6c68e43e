"""The agency's configuration in `schedules.yaml`: time zone, branches, push schedules and
the declared holidays.

The shape of the file is `schema.SchedulesFile`; what it cannot see from one field (a time
zone's name, repeated ids, branches and tags named in `to`, days in both calendar lists…) is
checked after it, on the same document, so every problem names its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import messages
from core.config import schema
from core.config.branches import Branch
from core.config.points_rule import DEFAULT_POINTS, PointsRule
from core.config.schedules import (
    DEFAULT_TIMEZONE,
    Schedule,
    build_schedule,
    check_schedules,
    parse_calendar,
    schedule_message,
    time_message,
    time_of_day,
    worded_after,
)
from core.config.schema import (
    DEFAULT_CATCH_UP_HOURS,
    DEFAULT_GROUP_QUIZ_DURATION,
    SchedulesFile,
    group_quiz_duration,
)
from core.config.yaml_loader import (
    MISSPELT,
    ConfigErrors,
    ConfigProblem,
    Field,
    ModelError,
    describe,
    load_yaml,
    not_text,
    validate_document,
)
from core.dates.quiet_hours import NIGHT, QuietHours
from core.dates.workdays import NO_DECLARED_DAYS, DeclaredDays
from core.store.meeting_records import DEFAULT_CADENCE

SCHEDULES_FILE = "schedules.yaml"
DEFAULT_TERM_YEARS = 3  # 机关 branches: 支部委员会每届任期 3 年
TOP_LEVEL_KEYS = tuple(SchedulesFile.model_fields)
BRANCH_KEYS = tuple(schema.Branch.model_fields)


@dataclass(frozen=True)
class Greetings:
    """What the bot sends from the dates on the 名单 (`greetings:`), and when."""

    political_birthday: bool = True
    probation: bool = True
    at: time = time(9, 0)


@dataclass(frozen=True)
class AgencyConfig:
    """Everything `schedules.yaml` declares."""

    timezone: ZoneInfo | None
    branches: tuple[Branch, ...]
    schedules: tuple[Schedule, ...] = ()
    # After downtime, pushes missed by at most this many hours are still sent.
    catch_up_hours: int = DEFAULT_CATCH_UP_HOURS
    # How study points (积分) are earned; see core/reports/points.py.
    points: PointsRule = DEFAULT_POINTS
    # Days off and 调休 workdays the admins declared; they win over chinesecalendar.
    calendar: DeclaredDays = NO_DECLARED_DAYS
    greetings: Greetings = Greetings()
    # When nothing is sent (夜间免打扰); what falls due then waits for the end.
    quiet_hours: QuietHours = NIGHT
    # How long a /groupquiz that names no duration stays open.
    group_quiz_duration: timedelta = DEFAULT_GROUP_QUIZ_DURATION
    # How often each kind of meeting must be held (每月, 每季度, 不要求).
    cadence: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CADENCE))

    def branch(self, branch_id: str) -> Branch | None:
        """The branch with this id, if declared."""
        return next((b for b in self.branches if b.id == branch_id), None)

    def schedule(self, schedule_id: str) -> Schedule | None:
        """The schedule with this id, if declared."""
        return next((s for s in self.schedules if s.id == schedule_id), None)


def load_agency_config(config_dir: Path) -> AgencyConfig:
    """Read and validate `schedules.yaml`; raise `ConfigErrors` listing every problem."""
    path = config_dir / SCHEDULES_FILE
    return parse_agency_config(load_yaml(path, SCHEDULES_FILE), SCHEDULES_FILE)


def parse_agency_config(document: object, file: str) -> AgencyConfig:
    """Validate a parsed `schedules.yaml` document; raise `ConfigErrors` listing every problem."""
    if document is None:
        raise ConfigErrors([ConfigProblem(file, 1, "", "文件为空，至少需要声明 branches")])
    shape, errors = validate_document(SchedulesFile, file, document)
    if any(error.top_level for error in errors):  # not a mapping: nothing in it is read
        raise ConfigErrors([error.problem() for error in errors])
    assert isinstance(document, dict)
    shown = [error for error in errors if not worded_after(error, document)]
    problems = [error.problem(_message(error)) for error in shown]
    root = Field.root(file, document)
    refused = {error.loc for error in errors}
    zone = _check_timezone(root.child("timezone"), refused)
    branches = _declared_branches(root.child("branches"), errors)
    reported = {error.node.path for error in shown}
    check_schedules(root.child("schedules"), branches, refused, reported)
    calendar_refused = frozenset(
        error.node.path for error in errors if error.loc[:1] == ("calendar",)
    )
    calendar = parse_calendar(root.child("calendar"), calendar_refused)
    problems += root.problems
    if problems or shape is None:
        raise ConfigErrors(problems or [error.problem() for error in errors])
    return AgencyConfig(
        timezone=zone,
        branches=tuple(_branch(entry) for entry in shape.branches),
        schedules=tuple(
            build_schedule(entry, zone or DEFAULT_TIMEZONE) for entry in shape.schedules or ()
        ),
        catch_up_hours=(
            DEFAULT_CATCH_UP_HOURS if shape.catch_up_hours is None else shape.catch_up_hours
        ),
        points=_points(shape.points),
        calendar=calendar,
        greetings=_greetings(shape.greetings),
        quiet_hours=_quiet_hours(shape.quiet_hours),
        group_quiz_duration=_group_quiz_duration(shape.group_quiz_duration),
        cadence={**DEFAULT_CADENCE, **(shape.cadence or {})},
    )


def _quiet_hours(shape: schema.QuietHours | None) -> QuietHours:
    if shape is None:
        return NIGHT
    return QuietHours(time_of_day(shape.start), time_of_day(shape.end))


def _group_quiz_duration(text: str | None) -> timedelta:
    duration = group_quiz_duration(text) if text is not None else None
    return duration or DEFAULT_GROUP_QUIZ_DURATION


def _message(error: ModelError) -> str | None:
    """The wording of `schedules.yaml` for an error of its model; None for the common one."""
    value, kind, loc = error.node.value, error.kind, error.loc
    if kind == MISSPELT:
        return None  # a misspelt key is said the same way everywhere
    if loc[:1] == ("branches",):
        if len(loc) == 1 and kind == "too_short":
            return "至少需要声明一个支部"
        if error.key == "id" and kind == "string_pattern_mismatch":
            rule = "只能用小写字母、数字、- 和 _，以字母或数字开头，最长 32 个字符"
            return not_text(value) or f"支部 id '{str(value).strip()}' {rule}"
        return None
    if loc[:1] in (("schedules",), ("calendar",)):
        return schedule_message(error)
    if loc[:1] == ("quiet_hours",) and error.key in ("start", "end"):
        return time_message(value)
    if loc == ("group_quiz_duration",):
        return f"{messages.GROUP_QUIZ_BAD_DURATION}实际是 {describe(value)}"
    return None


def _check_timezone(node: Field, refused: set[tuple[int | str, ...]]) -> ZoneInfo | None:
    if node.value is None or ("timezone",) in refused:
        return None
    name = str(node.value).strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Asia" is a folder
        node.error(f"未知的时区 '{name}'，例如应写 Asia/Shanghai")
        return None


def _declared_branches(node: Field, errors: list[ModelError]) -> list[Branch]:
    """The branches `to` may name: each with an id and a name the model took, the first of each
    id, with the tags the model took."""
    if not isinstance(node.value, list):
        return []
    refused = {error.node.path for error in errors if error.loc[:1] == ("branches",)}
    branches: list[Branch] = []
    for item in node.items():
        if not isinstance(item.value, dict) or {item.path, *_paths(item, "id", "name")} & refused:
            continue
        branch_id = str(item.value["id"]).strip()
        if any(branch.id == branch_id for branch in branches):
            item.child("id").error(f"支部 id '{branch_id}' 重复")
            continue
        tags = item.child("tags")
        items = tags.sequence() if isinstance(tags.value, list) else [tags]
        taken = [tag for tag in items if tag.path not in refused and tag.value is not None]
        tag_names = frozenset(str(tag.value).strip() for tag in taken)
        branches.append(Branch(id=branch_id, name=str(item.value["name"]), tags=tag_names))
    return branches


def _points(shape: schema.Points | None) -> PointsRule:
    """The rule declared, each point not written taken from the defaults."""
    written = shape.model_dump(exclude_none=True) if shape else {}
    return replace(DEFAULT_POINTS, **written)


def _greetings(shape: schema.Greetings | None) -> Greetings:
    """The greetings declared, each one not written on (at 09:00 unless `at` says)."""
    if shape is None:
        return Greetings()
    hour, minute = (shape.at or "09:00").strip().split(":")
    return Greetings(
        political_birthday=shape.political_birthday is not False,
        probation=shape.probation is not False,
        at=time(int(hour), int(minute)),
    )


def _paths(item: Field, *keys: str) -> list[str]:
    return [item.child(key).path for key in keys]


def _branch(shape: schema.Branch) -> Branch:
    """The frozen branch, from one the model and the checks after it accepted."""
    tags = [shape.tags] if isinstance(shape.tags, str) else shape.tags or []
    return Branch(
        id=shape.id,
        name=shape.name,
        tags=frozenset(tags),
        secretary_ids=frozenset(shape.secretaries or ()),
        quiz_exempt=bool(shape.quiz_exempt),
        meetings_not_required=frozenset(shape.meetings_not_required or ()),
        term_ends=_term_end(shape.term),
    )


def _term_end(term: schema.Term | None) -> date | None:
    """The day a term ends: the election's date, `years` later (29 February: the 28th)."""
    if term is None:
        return None
    years = term.years or DEFAULT_TERM_YEARS
    elected = term.elected
    try:
        return elected.replace(year=elected.year + years)
    except ValueError:
        return elected.replace(year=elected.year + years, day=28)
