"""The report chart: a CJK font is installed and found, and Chinese renders without gaps."""

from __future__ import annotations

import io
import warnings

import pytest

from core.reports import chart
from core.reports.chart import cjk_font, participation_chart
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
        png = participation_chart(sample_report(), SHANGHAI)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []
    assert png.startswith(PNG_SIGNATURE)

    from matplotlib import image

    pixels = image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (450, 800)


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
