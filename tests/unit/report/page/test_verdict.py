"""Verdicts: the lift words and their edges, v3's difficulty bands, leaks, problems."""

from __future__ import annotations

from typing import Any

import pytest

from fraud_detection.simulator.realism.profiles import profile_for
from fraud_detection.simulator.report.page.verdict import (
    band_verdict,
    leak_verdict,
    lift_word,
    published_verdict,
    signal_verdict,
)

DIFFICULTY_BANDS = profile_for("v3").difficulty_bands  # v3's promise, read from its profile


def _metrics(lift: float, auc: float = 0.7, recall5: float = 0.2) -> dict[str, Any]:
    one = {"recall": 0.073, "false_alerts_per_catch": 26.6}
    return {"roc_auc": auc, "ap_lift": lift, "average_precision": lift * 0.005,
            "recall_at_5pct_fpr": recall5, "operating_points": {"1pct": one}}  # fmt: skip


@pytest.mark.parametrize(
    ("lift", "word"),
    [(1.0, "weak signal"), (4.99, "weak signal"), (5.0, "moderate signal"),
     (14.9, "moderate signal"), (15.0, "realistic signal"), (49.9, "realistic signal"),
     (50.0, "strong signal"), (400.0, "strong signal")],
)  # fmt: skip
def test_lift_words_and_their_edges(lift: float, word: str) -> None:
    assert lift_word(lift) == word


def test_signal_verdict_says_the_alert_cost_in_words() -> None:
    verdict = signal_verdict(_metrics(3.4))
    assert verdict.level == "weak signal" and verdict.tone == "warn"
    assert "3.4x the base rate" in verdict.sentence
    assert "7.3% of frauds" in verdict.sentence and "27 false alerts per fraud" in verdict.sentence
    assert signal_verdict(None).level == "not measured"


def test_a_difficulty_judges_against_its_band() -> None:
    low, high = DIFFICULTY_BANDS["medium"]["roc_auc"]
    inside = band_verdict(
        _metrics(30.0, auc=(low + high) / 2, recall5=0.6), "medium", DIFFICULTY_BANDS
    )
    assert inside.level == "on target (medium)" and inside.tone == "good"
    below = signal_verdict(
        _metrics(30.0, auc=low - 0.01, recall5=0.6), "medium", bands=DIFFICULTY_BANDS
    )
    assert below.level == "below the medium band"
    assert "ROC AUC 0.870 (below 0.880–0.940)" in below.sentence
    above = signal_verdict(_metrics(3.0, auc=0.99), "easy", bands=DIFFICULTY_BANDS)
    assert above.level == "above the easy band"
    assert (
        signal_verdict(_metrics(3.0), "impossible", bands=DIFFICULTY_BANDS).level
        == "unknown difficulty"
    )


def test_the_band_guards_history_gain_and_single_columns() -> None:
    good = _metrics(30.0, auc=0.9, recall5=0.6)
    fine = {"history_gain": 0.15, "single_column": {"column": "amount", "separation": 0.64}}
    on = band_verdict(good, "medium", DIFFICULTY_BANDS, fine)
    assert on.level == "on target (medium)"
    assert "history adds +0.15 ROC AUC (at least +0.08)" in on.sentence
    assert "strongest raw column amount 0.640 (below 0.85)" in on.sentence
    for guards in (
        {**fine, "history_gain": 0.07},
        {**fine, "single_column": {"column": "amount", "separation": 0.85}},
    ):
        off = band_verdict(good, "medium", DIFFICULTY_BANDS, guards)
        assert off.level == "off target (medium)" and off.tone == "warn"
    # Outside the band, the band is named first whatever the guards say.
    assert (
        band_verdict(_metrics(30.0, auc=0.99, recall5=0.6), "medium", DIFFICULTY_BANDS, fine).level
        == "above the medium band"
    )
    # A guard that could not be measured does not fail the verdict.
    assert band_verdict(good, "medium", DIFFICULTY_BANDS, {}).level == "on target (medium)"  # fmt: skip


def _leakage(*aucs: tuple[str, float]) -> dict[str, Any]:
    rows = [
        {"column": c, "auc": a, "separation": max(a, 1 - a), "warning": max(a, 1 - a) > 0.9}
        for c, a in aucs
    ]
    rows.sort(key=lambda r: -r["separation"])
    return {"columns": rows, "note": None}


def test_leak_verdict_names_the_leaking_column_or_the_strongest() -> None:
    leak = leak_verdict(_leakage(("fraud_flag", 1.0), ("amount", 0.64)))
    assert leak.level == "leak" and "fraud_flag (1.00)" in leak.sentence
    legit = leak_verdict(_leakage(("legit", 0.02)))
    assert legit.level == "leak"  # predicting legit gives the label away as well
    clean = leak_verdict(_leakage(("amount", 0.64), ("ip_address", 0.648)))
    assert clean.level == "no leak" and "ip_address (ROC AUC 0.648)" in clean.sentence


def _figure(value: float | None, status: str, unit: str = "ratio") -> dict[str, Any]:
    low, high = (0.7, 0.9) if unit == "share" else (3.0, None)
    return {"label": "x", "short": "online / in-store fraud rate by value", "value": value,
            "low": low, "high": high, "unit": unit, "status": status, "detail": "why"}  # fmt: skip


def test_the_published_figures_verdict() -> None:
    inside = published_verdict({"figures": [_figure(0.8, "in band", "share"),
                                            _figure(None, "not measured")]})  # fmt: skip
    assert (inside.level, inside.tone) == ("in line", "good")
    assert inside.sentence.startswith("Online / in-store fraud rate by value 80.0% (band 70–90%)")
    assert "1 not measured" in inside.sentence
    off = published_verdict({"figures": [_figure(1.4, "out of band"), _figure(4.0, "in band")]})
    assert (off.level, off.tone) == ("1 of 2 outside", "warn")
    assert "1.4x (band at least 3x)" in off.sentence
    none = published_verdict({"figures": [_figure(None, "not measured")]})
    assert (none.level, none.tone) == ("not measured", "info") and "why" in none.sentence
    assert published_verdict(None).level == "not measured"
