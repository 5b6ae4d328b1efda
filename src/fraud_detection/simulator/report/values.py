"""Plain JSON values from what Polars and NumPy return (dates as ISO text, NaN as null)."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

DASH = "–"  # what the page and the checks show for a value that is not there


def jsonable(value: Any) -> Any:
    """Return ``value`` as JSON-ready Python data: dicts, lists, str, int, float, bool, None."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def share(part: int | float, whole: int | float) -> float | None:
    """Return ``part / whole``, or None when ``whole`` is zero."""
    return float(part) / float(whole) if whole else None


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """Return the Wilson 95% interval of a proportion; (0, 1) when there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    # Clamp so the interval always holds p, rounding error included (p = 0 or 1).
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))
