"""The bot's offline commands: check the YAML, preview the schedule, export a 台账.

None of them needs a token or the network; `bot.py` dispatches to them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from core.clock import configured_clock
from core.config.changes import install_bank_sheet
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
from core.store.backup import clear_folder, restore_backup, write_backup
from core.store.database import Store, last_tick_of


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = ChineseParser(
        prog="bot.py",
        description="党支部学习机器人。不带命令时运行机器人。",
        epilog="配置取自环境变量或 .env 文件，见 README.md 与 docs/deploy.md。",
        formatter_class=ChineseHelp,
        add_help=False,
    )
    _add_help(parser)
    commands = parser.add_subparsers(dest="command", title="命令")

    def command(name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
        added = commands.add_parser(  # of the same class as `parser`
            name, help=help, description=description, formatter_class=ChineseHelp, add_help=False
        )
        _add_help(added)
        return added

    command("run", "运行机器人（默认）")
    command("check", "检查机器人读取的每个 YAML 文件；有错时列出全部并以 1 退出")
    command("schema", "按模型重写 docs/schema/*.schema.json 与 docs/ 里的字段表")
    schedule = command("schedule", "按支部列出计划中的每条推送")
    schedule.add_argument(
        "--from", dest="start", type=date.fromisoformat, help="从哪天起（默认今天，YYYY-MM-DD）"
    )
    schedule.add_argument("--days", type=int, default=90, help="列出多少天（默认 90）")
    export = command(
        "export",
        "把一个支部一个月、季度或年度的台账写成 .xlsx，同 /export",
        description="只读数据目录，不写也不加锁，机器人运行时也可使用。",
    )
    export.add_argument("--branch", required=True, help="支部 id，同 schedules.yaml")
    export.add_argument(
        "--period",
        "--month",
        required=True,
        type=period_argument,
        help="YYYY-MM、YYYYQn 或 YYYY（如 2026-11、2026Q4、2026）",
    )
    export.add_argument("--maker", default="", help="制表人：第一页上的姓名")
    export.add_argument("--out", type=Path, help="写到哪个文件（默认：<支部名>-<期间>.xlsx）")
    backup = command(
        "backup",
        "把数据目录备份成一个 .tar.gz，机器人运行时也可使用",
        description="备份与正在运行的机器人互不干扰，备份里是同一时刻的全部数据。",
    )
    backup.add_argument("--out", type=Path, required=True, help="备份文件，如 backup.tar.gz")
    import_bank = command(
        "import-bank",
        "把 .xlsx 或 .csv 题库表格导入为 quizzes/<id>.yaml，同私聊发送表格",
        description="先连同全部配置一起检查，表格有任何错误都列出行和列，不写任何文件。",
    )
    import_bank.add_argument("file", type=Path, help="题库表格（.xlsx 或 .csv），模板见 /template")
    import_bank.add_argument(
        "--id", required=True, help="题库 id，如 xxqg（小写字母、数字、- 和 _）"
    )
    import_bank.add_argument("--title", required=True, help="题库标题，如 学习强国题库")
    restore = command("restore", "把备份恢复到空的数据目录（DATA_DIR）")
    restore.add_argument("archive", type=Path, help="python bot.py backup 写出的 .tar.gz")
    health = command(
        "health", "机器人的调度是否在按时运行：是则以 0 退出（供 Docker 的 HEALTHCHECK 使用）"
    )
    health.add_argument(
        "--max-age", type=float, default=300, help="上一轮调度最多过去多少秒（默认 300）"
    )
    return parser


#: argparse's own error phrases, for the operator who reads Chinese everywhere else.
ERROR_PHRASES = (
    ("argument command: invalid choice: ", "没有这个命令："),
    ("the following arguments are required: ", "缺少参数："),
    ("unrecognized arguments: ", "无法识别的参数："),
    ("invalid choice: ", "无效的选择："),
    ("(choose from ", "（可选："),
    ("expected one argument", "需要一个值"),
    ("invalid float value: ", "不是数字："),
    ("invalid int value: ", "不是整数："),
    ("invalid fromisoformat value: ", "不是 YYYY-MM-DD 格式的日期："),
    ("invalid period_argument value: ", "期间写法不对："),
    ("argument ", "参数 "),
)
HELP_HEADINGS = {"options": "选项", "optional arguments": "选项", "positional arguments": "参数"}


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose mistakes are told in Chinese (exit code 2, as argparse's)."""

    def error(self, message: str) -> NoReturn:
        for english, chinese in ERROR_PHRASES:
            message = message.replace(english, chinese)
        if message.endswith(")") and "（可选：" in message:
            message = message[:-1] + "）"
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：{message}\n")


class ChineseHelp(argparse.HelpFormatter):
    """argparse's help in Chinese: its own headings are English."""

    def start_section(self, heading: str | None) -> None:
        super().start_section(HELP_HEADINGS.get(heading or "", heading))

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


def _add_help(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-h", "--help", action="help", help="显示本帮助并退出")


def _data_error(error: DataFileError) -> int:
    print(f"无法读取数据 {error.path}：{error.reason}。请检查 DATA_DIR。", file=sys.stderr)
    return 3


def period_argument(text: str) -> Period:
    """argparse type for --period."""
    try:
        return parse_period(text)
    except UserError as error:
        raise argparse.ArgumentTypeError(error.message) from error


def check(home: Path) -> int:
    """`python bot.py check`: print each problem with file, line and field."""
    settings = settings_from_environment(home=home, require_token=False)
    summaries, problems, reminders = check_configuration(settings.config_dir)
    for summary in summaries:
        print(f"通过  {summary}")
    for reminder in reminders:  # the banks load; their questions may cite an old text
        print(f"提醒  {reminder}")
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
            print(f"未变    {shown}")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"已写入  {shown}")
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
        return _data_error(error)
    except UserError as error:
        print(error.message, file=sys.stderr)
        return 1
    from core.reports.workbook import ledger_workbook  # openpyxl: only for this command

    path = out or Path(export_file_name(ledger))
    path.write_bytes(ledger_workbook(ledger, timezone))
    answers = sum(m.answered for m in ledger.months)
    tasks = sum(len(m.tasks) for m in ledger.months)
    print(
        f"已写入 {path}：{ledger.branch_name} {period.key}，{len(ledger.members)} 名党员，"
        f"{len(ledger.meetings)} 次组织生活，{tasks} 项学习任务，{answers} 次答题"
    )
    return 0


def import_bank(home: Path, file: Path, bank_id: str, title: str) -> int:
    """`python bot.py import-bank`: a bank spreadsheet into the configuration folder."""
    settings = settings_from_environment(home=home, require_token=False)
    try:
        content = file.read_bytes()
    except OSError as error:
        print(f"无法读取 {file}：{error.strerror}", file=sys.stderr)
        return 1
    now = configured_clock(settings.fake_clock_file, settings.timezone)()
    try:
        installed = install_bank_sheet(
            settings.config_dir, file.name, content, bank_id, title, now
        )
    except UserError as error:
        print(error.message, file=sys.stderr)
        return 1
    print(installed.text)
    print("运行中的机器人请发送 /reload，或重启后使用新题库。")
    return 0


def backup(home: Path, out: Path) -> int:
    """`python bot.py backup`: a consistent archive of DATA_DIR (core/store/backup.py)."""
    settings = settings_from_environment(home=home, require_token=False)
    try:
        summary = write_backup(settings.data_dir, out)
    except DataFileError as error:
        return _data_error(error)
    except UserError as error:
        print(error.message, file=sys.stderr)
        return 1
    except OSError as error:
        print(f"备份没有写成：{error}", file=sys.stderr)
        return 1
    print(f"已备份 {summary.files} 个文件（{_size(summary.size)}）到 {out}")
    return 0


def restore(home: Path, archive: Path) -> int:
    """`python bot.py restore`: unpack into an empty DATA_DIR, then check it opens."""
    settings = settings_from_environment(home=home, require_token=False)
    data_dir = settings.data_dir
    try:
        summary = restore_backup(archive, data_dir)
    except DataFileError as error:  # a bot holds the folder
        return _data_error(error)
    except UserError as error:
        print(error.message, file=sys.stderr)
        return 1
    try:
        clock = configured_clock(settings.fake_clock_file, settings.timezone)
        Store(data_dir, settings.timezone, clock=clock).close()
    except DataFileError as error:
        print(
            f"备份里的数据文件 {error.path} 无法使用（{error.reason}），已撤回这次恢复。",
            file=sys.stderr,
        )
        clear_folder(data_dir)
        return 3
    print(f"已从 {archive} 恢复 {summary.files} 个文件（{_size(summary.size)}）到 {data_dir}。")
    return 0


def health(home: Path, max_age: float) -> int:
    """`python bot.py health`: 0 if the scheduler's last round is at most `max_age` old."""
    settings = settings_from_environment(home=home, require_token=False)
    clock = configured_clock(settings.fake_clock_file, settings.timezone)
    try:
        last = last_tick_of(settings.data_dir)
    except DataFileError as error:
        _data_error(error)
        return 1  # Docker reads any code but 0 and 1 as its own
    if last is None:
        print("机器人还没有完成过一轮调度。", file=sys.stderr)
        return 1
    age = (clock() - last).total_seconds()
    if age > max_age:
        late = f"上一轮调度在 {age:.0f} 秒前，超过 {max_age:g} 秒：机器人可能停了。"
        print(late, file=sys.stderr)
        return 1
    print(f"正常：上一轮调度在 {max(age, 0):.0f} 秒前。")
    return 0


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
