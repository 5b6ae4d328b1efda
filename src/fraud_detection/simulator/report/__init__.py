"""Every dataset explains itself: overview, schema and config fidelity, plots, leakage, model.

``write_report(dataset)`` writes ``report.html`` (self-contained) and ``report.json`` (every
figure, machine-readable); ``build_report`` returns them in memory. The console script
``fraud-report`` (``python -m fraud_detection.simulator.report``) runs the same.
"""

from __future__ import annotations

from .analysis.split import DEFAULT_MAX_MODEL_ROWS
from .build import Report, ReportSettings, build_report, save_report, write_report
from .errors import ReportInputError

__all__ = [
    "DEFAULT_MAX_MODEL_ROWS",
    "Report",
    "ReportInputError",
    "ReportSettings",
    "build_report",
    "save_report",
    "write_report",
]
