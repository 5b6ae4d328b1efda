"""Verdicts in words: does the dataset match its config, how strong and how leak-free is its
signal, are its catalogs the ones it was drawn from, does it match the published card-fraud
figures, and what are its problems (a published figure out of its band is not a problem: like
the signal's band, it describes the data's realism, not a defect of the run).

``signal_verdict(metrics, difficulty, guards, bands)`` is the seam for realisms with a
difficulty level (their report profile's bands): with a difficulty it judges the baseline
model against that level's target band, without one it names the strength from the average
precision's lift over the base rate. Every threshold is in ``thresholds`` and is stated on the
page; the band's single-column guard reads the leakage section's own scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ...realism.profiles import ReportProfile
from ..analysis.single import raw_columns
from ..thresholds import (
    HISTORY_GAIN_MIN,
    LEAK_SEPARATION,
    LIFT_WORDS,
    SINGLE_COLUMN_MAX,
)
from .findings import best_model, next_steps, problems
from .text import band_text, figure_value, number, pct, sig, times

Bands = Mapping[str, Mapping[str, tuple[float, float]]]  # per difficulty: metric -> band
LIFT_TONES = {
    "weak signal": "warn",
    "moderate signal": "good",
    "realistic signal": "good",
    "strong signal": "warn",
}
METRIC_WORDS = {
    "roc_auc": "ROC AUC",
    "ap_lift": "AP / base rate",
    "recall_at_5pct_fpr": "recall at 5% FPR",
}


@dataclass(frozen=True)
class Verdict:
    """A verdict: a few words, a tone for its colour, and one sentence with the numbers."""

    level: str
    tone: str  # good | warn | bad | info
    sentence: str

    def to_dict(self) -> dict[str, str]:
        """Return the verdict as report.json holds it."""
        return asdict(self)


def lift_word(lift: float) -> str:
    """Return the strength word for an average-precision lift (see ``LIFT_WORDS``)."""
    return next(word for edge, word in LIFT_WORDS if lift < edge)


def _metric_text(name: str, value: float) -> str:
    if name == "ap_lift":
        return times(value)
    if name.startswith("recall"):
        return pct(value)
    return sig(value, 3)


def _band_parts(metrics: Mapping[str, Any], band: Mapping[str, tuple[float, float]]
                ) -> tuple[list[str], set[str]]:  # fmt: skip
    parts, sides = [], set()
    for name, (low, high) in band.items():
        value = metrics.get(name)
        if value is None:
            continue
        side = "below" if value < low else "above" if value > high else "inside"
        sides.add(side)
        band_text = f"{_metric_text(name, low)}–{_metric_text(name, high)}"
        parts.append(f"{METRIC_WORDS[name]} {_metric_text(name, value)} ({side} {band_text})")
    return parts, sides


def _guard_parts(guards: Mapping[str, Any]) -> tuple[list[str], bool]:
    """Return the guards in words and whether they all hold (a guard not measured holds)."""
    parts, ok = [], True
    gain = guards.get("history_gain")
    if gain is not None:
        ok &= gain >= HISTORY_GAIN_MIN
        parts.append(f"history adds {gain:+.2f} ROC AUC (at least +{HISTORY_GAIN_MIN:g})")
    single = guards.get("single_column")
    if single is not None:
        ok &= single["separation"] < SINGLE_COLUMN_MAX
        parts.append(f"strongest raw column {single['column']} {sig(single['separation'], 3)} "
                     f"(below {SINGLE_COLUMN_MAX:g})")  # fmt: skip
    return parts, ok


def band_verdict(
    metrics: Mapping[str, Any],
    difficulty: str,
    bands: Bands,
    guards: Mapping[str, Any] | None = None,
) -> Verdict:
    """Return whether the history model sits inside ``difficulty``'s target band (of
    ``bands``) and the band's guards hold (``guards``: ``history_gain``, ``single_column``)."""
    band = bands.get(difficulty)
    if band is None:
        return Verdict("unknown difficulty", "info", f"No target band for {difficulty!r}.")
    parts, sides = _band_parts(metrics, band)
    guard_parts, guards_hold = _guard_parts(guards or {})
    sentence = f"{difficulty.capitalize()} band: " + "; ".join(parts + guard_parts) + "."
    if sides <= {"inside"} and guards_hold:
        return Verdict(f"on target ({difficulty})", "good", sentence)
    if sides <= {"inside"}:
        return Verdict(f"off target ({difficulty})", "warn", sentence)
    side = "below" if "below" in sides else "above"
    return Verdict(f"{side} the {difficulty} band", "warn", sentence)


def signal_verdict(
    metrics: Mapping[str, Any] | None,
    difficulty: str | None = None,
    guards: Mapping[str, Any] | None = None,
    bands: Bands | None = None,
) -> Verdict:
    """Return how strong the baseline model's signal is, in words and numbers.

    ``metrics`` are the history model's (``roc_auc``, ``average_precision``, ``ap_lift``,
    ``recall_at_*``, ``operating_points``); ``difficulty`` is the config's
    ``fraud.difficulty`` when the realism has one (its profile's ``bands``), else None;
    ``guards`` what ``band_verdict`` checks beside the band.
    """
    if not metrics or metrics.get("ap_lift") is None:
        return Verdict("not measured", "info", "No model could be trained (see Baseline model).")
    if difficulty is not None:
        return band_verdict(metrics, difficulty, bands or {}, guards)
    lift = float(metrics["ap_lift"])
    word = lift_word(lift)
    point = metrics["operating_points"]["1pct"]
    per_catch = point["false_alerts_per_catch"]
    alerts = (
        f"at 1% FPR it catches {pct(point['recall'])} of frauds and raises "
        f"{number(per_catch, 2)} false alerts per fraud caught"
        if per_catch is not None
        else "at 1% FPR it catches no fraud"
    )
    sentence = (
        f"Average precision is {times(lift)} the base rate "
        f"(ROC AUC {sig(metrics['roc_auc'], 3)}); {alerts}."
    )
    return Verdict(word, LIFT_TONES[word], sentence)


def leak_verdict(leakage: Mapping[str, Any]) -> Verdict:
    """Return whether one column alone gives the label away (separation above the threshold)."""
    scored = [r for r in leakage["columns"] if r.get("separation") is not None]
    leaks = [r for r in scored if r["warning"]]
    if leaks:
        names = ", ".join(f"{r['column']} ({sig(r['auc'], 3)})" for r in leaks)
        verb = "separates" if len(leaks) == 1 else "each separate"
        return Verdict(
            "leak", "bad", f"Alone, {names} {verb} fraud from legit above {LEAK_SEPARATION}."
        )
    if not scored:
        return Verdict("not measured", "info", leakage.get("note") or "No column could be scored.")
    top = scored[0]
    return Verdict(
        "no leak",
        "good",
        f"No column alone separates fraud above {LEAK_SEPARATION}; the strongest is "
        f"{top['column']} (ROC AUC {sig(top['auc'], 3)}).",
    )


def fidelity_verdict(report: Mapping[str, Any], problems: list[dict[str, Any]]) -> Verdict:
    """Return whether the data matches its schema and config (given or recorded)."""
    fid = report.get("fidelity")
    mine = [p for p in problems if p["section"] in ("fidelity", "schema")]
    source = {"given": "the --config given", "recorded": "the config recorded in the file"}
    if fid is None:
        why = report["config"]["note"] or "no config given or recorded"
        tail = f"; schema: {len(mine)} problem(s)" if mine else ""
        return Verdict("not checked", "warn" if mine else "info", f"{why}{tail}.")
    total = len(fid["checks"])
    against = source.get(report["config"]["source"], "the config")
    if mine:
        return Verdict(
            "does not match",
            "bad",
            f"{len(mine)} problem(s) against {against} and the schema ({fid['passed']} of "
            f"{total} config checks pass).",
        )
    return Verdict(
        "matches", "good", f"All {total} checks pass against {against}; the schema matches."
    )


def catalog_verdict(catalog: Mapping[str, Any] | None, problems: list[dict[str, Any]]) -> Verdict:
    """Return whether the rows agree with their catalogs, or why that was not checked."""
    if catalog is None:
        return Verdict("not checked", "info", "No catalog directory found (v1 data, or --catalog).")
    status = catalog["checksums"]["status"]
    if catalog.get("skipped"):
        tone = "warn" if status == "replaced" else "info"
        return Verdict("skipped", tone, catalog["skipped"] + ".")
    failed = [p for p in problems if p["section"] == "catalog"]
    if failed:
        return Verdict("inconsistent", "bad", f"{len(failed)} catalog check(s) fail.")
    same = {
        "match": "the catalogs are the ones the rows were drawn from (sha256 match)",
        "unknown": "the dataset records no catalog checksums, so these may be other catalogs",
    }[status]
    return Verdict("consistent", "good", f"Every catalog check passes; {same}.")


def published_verdict(section: Mapping[str, Any] | None) -> Verdict:
    """Return whether the dataset's measured published figures sit in their bands."""
    rows = (section or {}).get("figures") or []
    measured = [r for r in rows if r["value"] is not None]
    if not measured:
        why = "; ".join(r["detail"] for r in rows) or "not computed for this dataset"
        return Verdict("not measured", "info", f"No published figure could be measured ({why}).")
    parts = [f"{r['short']} {figure_value(r)} (band {band_text(r)})" for r in measured]
    skipped = len(rows) - len(measured)
    tail = f"; {skipped} not measured" if skipped else ""
    text = "; ".join(parts) + tail + "."
    sentence = text[0].upper() + text[1:]
    off = [r for r in measured if r["status"] == "out of band"]
    if off:
        return Verdict(f"{len(off)} of {len(measured)} outside", "warn", sentence)
    return Verdict("in line", "good", sentence)


def verdicts(
    report: Mapping[str, Any], difficulty: str | None, profile: ReportProfile
) -> dict[str, Any]:
    """Return report.json's ``verdict``: the five verdicts, the problems and next steps.

    ``difficulty`` is the config's ``fraud.difficulty`` for a realism with difficulty bands
    (``profile``'s; None: another realism, or not known)."""
    found = problems(report)
    bands = profile.difficulty_bands
    signal = _leak_or_signal(report, difficulty, bands)
    if bands and difficulty is None and signal.level.endswith("signal"):
        note = " Not judged against a difficulty band: no fraud.difficulty given or recorded."
        signal = Verdict(signal.level, signal.tone, signal.sentence + note)
    return {
        "fidelity": fidelity_verdict(report, found).to_dict(),
        "signal": signal.to_dict(),
        "leakage": leak_verdict(report["leakage"]).to_dict(),
        "catalogs": catalog_verdict(report.get("catalog_check"), found).to_dict(),
        "published_figures": published_verdict(report.get("published_figures")).to_dict(),
        "difficulty": difficulty,
        "problems": found,
        "problem_count": len(found),
        "next": next_steps(report, found),
        "thresholds": thresholds(bands),
    }


def _leak_or_signal(report: Mapping[str, Any], difficulty: str | None, bands: Bands) -> Verdict:
    """Return the signal verdict, or "leak" when one column alone gives the label away."""
    leak = leak_verdict(report["leakage"])
    if leak.level == "leak":
        metrics = best_model(report["model"])
        auc = f" (model ROC AUC {sig(metrics['roc_auc'], 3)})" if metrics else ""
        return Verdict("leak", "bad", f"{leak.sentence} Any model learns that{auc}.")
    guards = band_guards(report)
    return signal_verdict(best_model(report["model"]), difficulty, guards, bands)


def band_guards(report: Mapping[str, Any]) -> dict[str, Any]:
    """Return the band's guards as measured: the history model's ROC AUC gain over the raw
    one, and the strongest column alone that is not an identifier (the leakage section's
    score, on the same split)."""
    models = report["model"].get("models") or {}
    gain = None
    if "raw" in models and "raw_history" in models:
        gain = models["raw_history"]["roc_auc"] - models["raw"]["roc_auc"]
    singles = raw_columns(report["leakage"]["columns"])
    return {"history_gain": gain, "single_column": singles[0] if singles else None}


def thresholds(bands: Bands) -> dict[str, Any]:
    """Return every threshold the verdicts use, for the page and report.json."""
    lower = 0.0
    words = []
    for edge, word in LIFT_WORDS:
        words.append({"word": word, "from": lower, "below": None if math.isinf(edge) else edge})
        lower = edge
    return {
        "lift_words": words,
        "leak_separation": LEAK_SEPARATION,
        "history_gain_min": HISTORY_GAIN_MIN,
        "single_column_max": SINGLE_COLUMN_MAX,
        "difficulty_bands": {k: {m: list(b) for m, b in v.items()} for k, v in bands.items()},
        "catalog_checks": "skipped when the catalog files' sha256 differ from the recorded ones",
    }
