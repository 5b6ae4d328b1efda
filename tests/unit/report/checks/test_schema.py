"""The schema check takes a datetime in either unit the generator writes (us or ns), nothing
else."""

from __future__ import annotations

import polars as pl

from fraud_detection.simulator.report.checks.schema import schema_check
from fraud_detection.simulator.schema import polars_schema


def test_datetimes_in_microseconds_or_nanoseconds_pass_and_milliseconds_fail() -> None:
    assert schema_check(polars_schema(None, "us"))["passed"]
    assert schema_check(polars_schema(None, "ns"))["passed"]
    in_ms = pl.Schema({**polars_schema(), "event_time": pl.Datetime("ms", "UTC")})
    assert schema_check(in_ms)["failed"] == ["event_time"]
