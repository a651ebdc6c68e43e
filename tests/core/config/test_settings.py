from pathlib import Path

import pytest

from core.config.changes import check_size, check_upload
from core.config.settings import DEFAULT_API_URL, SettingsError, parse_settings
from core.errors import UserError

TOKEN = "123456:TEST-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


def test_defaults_point_at_telegram_and_shanghai() -> None:
    settings = parse_settings({"BOT_TOKEN": TOKEN})
    assert settings.api_url == DEFAULT_API_URL
    assert settings.base_url == "https://api.telegram.org/bot"
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    assert str(settings.timezone) == "Asia/Shanghai"
    assert settings.data_dir == Path("data")
    assert settings.admin_ids == frozenset()


def test_self_hosted_api_url_derives_both_paths() -> None:
    settings = parse_settings({"BOT_TOKEN": TOKEN, "BOT_API_URL": "http://127.0.0.1:8081/bot/"})
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"


def test_admins_are_parsed_from_a_comma_list() -> None:
    settings = parse_settings({"BOT_TOKEN": TOKEN, "BOT_ADMINS": " 11, 22,,33 "})
    assert settings.admin_ids == {11, 22, 33}


@pytest.mark.parametrize(
    "token", ["", "abc", "123:short", "token-without-colon-aaaaaaaaaaaaaaaaaaaaaaa"]
)
def test_bad_token_explains_where_to_get_one(token: str) -> None:
    with pytest.raises(SettingsError, match="@BotFather"):
        parse_settings({"BOT_TOKEN": token})


def test_token_is_not_needed_for_checking() -> None:
    assert parse_settings({}, require_token=False).token == ""


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("BOT_ADMINS", "12,alice", "BOT_ADMINS"),
        ("BOT_TIMEZONE", "Mars/Olympus", "BOT_TIMEZONE"),
        ("BOT_TIMEZONE", "Asia", "BOT_TIMEZONE"),  # a folder of the tz database, not a zone
        ("BOT_API_URL", "ftp://x", "BOT_API_URL"),
        ("BOT_LOG_LEVEL", "LOUD", "BOT_LOG_LEVEL"),
        ("BOT_PROXY", "proxy.example:3128", "BOT_PROXY"),
        ("BOT_MAX_DOWNLOAD_MB", "0", "BOT_MAX_DOWNLOAD_MB"),
        ("BOT_MAX_DOWNLOAD_MB", "2001", "BOT_MAX_DOWNLOAD_MB"),
        ("BOT_MAX_DOWNLOAD_MB", "20MB", "BOT_MAX_DOWNLOAD_MB"),
    ],
)
def test_malformed_settings_name_the_variable(variable: str, value: str, fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        parse_settings({"BOT_TOKEN": TOKEN, variable: value})


def test_a_self_hosted_api_server_lets_the_bot_download_larger_sheets() -> None:
    assert parse_settings({"BOT_TOKEN": TOKEN}).max_download_bytes == 20_000_000
    local = parse_settings({"BOT_TOKEN": TOKEN, "BOT_MAX_DOWNLOAD_MB": "200"})
    check_size("题库.xlsx", 150_000_000, local.max_download_bytes)  # not refused
    with pytest.raises(UserError, match="超过 20 MB 的上限"):
        check_size("题库.xlsx", 25_000_000)
    with pytest.raises(UserError, match="超过 20 MB 的上限"):  # a YAML file: 20 MB at most
        check_upload("题库.yaml", 25_000_000, local.max_download_bytes)


WEBHOOK = {"BOT_TOKEN": TOKEN, "BOT_WEBHOOK_URL": "https://bot.example.gov.cn/tg"}


def test_webhook_mode_needs_https_a_secret_and_a_listen_address() -> None:
    assert parse_settings({"BOT_TOKEN": TOKEN}).webhook is None  # long polling
    webhook = parse_settings({**WEBHOOK, "BOT_WEBHOOK_SECRET": "abc_DEF-1"}).webhook
    assert webhook is not None
    assert webhook.url == WEBHOOK["BOT_WEBHOOK_URL"]
    assert (webhook.host, webhook.port) == ("0.0.0.0", 8080)
    listen = {**WEBHOOK, "BOT_WEBHOOK_SECRET": "x", "BOT_WEBHOOK_LISTEN": "127.0.0.1:9000"}
    assert parse_settings(listen).webhook is not None


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"BOT_WEBHOOK_SECRET": ""}, "BOT_WEBHOOK_SECRET"),  # anyone could post updates
        ({"BOT_WEBHOOK_SECRET": "has space"}, "BOT_WEBHOOK_SECRET"),
        ({"BOT_WEBHOOK_URL": "http://bot.example.gov.cn/tg"}, "https://"),
        ({"BOT_WEBHOOK_LISTEN": "8080"}, "BOT_WEBHOOK_LISTEN"),
        ({"BOT_WEBHOOK_LISTEN": "0.0.0.0:99999"}, "BOT_WEBHOOK_LISTEN"),
    ],
)
def test_a_webhook_setting_that_cannot_work_is_refused(
    changes: dict[str, str], fragment: str
) -> None:
    with pytest.raises(SettingsError, match=fragment):
        parse_settings({**WEBHOOK, "BOT_WEBHOOK_SECRET": "s", **changes})
