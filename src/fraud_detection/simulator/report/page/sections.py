"""One function per section of the page: each takes the ``Page`` and returns its body's HTML.

Passing detail is collapsed (``<details>``); a section with a failure opens it. ``html``
lists the sections in page order.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from ..thresholds import ID_SIGNAL
from .campaigns import graph_text
from .comparisons import classic_block, drift_block
from .markup import (
    Page,
    checks_table,
    details,
    figures,
    para,
    table,
    tally,
)
from .text import DASH, count, number, pct, rate_with_n, sig, times, when

ID_DTYPES = ("String",)
MAX_CELL = 32


def _plot(report: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    entry = next((p for p in report["plots"] if p["name"] == name), None)
    return None if entry is None else entry.get("data")


def _burst_sentence(report: Mapping[str, Any]) -> str:
    data = _plot(report, "bursts")
    if not data or data.get("share_of_frauds_in_bursts") is None:
        return ""
    return (
        f"{pct(data['share_of_frauds_in_bursts'])} of frauds "
        f"({count(data.get('frauds_in_bursts'))} of {count(data.get('frauds_total'))}) fall in "
        f"merchant bursts: one merchant's 30-minute window holding at least "
        f"{data['min_frauds_for_burst']} frauds."
    )


def plots_section(page: Page) -> str:
    """Return the dataset's figures, each with a sentence on how to read it."""
    captions = {
        "hour_of_day": "Left in UTC; right in the merchant's local time (local_time_offset).",
        "amount": "One panel per currency: amounts in different currencies are not added.",
        "rank_frequency": "Dashed: the count the configured Zipf exponent predicts; thick: "
        "the fit over the top ranks.",
        "daily": "Both axes start at zero, so day-to-day noise looks as small as it is.",
        "bursts": _burst_sentence(page.report),
    }
    intro = para("Computed over every row (no sampling). Each figure's numbers are in report.json.")
    return intro + para(_burst_sentence(page.report)) + figures(page, "plots", captions)


MODEL_NAMES = {
    "raw": "raw columns",
    "raw_history": "raw columns + history",
    "raw_history_truth": "raw columns + history, trained on the truth",
    "classic": "classic features (Fraud Detection Handbook)",
}


def _model_rows(models: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    rows = []
    for name, m in models.items():
        one, five = m["operating_points"]["1pct"], m["operating_points"]["5pct"]
        rows.append(
            (MODEL_NAMES.get(name, name), sig(m["roc_auc"], 3),
             f"{pct(m['average_precision'])} ({times(m['ap_lift'])} base)",
             rate_with_n(one["caught"], one["frauds"], *one["recall_ci"]),
             number(one["false_alerts_per_catch"], 2),
             rate_with_n(five["caught"], five["frauds"], *five["recall_ci"]))
        )  # fmt: skip
    return rows


MODEL_INTRO = (
    "Gradient-boosted trees (scikit-learn HistGradientBoostingClassifier) with the history "
    "features a fraud team computes first, each from strictly earlier rows: per card, counts "
    "and amount sums over 1 hour, 1 day and 7 days, the time since its last payment, the amount "
    "against its own history, the distance from its last payment, the hour against its usual "
    "one, and whether the merchant, device, IP or country is new to it; per device and per IP, "
    "the distinct cards seen before, and the other cards seen on the payment's device or IP in "
    "the last 7 days (the graph feature); per merchant, payments in the last hour, day and week "
    "and its fraud rate from the labels reported by then. 'raw columns' is the same model without "
    "them. Identifiers are never features (they mean something only through history), nor are "
    "the label columns."
)


def split_text(model: Mapping[str, Any]) -> str:
    """Return the split in words: windows, gap, which training labels, what is scored."""
    split = model["split"]
    known, true = split["train_frauds_known"], split["train_frauds_true"]
    labels = (
        f"the frauds reported by then (reported_time <= {when(split['live'])}): "
        f"{count(known)} of the {count(true)} training frauds "
        f"({pct(known / true if true else None)})"
        if split["labels"].startswith("reported_time")
        else "every training fraud (the data records no report time: a label is taken as "
        "known once the gap has passed)"
    )
    return (
        f"Time split with a gap: trained on the rows before {when(split['cutoff'])} (the first "
        f"{pct(split['train_share'])} of rows), then a {split['gap_days']:.3g}-day gap "
        f"while labels arrive, and tested on the rows from {when(split['live'])}, when the "
        f"model goes live, to {when(split['end'])}. Training labels: {labels}. Scored on the "
        f"test window's truth: {count(split['test_frauds'])} frauds in "
        f"{count(split['test_rows'])} rows (base rate {pct(model['test_base_rate'])}, what a "
        "random score's average precision gets)."
    )


def _training_note(model: Mapping[str, Any]) -> str:
    sample, fit = model["sample"], model["training"]
    legit = (
        f"a seeded sample of {count(fit['train_legit_fit'])} of the "
        f"{count(fit['train_legit_available'])} legitimate training rows, weighted back"
        if fit["train_legit_available"] > fit["train_legit_fit"]
        else f"all {count(fit['train_legit_available'])} legitimate training rows"
    )
    text = f"Each model fits every known training fraud and {legit}."
    if sample["sampled"]:
        text += (
            f" The dataset has {count(sample['rows_total'])} rows, above --max-model-rows "
            f"({count(sample['max_model_rows'])}): the device, IP and merchant features were "
            f"computed over every row, then the rows of a seeded sample of "
            f"{count(sample['cards_kept'])} of the {count(sample['cards'])} cards "
            f"({count(sample['rows_used'])} rows) kept for the card features, the models and "
            "the leakage check."
        )
    return text


def _single_text(model: Mapping[str, Any]) -> str:
    singles = model.get("single_columns") or []
    if not singles:
        return ""
    top = singles[0]
    return (
        f"Each raw column alone (the leakage check's scores, on this split, identifiers left "
        f"out): the strongest is {top['column']} (separation max(AUC, 1 − AUC) "
        f"{sig(top['separation'], 3)}); a column near 1 would give the label away."
    )


def model_section(page: Page) -> str:
    """Return the baseline model: what it is, its split, its metrics, curves and features."""
    model = page.report["model"]
    if model.get("skipped"):
        return para(MODEL_INTRO) + para(model["skipped"], "note")
    headers = ("model", "ROC AUC", "average precision", "recall at 1% FPR",
               "false alerts per fraud caught at 1% FPR", "recall at 5% FPR")  # fmt: skip
    feats = model["features"]
    feature_rows = [
        ("raw numbers", ", ".join(feats["raw"])),
        ("raw categories (codes by training frequency)", ", ".join(feats["categorical"])),
        ("history", ", ".join(feats["history"])),
    ]
    singles = [(r["column"], sig(r["auc"], 3), sig(r["separation"], 3))
               for r in model.get("single_columns") or []]  # fmt: skip
    return (
        para(MODEL_INTRO)
        + para(split_text(model))
        + table(headers, _model_rows(model["models"]), numeric=(1, 2, 3, 4, 5))
        + para(_training_note(model), "note")
        + para(_single_text(model))
        + classic_block(model)
        + (para(graph_text(model.get("graph_feature"))) if model.get("graph_feature") else "")
        + drift_block(model)
        + figures(page, "model")
        + details("Features of the models", table(("set", "features"), feature_rows))
        + details(
            "Each raw column alone",
            table(("column", "ROC AUC", "separation"), singles, numeric=(1, 2)),
        )
    )


def _seen_text(row: Mapping[str, Any]) -> str:
    seen = row["seen_before"]
    known, new = seen["seen"], seen["unseen"]
    return (
        f"{row['column']} (ROC AUC {sig(row['auc'], 3)}): on test rows whose value was seen in "
        f"training the fraud rate is {rate_with_n(known['frauds'], known['rows'], known['ci_low'], known['ci_high'], 'rows')}; "  # noqa: E501
        f"on new values {rate_with_n(new['frauds'], new['rows'], new['ci_low'], new['ci_high'], 'rows')}."  # noqa: E501
    )


def _leak_explanation(leak: Mapping[str, Any]) -> str:
    informative = [
        r for r in leak["columns"]
        if r.get("seen_before") and (r.get("separation") or 0) >= ID_SIGNAL and not r["warning"]
    ]  # fmt: skip
    text = (
        "Around 0.5 a column alone says nothing. Id-like columns (transaction_id, pan_hash, ...) "
        "sit there when their test values are new and new values are no riskier than known "
        f"ones. {ID_SIGNAL}–0.7 is what a realistic single signal looks like; above "
        f"{leak['warn_separation']} the label can be read off one column: a leak."
    )
    out = para(text)
    if informative:
        items = "".join(f"<li>{escape(_seen_text(r))}</li>" for r in informative)
        out += (
            "<p>These id-like columns score above 0.5 because a <b>new</b> value is riskier "
            "than a known one, the 'new device / new IP for this card' signal of real card "
            f"fraud, not a leak:</p><ul>{items}</ul>"
        )
    return out


def leakage_section(page: Page) -> str:
    """Return the single-column AUCs: how to read them, the figure, and the table."""
    leak = page.report["leakage"]
    warn = "".join(f'<p class="warn">{escape(w)}</p>' for w in leak["warnings"])
    rows = [
        (r["column"], r["kind"] or DASH, number(r["auc"]), number(r["separation"]),
         "yes" if r.get("id_like") else "", "leak" if r["warning"] else "")
        for r in leak["columns"]
    ]  # fmt: skip
    headers = ("column", "scored as", "ROC AUC", "separation", "id-like", "warning")
    split = leak["split"]
    note = para(
        f"Each column alone scores the baseline model's test rows (from go-live, "
        f"{when(split['live'])}): numbers as they are, strings and ids by their value's fraud "
        "rate in its training rows, on the labels known at go-live. "
        "separation = max(AUC, 1 − AUC), so a column that predicts legit counts as well."
    )
    table_html = details("Every column's score", table(headers, rows, numeric=(2, 3)))
    labels = leak.get("label_columns") or []
    if labels:
        note += para(f"Not scored, being the label or facts about it: {', '.join(labels)}.", "note")
    return warn + note + _leak_explanation(leak) + figures(page, "leakage") + table_html


def fidelity_section(page: Page) -> str:
    """Return the config checks: collapsed when all pass, open with failures."""
    report = page.report
    fid = report.get("fidelity")
    config = report["config"]
    if fid is None:
        return para(f"Not run: {config['note'] or 'no config'}. Pass --config CONFIG.", "note")
    passed, failed, skipped = tally(fid["checks"])
    source = para(f"Checked against {config['text']}.")
    diff = ""
    if config.get("differences"):
        keys = ", ".join(config["differences"])
        diff = para(f"The given config differs from the one the dataset records in: {keys}.")
    summary = f"{passed} pass, {failed} fail, {skipped} skipped"
    body = details(escape(summary), checks_table(fid["checks"]), is_open=failed > 0)
    return source + diff + body


def _checksum_rows(checksums: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (name, f["recorded"][:16], (f["found"] or "missing")[:16], "yes" if f["match"] else "NO")
        for name, f in checksums["files"].items()
    ]


def catalog_section(page: Page) -> str:
    """Return the catalog checks (or why they were skipped) and the risk-decile figure."""
    cat = page.report.get("catalog_check")
    if cat is None:
        return para("No catalog directory found (v1 data, or pass --catalog DIR).", "note")
    where = para(f"Catalogs: {cat['catalog_dir']}.")
    checksums = cat["checksums"]
    sums = ""
    if checksums["files"]:
        rows = _checksum_rows(checksums)
        sums = details(
            "Catalog checksums (sha256, first 16 digits)",
            table(("file", "recorded in the dataset", "found", "same"), rows),
            is_open=checksums["status"] == "replaced",
        )
    if cat.get("skipped"):
        return para(cat["skipped"] + ".", "warn") + where + sums
    passed, failed, _ = tally(cat["checks"])
    summary = f"{passed} pass, {failed} fail"
    body = details(escape(summary), checks_table(cat["checks"]), is_open=failed > 0)
    intro = para(
        "What belongs to a merchant (MCC, country) or a card (scheme, PAN hash, expiry) must "
        "equal its catalog row. The figure cuts entities by risk into tenths of the rows: the "
        "labeler draws fraud by risk, so the rate should rise to the right."
    )
    return where + sums + intro + body + figures(page, "catalog_check")


def schema_section(page: Page) -> str:
    """Return the schema check: each column present with exactly its type."""
    sc = page.report["schema_check"]
    rows = [
        (c["name"], c["expected"] or DASH, c["actual"] or DASH, c["status"], c["problem"] or "")
        for c in sc["columns"]
    ]
    failed = len(sc["failed"])
    summary = "every column present with its type" if sc["passed"] else f"{failed} column(s) fail"
    text = para("Against the packaged transaction_schema.yaml.")
    headers = ("column", "expected", "actual", "status", "problem")
    return text + details(escape(summary), table(headers, rows), is_open=not sc["passed"])


def _short_dtype(dtype: str) -> str:
    return dtype.replace("time_unit=", "").replace("time_zone=", "").replace("'", "")


def _extreme(column: Mapping[str, Any], v: Any, rows: int) -> str:
    """Return a min or max for the table; nothing for ids, hashes and other unique strings."""
    if v is None:
        return DASH
    dtype = column["dtype"]
    if dtype.startswith("Datetime"):
        return when(v)
    if dtype in ID_DTYPES and column["distinct"] > 0.05 * max(rows, 1):
        return ""  # a UUID's or a hash's min and max mean nothing
    if isinstance(v, float):
        return sig(v, 4) if abs(v) < 1000 else f"{v:,.2f}"
    text = str(v)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def columns_section(page: Page) -> str:
    """Return per-column statistics (collapsed): type, nulls, distinct, min and max."""
    ov = page.report["overview"]
    rows = [
        (c["name"], _short_dtype(c["dtype"]), count(c["nulls"]), pct(c["null_share"], 2),
         count(c["distinct"]), _extreme(c, c["min"], ov["rows"]), _extreme(c, c["max"], ov["rows"]))
        for c in ov["columns"]
    ]  # fmt: skip
    headers = ("column", "type", "nulls", "null share", "distinct", "min", "max")
    body = table(headers, rows, numeric=(2, 3, 4))
    note = para(
        "In a healthy dataset transaction_id has as many distinct values as rows and only "
        "device_id has nulls. Min and max are left out for ids and hashes."
    )
    return note + details(f"{len(rows)} columns", body)


def about_section(page: Page) -> str:
    """Return how this report was made: its version and settings, in words."""
    report = page.report
    settings = report["settings"]
    return para(
        f"Report format {report['report_version']}. Leakage check and models on at most "
        f"{count(settings['max_model_rows'])} rows (--max-model-rows; sample seed "
        f"{settings['seed']}). Figures and fidelity checks use every row. Everything on this "
        "page is in report.json beside it."
    )
