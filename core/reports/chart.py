"""The report's PNG chart: participation per week of the month, and the quiz correct rate.

matplotlib is imported inside the functions, so the bot pays its memory (tens of MB)
only once a chart is drawn. Chinese labels need a CJK font on the machine: the
Dockerfile and `.ci/run` install Debian's fonts-wqy-microhei.
"""

from __future__ import annotations

import io
import math
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from core import messages
from core.reports.month_report import BranchMonthReport, month_label, weekly_series

# Families to look for, the first one installed wins; the smallest package comes first.
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Droid Sans Fallback",
)
CJK_FILE_HINTS = ("wqy", "notosanscjk", "notosanssc", "sourcehansans", "droidsansfallback")
CJK_FONT_PACKAGE = "fonts-wqy-microhei"

CHART_SIZE_INCHES = (8.0, 4.5)
CHART_DPI = 100
BAR_COLOR = "#c0392b"  # party red
LINE_COLOR = "#2c3e50"


def cjk_font() -> str:
    """The family name of an installed font that has Chinese glyphs; RuntimeError if none."""
    from matplotlib import font_manager

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    # The font cache may predate the font's installation: look at the files themselves.
    for path in sorted(font_manager.findSystemFonts()):
        if any(hint in Path(path).name.lower().replace("-", "") for hint in CJK_FILE_HINTS):
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
            if name in CJK_FAMILIES:
                return name
    raise RuntimeError(messages.CHART_NO_CJK_FONT.format(package=CJK_FONT_PACKAGE))


def chart_series(
    report: BranchMonthReport, tz: ZoneInfo, today: date
) -> tuple[list[str], list[float], list[float]]:
    """Week labels, participation and correct rate in percent, NaN where there is nothing
    to draw: a week to come (not 0 %), or no answers."""
    weeks = weekly_series(report, tz, today)
    participation = [week.participation * 100 if week.started else math.nan for week in weeks]
    correct = [
        math.nan if week.correct_rate is None or not week.started else week.correct_rate * 100
        for week in weeks
    ]
    return [week.label for week in weeks], participation, correct


def participation_chart(report: BranchMonthReport, tz: ZoneInfo, today: date) -> bytes:
    """PNG bytes: bars for the weekly share of members active, a line for the correct rate;
    the weeks after `today` keep their place on the axis and stay blank."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    family = cjk_font()
    labels, participation, correct = chart_series(report, tz, today)
    positions = list(range(len(labels)))
    bar_labels = ["" if math.isnan(value) else f"{value:.0f}%" for value in participation]

    with matplotlib.rc_context({"font.family": family, "axes.unicode_minus": False}):
        # A bare Figure, not pyplot: nothing global to clean up, safe from any thread.
        figure = Figure(figsize=CHART_SIZE_INCHES, dpi=CHART_DPI)
        axes = figure.subplots()
        bars = axes.bar(
            positions, participation, color=BAR_COLOR, label=messages.CHART_PARTICIPATION
        )
        axes.bar_label(bars, labels=bar_labels, fontsize=9)
        axes.plot(
            positions, correct, color=LINE_COLOR, marker="o", label=messages.CHART_CORRECT_RATE
        )
        axes.set_xticks(positions, labels)
        # Head room above 100% keeps the legend and the bar labels clear of full bars.
        axes.set_ylim(0, 125)
        axes.set_yticks(range(0, 101, 20))
        axes.set_xlabel(messages.CHART_X_LABEL)
        axes.set_ylabel(messages.CHART_Y_LABEL)
        axes.set_title(
            messages.CHART_TITLE.format(branch=report.branch_name, month=month_label(report.month))
        )
        axes.legend(loc="upper left", ncols=2, frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
