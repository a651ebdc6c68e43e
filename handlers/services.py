"""What every handler reaches through `bot_data`: the core objects and settings."""

from __future__ import annotations

from dataclasses import dataclass

from telegram.ext import ContextTypes

from core.clock import Clock
from core.configuration import Configuration
from core.delivery import Messenger
from core.dispatcher import Dispatcher
from core.organization import Organization
from core.quizzing import PrivateQuizzes
from core.reporting import Reports
from core.settings import Settings
from core.store import Store
from core.yaml_source import ConfigProblem
from handlers.access import ChatAdminCache
from handlers.telegram_quizzes import TelegramGroupQuizzes

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
    config_warnings: tuple[ConfigProblem, ...] = ()

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
