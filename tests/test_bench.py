"""`python -m bench`: a phase that fails is a failed row, and the run goes on."""

from __future__ import annotations

import pytest

from bench.__main__ import Row, phase, print_table


def test_a_failed_phase_is_a_failed_row(capsys: pytest.CaptureFixture[str]) -> None:
    def times_out() -> int:
        raise TimeoutError("no answer from the fake Bot API within 30 s")

    rows = phase("broadcast", times_out, lambda n: [Row("never", str(n))])
    rows += phase("store write", lambda: 2, lambda n: [Row("writes", str(n), "< 5", True)])
    print_table(rows)
    table = capsys.readouterr()
    assert "broadcast failed: TimeoutError" in table.err
    lines = table.out.splitlines()
    assert lines[1].split(" | ")[1].startswith("FAILED (TimeoutError: no answer")
    assert lines[1].rstrip().endswith("| NO")
    assert lines[2].startswith("writes") and lines[2].rstrip().endswith("| yes")
