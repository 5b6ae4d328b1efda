"""Merchant category codes by name, from the ISO 18245 table of the ``iso18245`` package."""

from __future__ import annotations

from functools import cache

# Longer names are replaced by a shorter one of the same code (the card schemes' and Stripe's
# lists in the same package), else cut: they label bars of a chart.
MAX_NAME = 36


@cache
def mcc_name(code: str) -> str | None:
    """Return a short English name of merchant category ``code`` (e.g. ``7995`` -> ``Betting/
    Casino Gambling``), or None when the code is not a known MCC."""
    import iso18245  # imported when a report is made, like matplotlib

    try:
        info = iso18245.get_mcc(code)
    except (iso18245.MCCNotFound, iso18245.InvalidMCC, ValueError):
        return None
    names = [
        info.iso_description,
        info.stripe_description,
        info.visa_description,
        info.mastercard_description,
        info.usda_description,
    ]
    names = [n.strip() for n in names if n and n.strip()]
    if not names:
        return None
    fitting = [n for n in names if len(n) <= MAX_NAME]
    if fitting:
        return fitting[0]
    cut = min(names, key=len)[:MAX_NAME]
    return cut[: cut.rfind(" ")].rstrip(" ,-:") + "…"
