"""`python -m bench`: a phase that fails is a failed row, and the run goes on; the growth table."""

from __future__ import annotations

import pytest

from bench.__main__ import Row, phase, print_table, sizes_named
from bench.growth import Figure, Goal, Value, Verdict, judge, missed, table


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


def test_the_growth_table_gives_ratios_and_judges_goals_at_l() -> None:
    figures = [
        Figure("reply", "/branches (s)", 2, Goal("<", 1)),
        Figure("write", "save_push (ms)", 1, growth=Goal("<=", 2)),
        Figure("rate", "round (msg/s)", 1, Goal(">=", 27)),
    ]
    measured = {
        "S": {"reply": Value(0.07), "write": Value(2.0), "rate": Value(29.5)},
        "M": {"reply": Value(1.8), "write": Value(3.0), "rate": Value(23.7)},
        "L": {"reply": Value(60.0, above=True), "write": Value(3.9)},  # the round failed
    }
    lines = table(figures, measured, ["S", "M", "L"])
    assert lines[0] == ("figure", "S", "M", "L", "M/S", "L/M", "L/S", "goal", "ok")
    assert lines[1] == (
        "/branches (s)", "0.07", "1.80", ">60.00", "25.71x", ">33.33x", ">857.14x", "< 1", "NO"
    )  # fmt: skip
    assert lines[2][4:] == ("1.50x", "1.30x", "1.95x", "L/S <= 2", "yes")
    assert lines[3][1:4] == ("29.5", "23.7", "-") and lines[3][-1] == "NO"  # missing at L
    assert missed(figures, measured) == ["/branches (s)", "round (msg/s)"]
    # Without L, a goal is judged at the largest size measured, and says so.
    assert judge(figures[0], {"S": Value(0.07)}) == Verdict("< 1 (at S)", True)
    assert judge(figures[1], {"S": Value(2.0)}).ok is None  # no growth without two sizes
    assert Goal("<", 200).met(Value(150, above=True)) is False  # cut off: unknown, not met
    assert sizes_named(["all"]) == ["S", "M", "L"]
    assert sizes_named(["L"]) == ["S", "L"]  # the growth goals compare with S
