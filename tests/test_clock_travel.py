"""The moved-clock run (`.ci/run`) really moves the clock, so it can catch a test that
reads the real one."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest

from tests.conftest import TRAVEL_VARIABLE


@pytest.mark.skipif(TRAVEL_VARIABLE not in os.environ, reason="only in the moved-clock run")
def test_the_process_clock_is_where_the_run_sent_it() -> None:
    destination = datetime.fromisoformat(os.environ[TRAVEL_VARIABLE])
    now = datetime.now(destination.tzinfo)
    assert destination <= now < destination + timedelta(hours=2)
