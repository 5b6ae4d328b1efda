"""Leakage check: does one column alone give the label away?

It reads the single-column scores (``analysis.single``: every column but the label columns,
on the report's one split) and warns about each column whose separation ``max(auc, 1 - auc)``
exceeds ``thresholds.LEAK_SEPARATION``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..thresholds import LEAK_SEPARATION


def leaks(row: dict[str, Any]) -> bool:
    """Return whether a scored column separates fraud above the leak threshold."""
    return row.get("separation") is not None and row["separation"] > LEAK_SEPARATION


def leakage(
    scores: list[dict[str, Any]], split: dict[str, Any], label_columns: Iterable[str]
) -> dict[str, Any]:
    """Return the leakage section: every column's score (highest separation first) with its
    warning, the split they were measured on and the label columns left out."""
    rows = [r | {"warning": leaks(r)} for r in scores]
    warnings = [
        f"{r['column']}: alone it separates fraud from legit with ROC AUC {r['auc']:.3f}"
        f" (separation {r['separation']:.3f} > {LEAK_SEPARATION}); it leaks the label"
        for r in rows
        if r["warning"]
    ]
    both = split["test_frauds"] and split["test_frauds"] < split["test_rows"]
    return {
        "warn_separation": LEAK_SEPARATION,
        "split": split,
        "columns": rows,
        "warnings": warnings,
        "note": None if both else "test rows hold a single class: AUC undefined",
        "label_columns": sorted(label_columns),
    }
