"""The report chart: a CJK font is installed and found, and Chinese renders without gaps."""

from __future__ import annotations

import io
import math
import warnings
from datetime import date

import pytest

from core.reports import chart
from core.reports.chart import chart_series, cjk_font, participation_chart
from tests.core.reports.test_reports import SHANGHAI, sample_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_cjk_font_is_installed() -> None:
    assert cjk_font() in chart.CJK_FAMILIES


def test_missing_font_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart, "CJK_FAMILIES", ("No Such Font",))
    monkeypatch.setattr(chart, "CJK_FILE_HINTS", ())
    with pytest.raises(RuntimeError, match="fonts-wqy-microhei"):
        cjk_font()


def test_chart_is_a_png_with_every_glyph() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = participation_chart(sample_report(), SHANGHAI, date(2026, 11, 10))
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []
    assert png.startswith(PNG_SIGNATURE)

    from matplotlib import image

    pixels = image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (450, 800)


def test_weeks_to_come_are_blank_not_zero() -> None:
    labels, participation, correct = chart_series(sample_report(), SHANGHAI, date(2026, 11, 10))
    assert labels == ["1–7日", "8–14日", "15–21日", "22–28日", "29–30日"]
    assert [round(p) for p in participation[:2]] == [67, 67]  # 8–14日 has begun
    assert all(map(math.isnan, participation[2:])) and all(map(math.isnan, correct[2:]))
    _, participation, _ = chart_series(sample_report(), SHANGHAI, date(2026, 12, 1))
    assert participation[3:] == [0.0, 0.0]  # a month gone by: a quiet week is 0 %


def test_a_font_without_chinese_would_be_caught() -> None:
    """The glyph check above is real: DejaVu Sans has no Chinese and matplotlib says so."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with (
        warnings.catch_warnings(record=True) as caught,
        rc_context({"font.family": "DejaVu Sans"}),
    ):
        warnings.simplefilter("always")
        figure = Figure()
        figure.suptitle("参与率")
        figure.savefig(io.BytesIO(), format="png")
    assert any("missing from" in str(w.message) for w in caught)
