"""The planner: the shipped schedules walked over 2026, holiday moves, and the preview text."""

import dataclasses
import shutil
from datetime import date, datetime, time
from pathlib import Path

import pytest

from core.config.agency import AgencyConfig, load_agency_config
from core.config.branches import Branch
from core.config.schedules import PromptAction, Schedule, Target
from core.dates.recurrence import HolidayPolicy, MonthlyOnDay, Once, Weekly
from core.dates.workdays import DeclaredDays, WorkCalendar, days_between
from core.scheduling.planner import PlannedPush, format_preview, next_push_time, plan
from tests.botprocess import run_cli
from tests.conftest import PROJECT
from tests.conftest import SHANGHAI as TZ

YEAR_START = datetime(2026, 1, 1, tzinfo=TZ)
YEAR_END = datetime(2027, 1, 1, tzinfo=TZ)


@pytest.fixture(scope="module")
def shipped() -> AgencyConfig:
    return load_agency_config(PROJECT)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture(scope="module")
def year(shipped: AgencyConfig, calendar: WorkCalendar) -> list[PlannedPush]:
    return plan(shipped, calendar, TZ, YEAR_START, YEAR_END)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def find(pushes: list[PlannedPush], schedule_id: str, nominal: datetime) -> list[PlannedPush]:
    return [p for p in pushes if p.schedule_id == schedule_id and p.nominal == nominal]


# ---------------------------------------------------------------- the shipped year


def test_the_year_is_planned_sorted_and_in_the_window(year: list[PlannedPush]) -> None:
    assert year == sorted(year)
    assert all(YEAR_START <= p.actual < YEAR_END for p in year)
    # Monthly prompts, study and quiz go to all four branches every month.
    assert len([p for p in year if p.schedule_id == "theme-day-notice"]) == 12 * 4
    assert len([p for p in year if p.schedule_id == "quiz-monthly"]) == 12 * 4


def test_national_day_theme_notice_moves_to_8_october(year: list[PlannedPush]) -> None:
    pushes = find(year, "theme-day-notice", at(date(2026, 10, 1), 9))
    assert {p.branch_id for p in pushes} == {"office", "policy", "finance", "retired"}
    for push in pushes:
        assert push.actual == at(date(2026, 10, 8), 9)
        assert push.reason == "国庆节"
        assert push.moved
    assert pushes[0].key == f"theme-day-notice/{pushes[0].branch_id}/2026-10-01T09:00"


def test_spring_festival_quiz_moves_to_the_first_workday_after(year: list[PlannedPush]) -> None:
    # 2026-02-15..23 is the Spring Festival holiday; 2026-02-24 (Tuesday) is the next workday.
    push = find(year, "quiz-monthly", at(date(2026, 2, 15), 10))[0]
    assert push.actual == at(date(2026, 2, 24), 10)
    assert push.reason == "春节"
    moved_by_festival = [p for p in year if p.reason == "春节"]
    assert moved_by_festival
    assert all(p.actual.date() == date(2026, 2, 24) for p in moved_by_festival)


def test_pushes_land_on_make_up_weekend_workdays(
    year: list[PlannedPush], calendar: WorkCalendar
) -> None:
    # 调休: Saturday 2026-10-10 and Saturday 2026-02-28 are workdays, so nothing moves.
    on_saturdays = {p.actual for p in year if p.actual.weekday() == 5}
    assert at(date(2026, 10, 10), 9) in on_saturdays  # party-group-meeting, day 10
    assert at(date(2026, 2, 28), 15) in on_saturdays  # month-end-check, day 28
    for moment in on_saturdays:
        assert calendar.is_workday(moment.date())
    group = find(year, "party-group-meeting", at(date(2026, 10, 10), 9))[0]
    assert not group.moved and group.reason is None
    # Sunday 2026-01-04 is a make-up workday: the 1 January notice lands there.
    new_year = find(year, "theme-day-notice", at(date(2026, 1, 1), 9))[0]
    assert new_year.actual == at(date(2026, 1, 4), 9)
    assert new_year.reason == "元旦"


def test_previous_workday_moves_back(year: list[PlannedPush]) -> None:
    # 2026-03-28 is a Saturday; month-end-check uses previous_workday.
    push = find(year, "month-end-check", at(date(2026, 3, 28), 15))[0]
    assert push.actual == at(date(2026, 3, 27), 15)
    assert push.reason == "周末"


def test_no_push_lands_on_a_non_workday(
    shipped: AgencyConfig, year: list[PlannedPush], calendar: WorkCalendar
) -> None:
    moving = {
        s.id
        for s in shipped.schedules
        if s.holidays in (HolidayPolicy.NEXT_WORKDAY, HolidayPolicy.PREVIOUS_WORKDAY)
    }
    checked = [p for p in year if p.schedule_id in moving]
    assert checked
    offenders = [p for p in checked if not calendar.is_workday(p.actual.date())]
    assert offenders == []


def test_push_keys_are_unique_over_the_year(year: list[PlannedPush]) -> None:
    keys = [p.key for p in year]
    assert len(keys) == len(set(keys))


def test_consecutive_windows_add_up_to_the_year(
    shipped: AgencyConfig, calendar: WorkCalendar, year: list[PlannedPush]
) -> None:
    # A move across a window edge (1 October -> 8 October) is planned exactly once.
    cut = datetime(2026, 10, 5, tzinfo=TZ)
    first = plan(shipped, calendar, TZ, YEAR_START, cut)
    second = plan(shipped, calendar, TZ, cut, YEAR_END)
    assert first + second == year
    assert find(second, "theme-day-notice", at(date(2026, 10, 1), 9))


def test_next_push_time(shipped: AgencyConfig, calendar: WorkCalendar) -> None:
    during_holiday = datetime(2026, 10, 2, 12, tzinfo=TZ)
    assert next_push_time(shipped, calendar, TZ, during_holiday) == at(date(2026, 10, 8), 9)
    assert next_push_time(shipped, calendar, TZ, at(date(2026, 10, 8), 9)) == at(
        date(2026, 10, 8), 9, 30
    )
    empty = AgencyConfig(timezone=TZ, branches=shipped.branches)
    assert next_push_time(empty, calendar, TZ, during_holiday) is None


# ---------------------------------------------------------------- preview


PREVIEW_BLOCK = """\
  2026-09-28 15:00  month-end-check
  2026-10-05 09:00 → 2026-10-08 09:00 (国庆节)  committee-meeting
  2026-10-01 09:00 → 2026-10-08 09:00 (国庆节)  theme-day-notice
  2026-10-08 09:30  general-meeting
  2026-10-05 09:30 → 2026-10-08 09:30 (国庆节)  study-monthly
  2026-10-10 09:00  party-group-meeting"""

EXPECTED_PREVIEW = f"""\
办公室党支部（office）
{PREVIEW_BLOCK}

政策法规处党支部（policy）
{PREVIEW_BLOCK}

财务处党支部（finance）
{PREVIEW_BLOCK}

离退休干部党支部（retired）
{PREVIEW_BLOCK}
  2026-10-14 09:00  retiree-visit"""


def test_preview_around_national_day(shipped: AgencyConfig, calendar: WorkCalendar) -> None:
    start, end = datetime(2026, 9, 25, tzinfo=TZ), datetime(2026, 10, 15, tzinfo=TZ)
    pushes = plan(shipped, calendar, TZ, start, end)
    preview = format_preview(shipped, pushes)
    assert preview == EXPECTED_PREVIEW
    # Exactly one line per planned push, nothing else besides headers and separators.
    push_lines = [line for line in preview.splitlines() if line.startswith("  ")]
    assert len(push_lines) == len(pushes)
    for push in pushes:
        assert any(line.endswith(f"  {push.schedule_id}") for line in push_lines)


def test_preview_shows_branches_with_nothing_planned() -> None:
    office, retired = Branch("office", "办公室党支部"), Branch("retired", "离退休干部党支部")
    notice = Schedule(
        id="notice",
        when=MonthlyOnDay(1, time(9, 0)),
        holidays=HolidayPolicy.NEXT_WORKDAY,
        target=Target(everyone=False, branch_ids=frozenset({"office"})),
        action=PromptAction("{branch}"),
    )
    config = AgencyConfig(timezone=TZ, branches=(office, retired), schedules=(notice,))
    pushes = plan(
        config,
        WorkCalendar(),
        TZ,
        datetime(2026, 11, 1, tzinfo=TZ),
        datetime(2026, 11, 30, tzinfo=TZ),
    )
    assert format_preview(config, pushes) == (
        "办公室党支部（office）\n"
        "  2026-11-01 09:00 → 2026-11-02 09:00 (周末)  notice\n"
        "\n"
        "离退休干部党支部（retired）\n"
        "  （无）"
    )
    assert format_preview(config, []) == (
        "办公室党支部（office）\n  （无）\n\n离退休干部党支部（retired）\n  （无）"
    )


# ---------------------------------------------------------------- policies with a local config


def local_config(*schedules: Schedule) -> AgencyConfig:
    branches = (
        Branch("office", "办公室党支部", frozenset({"综合"})),
        Branch("policy", "政策法规处党支部", frozenset({"业务"})),
    )
    return AgencyConfig(timezone=TZ, branches=branches, schedules=schedules)


def saturday_schedule(policy: HolidayPolicy) -> Schedule:
    return Schedule(
        id=f"saturday-{policy.value}",
        when=Weekly(5, time(10, 0)),
        holidays=policy,
        target=Target(everyone=False, tags=frozenset({"业务"})),
        action=PromptAction("{branch}"),
    )


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # 2026-10-03 is 国庆节; 2026-10-10 is a 调休 Saturday (a workday).
        (
            HolidayPolicy.NEXT_WORKDAY,
            [("2026-10-03", "2026-10-08", "国庆节"), ("2026-10-10", "2026-10-10", None)],
        ),
        (
            HolidayPolicy.PREVIOUS_WORKDAY,
            [("2026-10-03", "2026-09-30", "国庆节"), ("2026-10-10", "2026-10-10", None)],
        ),
        (HolidayPolicy.SKIP, [("2026-10-10", "2026-10-10", None)]),
        (
            HolidayPolicy.IGNORE,
            [("2026-10-03", "2026-10-03", None), ("2026-10-10", "2026-10-10", None)],
        ),
    ],
)
def test_holiday_policies_on_a_saturday_rule(
    policy: HolidayPolicy, expected: list[tuple[str, str, str | None]]
) -> None:
    config = local_config(saturday_schedule(policy))
    pushes = plan(
        config,
        WorkCalendar(),
        TZ,
        datetime(2026, 9, 29, tzinfo=TZ),
        datetime(2026, 10, 12, tzinfo=TZ),
    )
    assert {p.branch_id for p in pushes} == {"policy"}  # selected by tag
    assert [
        (f"{p.nominal:%Y-%m-%d}", f"{p.actual:%Y-%m-%d}", p.reason) for p in pushes
    ] == expected


def test_once_pushes_once_and_keys_by_nominal_time() -> None:
    once = Schedule(
        id="annual-review",
        when=Once(datetime(2026, 10, 1, 9, tzinfo=TZ)),
        holidays=HolidayPolicy.NEXT_WORKDAY,
        target=Target(everyone=True),
        action=PromptAction("{branch}"),
    )
    pushes = plan(local_config(once), WorkCalendar(), TZ, YEAR_START, YEAR_END)
    assert [p.key for p in pushes] == [
        "annual-review/office/2026-10-01T09:00",
        "annual-review/policy/2026-10-01T09:00",
    ]
    assert all(p.actual == at(date(2026, 10, 8), 9) for p in pushes)


def test_planned_push_properties() -> None:
    nominal = at(date(2026, 10, 1), 9)
    moved = PlannedPush(at(date(2026, 10, 8), 9), "office", "x", nominal, "国庆节")
    still = PlannedPush(nominal, "office", "x", nominal, None)
    assert moved.moved and not still.moved
    assert moved.key == still.key == "x/office/2026-10-01T09:00"
    assert sorted([moved, still]) == [still, moved]


def test_the_preview_command_prints_the_planned_year(
    shipped: AgencyConfig, calendar: WorkCalendar
) -> None:
    result = run_cli("schedule", "--from", "2026-01-01", "--days", "365")
    assert result.returncode == 0, result.stderr
    start = datetime(2026, 1, 1, tzinfo=TZ)
    expected = format_preview(
        shipped, plan(shipped, calendar, TZ, start, datetime(2027, 1, 1, tzinfo=TZ))
    )
    assert result.stdout.rstrip("\n") == expected
    assert "2026-10-01 09:00 → 2026-10-08 09:00 (国庆节)  theme-day-notice" in result.stdout
    assert "(春节)" in result.stdout


# ---------------------------------------------------------------- years past chinesecalendar

YEAR_2027 = (datetime(2027, 1, 1, tzinfo=TZ), datetime(2028, 1, 1, tzinfo=TZ))
# Statutory days off in 2027 that any rule must keep free (元旦, 春节 初一–初三, 劳动节, 国庆节).
DAYS_OFF_2027 = {
    date(2027, 1, 1),
    date(2027, 2, 6),
    date(2027, 2, 7),
    date(2027, 2, 8),
    date(2027, 5, 1),
    date(2027, 10, 1),
    date(2027, 10, 2),
    date(2027, 10, 3),
}
DECLARED_2027 = DeclaredDays(
    holidays=frozenset(
        [
            *days_between(date(2027, 2, 5), date(2027, 2, 11)),
            *days_between(date(2027, 10, 1), date(2027, 10, 7)),
        ]
    ),
    workdays=frozenset({date(2027, 2, 14), date(2027, 10, 9)}),
)


def test_2027_by_rule_keeps_statutory_holidays_free(shipped: AgencyConfig) -> None:
    pushes = plan(shipped, WorkCalendar(), TZ, *YEAR_2027)
    assert pushes and not [p for p in pushes if p.actual.date() in DAYS_OFF_2027]
    notice = find(pushes, "theme-day-notice", at(date(2027, 1, 1), 9))[0]
    assert notice.actual == at(date(2027, 1, 4), 9)
    assert notice.reason == "元旦（按法定假日推算）"
    national = find(pushes, "theme-day-notice", at(date(2027, 10, 1), 9))[0]
    assert national.actual == at(date(2027, 10, 6), 9)  # after the rule's two 补假 days


def test_declared_days_win_in_the_plan(shipped: AgencyConfig) -> None:
    saturdays_skipped = saturday_schedule(HolidayPolicy.SKIP)
    config = dataclasses.replace(
        shipped, calendar=DECLARED_2027, schedules=(*shipped.schedules, saturdays_skipped)
    )
    pushes = plan(config, WorkCalendar().declaring(config.calendar), TZ, *YEAR_2027)
    assert not [p for p in pushes if p.actual.date() in DAYS_OFF_2027]
    national = find(pushes, "theme-day-notice", at(date(2027, 10, 1), 9))[0]
    assert (national.actual, national.reason) == (at(date(2027, 10, 8), 9), "国庆节")
    group = find(pushes, "party-group-meeting", at(date(2027, 2, 10), 9))[0]
    assert (group.actual, group.reason) == (at(date(2027, 2, 12), 9), "春节")
    saturdays = {p.actual.date() for p in pushes if p.schedule_id == "saturday-skip"}
    assert saturdays == {date(2027, 10, 9)}  # the only Saturday declared a workday


def preview_dates(output: str) -> set[date]:
    """The actual day of every push line of a preview (after the arrow when it moved)."""
    days = set()
    for line in output.splitlines():
        if line.startswith("  20"):
            text = line.split("→")[-1].split()[0]
            days.add(date.fromisoformat(text))
    return days


def test_the_preview_of_2027_marks_estimated_holidays(shipped: AgencyConfig) -> None:
    result = run_cli("schedule", "--from", "2027-01-01", "--days", "365")
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == format_preview(
        shipped, plan(shipped, WorkCalendar(), TZ, *YEAR_2027)
    )
    assert preview_dates(result.stdout) and not preview_dates(result.stdout) & DAYS_OFF_2027
    assert (
        "  2027-01-01 09:00 → 2027-01-04 09:00 (元旦（按法定假日推算）)  theme-day-notice"
        in result.stdout
    )


def test_the_preview_uses_the_calendar_block(tmp_path: Path) -> None:
    shipped = (PROJECT / "schedules.yaml").read_text(encoding="utf-8")
    block = "# calendar:\n#   holidays: [2027-02-05..2027-02-11, 2027-10-01..2027-10-07]\n"
    block += "#   workdays: [2027-02-14, 2027-10-09]\n"
    assert block in shipped
    (tmp_path / "schedules.yaml").write_text(
        shipped.replace(block, block.replace("# ", "").replace("#", "")), encoding="utf-8"
    )
    shutil.copytree(PROJECT / "quizzes", tmp_path / "quizzes")
    result = run_cli("schedule", "--from", "2027-01-01", "--days", "365", CONFIG_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert not preview_dates(result.stdout) & DAYS_OFF_2027
    assert "  2027-10-01 09:00 → 2027-10-08 09:00 (国庆节)  theme-day-notice" in result.stdout
    assert "  2027-02-10 09:00 → 2027-02-12 09:00 (春节)  party-group-meeting" in result.stdout
    assert "(元旦（按法定假日推算）)" in result.stdout  # not declared: still by rule
