"""Waiting for Telegram at start: doubling pauses up to 5 min; a refused token ends it."""

from __future__ import annotations

import pytest
from telegram.error import InvalidToken, NetworkError, RetryAfter, TimedOut

from handlers.startup import TokenRefused, until_reachable


class Flaky:
    """Fails with the given errors, one per call, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)


async def test_pauses_double_up_to_five_minutes_and_each_attempt_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    connect = Flaky(*[NetworkError("connection refused")] * 11, TimedOut())
    await until_reachable(connect, sleep)
    assert slept == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert connect.calls == 13
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "连不上 Telegram（第 1 次）：connection refused。1 秒后重试。"
    assert len([line for line in lines if "连不上" in line]) == 12
    assert lines[-1] == "已连上 Telegram（第 13 次尝试）。"


@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_is_waited_out_as_telegram_asks() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    await until_reachable(Flaky(RetryAfter(7)), sleep)
    assert slept == [7]


async def test_a_refused_token_ends_the_wait() -> None:
    async def never(seconds: float) -> None:
        raise AssertionError("no retry for a refused token")

    refused = InvalidToken("The token `123456:secret` was rejected by the server.")
    with pytest.raises(TokenRefused) as raised:
        await until_reachable(Flaky(refused), never)
    assert "secret" not in str(raised.value)  # bot.py prints it; logs are kept
