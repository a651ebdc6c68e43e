"""The bot's offline commands: check the YAML, preview the schedule, export a 台账.

None of them needs a token or the network; `bot.py` dispatches to them.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.clock import configured_clock
from core.config.loading import Configuration, check_configuration, load_configuration
from core.config.schema import generated_files
from core.config.settings import Settings, settings_from_environment
from core.config.yaml_loader import ConfigErrors
from core.dates.periods import Period, parse_period
from core.dates.workdays import WorkCalendar
from core.errors import DataFileError, UserError
from core.organization.branches import Organization
from core.reports.requests import export_file_name
from core.reports.service import Reports
from core.scheduling.planner import format_preview, plan
from core.store.database import Store


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="bot.py",
        description="Telegram study bot for party branches. Without a command, runs the bot.",
        epilog="Configuration comes from the environment or a .env file; see README.md.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="run the bot with long polling (the default)")
    commands.add_parser(
        "check", help="validate every YAML file the bot reads; exit 1 listing all errors"
    )
    commands.add_parser(
        "schema",
        help="write docs/schema/*.schema.json and the field tables in docs/ from the models",
    )
    schedule = commands.add_parser("schedule", help="print every planned push per branch")
    schedule.add_argument(
        "--from", dest="start", type=date.fromisoformat, help="first day (default: today)"
    )
    schedule.add_argument("--days", type=int, default=90, help="how many days (default 90)")
    export = commands.add_parser(
        "export",
        help="write a branch's 台账 of a month, quarter or year as .xlsx, like /export",
        description="Reads the data directory without writing or locking it, "
        "so it also works while the bot is running.",
    )
    export.add_argument("--branch", required=True, help="branch id, as in schedules.yaml")
    export.add_argument(
        "--period",
        "--month",
        required=True,
        type=period_argument,
        help="YYYY-MM, YYYYQn or YYYY (2026-11, 2026Q4, 2026)",
    )
    export.add_argument("--maker", default="", help="制表人: the name on the first sheet")
    export.add_argument("--out", type=Path, help="file to write (default: <name>-<period>.xlsx)")
    return parser


def period_argument(text: str) -> Period:
    """argparse type for --period."""
    try:
        return parse_period(text)
    except UserError as error:
        raise argparse.ArgumentTypeError(error.message) from error


def check(home: Path) -> int:
    """`python bot.py check`: print each problem with file, line and field."""
    settings = settings_from_environment(home=home, require_token=False)
    summaries, problems = check_configuration(settings.config_dir)
    for summary in summaries:
        print(f"OK  {summary}")
    for problem in problems:
        print(problem)
    if problems:
        print(f"发现 {len(problems)} 处错误，配置未通过检查。", file=sys.stderr)
        return 1
    return 0


def write_schema(home: Path) -> int:
    """`python bot.py schema`: regenerate the JSON Schemas and the docs' field tables."""
    for path, text in generated_files(home).items():
        shown = path.relative_to(home)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            print(f"unchanged  {shown}")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote      {shown}")
    return 0


def load_config(home: Path) -> tuple[Settings, Configuration, ZoneInfo] | None:
    """Settings, the agency's configuration and time zone; None after printing why not."""
    settings = settings_from_environment(home=home, require_token=False)
    try:
        configuration = load_configuration(settings.config_dir)
    except ConfigErrors as errors:
        print(errors, file=sys.stderr)
        return None
    return settings, configuration, configuration.agency.timezone or settings.timezone


def preview(home: Path, start: date | None, days: int) -> int:
    """`python bot.py schedule`: the pushes of the coming days, with holiday moves explained."""
    loaded = load_config(home)
    if loaded is None:
        return 1
    _, configuration, timezone = loaded
    agency = configuration.agency
    first = datetime.combine(start or datetime.now(timezone).date(), time(), timezone)
    calendar = WorkCalendar(agency.calendar)
    pushes = plan(agency, calendar, timezone, first, first + timedelta(days=days))
    print(format_preview(agency, pushes))
    return 0


def export(home: Path, branch_id: str, period: Period, maker: str, out: Path | None) -> int:
    """`python bot.py export`: /export from the command line, no token needed.

    The store is opened read-only and without its process lock: every data file is
    replaced atomically, so reading while the bot runs is safe, and nothing is written.
    """
    loaded = load_config(home)
    if loaded is None:
        return 1
    settings, configuration, timezone = loaded
    # Its "today" (which months have begun, the 日期 line) is the bot's, a test's file clock too.
    clock = configured_clock(settings.fake_clock_file, timezone)
    try:
        store = Store(settings.data_dir, timezone, read_only=True)
        try:
            organization = Organization(store, configuration.agency, clock)
            ledger = Reports(organization, clock, timezone).ledger(
                branch_id, period, configuration.banks, maker
            )
        finally:
            store.close()
    except DataFileError as error:
        print(f"Cannot read data file {error.path}: {error.reason}", file=sys.stderr)
        return 3
    except UserError as error:
        print(error.message, file=sys.stderr)
        return 1
    from core.reports.workbook import ledger_workbook  # openpyxl: only for this command

    path = out or Path(export_file_name(ledger))
    path.write_bytes(ledger_workbook(ledger, timezone))
    answers = sum(m.answered for m in ledger.months)
    tasks = sum(len(m.tasks) for m in ledger.months)
    print(
        f"{path}: {ledger.branch_name} {period.key}, {len(ledger.members)} members, "
        f"{len(ledger.meetings)} meetings, {tasks} study tasks, {answers} quiz answers"
    )
    return 0
