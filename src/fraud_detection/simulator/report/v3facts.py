"""What v3 promises, as the report checks it: copies of the generator's own tables.

The report reads datasets and may not import the generator (``tests/unit/test_architecture``):
the few numbers it needs are copied here, and ``tests/unit/report/test_v3facts.py`` keeps each
copy equal to the generator's (``fraud.presets.MIXES``, ``fraud.latency.MAX_DELAY_DAYS``).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from ..reference import TYPOLOGIES

# Shares of fraud rows per typology (in ``TYPOLOGIES`` order) of each difficulty preset.
MIXES = MappingProxyType(
    {
        "easy": (0.20, 0.20, 0.25, 0.27, 0.08, 0.00),
        "medium": (0.12, 0.18, 0.18, 0.36, 0.04, 0.12),
        "hard": (0.15, 0.15, 0.14, 0.20, 0.08, 0.28),
    }
)
# A fraud is reported at most this many days after its episode's first fraudulent payment.
MAX_DELAY_DAYS = 120.0
DEFAULT_DIFFICULTY = "medium"


def expected_mix(fraud: dict[str, Any] | None) -> dict[str, float]:
    """Return the share of fraud rows per typology a config's ``fraud`` section asks for: its
    ``typologies`` (normalised; absent ones 0) or its difficulty's preset mix."""
    fraud = fraud or {}
    given = fraud.get("typologies")
    if isinstance(given, dict) and given:
        raw = [float(given.get(t, 0.0)) for t in TYPOLOGIES]
    else:
        raw = list(MIXES[str(fraud.get("difficulty") or DEFAULT_DIFFICULTY)])
    total = sum(raw)
    return {t: (v / total if total else 0.0) for t, v in zip(TYPOLOGIES, raw, strict=True)}
