"""Verdicts in words: does the dataset match its config, how strong and how leak-free is its
signal, are its catalogs the ones it was drawn from, and what are its problems.

``signal_verdict(metrics, difficulty)`` is the seam for realisms with a difficulty level (v3):
with a difficulty it judges the baseline model against that level's target band, without one
it names the strength from the average precision's lift over the base rate. Every threshold is
a constant here and is stated on the page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .leakage import WARN_SEPARATION
from .text import count, number, pct, sig, times

# Average precision / base rate: the upper edge of each word (v1/v2 data, no difficulty).
LIFT_WORDS: tuple[tuple[float, str], ...] = (
    (5.0, "weak signal"),
    (15.0, "moderate signal"),
    (50.0, "realistic signal"),
    (math.inf, "strong signal"),
)
LIFT_TONES = {
    "weak signal": "warn",
    "moderate signal": "good",
    "realistic signal": "good",
    "strong signal": "warn",
}
# v3's target bands for the history model (DESIGN.md section 9), per difficulty.
DIFFICULTY_BANDS: dict[str, dict[str, tuple[float, float]]] = {
    "easy": {"roc_auc": (0.95, 0.98)},
    "medium": {
        "roc_auc": (0.88, 0.94),
        "ap_lift": (16.0, 50.0),
        "recall_at_5pct_fpr": (0.55, 0.75),
    },
    "hard": {"roc_auc": (0.80, 0.87)},
}
METRIC_WORDS = {
    "roc_auc": "ROC AUC",
    "ap_lift": "average precision / base rate",
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


def band_verdict(metrics: Mapping[str, Any], difficulty: str) -> Verdict:
    """Return whether the history model sits inside ``difficulty``'s target band."""
    band = DIFFICULTY_BANDS.get(difficulty)
    if band is None:
        return Verdict("unknown difficulty", "info", f"No target band for {difficulty!r}.")
    parts, sides = [], set()
    for name, (low, high) in band.items():
        value = metrics.get(name)
        if value is None:
            continue
        side = "below" if value < low else "above" if value > high else "inside"
        sides.add(side)
        band_text = f"{_metric_text(name, low)}–{_metric_text(name, high)}"
        parts.append(f"{METRIC_WORDS[name]} {_metric_text(name, value)} is {side} {band_text}")
    sentence = f"Against the {difficulty} band: " + "; ".join(parts) + "."
    if sides <= {"inside"}:
        return Verdict(f"on target ({difficulty})", "good", sentence)
    side = "below" if "below" in sides else "above"
    return Verdict(f"{side} the {difficulty} band", "warn", sentence)


def signal_verdict(metrics: Mapping[str, Any] | None, difficulty: str | None = None) -> Verdict:
    """Return how strong the baseline model's signal is, in words and numbers.

    ``metrics`` are the history model's (``roc_auc``, ``average_precision``, ``ap_lift``,
    ``recall_at_*``, ``operating_points``); ``difficulty`` is the config's
    ``fraud.difficulty`` when the realism has one (v3), else None.
    """
    if not metrics or metrics.get("ap_lift") is None:
        return Verdict("not measured", "info", "No model could be trained (see Baseline model).")
    if difficulty is not None:
        return band_verdict(metrics, difficulty)
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
            "leak", "bad", f"Alone, {names} {verb} fraud from legit above {WARN_SEPARATION}."
        )
    if not scored:
        return Verdict("not measured", "info", leakage.get("note") or "No column could be scored.")
    top = scored[0]
    return Verdict(
        "no leak",
        "good",
        f"No column alone separates fraud above {WARN_SEPARATION}; the strongest is "
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
                         f"separation <= {WARN_SEPARATION}", row["separation"], None,
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
             " " + ("entity history carries signal." if gain >= 0.02 else "little to learn from "
                    "history."), "anchor": "model"}
        )  # fmt: skip
    informative = [
        r for r in report["leakage"]["columns"]
        if r.get("id_like") and (r.get("separation") or 0) >= 0.55 and not r["warning"]
    ]  # fmt: skip
    if informative:
        names = ", ".join(f"{r['column']} ({sig(r['auc'], 3)})" for r in informative)
        steps.append(
            {"text": f"Id-like columns with signal: {names}. New values are riskier than "
             "known ones (see the leakage section): a real signal, not a leak.",
             "anchor": "leakage"}
        )  # fmt: skip
    return steps


def _plot_data(report: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    entry = next((p for p in report["plots"] if p["name"] == name), None)
    return None if entry is None else entry.get("data")


def verdicts(report: Mapping[str, Any], difficulty: str | None) -> dict[str, Any]:
    """Return report.json's ``verdict``: the four verdicts, the problems and next steps."""
    found = problems(report)
    return {
        "fidelity": fidelity_verdict(report, found).to_dict(),
        "signal": _leak_or_signal(report, difficulty).to_dict(),
        "leakage": leak_verdict(report["leakage"]).to_dict(),
        "catalogs": catalog_verdict(report.get("catalog_check"), found).to_dict(),
        "difficulty": difficulty,
        "problems": found,
        "problem_count": len(found),
        "next": next_steps(report, found),
        "thresholds": thresholds(),
    }


def _leak_or_signal(report: Mapping[str, Any], difficulty: str | None) -> Verdict:
    """Return the signal verdict, or "leak" when one column alone gives the label away."""
    leak = leak_verdict(report["leakage"])
    if leak.level == "leak":
        metrics = best_model(report["model"])
        auc = f" (model ROC AUC {sig(metrics['roc_auc'], 3)})" if metrics else ""
        return Verdict("leak", "bad", f"{leak.sentence} Any model learns that{auc}.")
    return signal_verdict(best_model(report["model"]), difficulty)


def thresholds() -> dict[str, Any]:
    """Return every threshold the verdicts use, for the page and report.json."""
    lower = 0.0
    words = []
    for edge, word in LIFT_WORDS:
        words.append({"word": word, "from": lower, "below": None if math.isinf(edge) else edge})
        lower = edge
    return {
        "lift_words": words,
        "leak_separation": WARN_SEPARATION,
        "difficulty_bands": {
            k: {m: list(b) for m, b in v.items()} for k, v in DIFFICULTY_BANDS.items()
        },
        "catalog_checks": "skipped when the catalog files' sha256 differ from the recorded ones",
    }


def problem_count_text(found: list[dict[str, Any]]) -> str:
    """Return ``2 problems`` / ``1 problem`` / ``no problem``."""
    n = len(found)
    return "no problem" if n == 0 else f"{count(n)} problem" + ("s" if n > 1 else "")
