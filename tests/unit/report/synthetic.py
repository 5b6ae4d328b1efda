"""Small hand-made datasets and catalogs for the report's unit tests: what the generator
writes (or will write, following the contracts of issues 18 and 19), with known answers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import polars as pl

from fraud_detection.simulator.realism.profiles import profile_for
from fraud_detection.simulator.report.inputs.catalogs import Catalogs, open_catalogs
from fraud_detection.simulator.report.inputs.dataset import Prepared

T0 = datetime(2025, 1, 6, tzinfo=timezone.utc)  # a Monday
NS = pl.Datetime("ns", "UTC")


def at(hours: float) -> datetime:
    """Return ``T0`` plus ``hours``."""
    return T0 + timedelta(hours=hours)


def prepared(frame: pl.DataFrame) -> Prepared:
    """Return ``frame`` as the report's analysis frame (every column usable)."""
    return Prepared(frame.lazy(), tuple(frame.columns), ())


def times(hours: list[float]) -> pl.Series:
    """Return ``event_time`` values ``hours`` after ``T0``."""
    return pl.Series("event_time", [at(h) for h in hours], dtype=NS)


def catalogs(tmp_path: Path, **tables: pl.DataFrame | dict[str, Any]) -> Catalogs:
    """Return catalogs written to ``tmp_path/catalog`` (customers, merchants and cards default
    to one id each; any other table, e.g. ``episodes``, is written as given)."""
    folder = tmp_path / "catalog"
    folder.mkdir(parents=True, exist_ok=True)
    defaults: dict[str, Any] = {
        "customers": {"customer_id": [1]},
        "merchants": {"merchant_id": [1]},
        "cards": {"card_id": [1], "customer_id": [1]},
    }
    for name, table in (defaults | tables).items():
        frame = table if isinstance(table, pl.DataFrame) else pl.DataFrame(table)
        frame.write_parquet(folder / f"{name}.parquet")
    return open_catalogs(tmp_path / "data.parquet", folder, None, profile_for("v3"))
