"""What every handler reaches through `bot_data`: the core objects and settings."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from telegram.ext import ContextTypes

from core.clock import Clock
from core.config.loading import Configuration
from core.config.settings import Settings
from core.config.yaml_loader import ConfigProblem
from core.delivery import Messenger
from core.meetings.service import Meetings
from core.organization.branches import Organization
from core.quizzes.private_quiz import PrivateQuizzes
from core.reports.service import Reports
from core.roster.service import Rosters
from core.scheduling.dispatcher import Dispatcher
from core.store.database import Store
from handlers.burst_edits import BurstEdits
from handlers.organization.access import ChatAdminCache
from handlers.quizzes.group_quiz_sender import TelegramGroupQuizzes

SERVICES_KEY = "services"


@dataclass
class Services:
    """The bot's long-lived objects, created once at start-up."""

    settings: Settings
    organization: Organization
    chat_admins: ChatAdminCache
    clock: Clock
    dispatcher: Dispatcher
    private_quizzes: PrivateQuizzes
    group_quizzes: TelegramGroupQuizzes
    reports: Reports
    messenger: Messenger
    rosters: Rosters
    meetings: Meetings
    edits: BurstEdits
    config_warnings: tuple[ConfigProblem, ...] = ()
    # /reload and YAML uploads run beside other updates (block=False), one at a time.
    config_changes: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def store(self) -> Store:
        """The one store (for shutdown)."""
        return self.organization.store

    def use_configuration(self, configuration: Configuration) -> None:
        """Switch to a configuration loaded again (/reload, a file sent in).

        Nothing here awaits, so no handler ever sees the branches of one configuration
        with the banks of the other.
        """
        self.organization.config = configuration.agency
        self.private_quizzes.banks = configuration.banks
        self.group_quizzes.quizzes.banks = configuration.banks
        self.config_warnings = configuration.warnings


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services installed by bot.py."""
    found: Services = context.bot_data[SERVICES_KEY]
    return found
