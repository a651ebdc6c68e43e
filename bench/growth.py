"""The growth table of `python -m bench --size`: each figure at each size, ratios, goals.

Pure: figures in, lines out. A figure is judged at L, its goal's size (or at the largest
size measured, which the verdict then names); a per-write cost is judged on its growth
from the smallest size measured to the largest (not at all with one size). A figure cut
off by its phase's time limit is a lower bound (">60"), and a figure a phase failed to
give is missing: both fail a goal.
"""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

SIZE_ORDER = ("S", "M", "L")
GOAL_SIZE = "L"
MISSING = "-"


@dataclass(frozen=True)
class Value:
    """One figure at one size; `above`: the phase was cut off, the figure is beyond `number`."""

    number: float
    above: bool = False

    def text(self, digits: int) -> str:
        """The number, `digits` after the point, with ">" when cut off."""
        return (">" if self.above else "") + f"{self.number:,.{digits}f}"


@dataclass(frozen=True)
class Goal:
    """A threshold: `op` is "<", "<=" or ">="."""

    op: str
    threshold: float

    def met(self, value: Value) -> bool:
        """Whether the value meets it; a cut-off value meets only a ">=" goal it passed."""
        compare: Callable[[float, float], bool] = OPS[self.op]
        if value.above:
            return self.op == ">=" and compare(value.number, self.threshold)
        return compare(value.number, self.threshold)

    def text(self) -> str:
        """`< 200`, `>= 27`."""
        return f"{self.op} {self.threshold:,g}"


OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Figure:
    """One row: what is measured, how it is printed and what it must reach."""

    key: str
    label: str
    digits: int = 1
    goal: Goal | None = None  # on the value at L
    growth: Goal | None = None  # on the ratio of the largest size to the smallest


def ratio(top: Value | None, bottom: Value | None) -> Value | None:
    """top / bottom; a lower bound when `top` was cut off, unknown when `bottom` was."""
    if top is None or bottom is None or bottom.above or bottom.number <= 0:
        return None
    return Value(top.number / bottom.number, top.above)


@dataclass(frozen=True)
class Verdict:
    """A figure's goal column and whether it was met (None: no goal)."""

    goal: str
    ok: bool | None


def judge(figure: Figure, values: Mapping[str, Value]) -> Verdict:
    """Check a figure's goals at L (or the largest size measured) and on its growth."""
    sizes = [s for s in SIZE_ORDER if s in values]
    texts, oks = [], []
    if figure.goal is not None:
        texts.append(figure.goal.text())
        at = GOAL_SIZE if GOAL_SIZE in values else (sizes[-1] if sizes else None)
        met = at is not None and figure.goal.met(values[at])
        oks.append(met)
        if at is not None and at != GOAL_SIZE:
            texts[-1] += f" (at {at})"
    if figure.growth is not None and len(sizes) < 2:
        texts.append(f"growth {figure.growth.text()} (needs two sizes)")
    elif figure.growth is not None:
        texts.append(f"{sizes[-1]}/{sizes[0]} {figure.growth.text()}")
        grown = ratio(values[sizes[-1]], values[sizes[0]])
        oks.append(grown is not None and figure.growth.met(grown))
    if not oks:
        return Verdict("; ".join(texts) or MISSING, None)
    return Verdict("; ".join(texts), all(oks))


def table(
    figures: Sequence[Figure], measured: Mapping[str, Mapping[str, Value]], sizes: Sequence[str]
) -> list[tuple[str, ...]]:
    """Header and one line per figure: values at `sizes`, M/S, L/M, L/S, goal, ok.

    `measured[size][key]` is a figure's value; a figure missing at a size prints "-"."""
    header = ("figure", *sizes, "M/S", "L/M", "L/S", "goal", "ok")
    lines: list[tuple[str, ...]] = [header]
    for figure in figures:
        values = {s: measured[s][figure.key] for s in sizes if figure.key in measured.get(s, {})}
        cells = [values[s].text(figure.digits) if s in values else MISSING for s in sizes]
        for top, bottom in (("M", "S"), ("L", "M"), ("L", "S")):
            grown = ratio(values.get(top), values.get(bottom))
            cells.append(grown.text(2) + "x" if grown is not None else MISSING)
        verdict = judge(figure, {s: values[s] for s in sizes if s in values})
        ok = {True: "yes", False: "NO", None: ""}[verdict.ok]
        lines.append((figure.label, *cells, verdict.goal, ok))
    return lines


def missed(figures: Sequence[Figure], measured: Mapping[str, Mapping[str, Value]]) -> list[str]:
    """The labels of the figures whose goal was missed."""
    found = []
    for figure in figures:
        values = {s: m[figure.key] for s, m in measured.items() if figure.key in m}
        if judge(figure, values).ok is False:
            found.append(figure.label)
    return found


def render(lines: Sequence[tuple[str, ...]]) -> str:
    """Columns as wide as their longest cell on a terminal, numbers right-aligned."""
    widths = [max(width(line[i]) for line in lines) for i in range(len(lines[0]))]
    last = len(widths) - 2  # the goal and ok columns read left to right
    rendered = []
    for line in lines:
        cells = []
        for i, (cell, w) in enumerate(zip(line, widths, strict=True)):
            pad = " " * (w - width(cell))
            cells.append(cell + pad if i == 0 or i >= last else pad + cell)
        rendered.append(" | ".join(cells).rstrip())
    return "\n".join(rendered)


def width(text: str) -> int:
    """Columns `text` takes on a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
