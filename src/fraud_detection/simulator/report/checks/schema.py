"""Schema check: every column the dataset's realism writes, present with exactly its type (a
datetime in either unit the generator writes: ``output.timestamp_unit`` us or ns)."""

from __future__ import annotations

from typing import Any

import polars as pl

from ...realism.profiles import ReportProfile
from ...schema import polars_schema
from ..inputs.dataset import GENERIC


def schema_check(actual: pl.Schema, profile: ReportProfile = GENERIC) -> dict[str, Any]:
    """Return pass/fail per column: present with the packaged schema's type for ``profile``'s
    realism (the columns it writes), and no extras."""
    realism = profile.realism
    expected = polars_schema(realism)
    columns = []
    for name, dtype in expected.items():
        got = actual.get(name)
        if got is None:
            problem = "missing"
        elif not _same_type(got, dtype):
            problem = f"type {got}, expected {dtype}"
        else:
            problem = None
        columns.append(_schema_row(name, str(dtype), None if got is None else str(got), problem))
    for name, got in actual.items():
        if name not in expected:
            columns.append(_schema_row(name, None, str(got), "not in the schema"))
    return {
        "realism": realism,
        "passed": all(c["status"] == "pass" for c in columns),
        "failed": [c["name"] for c in columns if c["status"] == "fail"],
        "columns": columns,
    }


def _same_type(got: pl.DataType, expected: pl.DataType) -> bool:
    """Return whether ``got`` is ``expected``, a datetime in us or ns counting as either."""
    if isinstance(got, pl.Datetime) and isinstance(expected, pl.Datetime):
        return got.time_zone == expected.time_zone and got.time_unit in ("us", "ns")
    return bool(got == expected)


def _schema_row(
    name: str, expected: str | None, actual: str | None, problem: str | None
) -> dict[str, Any]:
    return {
        "name": name,
        "expected": expected,
        "actual": actual,
        "status": "fail" if problem else "pass",
        "problem": problem,
    }
