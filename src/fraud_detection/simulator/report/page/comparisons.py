"""What the model section adds beside the baseline's table: the drift curve by test week and
the classic baseline (the Fraud Detection Handbook's features) with what its gap means."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..thresholds import CLASSIC_GAP_LITTLE, CLASSIC_GAP_MOST
from .markup import details, para, table
from .text import DASH, count, day, number, pct, sig

BANK_CLASSIC = "0.78-0.90"  # the classic features on Worldline's real data (the handbook)


def _week_rows(drift: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (w["week"], f"{day(w['start'])} – {day(w['end'])}", count(w["rows"]), count(w["frauds"]),
         DASH if w["roc_auc"] is None else sig(w["roc_auc"], 3),
         DASH if w["ap_lift"] is None else f"{sig(w['ap_lift'], 2)}x", w["note"] or "")
        for w in drift["weeks"]
    ]  # fmt: skip


def drift_text(drift: Mapping[str, Any]) -> str:
    """Return the drift curve in one sentence."""
    scored = [w for w in drift["weeks"] if w["roc_auc"] is not None]
    if not scored:
        return (
            f"Drift: no test week holds {drift['min_frauds']} frauds, so none is scored on its own."
        )
    low, high = drift["roc_auc_range"]
    change = drift["roc_auc_change"]
    move = "" if change is None else f", {change:+.3f} from the first scored week to the last"
    return (
        f"Drift: the history model, trained once, scored week by week after go-live: ROC AUC "
        f"{sig(low, 3)} to {sig(high, 3)} over {len(scored)} scored weeks{move}. A model that "
        "falls away meets fraud that changed after it was trained; a week with fewer than "
        f"{drift['min_frauds']} frauds is listed but not scored."
    )


def drift_block(model: Mapping[str, Any]) -> str:
    """Return the drift sentence and its table by week (collapsed)."""
    drift = model.get("drift")
    if not drift:
        return ""
    headers = ("week", "dates", "rows", "frauds", "ROC AUC", "AP / base rate", "note")
    rows = table(headers, _week_rows(drift), numeric=(0, 2, 3, 4, 5))
    return para(drift_text(drift)) + details("The drift curve by test week", rows)


def gap_meaning(gap: float) -> str:
    """Return what the gap between the practitioner's and the classic baseline means."""
    if gap < CLASSIC_GAP_LITTLE:
        return (
            "the classic families (amounts, the card's velocity, the merchant's delayed fraud "
            "rate, weekend and night) carry nearly all of this dataset's signal"
        )
    if gap < CLASSIC_GAP_MOST:
        return (
            "the classic families carry most of the signal; novelty (new devices, IPs, "
            "places for the card) and finer velocity add the rest"
        )
    return (
        "most of this dataset's signal sits in what the classic features lack: novelty (new "
        "devices, IPs, places for the card), shared devices and IPs, and finer velocity; a "
        "team that starts from the classic features would find little"
    )


def classic_block(model: Mapping[str, Any]) -> str:
    """Return the classic baseline: its features, the gap in words, each feature alone."""
    classic = model.get("classic")
    if not classic:
        return ""
    gap, ratio = classic["gap_roc_auc"], classic["amount_vs_card_30d"]
    text = (
        "Classic features (the Fraud Detection Handbook's baseline, our implementation): the "
        "amount, weekend and night (local hour 0-6) flags, per card its payments and mean "
        "amount over 1, 7 and 30 days, and per merchant its payments and fraud rate over 1, 7 "
        f"and 30 days counted with a {classic['delay_days']}-day delay (frauds only once "
        "reported), on the same split, labels and model."
    )
    if gap is not None:
        text += (
            f" The practitioner's baseline beats them by {gap:+.3f} ROC AUC: {gap_meaning(gap)}. "
            f"On real card data these features alone reach ROC AUC {BANK_CLASSIC}."
        )
    if ratio and ratio["auc"] is not None:
        text += (
            f" The amount against the card's 30-day mean alone: ROC AUC {sig(ratio['auc'], 3)} "
            f"({pct(ratio['with_history'], 3)} of test rows have a 30-day history)."
        )
    rows = [(r["feature"], number(r["auc"]), number(r["separation"]))
            for r in classic["single_features"]]  # fmt: skip
    alone = table(("feature", "ROC AUC", "separation"), rows, numeric=(1, 2))
    return para(text) + details("Each classic feature alone (test rows)", alone)
