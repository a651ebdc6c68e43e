"""End to end: bot.py where the network is not simple, as at an agency's server.

Started before Telegram can be reached, it waits and retries instead of exiting; behind
a proxy (BOT_PROXY), every request it makes goes through the proxy.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from telegram.request import HTTPXRequest

from core.config.settings import SettingsError, parse_settings
from tests.botprocess import BotProcess
from tests.e2e.test_e2e_foundation import ADMIN, MEMBER, Conversation
from tests.fakeapi import FakeBotApi
from tests.harness import TOKEN
from tests.proxy import HttpProxy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_env(secret: str = "s3cret") -> dict[str, str]:
    """Webhook mode on a free local port (the fake Bot API may POST over plain http)."""
    port = free_port()
    return {
        "BOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "BOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        "BOT_WEBHOOK_SECRET": secret,
    }


@pytest.mark.slow
def test_a_bot_started_while_telegram_is_down_waits_and_then_works(tmp_path: Path) -> None:
    fake = FakeBotApi(port=free_port())  # not started: nothing answers on its port yet
    bot = BotProcess(fake, tmp_path / "data", tmp_path / "bot.log", BOT_ADMINS="1")
    bot.start(wait=False)
    try:
        _wait_for_log(bot, "连不上 Telegram（第 2 次）")
        assert bot.process is not None and bot.process.poll() is None  # still there
        with fake:
            fake.wait_until_polling(timeout=30)
            assert "已登记" in Conversation(fake).ask(MEMBER["id"], MEMBER, "/join 王小明")
            assert bot.stop() == 0
    finally:
        bot.stop()
    log = bot.log()
    assert "Traceback" not in log
    retries = [line for line in log.splitlines() if "连不上 Telegram" in line]
    assert len(retries) >= 2 and "1 秒后重试" in retries[0] and "2 秒后重试" in retries[1]
    assert "已连上 Telegram" in log


def _wait_for_log(bot: BotProcess, text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout  # a real wait for a real process: not a date
    while text not in bot.log():
        assert time.monotonic() < deadline, bot.log()
        time.sleep(0.1)


def test_every_request_goes_through_the_proxy(tmp_path: Path) -> None:
    with FakeBotApi() as fake, HttpProxy() as proxy:
        bot = BotProcess(
            fake, tmp_path / "data", tmp_path / "bot.log", BOT_ADMINS="1", BOT_PROXY=proxy.url
        )
        bot.start()
        try:
            chat = Conversation(fake)
            assert "已登记" in chat.ask(MEMBER["id"], MEMBER, "/join 王小明")
            assert chat.ask(ADMIN["id"], ADMIN, "/help")
        finally:
            assert bot.stop() == 0, bot.log()
        sent = [f"POST /bot{TOKEN}/{call.method}" for call in fake.requests]
        assert sorted(proxy.forwarded) == sorted(sent)
        assert {"getMe", "getUpdates", "sendMessage"} <= {c.method for c in fake.requests}


@pytest.mark.parametrize(
    "proxy", ["socks5://127.0.0.1:1080", "socks5h://user:pw@proxy:1080", "https://gw:3128"]
)
def test_proxy_kinds_the_bot_speaks(proxy: str) -> None:
    """socks5 needs httpx's socks extra: without it the request object cannot be built."""
    settings = parse_settings({"BOT_TOKEN": TOKEN, "BOT_PROXY": proxy})
    assert settings.proxy == proxy
    HTTPXRequest(proxy=settings.proxy)


def test_a_proxy_that_is_no_url_is_refused() -> None:
    with pytest.raises(SettingsError, match="BOT_PROXY"):
        parse_settings({"BOT_TOKEN": TOKEN, "BOT_PROXY": "127.0.0.1:1080"})


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_a_stop_while_waiting_for_telegram_exits_cleanly(tmp_path: Path, mode: str) -> None:
    fake = FakeBotApi(port=free_port())  # never started
    env = webhook_env() if mode == "webhook" else {}
    bot = BotProcess(fake, tmp_path / "data", tmp_path / "bot.log", **env)
    bot.start(wait=False)
    _wait_for_log(bot, "连不上 Telegram（第 2 次）")
    assert bot.stop() == 0, bot.log()  # SIGTERM: systemd and docker stop wait no longer
    assert "Traceback" not in bot.log()
