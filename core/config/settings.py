"""Process configuration from the environment (and an optional `.env`), parsed once."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_URL = "https://api.telegram.org"
MAX_DOWNLOAD_MB = 2_000  # a self-hosted Bot API server in --local mode: no limit of its own
PROXY_SCHEMES = ("http://", "https://", "socks5://", "socks5h://")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0:8080"
# Telegram's rule for setWebhook's secret_token.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Telegram tokens look like "123456789:AAH...": a numeric bot id, a colon, a 30+ char secret.
TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")

TOKEN_HELP = (
    "BOT_TOKEN 未设置或格式不对。机器人需要 Telegram 为它签发的令牌，形如 "
    "“123456789:AAH...”（数字、冒号，再跟 30 个以上的字母、数字、“_”或“-”）。"
    "在 Telegram 里向 @BotFather 申请（新机器人发 /newbot，已有的发 /token），"
    "再写进环境变量（export BOT_TOKEN=...）或 bot.py 旁边的 .env 文件。"
    "只想检查 YAML 文件，运行 python bot.py check，不需要令牌。"
)


class SettingsError(Exception):
    """The environment does not describe a runnable bot."""


@dataclass(frozen=True)
class WebhookSettings:
    """Where Telegram POSTs updates, where the bot listens, and the secret it checks."""

    url: str
    host: str
    port: int
    secret: str


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
    #: every Bot API request goes through it (http, https or socks5), when set
    proxy: str | None = None
    log_level: str = "INFO"
    #: webhook mode when set (BOT_WEBHOOK_*); long polling otherwise
    webhook: WebhookSettings | None = None
    #: the release's own YAML, brought into config_dir at start (core/config/shipped.py)
    shipped_config_dir: Path | None = None
    #: the largest file the Bot API server lets the bot download: 20 MB on Telegram's,
    #: up to 2,000 MB on a self-hosted one started with --local (BOT_MAX_DOWNLOAD_MB)
    max_download_bytes: int = 20_000_000

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
        fake_clock_file=_optional_path(env, "BOT_FAKE_CLOCK_FILE"),
        proxy=_parse_proxy(env.get("BOT_PROXY", "")),
        log_level=_parse_log_level(env.get("BOT_LOG_LEVEL", "INFO")),
        webhook=_parse_webhook(env),
        shipped_config_dir=_optional_path(env, "BOT_SHIPPED_CONFIG_DIR"),
        max_download_bytes=_parse_download_limit(env.get("BOT_MAX_DOWNLOAD_MB", "20")),
    )


def _parse_download_limit(raw: str) -> int:
    """BOT_MAX_DOWNLOAD_MB: 1 to 2,000 (what a self-hosted Bot API server allows)."""
    megabytes = raw.strip()
    if not megabytes.isdigit() or not 1 <= int(megabytes) <= MAX_DOWNLOAD_MB:
        raise SettingsError(
            f"BOT_MAX_DOWNLOAD_MB 应是 1～{MAX_DOWNLOAD_MB} 的整数（兆字节），现在是 {raw!r}。"
            "用 Telegram 的服务器时不要设置（即 20）；自建 Bot API 服务器（--local）可设更大。"
        )
    return int(megabytes) * 1_000_000


def settings_from_environment(*, home: Path, require_token: bool = True) -> Settings:
    """Read `.env` (cwd, else next to bot.py) and the process environment."""
    load_dotenv_file(Path(".env"))
    load_dotenv_file(home / ".env")
    return parse_settings(os.environ, require_token=require_token, default_config_dir=home)


def _optional_path(env: Mapping[str, str], name: str) -> Path | None:
    return Path(env[name]) if env.get(name) else None


def _parse_api_url(raw: str) -> str:
    url = raw.strip().rstrip("/") or DEFAULT_API_URL
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"BOT_API_URL 应以 http:// 或 https:// 开头，现在是 {raw!r}。")
    # Accept a URL copied with the /bot suffix; the bot derives both paths itself.
    return url.removesuffix("/bot")


def _parse_proxy(raw: str) -> str | None:
    url = raw.strip()
    if not url:
        return None
    if not url.lower().startswith(PROXY_SCHEMES):
        raise SettingsError(
            "BOT_PROXY 应是以 http://、https:// 或 socks5:// 开头的代理地址"
            f"（如 socks5://127.0.0.1:1080、http://用户:密码@proxy:3128），现在是 {raw!r}。"
        )
    return url


def _parse_webhook(env: Mapping[str, str]) -> WebhookSettings | None:
    url = env.get("BOT_WEBHOOK_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost")  # a local Bot API server, tests
    if not (parts.scheme == "https" or (parts.scheme == "http" and local)) or not parts.hostname:
        raise SettingsError(
            "BOT_WEBHOOK_URL 应是 Telegram 能访问的 https:// 地址"
            f"（如 https://bot.example.gov.cn/telegram），现在是 {url!r}。"
        )
    secret = env.get("BOT_WEBHOOK_SECRET", "").strip()
    if not WEBHOOK_SECRET_PATTERN.match(secret):
        raise SettingsError(
            "Webhook 模式需要 BOT_WEBHOOK_SECRET：1 到 256 个英文字母、数字、“_”或“-”，"
            "Telegram 每次推送都带上它，机器人据此拒绝伪造的请求。"
        )
    host, port = _parse_listen(env.get("BOT_WEBHOOK_LISTEN", DEFAULT_WEBHOOK_LISTEN))
    return WebhookSettings(url, host, port, secret)


def _parse_listen(raw: str) -> tuple[str, int]:
    host, _, port = raw.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(
            f"BOT_WEBHOOK_LISTEN 应写成 主机:端口（如 0.0.0.0:8080），现在是 {raw!r}。"
        )
    return host.strip("[]"), int(port)


def _parse_log_level(raw: str) -> str:
    level = raw.strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise SettingsError(f"BOT_LOG_LEVEL 应是 {'、'.join(LOG_LEVELS)} 之一，现在是 {raw!r}。")
    return level


def _parse_admins(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise SettingsError(
                f"BOT_ADMINS 应是用英文逗号分隔的 Telegram 数字用户 ID，其中 {part!r} 不是。"
            )
        ids.add(int(part))
    return frozenset(ids)


def _parse_tick(raw: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0.05 <= seconds <= 300:
        raise SettingsError(f"BOT_TICK_SECONDS 应是 0.05 到 300 之间的秒数，现在是 {raw!r}。")
    return seconds


def _parse_timezone(raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise SettingsError(
            f"BOT_TIMEZONE {raw!r} 不是已知的时区（如 Asia/Shanghai）。"
        ) from error
