"""Process configuration from the environment (and an optional `.env`), parsed once."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_URL = "https://api.telegram.org"
# Telegram tokens look like "123456789:AAH...": a numeric bot id, a colon, a 30+ char secret.
TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")

TOKEN_HELP = (
    "BOT_TOKEN is missing or malformed. The bot needs the token Telegram issued for it, "
    "which looks like '123456789:AAH...' (digits, a colon, then 30 or more letters, digits, "
    "'_' or '-'). Get one by talking to @BotFather in Telegram (/newbot, or /token for an "
    "existing bot), then set it in the environment (export BOT_TOKEN=...) or in a .env file "
    "next to bot.py. To only validate the YAML files, run 'python bot.py check', which needs "
    "no token."
)


class SettingsError(Exception):
    """The environment does not describe a runnable bot."""


@dataclass(frozen=True)
class Settings:
    """Everything the process reads from its environment."""

    token: str
    api_url: str
    admin_ids: frozenset[int]
    data_dir: Path
    timezone: ZoneInfo
    config_dir: Path
    tick_seconds: float = 10.0
    fake_clock_file: Path | None = None

    @property
    def base_url(self) -> str:
        """Bot API base URL as python-telegram-bot expects it (token appended)."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        """File download base URL, derived like the official server lays it out."""
        return f"{self.api_url}/file/bot"


def load_dotenv_file(path: Path) -> None:
    """Load `.env` into the environment without overriding variables already set."""
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


def parse_settings(
    env: Mapping[str, str], *, require_token: bool = True, default_config_dir: Path = Path(".")
) -> Settings:
    """Build `Settings` from an environment mapping; raise `SettingsError` with a clear text."""
    token = env.get("BOT_TOKEN", "").strip()
    if require_token and not TOKEN_PATTERN.match(token):
        raise SettingsError(TOKEN_HELP)
    return Settings(
        token=token,
        api_url=_parse_api_url(env.get("BOT_API_URL", DEFAULT_API_URL)),
        admin_ids=_parse_admins(env.get("BOT_ADMINS", "")),
        data_dir=Path(env.get("DATA_DIR", "data")),
        timezone=_parse_timezone(env.get("BOT_TIMEZONE", "Asia/Shanghai")),
        config_dir=Path(env.get("CONFIG_DIR") or default_config_dir),
        tick_seconds=_parse_tick(env.get("BOT_TICK_SECONDS", "10")),
        fake_clock_file=Path(env["BOT_FAKE_CLOCK_FILE"])
        if env.get("BOT_FAKE_CLOCK_FILE")
        else None,
    )


def settings_from_environment(*, home: Path, require_token: bool = True) -> Settings:
    """Read `.env` (cwd, else next to bot.py) and the process environment."""
    load_dotenv_file(Path(".env"))
    load_dotenv_file(home / ".env")
    return parse_settings(os.environ, require_token=require_token, default_config_dir=home)


def _parse_api_url(raw: str) -> str:
    url = raw.strip().rstrip("/") or DEFAULT_API_URL
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"BOT_API_URL must start with http:// or https://, got {raw!r}.")
    # Accept a URL copied with the /bot suffix; the bot derives both paths itself.
    return url.removesuffix("/bot")


def _parse_admins(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise SettingsError(
                f"BOT_ADMINS must be comma-separated numeric Telegram user ids, got {part!r}."
            )
        ids.add(int(part))
    return frozenset(ids)


def _parse_tick(raw: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0.05 <= seconds <= 300:
        raise SettingsError(
            f"BOT_TICK_SECONDS must be a number of seconds from 0.05 to 300, got {raw!r}."
        )
    return seconds


def _parse_timezone(raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise SettingsError(f"BOT_TIMEZONE {raw!r} is not a known time zone.") from error
