"""Fixtures of the scheduling tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.core.scheduling.test_member_dates import Bot


@pytest.fixture
def bots() -> Iterator[list[Bot]]:
    """Bots a test starts (`make_bot`), each stopped at its end."""
    started: list[Bot] = []
    yield started
    for bot in started:
        bot.stop()
