"""The real Application, in-process, against the fake Bot API: updates in, sent messages out."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot import build_application, install_services
from core.config.agency import AgencyConfig
from core.config.banks import BankSet
from core.config.loading import Configuration, load_configuration
from core.config.settings import parse_settings
from core.store.database import Store
from handlers.services import Services
from tests.conftest import FakeClock
from tests.fakeapi import FakeBotApi

TOKEN = "123456:TEST-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


def user(user_id: int, first_name: str, username: str | None = None) -> dict[str, Any]:
    """A Telegram user as the Bot API sends it."""
    found: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        found["username"] = username
    return found


class BotHarness:
    """Feeds fake-API updates to the real Application and returns what the bot sent."""

    def __init__(self, fake: FakeBotApi, application: Application, services: Services) -> None:
        self.fake = fake
        self.application = application
        self.services = services

    async def feed(self, update: dict[str, Any]) -> list[str]:
        """Process one update; return the texts the bot sent or edited while doing so
        (a handler running as a task, block=False, included: it is awaited too)."""
        before = len(self.fake.requests)
        running = asyncio.all_tasks()
        await self.application.process_update(Update.de_json(update, self.application.bot))
        await asyncio.gather(*(asyncio.all_tasks() - running), return_exceptions=True)
        return [
            call.params.get("text", "")
            for call in self.fake.requests[before:]
            if call.method in ("sendMessage", "editMessageText") and call.ok
        ]

    async def dispatch(self, update: dict[str, Any]) -> None:
        """Hand one update over as PTB's update fetcher does: through the application's
        update processor, which runs one update at a time (a handler with block=False
        returns at once, its work going on as a task)."""
        application = self.application
        parsed = Update.de_json(update, application.bot)
        await application.update_processor.process_update(
            parsed, application.process_update(parsed)
        )

    async def say(self, chat_id: int, sender: dict[str, Any], text: str) -> list[str]:
        """`sender` writes `text` in `chat_id`."""
        return await self.feed(self.fake.send_text(chat_id, sender, text))


@asynccontextmanager
async def running_bot(
    fake: FakeBotApi,
    data_dir: Path,
    agency: AgencyConfig,
    clock: FakeClock,
    admins: str = "",
    banks: BankSet | None = None,
    config_dir: Path | None = None,
) -> AsyncIterator[BotHarness]:
    """An initialized Application wired like bot.py, with a store in `data_dir`.

    `config_dir` is where /reload and files sent by admins read and write YAML.
    """
    env = {"BOT_TOKEN": TOKEN, "BOT_API_URL": fake.url, "BOT_ADMINS": admins}
    if config_dir is not None:
        env["CONFIG_DIR"] = str(config_dir)
    settings = parse_settings(env)
    store = Store(data_dir, settings.timezone)
    application = build_application(settings, settings.timezone, store)
    configuration = Configuration(agency, banks or BankSet())
    services = install_services(
        application, settings, configuration, store, clock, settings.timezone
    )
    await application.initialize()
    try:
        yield BotHarness(fake, application, services)
    finally:
        await application.shutdown()
        store.close()


FIXTURES = Path(__file__).parent / "fixtures"


def write_config_dir(folder: Path, schedules: str) -> Path:
    """A config folder with `schedules` and the test question banks (tests/fixtures/quizzes)."""
    folder.mkdir()
    (folder / "schedules.yaml").write_text(schedules)
    shutil.copytree(FIXTURES / "quizzes", folder / "quizzes")
    return folder


@asynccontextmanager
async def running_bot_from_config(
    fake: FakeBotApi, data_dir: Path, config_dir: Path, clock: FakeClock, admins: str
) -> AsyncIterator[BotHarness]:
    """`running_bot` with everything loaded from `config_dir`, as bot.py loads it."""
    configuration = load_configuration(config_dir)
    async with running_bot(
        fake,
        data_dir,
        configuration.agency,
        clock,
        admins=admins,
        banks=configuration.banks,
        config_dir=config_dir,
    ) as harness:
        yield harness
