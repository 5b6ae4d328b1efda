"""Numbers as a reader wants them: percentages to 2-3 significant digits, counts with
separators, times to the second, intervals and ``n`` beside rates estimated from few cases.

Plain text only (no HTML); ``html`` escapes what these return.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..values import DASH as DASH  # re-exported with the other text helpers

# A rate whose denominator holds fewer cases than this gets its interval and n beside it.
FEW = 10_000


def count(value: int | float | None) -> str:
    """Return a count with thousands separators: ``1,000,000``."""
    return DASH if value is None else f"{round(value):,}"


def sig(value: float, digits: int = 3) -> str:
    """Return ``value`` to ``digits`` significant digits, without exponent: ``0.00512``."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    return text


def pct(value: float | None, digits: int = 2) -> str:
    """Return a share as a percentage to ``digits`` significant digits: ``0.50%``, ``4.4%``."""
    if value is None:
        return DASH
    if value == 0:
        return "0%"
    return sig(100 * value, digits) + "%"


def pp(value: float | None, digits: int = 2) -> str:
    """Return a difference of shares in percentage points: ``±1.0 pp``."""
    return DASH if value is None else f"±{sig(100 * value, digits)} pp"


def number(value: Any, digits: int = 3) -> str:
    """Return a number for display: ints with separators, floats to ``digits`` significant."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 10**digits:
            return f"{value:,.0f}"
        return sig(value, digits)
    return str(value)


def when(value: str | datetime | None) -> str:
    """Return an ISO timestamp to the second, in UTC: ``2025-01-01 00:00:28 UTC``."""
    if value is None:
        return DASH
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    suffix = " UTC" if moment.utcoffset() is not None and not moment.utcoffset() else ""
    return moment.strftime("%Y-%m-%d %H:%M:%S") + suffix


def day(value: str | datetime | None) -> str:
    """Return the date of an ISO timestamp: ``2025-01-01``."""
    if value is None:
        return DASH
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d")


def rate_with_n(part: int, whole: int, low: float, high: float, what: str = "frauds") -> str:
    """Return ``7.3% (95% CI 5.8–9.1%; 73 of 1,000 frauds)``; the interval only for few cases."""
    rate = pct(part / whole if whole else None)
    tail = f"{count(part)} of {count(whole)} {what}"
    if whole >= FEW:
        return f"{rate} ({tail})"
    return f"{rate} (95% CI {pct(low)}–{pct(high)}; {tail})"


def times(value: float | None) -> str:
    """Return a ratio as ``3.4x``."""
    return DASH if value is None else f"{sig(value, 2)}x"


def short_hash(value: str | None, keep: int = 12) -> str:
    """Return the first ``keep`` characters of a hex digest."""
    return DASH if not value else value[:keep]


def figure_value(row: Mapping[str, Any]) -> str:
    """Return a published figure's value as text: a share in %, a ratio as ``3.4x``."""
    value = row["value"]
    return pct(value, 3) if row["unit"] == "share" else times(value)


def band_text(row: Mapping[str, Any]) -> str:
    """Return a published figure's band in words: ``70–90%``, ``at least 3x``."""
    share = row["unit"] == "share"

    def show(v: float) -> str:
        return f"{100 * v:g}%" if share else f"{v:g}x"

    low, high = row["low"], row["high"]
    if low is not None and high is not None:
        return f"{100 * low:g}–{show(high)}" if share else f"{low:g}–{show(high)}"
    return f"at least {show(low)}" if low is not None else f"at most {show(high)}"
