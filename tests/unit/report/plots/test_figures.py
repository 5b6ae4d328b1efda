"""Figures: no text under 8 pt (11 px at the display size), zero-based volume axes, labelled
leak thresholds, and a PNG twice the display size."""

from __future__ import annotations

from typing import Any

import pytest
from matplotlib.text import Text

from fraud_detection.simulator.report.plots.figures import (
    DISPLAY_DPI,
    DPI,
    MIN_FONT_PT,
    figure,
    png_size,
    render,
)

HOURS = list(range(24))
SHARES = [1 / 24] * 24
ENTRIES: dict[str, dict[str, Any]] = {
    "hour": {"hours": HOURS, "legit_share": SHARES, "fraud_share": SHARES,
             "local": {"legit_share": SHARES, "fraud_share": SHARES}},
    "amount": {"edges": [1, 10, 100], "legit_share": [0.5, 0.5], "fraud_share": [0.2, 0.8],
               "currencies": [{"currency": "USD", "rows": 9, "legit_share": [0.5, 0.5],
                               "fraud_share": [0.2, 0.8]},
                              {"currency": "EUR", "rows": 3, "legit_share": [0.5, 0.5],
                               "fraud_share": [0.2, 0.8]}]},
    "rate_by": {"column": "mcc_code", "overall_rate": 0.005,
                "rows": [{"category": "7995", "name": "Betting/Casino Gambling", "rows": 100,
                          "rate": 0.01, "ci_low": 0.002, "ci_high": 0.05}]},
    "daily": {"days": ["2025-01-01", "2025-01-02", "2025-01-03"], "rows": [9800, 10000, 10200],
              "frauds": [48, 52, 50]},
    "leakage": {"warn_separation": 0.9, "columns": [
        {"column": "amount", "auc": 0.64, "warning": False},
        {"column": "flag", "auc": 1.0, "warning": True}]},
    "calendar": {"days": ["2025-01-03", "2025-01-04", "2025-01-05", "2025-01-06"],
                 "legit": [900, 700, 600, 950], "frauds": [5, 4, 3, 6], "local": True,
                 "countries": ["US", "DE"],
                 "holidays": [{"date": "2025-01-06", "country": "DE", "name": "Epiphany"}]},
    "heatmap": {"weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                "hours": HOURS, "rows": [[10] * 24] * 7, "frauds": [[1] * 24] * 7,
                "local": True},
    "drift": {"weeks": [
        {"week": 1, "roc_auc": 0.9, "ap_lift": 30.0, "frauds": 400},
        {"week": 2, "roc_auc": 0.85, "ap_lift": 25.0, "frauds": 380},
        {"week": 3, "roc_auc": None, "ap_lift": None, "frauds": 7}]},
    "campaigns": {"type": ["card_testing", "card_testing", "rogue_merchant"],
                  "cards": [150, 30, 12], "rows": [180, 40, 60]},
}  # fmt: skip


def _entry(kind: str) -> dict[str, Any]:
    return {"name": kind, "title": kind, "section": "plots", "kind": kind, "data": ENTRIES[kind]}


@pytest.mark.parametrize("kind", sorted(ENTRIES))
def test_no_text_is_smaller_than_11_px(kind: str) -> None:
    fig = figure(_entry(kind))
    assert fig is not None
    fig.canvas.draw()  # tick labels exist only once drawn
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip()]
    assert sizes and min(sizes) >= MIN_FONT_PT
    assert MIN_FONT_PT * DISPLAY_DPI / 72 >= 11.0  # points at the display size, in CSS px


def test_the_calendar_shades_weekends_and_marks_holidays() -> None:
    fig = figure(_entry("calendar"))
    assert fig is not None
    top = fig.axes[0]
    shaded = [p for p in top.patches if p.get_facecolor()[:3] != (1.0, 1.0, 1.0)]
    assert len(shaded) == 2  # Saturday 4 and Sunday 5 January
    labels = top.get_legend_handles_labels()[1]
    assert labels == ["legitimate", "US holiday", "DE holiday"]


def test_daily_volume_axes_start_at_zero() -> None:
    fig = figure(_entry("daily"))
    assert fig is not None
    assert [ax.get_ylim()[0] for ax in fig.axes] == [0, 0]


def test_leak_thresholds_are_labelled() -> None:
    fig = figure(_entry("leakage"))
    assert fig is not None
    texts = {t.get_text().strip() for t in fig.findobj(Text)}
    assert {"leak beyond 0.1", "leak beyond 0.9", "no signal: 0.5"} <= texts


def test_png_is_twice_the_design_size() -> None:
    png = render(_entry("rate_by"))
    assert png is not None
    fig = figure(_entry("rate_by"))
    assert fig is not None
    width_in = fig.get_size_inches()[0]
    assert png_size(png)[0] == round(width_in * DPI) == 2 * round(width_in * DISPLAY_DPI)
    assert render({**_entry("daily"), "data": None}) is None
