"""The page's v3 section: which typologies the data holds, how hard each is for the baseline,
how late labels arrive, and what training on the labels a team would have had costs.

Left out (``None``) for data without v3's label columns, so a v1/v2 page is as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from .markup import Page, Raw, figures, para, table
from .text import DASH, count, number, pct, rate_with_n, sig, when

FIGURES_TEXT = (
    "Left: each line climbs to the share of that typology's fraud rows reported within the "
    "delay after the payment; what it never reaches is never reported. Right: the history "
    "model flagging 5% of legitimate test rows catches this share of each typology's test "
    "frauds (line: 95% interval; dashed: all frauds)."
)


def _episode_size(row: Mapping[str, Any]) -> str:
    return number(row["rows"] / row["episodes"], 2) if row["episodes"] else DASH


def _recall(row: Mapping[str, Any]) -> str:
    if not row.get("test_frauds"):
        return DASH
    return rate_with_n(row["caught"], row["test_frauds"], *row["recall_ci"])


def typology_rows(report: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Return one table row per typology: rows, shares, episodes, delays, recall."""
    latency = (report.get("label_latency") or {}).get("by_type", {})
    rows = []
    for name, t in report["typologies"].items():
        lat = latency.get(name, {})
        median = lat.get("median_days")
        rows.append(
            (Raw(f'<span class="nowrap">{escape(name)}</span>'), count(t["rows"]),
             pct(t["share"], 3), pct(t["expected_share"], 3),
             count(t["episodes"]), _episode_size(t),
             DASH if median is None else f"{number(median, 2)} d", pct(lat.get("never")),
             _recall(t))
        )  # fmt: skip
    return rows


def latency_text(latency: Mapping[str, Any]) -> str:
    """Return the label latency in one sentence."""
    within = latency["within_days"]
    parts = ", ".join(f"{pct(within[d])} within {d} day{'s' if d != '1' else ''}" for d in within)
    return (
        f"Of the {count(latency['frauds'])} fraud rows, {parts}; {pct(latency['never'])} are "
        f"never reported (median delay {number(latency['median_days'], 2)} days, "
        "from each payment to its reported_time)."
    )


def observed_text(observed: Mapping[str, Any]) -> str:
    """Return what training on the labels known at go-live gives against the truth."""
    head = (
        f"A model going live at {when(observed['live'])} was trained on the rows before "
        f"{when(observed['cutoff'])} and the labels reported by go-live "
        f"({observed['training_labels']}): {count(observed['train_frauds_known'])} of the "
        f"{count(observed['train_frauds_true'])} training frauds "
        f"({pct(observed['share_known'])})."
    )
    if observed["observed"] is None:
        return head + f" {observed['note']}."
    if observed["difference"] is None:
        return head + f" {observed['note'].capitalize()}."
    diff = observed["difference"]
    return head + (
        f" Against the same model trained on the truth (label_fraud), both scored on the test "
        f"window's truth: ROC AUC {diff['roc_auc']:+.3f}, average precision "
        f"{diff['average_precision']:+.4f}, recall at 5% FPR "
        f"{100 * diff['recall_at_5pct_fpr']:+.1f} pp."
    )


def _observed_table(observed: Mapping[str, Any]) -> str:
    if observed["difference"] is None:
        return ""
    rows = [
        (what, sig(m["roc_auc"], 3), f"{pct(m['average_precision'])} ({sig(m['ap_lift'], 2)}x)",
         pct(m["recall_at_1pct_fpr"]), pct(m["recall_at_5pct_fpr"]))
        for what, m in (("labels known at go-live", observed["observed"]),
                        ("the truth (label_fraud)", observed["truth"]))
    ]  # fmt: skip
    headers = ("trained on", "ROC AUC", "average precision", "recall at 1% FPR",
               "recall at 5% FPR")  # fmt: skip
    return table(headers, rows, numeric=(1, 2, 3, 4))


def typologies_section(page: Page) -> str | None:
    """Return the typologies, label latency and observed-labels section (v3 data only)."""
    report = page.report
    types = report.get("typologies")
    if types is None:
        return None
    frauds = sum(t["rows"] for t in types.values())
    episodes = sum(t["episodes"] for t in types.values())
    intro = para(
        f"{count(frauds)} fraud rows in {count(episodes)} episodes (fraud_episode_id: one "
        "story, such as a stolen card's spree or a bot's run of tests). 'config share' is what "
        "the config's mix asks for; recall is the history model's on the test window."
    )
    headers = ("typology", "fraud rows", "share", "config share", "episodes", "rows per episode",
               "median report delay", "never reported", "recall at 5% FPR")  # fmt: skip
    body = intro + table(headers, typology_rows(report), numeric=(1, 2, 3, 4, 5, 6, 7, 8))
    if report.get("label_latency"):
        body += para(latency_text(report["label_latency"]))
    body += para(observed_text(report["observed_labels"])) + _observed_table(
        report["observed_labels"]
    )
    return body + para(FIGURES_TEXT) + figures(page, "typologies")
