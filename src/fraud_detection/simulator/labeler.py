"""The spec's ``labeler`` module: ``label_fraud`` and its array form, from ``fraud.labeler``."""

from __future__ import annotations

from .realism.classic.labeler import (
    label_arrays,
    label_fraud,
    risk_score,
    solve_intercept,
)

__all__ = ["label_arrays", "label_fraud", "risk_score", "solve_intercept"]
