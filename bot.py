"""Party-branch study bot: entry point and wiring.

    python bot.py             run the bot (long polling)
    python bot.py check       validate every YAML file the bot reads
    python bot.py schema      write docs/schema/*.json and the docs' field tables
    python bot.py schedule    preview the planned pushes per branch
    python bot.py export      write a branch's 台账 as .xlsx (reads data/ without writing)
    python bot.py import-bank a question bank spreadsheet into quizzes/<id>.yaml
    python bot.py backup      a consistent .tar.gz of data/, while the bot runs
    python bot.py restore     unpack a backup into an empty data directory
    python bot.py health      exit 0 if the scheduler's last round is recent (HEALTHCHECK)
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    MenuButtonCommands,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

import cli
from core import messages
from core.clock import Clock, configured_clock
from core.config.changes import problem_list
from core.config.child_import import start_import_server
from core.config.loading import Configuration, load_configuration
from core.config.settings import TOKEN_HELP, Settings, SettingsError, settings_from_environment
from core.config.shipped import sync_shipped
from core.config.yaml_loader import ConfigErrors, ConfigProblem
from core.dates.workdays import WorkCalendar
from core.errors import DataFileError
from core.organization.branches import Organization
from core.organization.commands import commands_for
from core.organization.roles import Role
from core.quizzes.group_quiz import GroupQuizzes
from core.quizzes.private_quiz import PrivateQuizzes
from core.reports.service import Reports
from core.roster.service import Rosters
from core.scheduling.dispatcher import Dispatcher
from core.store.database import Store
from handlers import spreadsheets, understanding, unknown_buttons
from handlers.burst_edits import BurstEdits
from handlers.config import changes
from handlers.errors import handle_error
from handlers.meetings import recording
from handlers.notify import send_to_admins
from handlers.organization import branches, people
from handlers.organization.access import ChatAdminCache
from handlers.polling import LedgerApplication, LedgerBot, UpdateLedger
from handlers.quizzes import group_quiz, private_quiz
from handlers.quizzes.group_quiz_sender import TelegramGroupQuizzes
from handlers.reports import report_requests
from handlers.roster import leave, member_list, roll_call
from handlers.scheduling import push_pause, resend, study_tasks
from handlers.scheduling.rounds import start_scheduler
from handlers.services import SERVICES_KEY, Services
from handlers.startup import TokenRefused, until_reachable
from handlers.telegram_messenger import TelegramMessenger
from handlers.webhook import WebhookRefused, run_webhook

HOME = Path(__file__).resolve().parent
# A 429 is waited out and retried rather than raised (PTB's default is 0 retries).
RATE_LIMIT_RETRIES = 5
RANKING_KEY = "ranking"  # bot_data: the task building this month's ranking at start
log = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command; return the exit code."""
    args = cli.build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # APScheduler logs every run of the scheduler's round at INFO: thousands of lines a day,
    # and tornado every webhook request.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    if args.command == "check":
        return cli.check(HOME)
    if args.command == "schema":
        return cli.write_schema(HOME)
    if args.command == "schedule":
        return cli.preview(HOME, args.start, args.days)
    if args.command == "export":
        return cli.export(HOME, args.branch, args.period, args.maker, args.out)
    if args.command == "import-bank":
        return cli.import_bank(HOME, args.file, args.id, args.title)
    if args.command == "backup":
        return cli.backup(HOME, args.out)
    if args.command == "restore":
        return cli.restore(HOME, args.archive)
    if args.command == "health":
        return cli.health(HOME, args.max_age)
    return run()


def run() -> int:
    """`python bot.py`: check everything local first, then take updates from Telegram
    (long polling, or a webhook when BOT_WEBHOOK_URL is set) until stopped."""
    try:
        settings = settings_from_environment(home=HOME)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    logging.getLogger().setLevel(settings.log_level)  # BOT_LOG_LEVEL; on stderr always
    if settings.shipped_config_dir is not None:
        bring_shipped_config(settings.shipped_config_dir, settings.config_dir)
    try:
        configuration = load_configuration(settings.config_dir)
    except ConfigErrors as errors:
        print(errors, file=sys.stderr)
        print("配置有误，机器人未启动。请修正后运行 python bot.py check。", file=sys.stderr)
        return 1
    for problem in configuration.warnings:  # the admins hear of these in post_init too
        log.warning("Refused: %s", problem)
    timezone = configuration.agency.timezone or settings.timezone
    clock = configured_clock(settings.fake_clock_file, timezone)
    try:
        store = Store(settings.data_dir, timezone, clock=clock)
    except DataFileError as error:
        print(
            f"机器人未启动：数据文件 {error.path} 无法使用（{error.reason}）。什么都没有改动。"
            "请从备份恢复它，或把它移走，再启动。",
            file=sys.stderr,
        )
        return 3
    application = build_application(settings, timezone, store)
    install_services(application, settings, configuration, store, clock, timezone)
    try:
        if settings.webhook is not None:
            run_webhook(application, settings.webhook)
        else:
            # bootstrap_retries=-1: PTB's deleteWebhook at start retries too, not exits.
            application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
    except TokenRefused:
        refused = "Telegram 不认这个 BOT_TOKEN（或 BOT_API_URL 指向的不是 Bot API 服务器）。"
        print(refused + TOKEN_HELP, file=sys.stderr)  # never the token: logs are kept
        return 2
    except WebhookRefused as error:
        print(f"Webhook 模式无法启动：{error}。", file=sys.stderr)
        return 2
    return 0


def bring_shipped_config(shipped_dir: Path, config_dir: Path) -> None:
    """The release's new and updated YAML into the agency's folder; never their edits."""
    try:
        synced = sync_shipped(shipped_dir, config_dir)
    except OSError as error:  # a read-only folder: run on what it holds
        log.warning("未能把随版本提供的配置放进 %s：%s", config_dir, error)
        return
    for path in (*synced.added, *synced.updated):
        log.info("已放入随版本提供的 %s", path)
    for path in synced.kept:
        log.warning("%s 是本机构改过的，保留不动；本版本提供的在 %s", path, shipped_dir / path)


def install_services(
    application: Application,
    settings: Settings,
    configuration: Configuration,
    store: Store,
    clock: Clock,
    timezone: ZoneInfo,
) -> Services:
    """Create the core objects around the store and put them where handlers find them."""
    organization = Organization(store, configuration.agency, clock)
    bot: Bot = application.bot
    banks = configuration.banks
    messenger = TelegramMessenger(bot)  # one pacer for pushes and nudges alike
    group_quizzes = TelegramGroupQuizzes(
        bot, GroupQuizzes(organization, banks, clock, timezone), messenger
    )
    dispatcher = Dispatcher(
        organization, messenger, WorkCalendar(), clock, timezone, group_quizzes
    )
    rosters = Rosters(organization, clock)
    reports = Reports(organization, clock, timezone)
    found = Services(
        settings,
        organization,
        ChatAdminCache(),
        clock,
        dispatcher,
        PrivateQuizzes(store, banks, clock, timezone, points=reports.quiz_points_text),
        group_quizzes,
        reports,
        messenger,
        rosters,
        dispatcher.meetings,
        BurstEdits(),
        configuration.warnings,
    )
    application.bot_data[SERVICES_KEY] = found
    return found


def build_application(
    settings: Settings, timezone: ZoneInfo, store: Store
) -> LedgerApplication:
    """The PTB application with every handler registered, in order."""
    ledger = UpdateLedger(journal=store)  # the store journals the updates being handled
    bot = LedgerBot(
        ledger,
        token=settings.token,
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
        defaults=Defaults(tzinfo=timezone),
        rate_limiter=AIORateLimiter(max_retries=RATE_LIMIT_RETRIES),
        proxy=settings.proxy,
    )
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .application_class(LedgerApplication, {"ledger": ledger})
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.webhook is not None:  # Telegram POSTs updates to handlers/webhook.py
        builder = builder.updater(None)
    application = cast(LedgerApplication, builder.build())  # its application_class
    # Group -1: every update first puts its sender on the roster of a branch group.
    application.add_handler(people.ACTIVITY_TRACKER, group=-1)
    # Group 0: commands and membership changes.
    application.add_handlers(people.HANDLERS)
    application.add_handlers(branches.HANDLERS)
    # The roster: /rollcall and 报到, /roster, name buttons, /leave.
    application.add_handlers(roll_call.HANDLERS)
    application.add_handlers(member_list.HANDLERS)
    application.add_handlers(leave.HANDLERS)
    # Spreadsheets in private: a 名单 from a secretary, a question bank from an admin.
    application.add_handlers(spreadsheets.HANDLERS)
    # Meetings: /meeting, its buttons, the topic reply, photos and files replied to 签到.
    application.add_handlers(recording.HANDLERS)
    application.add_handlers(study_tasks.HANDLERS)
    # Quizzes: /quiz, /review, /groupquiz, their buttons and poll answers.
    application.add_handlers(private_quiz.HANDLERS)
    application.add_handlers(group_quiz.HANDLERS)
    # Reports: /report, /export, /me, /top, /stats and the buttons under a report.
    application.add_handlers(report_requests.HANDLERS)
    # Admins: /reload and YAML files sent in private; 补发 under an uncertain-push notice;
    # 暂停该支部推送 / 恢复推送 under the digest of pushes no group could take.
    application.add_handlers(changes.HANDLERS)
    application.add_handlers(resend.HANDLERS)
    application.add_handlers(push_pause.HANDLERS)
    # Last of group 0: a press no handler above took is answered "按钮已失效", not left spinning;
    # a command none took gets the closest one, and text in private none took "没看懂".
    application.add_handlers(unknown_buttons.HANDLERS)
    application.add_handlers(understanding.HANDLERS)
    application.add_error_handler(handle_error)
    return application


async def publish_menus(application: Application) -> None:
    """The command menus Telegram shows, per kind of chat and role, behind the chat's
    menu button (set to the commands, whatever a client's default)."""
    bot = application.bot
    await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    await bot.set_my_commands(menu(Role.MEMBER, True), BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(menu(Role.MEMBER, False), BotCommandScopeAllGroupChats())
    await bot.set_my_commands(
        menu(Role.SECRETARY, False), BotCommandScopeAllChatAdministrators()
    )
    for admin_id in application.bot_data[SERVICES_KEY].settings.admin_ids:
        try:
            await bot.set_my_commands(menu(Role.ADMIN, True), BotCommandScopeChat(admin_id))
        except TelegramError as error:  # the admin has not opened a chat with the bot yet
            log.warning("No command menu for admin %s: %s", admin_id, error)


async def post_init(application: Application) -> None:
    """Publish the command menus, report refused banks, recover after a crash, start rounds."""
    bot = application.bot
    # The network may drop right after start-up's first contact: wait again, not exit.
    await until_reachable(lambda: publish_menus(application))
    found: Services = application.bot_data[SERVICES_KEY]
    if found.config_warnings:
        await send_to_admins(bot, found.settings.admin_ids, warnings_text(found.config_warnings))
    for notice in await found.dispatcher.recover():
        await send_to_admins(bot, found.settings.admin_ids, notice.text, notice.buttons)
    for notice in found.group_quizzes.quizzes.recover():  # summaries a crash cut off
        await send_to_admins(bot, found.settings.admin_ids, notice.text)
    recovered = await asyncio.to_thread(found.private_quizzes.recover)  # every quiz file
    if recovered:
        log.info("Recorded %s quiz answers a crash had left in members' outboxes", recovered)
    start_scheduler(application, found.settings.tick_seconds)
    # The first /branches of a large agency would build 500 branches' months: build them now.
    application.bot_data[RANKING_KEY] = asyncio.create_task(keep_ranking(found))
    # The bank imports' process server loads bot.py's modules: each child runs bot.py again.
    start_import_server("bot")
    # What start-up loaded (banks, config, PTB) lives as long as the process. Frozen, it is
    # left out of full garbage collections, which otherwise pause answers by 20-50 ms.
    gc.freeze()
    log.info("Bot @%s is running", bot.username)


async def keep_ranking(found: Services) -> None:
    """This month's ranking built in a worker thread; a failure is logged (the first
    /branches builds it then, and says what went wrong)."""
    try:
        await asyncio.to_thread(found.reports.keep_ranking)
    except Exception:  # an optimisation only: never stop the bot for it
        log.exception("Could not build this month's ranking ahead of /branches")


def warnings_text(problems: Sequence[ConfigProblem]) -> str:
    """Refused banks and quiz schedules, for the admins (one message, so the first few)."""
    return messages.ADMIN_CONFIG_WARNINGS.format(problems=problem_list(problems))


def menu(role: Role, is_private: bool) -> list[BotCommand]:
    """The command menu Telegram shows to `role` in this kind of chat."""
    return [BotCommand(c.name, c.description) for c in commands_for(role, is_private=is_private)]


async def post_shutdown(application: Application) -> None:
    """Close the store (once the ranking built at start is done): release files and lock."""
    ranking = application.bot_data.pop(RANKING_KEY, None)
    if ranking is not None:
        await ranking
    application.bot_data[SERVICES_KEY].store.close()


if __name__ == "__main__":
    sys.exit(main())
