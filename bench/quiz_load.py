"""Time to load and validate one question bank of 10,000 questions (target: under 1 s).

    python -m bench.quiz_load [--questions 10000]

A bank is written to a temp dir and loaded end to end with `load_banks` (what
the bot does); then its two phases (line-aware YAML parsing, validation) are
timed apart, so a slow load shows where the time goes.
`compact` questions are as short as a real question can be; `realistic` ones
are as long as those in quizzes/discipline.yaml (about 600 bytes each).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from core.config.banks import load_banks, parse_bank
from core.config.yaml_loader import parse_yaml_text

FILLER = "党员应当严格遵守党的纪律，自觉维护党的团结统一，"


def question_yaml(index: int, style: str) -> str:
    """One question in bank YAML, cycling through the three types."""
    pad = FILLER * 2 if style == "realistic" else ""
    kind = ("single", "multiple", "judge")[index % 3]
    lines = [f"  - id: q-{index:05d}", f"    type: {kind}", f'    text: "{pad}第{index}题？"']
    if kind == "single":
        lines += ['    options: ["一年", "半年", "一年半", "二年"]', "    answer: A"]
    elif kind == "multiple":
        options = '    options: ["警告", "严重警告", "留党察看", "开除党籍"]'
        lines += [options, "    answer: [A, C]"]
    else:
        lines += ["    answer: 对"]
    lines += [
        f'    explanation: "{pad}条例第十条。"',
        '    source: "《中国共产党纪律处分条例》第十条"',
        "    tags: [纪律处分]",
    ]
    return "\n".join(lines) + "\n"


def bank_yaml(count: int, style: str) -> str:
    """A whole bank file."""
    head = "id: bench-bank\ntitle: 基准测试题库\nquestions:\n"
    return head + "".join(question_yaml(i, style) for i in range(count))


def timed(action: Any) -> tuple[Any, float]:
    """(result, milliseconds) of calling `action`."""
    started = time.perf_counter()
    result = action()
    return result, (time.perf_counter() - started) * 1000


def measure(count: int, style: str) -> None:
    """Print one row: file size, end-to-end load, and its two phases."""
    text = bank_yaml(count, style)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "bench.yaml").write_text(text, encoding="utf-8")
        banks, total_ms = timed(lambda: load_banks(Path(folder)))
    assert not banks.problems, banks.problems
    loaded = sum(len(b.questions) for b in banks.banks)
    document, yaml_ms = timed(lambda: parse_yaml_text(text.encode(), "quizzes/bench.yaml"))
    _, check_ms = timed(lambda: parse_bank(document, "quizzes/bench.yaml"))
    size = len(text.encode("utf-8")) / 1e6
    print(
        f"{style:<10} {loaded:>9,} {size:>6.2f} {total_ms:>12.0f} {yaml_ms:>9.0f} {check_ms:>9.0f}"
    )


def main() -> None:
    """Print the end-to-end time and the per-phase breakdown for both question sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    args = parser.parse_args()
    print(
        f"{'questions':<10} {'loaded':>9} {'MB':>6} {'load_banks ms':>12} {'YAML ms':>9} "
        f"{'check ms':>9}"
    )
    for style in ("compact", "realistic"):
        measure(args.questions, style)


if __name__ == "__main__":
    main()
