"""The agency's configuration in `schedules.yaml`: time zone, branches, push schedules and
the declared holidays."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.config.branches import Branch
from core.config.points_rule import DEFAULT_POINTS, PointsRule, parse_points
from core.config.schedules import Schedule, parse_calendar, parse_schedules
from core.config.yaml_loader import ConfigErrors, Field, document_root, load_yaml
from core.dates.workdays import NO_DECLARED_DAYS, DeclaredDays

SCHEDULES_FILE = "schedules.yaml"
BRANCH_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
TOP_LEVEL_KEYS = ("timezone", "catch_up_hours", "points", "calendar", "branches", "schedules")
DEFAULT_CATCH_UP_HOURS = 12
BRANCH_KEYS = ("id", "name", "tags", "secretaries")


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
    """Validate a parsed `schedules.yaml` document."""
    root = document_root(file, document, TOP_LEVEL_KEYS, "branches")
    timezone = _parse_timezone(root.child("timezone"))
    catch_up = root.child("catch_up_hours").integer(0, 168, required=False)
    points = parse_points(root.child("points"))
    calendar = parse_calendar(root.child("calendar"))
    branches = _parse_branches(root.child("branches"))
    schedules = parse_schedules(root.child("schedules"), branches, timezone)
    if root.problems:
        raise ConfigErrors(root.problems)
    return AgencyConfig(
        timezone=timezone,
        branches=tuple(branches),
        schedules=tuple(schedules),
        catch_up_hours=DEFAULT_CATCH_UP_HOURS if catch_up is None else catch_up,
        points=points,
        calendar=calendar,
    )


def _parse_timezone(node: Field) -> ZoneInfo | None:
    name = node.text(required=False)
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Asia" is a folder
        node.error(f"未知的时区 '{name}'，例如应写 Asia/Shanghai")
        return None


def _parse_branches(node: Field) -> list[Branch]:
    branches: list[Branch] = []
    seen: set[str] = set()
    items = node.sequence()
    if node.value is not None and isinstance(node.value, list) and not items:
        node.error("至少需要声明一个支部")
    for item in items:
        branch = _parse_branch(item)
        if branch is None:
            continue
        if branch.id in seen:
            item.child("id").error(f"支部 id '{branch.id}' 重复")
            continue
        seen.add(branch.id)
        branches.append(branch)
    return branches


def _parse_branch(node: Field) -> Branch | None:
    if not node.check_keys(BRANCH_KEYS):
        return None
    id_field = node.child("id")
    branch_id = id_field.text()
    if branch_id is not None and not BRANCH_ID_PATTERN.match(branch_id):
        id_field.error(
            f"支部 id '{branch_id}' 只能用小写字母、数字、- 和 _，以字母或数字开头，最长 32 个字符"
        )
        branch_id = None
    name = node.child("name").text(max_length=64)
    tags = frozenset(node.child("tags").text_list())
    secretaries = _parse_user_ids(node.child("secretaries"))
    if branch_id is None or name is None:
        return None
    return Branch(id=branch_id, name=name, tags=tags, secretary_ids=secretaries)


def _parse_user_ids(node: Field) -> frozenset[int]:
    ids: set[int] = set()
    for item in node.sequence(required=False):
        value = item.integer(1, 10**15)
        if value is not None:
            ids.add(value)
    return frozenset(ids)
