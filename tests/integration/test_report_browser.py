"""The report in a real headless Chromium at 1400 px: nothing wider than the page, every image
loaded and shown at its design size, the top block and its contents present.

The browser is the OS's Chromium (``make test`` installs Debian's ``chromium`` when apt can);
without one the tests skip and say why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fraud_detection.simulator.core import generate_to_parquet
from fraud_detection.simulator.report import write_report
from tests.browser import find_browser, inspect
from tests.conftest import small_config

BROWSER = find_browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium or Chrome found: apt-get install chromium (make test does when apt "
    "can), or set REPORT_BROWSER to a Chromium executable",
)
WIDTH = 1400


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (what the browser measured, report.json) for a small generated dataset."""
    assert BROWSER is not None
    out = tmp_path_factory.mktemp("browser")
    result = generate_to_parquet(small_config(out / "data", fraud_rate=0.02))
    html, data = write_report(result.path, out / "report")
    probe, shot = inspect(html, BROWSER, WIDTH, shot_height=900)
    assert shot is not None and shot.startswith(b"\x89PNG")
    return probe, json.loads(data.read_text("utf-8"))


def test_nothing_is_wider_than_the_page(page: tuple[dict[str, Any], dict[str, Any]]) -> None:
    probe, _ = page
    assert probe["viewportWidth"] == WIDTH
    assert probe["scrollWidth"] <= WIDTH
    assert probe["overflowing"] == []


def test_every_image_loads_at_twice_its_shown_size(
    page: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    probe, report = page
    drawn = [p for p in report["plots"] if p["data"] is not None]
    assert len(probe["images"]) == len(drawn) > 10
    for img in probe["images"]:
        assert img["complete"] and img["naturalWidth"] > 0, img["alt"]
        # Shown at its design size, so 8 pt text is 11 px; 2x pixels for sharpness.
        assert img["naturalWidth"] == pytest.approx(2 * img["shownWidth"], abs=2), img["alt"]


def test_the_top_block_and_contents_are_there(
    page: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    probe, report = page
    assert probe["topBlock"]
    verdict = report["verdict"]
    cards = ("fidelity", "signal", "leakage", "catalogs", "published_figures")
    assert probe["cards"] == [verdict[k]["level"] for k in cards]
    assert probe["contents"] == [f"#{s}" for s in probe["sections"]]
    assert {"plots", "calendar", "published", "model", "leakage", "fidelity", "catalog"} <= set(
        probe["sections"]
    )


def test_the_probe_sees_overflow_and_broken_images(tmp_path: Path) -> None:
    # The checks above can fail: a too-wide table and an image that does not decode.
    assert BROWSER is not None
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html><body><main style="max-width:600px"><header id="top"></header>'
        '<table><tr><td style="white-space:nowrap">' + "x" * 400 + "</td></tr></table>"
        '<img alt="bad" src="data:image/png;base64,AAAA"></main></body></html>',
        "utf-8",
    )
    probe, _ = inspect(broken, BROWSER, WIDTH)
    assert probe["overflowing"] and probe["scrollWidth"] > WIDTH
    assert probe["images"][0]["naturalWidth"] == 0
