"""The top of the page: what this dataset is, the five verdicts, its problems and where to look.

A reader who stops here knows whether the data matches its config, how strong and how
leak-free its signal is, whether it looks like published card fraud, and what to fix first.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from .markup import Page, Raw, link, table, tolerance, value
from .text import DASH, count, day, pct, short_hash, when

CARDS = (
    ("fidelity", "Matches its config?", "fidelity"),
    ("signal", "How strong is the signal?", "model"),
    ("leakage", "Leak-free?", "leakage"),
    ("catalogs", "Catalogs consistent?", "catalog"),
    ("published_figures", "Matches published figures?", "published"),
)


def dataset_name(report: Mapping[str, Any]) -> str:
    """Return the dataset's name: its file or directory name without ``.parquet``."""
    return Path(report["overview"]["path"]).name.removesuffix(".parquet")


def lede(report: Mapping[str, Any]) -> str:
    """Return the first sentence: rows, time span, frauds, and who made the data when."""
    ov = report["overview"]
    info = report["provenance"]["info"]
    types = report.get("typologies")
    episodes = (
        f" in {count(sum(t['episodes'] for t in types.values()))} episodes of "
        f"{sum(1 for t in types.values() if t['rows'])} typologies"
        if types
        else ""
    )
    what = (
        f"{count(ov['rows'])} card transactions from {day(ov['start'])} to {day(ov['end'])} "
        f"({count(ov['days'])} days, UTC), of which {count(ov['fraud_count'])} are fraud "
        f"({pct(ov['fraud_rate'])}){episodes}."
    )
    if info is None:
        return what + " The files record no provenance (an older or foreign dataset)."
    made = (
        f" Made by fraud-simulator {info.get('package_version', '?')} with realism "
        f"{info.get('realism', '?')} and seed {info.get('seed', '?')} on "
        f"{info.get('run_date', '?')} (the run date, which names the partition; the data's own "
        "dates are above)."
    )
    return what + made


def provenance_rows(report: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Return (what, value) rows describing how the dataset was made and what it holds."""
    prov = report["provenance"]
    info = prov["info"] or {}
    config = report["config"]
    counts = report["overview"].get("entities", {})
    entities = ", ".join(f"{count(n)} {e}s" for e, n in counts.items()) or DASH
    rows: list[tuple[str, Any]] = [
        ("dataset", report["overview"]["path"]),
        ("files", f"{count(prov['files'])} Parquet file(s)"),
        ("generator", f"fraud-simulator {info['package_version']}" if info else "unknown"),
        ("realism, seed", f"{info.get('realism', DASH)}, {info.get('seed', DASH)}"),
        ("config sha256", short_hash(info.get("config_sha256"))),
        ("run date", info.get("run_date", DASH)),
        ("entities seen", entities),
        ("config checked against", config["text"]),
    ]
    if prov["note"]:
        rows.append(("note", prov["note"]))
    return rows


def verdict_cards(report: Mapping[str, Any]) -> str:
    """Return the verdict cards, each linking to the section with the detail."""
    verdict = report["verdict"]
    cards = []
    for key, question, anchor in CARDS:
        v = verdict[key]
        cards.append(
            f'<div class="card {v["tone"]}"><div class="q">{escape(question)}</div>'
            f'<div class="level">{escape(v["level"])}</div><p>{escape(v["sentence"])} '
            f"{link(anchor, 'Details')}</p></div>"
        )
    return f'<div class="cards">{"".join(cards)}</div>'


def _lift_range(word: Mapping[str, Any]) -> str:
    low, high = word["from"], word["below"]
    if not low:
        return f"below {high:g}x {word['word']}"
    if high is None:
        return f"above {low:g}x {word['word']}"
    return f"{low:g}–{high:g}x {word['word']}"


def thresholds_note(report: Mapping[str, Any]) -> str:
    """Return one paragraph stating the thresholds behind the verdicts."""
    th = report["verdict"]["thresholds"]
    words = "; ".join(_lift_range(w) for w in th["lift_words"])
    difficulty = report["verdict"]["difficulty"]
    band = (
        f" This dataset has fraud.difficulty {difficulty}: the signal is judged against that "
        "level's target band instead (ROC AUC, and for medium AP / base rate and recall at 5% "
        f"FPR), and history must add at least +{th['history_gain_min']:g} ROC AUC over the raw "
        f"columns while no raw column alone separates {th['single_column_max']:g} or more."
        if difficulty
        else ""
    )
    return (
        '<p class="note">How the verdicts are made. Signal: the history model\'s average '
        f"precision divided by the test base rate (what a random score gets): {words}.{band} "
        f"Leak: any single column whose separation max(AUC, 1 − AUC) exceeds "
        f"{th['leak_separation']}. Config: every check within its stated tolerance. Catalogs: "
        "checked only when the catalog files are the ones the dataset records (sha256).</p>"
    )


def problems_block(report: Mapping[str, Any]) -> str:
    """Return the table of every problem (expected, measured, tolerance), or nothing."""
    found = report["verdict"]["problems"]
    if not found:
        return ""
    rows = [
        (Raw(link(_ANCHORS.get(p["section"], p["section"]), p["section"])), p["label"],
         value(p["expected"], p["unit"]), value(p["measured"], p["unit"]),
         tolerance(p["tolerance"], p["unit"]), p["detail"])
        for p in found
    ]  # fmt: skip
    headers = ("section", "check", "expected", "measured", "tolerance", "detail")
    n = len(found)
    return (
        f'<div class="problems" id="problems"><h2>{n} problem{"s" if n > 1 else ""}</h2>'
        f"{table(headers, rows, numeric=(2, 3, 4))}</div>"
    )


_ANCHORS = {"schema": "schema", "fidelity": "fidelity", "catalog": "catalog", "leakage": "leakage"}


def next_block(report: Mapping[str, Any]) -> str:
    """Return the "where to look next" list."""
    items = "".join(
        f"<li>{escape(step['text'])} {link(step['anchor'], 'Go')}</li>"
        for step in report["verdict"]["next"]
    )
    return f'<div class="next"><h2>Where to look next</h2><ul>{items}</ul></div>' if items else ""


def top_block(page: Page, toc: str) -> str:
    """Return the whole top block: title, lede, verdicts, problems, next steps and contents."""
    report = page.report
    facts = table(("", ""), provenance_rows(report), css="facts")
    ov = report["overview"]
    span = f"{when(ov['start'])} – {when(ov['end'])}"
    return (
        f'<header id="top"><h1>Fraud dataset report: {escape(dataset_name(report))}</h1>'
        f'<p class="lede">{escape(lede(report))}</p>'
        f"{verdict_cards(report)}{thresholds_note(report)}{problems_block(report)}"
        f'<div class="split"><div>{next_block(report)}{toc}</div>'
        f'<div><h2>What this dataset is</h2>{facts}<p class="note">Events {escape(span)}.</p>'
        "</div></div></header>"
    )
