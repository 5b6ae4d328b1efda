"""Timestamps are written in one unit: every datetime, in any column or list, floored."""

from __future__ import annotations

import polars as pl

from fraud_detection.simulator.storage.timestamps import cast_time_unit, time_unit_dtype


def test_every_datetime_inside_any_type_takes_the_unit() -> None:
    ns = pl.Datetime("ns", "UTC")
    nested = pl.Struct({"at": ns, "many": pl.List(ns), "n": pl.Int8})
    assert time_unit_dtype(pl.List(nested), "us") == pl.List(
        pl.Struct({"at": pl.Datetime("us", "UTC"), "many": pl.List(pl.Datetime("us", "UTC")),
                   "n": pl.Int8})
    )  # fmt: skip
    assert time_unit_dtype(pl.Int16, "us") == pl.Int16()
    assert time_unit_dtype(pl.Datetime("us", "Europe/Paris"), "ns") == pl.Datetime(
        "ns", "Europe/Paris"
    )


def test_microseconds_are_the_nanoseconds_floored_so_order_is_kept() -> None:
    frame = pl.DataFrame(
        {
            "t": pl.Series([-1_500, -1, 999, 1_500]).cast(pl.Datetime("ns", "UTC")),
            "l": pl.Series([[1_999, -1]] * 4).cast(pl.List(pl.Datetime("ns", "UTC"))),
            "x": [1, 2, 3, 4],
        }
    )
    out = cast_time_unit(frame, "us")
    assert out.schema == pl.Schema(
        {"t": pl.Datetime("us", "UTC"), "l": pl.List(pl.Datetime("us", "UTC")), "x": pl.Int64}
    )
    assert out["t"].dt.epoch("us").to_list() == [-2, -1, 0, 1]
    assert out["l"][0].dt.epoch("us").to_list() == [1, -1]
    assert cast_time_unit(out, "us") is out  # nothing to change: the same frame
