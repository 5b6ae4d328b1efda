"""Exceptions of the report; the CLI turns each into one line and exit code 1."""

from __future__ import annotations

from ..errors import SimulatorError


class ReportInputError(SimulatorError):
    """The dataset or catalog given to the report is unusable; the message names it and why."""
