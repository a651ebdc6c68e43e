"""The moved-clock run (`.ci/run`) really moves the clock, so it can catch a test that
reads the real one."""

from __future__ import annotations

import os

import pytest
import time_machine

from .conftest import TRAVEL_VARIABLE


@pytest.mark.skipif(TRAVEL_VARIABLE not in os.environ, reason="only in the moved-clock run")
def test_the_process_clock_is_moved_for_the_whole_session() -> None:
    assert time_machine.escape_hatch.is_travelling()
