"""report.html: one self-contained page built from report.json's data (images as data URIs).

Every number on the page comes from the report dict, so report.json holds all of them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

MAX_CELL = 40
WIDE_KINDS = frozenset({"rank_frequency", "bursts", "daily", "risk", "model"})
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1200px;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.5rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.85rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#1b7a3a;font-weight:600}.fail{color:#b3261e;font-weight:600}
.skipped{color:#777}.warn{background:#fdecea;border-left:4px solid #b3261e;padding:.5rem .8rem}
.ok{background:#eaf6ee;border-left:4px solid #1b7a3a;padding:.5rem .8rem}
.note{color:#555;font-size:.9rem}figure{margin:1rem 0}img{max-width:100%;height:auto}
figcaption{font-size:.85rem;color:#555}.grid{display:flex;flex-wrap:wrap;gap:1rem}
.grid figure{flex:1 1 460px}.grid figure.wide{flex-basis:100%}
code{background:#f4f4f4;padding:0 .2rem}.scroll{overflow-x:auto}
"""


def fmt(value: Any) -> str:
    """Return a value as display text: thousands separators, 4 significant digits, dashes."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 1e-3 or value == 0:
            return f"{value:#.4g}".rstrip(".")
        return f"{value:.3e}"
    return str(value)


def short(value: Any, limit: int = MAX_CELL) -> str:
    """Return a raw value as text (no separators), cut to ``limit`` characters."""
    text = "–" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cell(value: Any) -> str:
    """Return one escaped ``<td>``, right-aligned for numbers, coloured for a status."""
    if isinstance(value, str) and value in ("pass", "fail", "skipped"):
        return f'<td class="{value}">{value}</td>'
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    css = ' class="num"' if numeric else ""
    return f"<td{css}>{escape(fmt(value))}</td>"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return an HTML table of ``rows`` under ``headers``."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def image(png: bytes | None, entry: dict[str, Any]) -> str:
    """Return a ``<figure>`` with the PNG as a data URI, or a note why it is missing."""
    title = escape(entry["title"])
    if png is None:
        reason = escape(entry.get("skipped", "no data"))
        return f"<figure><figcaption>{title}: not drawn ({reason})</figcaption></figure>"
    data = base64.b64encode(png).decode("ascii")
    css = ' class="wide"' if entry["kind"] in WIDE_KINDS else ""
    return (
        f'<figure{css}><img src="data:image/png;base64,{data}" alt="{title}">'
        f"<figcaption>{title} (data: <code>plots[name={escape(entry['name'])}]</code>)"
        "</figcaption></figure>"
    )


def figures(report: dict[str, Any], images: dict[str, bytes | None], section: str) -> str:
    """Return the figures of one section, in a wrapping grid."""
    parts = [image(images.get(p["name"]), p) for p in report["plots"] if p["section"] == section]
    return f'<div class="grid">{"".join(parts)}</div>' if parts else ""


def checks_table(checks: list[dict[str, Any]]) -> str:
    """Return a check table: what, expected, measured, tolerance, status, detail."""
    rows = [
        (c["label"], c["expected"], c["measured"], c["tolerance"], c["status"], c["detail"])
        for c in checks
    ]
    return table(("check", "expected", "measured", "tolerance", "status", "detail"), rows)


def summary(report: dict[str, Any]) -> str:
    """Return the verdict box: failed checks and leakage warnings first, then key numbers."""
    problems = [*report["leakage"]["warnings"]]
    problems += [f"schema: {c} fails" for c in report["schema_check"]["failed"]]
    for key in ("fidelity", "catalog_check"):
        section = report.get(key) or {}
        problems += [
            f"{key}: {c['label']}" for c in section.get("checks", []) if c["status"] == "fail"
        ]
    if problems:
        items = "".join(f"<li>{escape(p)}</li>" for p in problems)
        box = f'<div class="warn"><b>{len(problems)} problem(s)</b><ul>{items}</ul></div>'
    else:
        ran = ["schema", "leakage"] + [k for k in ("fidelity", "catalog_check") if report.get(k)]
        box = f'<div class="ok"><b>No problem found</b> ({", ".join(ran)}).</div>'
    models = report["model"].get("models", {})
    rows = [
        (name, m["roc_auc"], m["average_precision"], m["recall_at_1pct_fpr"])
        for name, m in models.items()
    ]
    ov = report["overview"]
    facts = table(
        ("rows", "frauds", "fraud rate", "from", "to"),
        [(ov["rows"], ov["fraud_count"], ov["fraud_rate"], ov["start"], ov["end"])],
    )
    model = (
        table(("model", "ROC AUC", "average precision", "recall at 1% FPR"), rows) if rows else ""
    )
    return box + facts + model


def section(title: str, anchor: str, *parts: str) -> str:
    """Return one ``<section>`` with a heading."""
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{"".join(parts)}</section>'


def overview_section(report: dict[str, Any]) -> str:
    """Return per-column statistics."""
    cols = report["overview"]["columns"]
    rows = [
        (c["name"], c["dtype"], c["nulls"], c["null_share"], c["distinct"], short(c["min"]),
         short(c["max"]))
        for c in cols
    ]  # fmt: skip
    headers = ("column", "dtype", "nulls", "null share", "distinct", "min", "max")
    body = f'<div class="scroll">{table(headers, rows)}</div>'
    return section("Overview", "overview", body)


def schema_section(report: dict[str, Any]) -> str:
    """Return the schema check: expected vs actual type per column."""
    sc = report["schema_check"]
    verdict = '<p class="pass">pass</p>' if sc["passed"] else '<p class="fail">fail</p>'
    rows = [
        (c["name"], c["expected"], c["actual"], c["status"], c["problem"]) for c in sc["columns"]
    ]
    body = table(("column", "expected", "actual", "status", "problem"), rows)
    return section("Schema check (packaged transaction_schema.yaml)", "schema", verdict, body)


def fidelity_section(report: dict[str, Any]) -> str:
    """Return the fidelity checks, or a note that no config was given."""
    fid = report.get("fidelity")
    if fid is None:
        note = '<p class="note">Not run: pass <code>--config</code> to compare with a config.</p>'
        return section("Fidelity to the config", "fidelity", note)
    tally = f"<p>{fid['passed']} pass, {fid['failed']} fail, {fid['skipped']} skipped.</p>"
    return section("Fidelity to the config", "fidelity", tally, checks_table(fid["checks"]))


def catalog_section(report: dict[str, Any], images: dict[str, bytes | None]) -> str:
    """Return the catalog consistency checks and the risk-decile figure."""
    cat = report.get("catalog_check")
    if cat is None:
        note = '<p class="note">No catalog found (v1 data, or pass <code>--catalog</code>).</p>'
        return section("Catalog consistency", "catalog", note)
    where = f"<p>Catalogs: <code>{escape(cat['catalog_dir'])}</code></p>"
    body = checks_table(cat["checks"]) + figures(report, images, "catalog_check")
    return section("Catalog consistency", "catalog", where, body)


def leakage_section(report: dict[str, Any], images: dict[str, bytes | None]) -> str:
    """Return the single-column AUC table, its warnings and figure."""
    leak = report["leakage"]
    rows = [
        (r["column"], r["kind"], r["auc"], r["separation"], r.get("id_like"), r["warning"])
        for r in leak["columns"]
    ]
    headers = ("column", "scored as", "ROC AUC", "separation", "id-like", "warning")
    warn = "".join(f'<p class="warn">{escape(w)}</p>' for w in leak["warnings"])
    note = (
        f'<p class="note">Time-ordered split at {escape(leak["split"]["cutoff"])}. '
        "separation = max(AUC, 1 - AUC); a warning above "
        f"{leak['warn_separation']}. Id-like columns are expected near 0.5.</p>"
    )
    body = warn + note + table(headers, rows) + figures(report, images, "leakage")
    return section("Leakage check", "leakage", body)


def model_section(report: dict[str, Any], images: dict[str, bytes | None]) -> str:
    """Return raw vs raw+history metrics, the split and the curves."""
    model = report["model"]
    if model.get("skipped"):
        return section("Baseline model", "model", f'<p class="note">{escape(model["skipped"])}</p>')
    split = model["split"]
    rows = [
        (n, m["roc_auc"], m["average_precision"], m["recall_at_1pct_fpr"], m["iterations"],
         len(m["features"]))
        for n, m in model["models"].items()
    ]  # fmt: skip
    headers = ("model", "ROC AUC", "average precision", "recall at 1% FPR", "trees", "features")
    split_rows = [(k, v) for k, v in split.items()]
    feats = [(n, ", ".join(m["features"])) for n, m in model["models"].items()]
    rate = fmt(model["test_base_rate"])
    base = f"<p>Test base rate (average precision of a random score): {rate}</p>"
    body = table(headers, rows) + base + figures(report, images, "model")
    body += "<h3>Split</h3>" + table(("", "value"), split_rows)
    body += "<h3>Features</h3>" + table(("model", "features"), feats)
    return section("Baseline model (HistGradientBoostingClassifier)", "model", body)


def render_html(report: dict[str, Any], images: dict[str, bytes | None]) -> str:
    """Return the whole self-contained report page."""
    title = f"Dataset report: {report['overview']['path']}"
    body = [
        f"<h1>{escape(title)}</h1>",
        summary(report),
        overview_section(report),
        schema_section(report),
        fidelity_section(report),
        catalog_section(report, images),
        section("Plots", "plots", figures(report, images, "plots")),
        leakage_section(report, images),
        model_section(report, images),
        f'<p class="note">report_version {report["report_version"]}; settings: '
        f"{escape(str(report['settings']))}</p>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
