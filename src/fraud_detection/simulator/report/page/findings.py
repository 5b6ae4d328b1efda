"""The problems a report finds (every failed check, one row each) and where to look next."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..thresholds import DRIFT_DROP, HISTORY_SIGNAL, ID_SIGNAL, LEAK_SEPARATION
from .text import band_text, figure_value, pct, sig


def problems(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return every failed check as one row: section, label, expected, measured, tolerance."""
    out = []
    for column in report["schema_check"]["columns"]:
        if column["status"] == "fail":
            out.append(
                _problem("schema", f"column {column['name']}", column["expected"] or "absent",
                         column["actual"] or "absent", "exact", column["problem"] or "", "text")
            )  # fmt: skip
    for section, key in (("fidelity", "fidelity"), ("catalog", "catalog_check")):
        for check in (report.get(key) or {}).get("checks", []):
            if check["status"] == "fail":
                out.append(
                    _problem(section, check["label"], check["expected"], check["measured"],
                             check["tolerance"], check["detail"], check.get("unit"))
                )  # fmt: skip
    for row in report["leakage"]["columns"]:
        if row["warning"]:
            out.append(
                _problem("leakage", f"{row['column']} alone predicts the label",
                         f"separation <= {LEAK_SEPARATION}", row["separation"], None,
                         f"ROC AUC {sig(row['auc'], 3)}", "score")
            )  # fmt: skip
    return out


def _problem(
    section: str,
    label: str,
    expected: Any,
    measured: Any,
    tolerance: Any,
    detail: str,
    unit: str | None = None,
) -> dict[str, Any]:
    return {
        "section": section,
        "label": label,
        "expected": expected,
        "measured": measured,
        "tolerance": tolerance,
        "unit": unit,
        "detail": detail,
    }


def best_model(model: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the metrics the verdict judges: the history model's, else the raw one's."""
    models = model.get("models") or {}
    return models.get("raw_history") or models.get("raw")


def next_steps(report: Mapping[str, Any], found: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Return where to look next: each a sentence and the section it points to."""
    steps = []
    if found:
        steps.append(
            {"text": f"{len(found)} problem(s) are listed above with expected, measured and "
             "tolerance: fix those first.", "anchor": "problems"}
        )  # fmt: skip
    steps += _signal_steps(report)
    steps += _label_steps(report)
    steps += _time_steps(report)
    bursts = _plot_data(report, "bursts")
    if bursts and bursts.get("share_of_frauds_in_bursts") is not None:
        steps.append(
            {"text": f"{pct(bursts['share_of_frauds_in_bursts'])} of frauds sit in merchant "
             f"bursts (>= {bursts['min_frauds_for_burst']} frauds in one merchant's 30 minutes).",
             "anchor": "plots"}
        )  # fmt: skip
    if report["config"]["source"] is None:
        steps.append(
            {"text": "Pass --config to check the data against its configuration.",
             "anchor": "fidelity"}
        )  # fmt: skip
    return steps


def _signal_steps(report: Mapping[str, Any]) -> list[dict[str, str]]:
    models = report["model"].get("models") or {}
    steps = []
    if "raw" in models and "raw_history" in models:
        gain = models["raw_history"]["roc_auc"] - models["raw"]["roc_auc"]
        steps.append(
            {"text": f"History features move ROC AUC by {gain:+.2f} "
             f"({sig(models['raw']['roc_auc'], 3)} -> {sig(models['raw_history']['roc_auc'], 3)}):"
             " " + ("entity history carries signal." if gain >= HISTORY_SIGNAL
                    else "little to learn from history."), "anchor": "model"}
        )  # fmt: skip
    informative = [
        r for r in report["leakage"]["columns"]
        if r.get("id_like") and (r.get("separation") or 0) >= ID_SIGNAL and not r["warning"]
    ]  # fmt: skip
    if informative:
        names = ", ".join(f"{r['column']} ({sig(r['auc'], 3)})" for r in informative)
        steps.append(
            {"text": f"Id-like columns with signal: {names}. New values are riskier than "
             "known ones (see the leakage section): a real signal, not a leak.",
             "anchor": "leakage"}
        )  # fmt: skip
    return steps


def _label_steps(report: Mapping[str, Any]) -> list[dict[str, str]]:
    """Return v3's steps: how late labels arrive and what that costs, the hardest typology."""
    latency, types = report.get("label_latency"), report.get("typologies")
    if not latency or not types:
        return []
    text = (
        f"Labels arrive late: {pct(latency['within_days']['7'])} of frauds are reported within "
        f"7 days, {pct(latency['never'])} never."
    )
    diff = (report.get("observed_labels") or {}).get("difference")
    if diff:
        text += (
            " Training on the labels known at go-live instead of the truth moves ROC AUC by "
            f"{diff['roc_auc']:+.3f}."
        )
    steps = [{"text": text, "anchor": "typologies"}]
    scored = [(t["recall_at_5pct_fpr"], name) for name, t in types.items()
              if t.get("recall_at_5pct_fpr") is not None]  # fmt: skip
    if scored:
        recall, name = min(scored)
        steps.append({"text": f"Hardest typology for the baseline: {name} (recall "
                      f"{pct(recall)} at 5% FPR).", "anchor": "typologies"})  # fmt: skip
    return steps


def _time_steps(report: Mapping[str, Any]) -> list[dict[str, str]]:
    """Return the published figures out of their bands and the drift over the test weeks."""
    steps = []
    figures = (report.get("published_figures") or {}).get("figures") or []
    off = [f for f in figures if f["status"] == "out of band"]
    if off:
        names = "; ".join(f"{f['short']} {figure_value(f)} (band {band_text(f)})" for f in off)
        steps.append({"text": f"Published figures out of their bands: {names}.",
                      "anchor": "published"})  # fmt: skip
    drift = report["model"].get("drift") or {}
    change = drift.get("roc_auc_change")
    if change is not None and change <= -DRIFT_DROP:
        steps.append({"text": f"The model loses {-change:.3f} ROC AUC from the first test week "
                      "to the last: fraud drifts after go-live.", "anchor": "model"})  # fmt: skip
    return steps


def _plot_data(report: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    entry = next((p for p in report["plots"] if p["name"] == name), None)
    return None if entry is None else entry.get("data")
