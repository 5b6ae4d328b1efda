"""Fidelity checks every realism's data passes, and the shape of a check.

Each check states the expected value, the measured one, its tolerance and pass, fail or
skipped. Here: rows and fraud count (exact: the fraud count is round(fraud_rate x rows)),
events inside the configured days, and ids within their catalog sizes. A share's tolerance is
max(0.01, 4 binomial standard deviations), so a small dataset does not fail by chance.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import polars as pl

from ...config import GeneratorConfig
from ..inputs.columns import ENTITY_COLUMNS, LABEL, TIME
from ..inputs.dataset import Prepared
from ..values import jsonable, share

SHARE_FLOOR = 0.01
SHARE_SIGMAS = 4.0


def check(
    name: str,
    label: str,
    expected: Any,
    measured: Any,
    tolerance: Any,
    passed: bool | None,
    detail: str = "",
    unit: str = "count",
) -> dict[str, Any]:
    """Return one check row; ``passed=None`` means skipped (``detail`` says why).

    ``unit`` tells the page how to print the numbers: ``count``, ``share`` (a proportion,
    tolerance in percentage points), ``number`` or ``text``.
    """
    status = "skipped" if passed is None else ("pass" if passed else "fail")
    return {
        "name": name,
        "label": label,
        "expected": jsonable(expected),
        "measured": jsonable(measured),
        "tolerance": jsonable(tolerance),
        "unit": unit,
        "status": status,
        "detail": detail,
    }


def share_tolerance(expected: float, rows: int) -> float:
    """Return the allowed absolute error of a share: max(0.01, 4 binomial sd)."""
    sd = math.sqrt(max(expected * (1 - expected), 0.0) / max(rows, 1))
    return max(SHARE_FLOOR, SHARE_SIGMAS * sd)


def share_check(
    name: str, label: str, expected: float, count: int | None, rows: int
) -> dict[str, Any]:
    tol = share_tolerance(expected, rows)
    if count is None:
        return check(
            name, label, expected, None, tol, None, "column missing or unusable", unit="share"
        )
    measured = share(count, rows)
    ok = measured is not None and abs(measured - expected) <= tol
    return check(name, label, expected, measured, tol, ok, unit="share")


def count_checks(cfg: GeneratorConfig, rows: int, frauds: int) -> list[dict[str, Any]]:
    """Return the row-count and exact fraud-count checks."""
    want = round(cfg.fraud_rate * rows)
    return [
        check("rows", "Rows equal total_rows", cfg.total_rows, rows, 0, rows == cfg.total_rows),
        check(
            "fraud_count",
            f"Fraud count is exactly round(fraud_rate x rows) = round({cfg.fraud_rate:g} x {rows})",
            want,
            frauds,
            0,
            frauds == want,
            f"fraud rate {100 * frauds / rows:.3g}% vs {100 * cfg.fraud_rate:.3g}%" if rows else "",
        ),
    ]


def entity_config(cfg: GeneratorConfig, entity: str) -> tuple[int, float]:
    size = getattr(cfg.catalog, f"num_{entity}s")
    exponent = getattr(cfg.catalog, f"{entity}_zipf_exponent")
    return int(size), float(exponent)


def date_check(
    cfg: GeneratorConfig, start: datetime | None, end: datetime | None
) -> dict[str, Any]:
    """Return whether every event falls inside the configured days (UTC)."""
    first = datetime.combine(cfg.temporal.start_date, datetime.min.time(), timezone.utc)
    stop = datetime.combine(cfg.temporal.last_day, datetime.min.time(), timezone.utc)
    stop += timedelta(days=1)
    expected = f"{cfg.temporal.start_date} .. {cfg.temporal.last_day} (UTC)"
    if start is None or end is None:
        return check(
            "date_range", "Events inside the configured days", expected, None, 0, None, unit="text"
        )
    seconds = "%Y-%m-%d %H:%M:%S"
    measured = f"{start.strftime(seconds)} .. {end.strftime(seconds)} (UTC)"
    ok = first <= start and end < stop
    return check(
        "date_range", "Events inside the configured days", expected, measured, 0, ok, unit="text"
    )


def id_range_checks(
    cfg: GeneratorConfig, data: Prepared, issued: int | None = None
) -> list[dict[str, Any]]:
    """Return per entity whether every id lies in 1..N of the catalog config; ``issued``: the
    cards the catalog lists (a world whose cards are renewed and replaced issues more than
    ``num_cards``: their ids follow)."""
    out = []
    for entity, column in ENTITY_COLUMNS.items():
        size, _ = entity_config(cfg, entity)
        label, name = f"{column} within 1..num_{entity}s", f"id_range.{entity}"
        if entity == "card" and issued is not None and issued > size:
            size, label = issued, f"{column} within the cards of cards.parquet (renewals too)"
        if not data.has(column):
            out.append(check(name, label, f"1..{size}", None, 0, None, "column missing", "text"))
            continue
        lo, hi = (
            data.lf.select(pl.col(column).min().alias("lo"), pl.col(column).max().alias("hi"))
            .collect()
            .row(0)
        )
        ok = lo is not None and hi is not None and lo >= 1 and hi <= size
        out.append(check(name, label, f"1..{size}", f"{lo}..{hi}", 0, ok, unit="text"))
    return out


def checks_section(cfg: GeneratorConfig, checks: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the fidelity section: the config (as JSON), the checks and their tallies."""
    tally = {s: sum(c["status"] == s for c in checks) for s in ("pass", "fail", "skipped")}
    return {
        "config": cfg.model_dump(mode="json"),
        "label_column": LABEL,
        "passed": tally["pass"],
        "failed": tally["fail"],
        "skipped": tally["skipped"],
        "checks": checks,
    }


def common_checks(
    cfg: GeneratorConfig, data: Prepared, rows: int, frauds: int, issued: int | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    """Return (the count checks, the date check, the id-range checks): each family shows them
    in its own order (``issued``: see ``id_range_checks``)."""
    bounds = (
        data.lf.select(pl.col(TIME).min().alias("lo"), pl.col(TIME).max().alias("hi"))
        .collect()
        .row(0)
    )
    ids = id_range_checks(cfg, data, issued)
    return count_checks(cfg, rows, frauds), date_check(cfg, *bounds), ids
