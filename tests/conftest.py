"""Shared fixtures: a controllable clock, a store in a temp dir, the shipped configuration."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.config.agency import AgencyConfig
from core.config.branches import Branch
from core.store.database import Store

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROJECT = Path(__file__).resolve().parent.parent
#: bot.py processes started by tests (tests/botprocess.py); none may outlive its test.
BOT_PROCESSES: set[subprocess.Popen[bytes]] = set()


#: Set to an ISO 8601 time to run the whole session with the process clock moved there
#: (`.ci/run` does): a test that reads the real clock instead of an injected one then fails.
TRAVEL_VARIABLE = "TEST_CLOCK_TRAVEL_TO"


def pytest_configure(config: pytest.Config) -> None:
    """Move the process clock for the whole session when TEST_CLOCK_TRAVEL_TO is set."""
    destination = os.environ.get(TRAVEL_VARIABLE)
    if destination:
        import time_machine

        traveller = time_machine.travel(datetime.fromisoformat(destination), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Spread the tests marked slow evenly through the run: xdist's workers start on equal
    slices of it, so each gets a share of the long ones instead of one worker all."""
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    rest = [item for item in items if item.get_closest_marker("slow") is None]
    if not slow:
        return
    step = len(rest) // len(slow) + 1
    items[:] = []
    for index, item in enumerate(slow):
        items.extend([item, *rest[index * step : (index + 1) * step]])
    items.extend(rest[len(slow) * step :])


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def no_bot_outlives_its_test() -> Iterator[None]:
    """Kill any bot.py a failed test left running (it would poll whichever server next
    takes its old port)."""
    yield
    for process in list(BOT_PROCESSES):
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        BOT_PROCESSES.discard(process)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    opened = Store(tmp_path / "data", SHANGHAI, clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def agency() -> AgencyConfig:
    return AgencyConfig(
        timezone=SHANGHAI,
        branches=(
            Branch("office", "办公室党支部", frozenset({"综合"}), frozenset({501})),
            Branch("policy", "政策法规处党支部", frozenset({"业务"})),
        ),
    )
