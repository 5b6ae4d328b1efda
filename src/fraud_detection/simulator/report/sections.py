"""One function per section of the page: each takes the ``Page`` and returns its body's HTML.

Passing detail is collapsed (``<details>``); a section with a failure opens it. ``html``
lists the sections in page order.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

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


def _model_rows(models: Mapping[str, Any], base: float) -> list[tuple[Any, ...]]:
    rows = []
    names = {"raw": "raw columns", "raw_history": "raw columns + history"}
    for name, m in models.items():
        one, five = m["operating_points"]["1pct"], m["operating_points"]["5pct"]
        rows.append(
            (names.get(name, name), sig(m["roc_auc"], 3),
             f"{pct(m['average_precision'])} ({times(m['ap_lift'])} base)",
             rate_with_n(one["caught"], one["frauds"], *one["recall_ci"]),
             number(one["false_alerts_per_catch"], 2),
             rate_with_n(five["caught"], five["frauds"], *five["recall_ci"]))
        )  # fmt: skip
    return rows


def _training_note(model: Mapping[str, Any]) -> str:
    split, fit = model["split"], model.get("training") or {}
    sampled = (
        f" The rows were first cut to a seeded sample of {count(split['rows'])} rows "
        "(--max-model-rows)."
        if split["sampled"]
        else ""
    )
    legit = (
        f"a seeded sample of {count(fit['train_legit_fit'])} of the "
        f"{count(fit['train_legit_available'])} legitimate training rows"
        if fit.get("sampled")
        else f"all {count(fit.get('train_legit_fit'))} legitimate training rows"
    )
    return (
        f"Trained on the first 80% of time (up to {when(split['cutoff'])}), on every training "
        f"fraud ({count(fit.get('train_frauds_fit'))}) and {legit}; scored on all "
        f"{count(split['test_rows_used'])} test rows ({count(split['test_frauds_used'])} "
        f"frauds).{sampled}"
    )


def model_section(page: Page) -> str:
    """Return the baseline model: what it is, its metrics in words, curves and features."""
    model = page.report["model"]
    if model.get("skipped"):
        return para(model["skipped"], "note")
    base = model["test_base_rate"]
    headers = ("model", "ROC AUC", "average precision", "recall at 1% FPR",
               "false alerts per fraud caught at 1% FPR", "recall at 5% FPR")  # fmt: skip
    intro = para(
        "Two gradient-boosted tree models (scikit-learn HistGradientBoostingClassifier) on a "
        "time split. 'raw columns': the columns as they are, without identifiers. 'raw columns "
        "+ history': plus per card, merchant, (card, device) and (card, IP) counts and fraud "
        "rates from the training window, what a fraud team's features ask first. Average "
        f"precision is compared with the test base rate {pct(base)}, what a random score gets."
    )
    feats = [(n, ", ".join(m["features"])) for n, m in model["models"].items()]
    body = (
        intro
        + table(headers, _model_rows(model["models"], base), numeric=(1, 2, 3, 4, 5))
        + para(_training_note(model), "note")
        + figures(page, "model")
        + details("Features of each model", table(("model", "features"), feats))
    )
    return body


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
        if r.get("seen_before") and (r.get("separation") or 0) >= 0.55 and not r["warning"]
    ]  # fmt: skip
    text = (
        "Around 0.5 a column alone says nothing. Id-like columns (transaction_id, pan_hash, ...) "
        "sit there when their test values are new and new values are no riskier than known "
        "ones. 0.55–0.7 is what a realistic single signal looks like; above "
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
        f"Each column alone scores the test rows (after {when(split['cutoff'])}): numbers as "
        "they are, strings and ids by their value's fraud rate in the training rows. "
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
