"""The report's one door to the realisms: each realism's report profile, by name.

Import-light on purpose: the profiles only, never the registry of generator objects in this
package's ``__init__`` nor ``base``. Adding a realism adds its profile here.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from .classic.profile import V1_PROFILE, V2_PROFILE
from .profile import GENERIC_PROFILE, ReportProfile
from .v3.profile import V3_PROFILE

PROFILES = MappingProxyType({p.realism: p for p in (V1_PROFILE, V2_PROFILE, V3_PROFILE)})


def profile_for(realism: str | None) -> ReportProfile:
    """Return the profile of ``realism``; the generic one for None or an unknown name."""
    return PROFILES.get(realism, GENERIC_PROFILE) if realism is not None else GENERIC_PROFILE


def profile_for_columns(columns: Iterable[str]) -> ReportProfile:
    """Return the profile a file without provenance implies by its columns: the realism whose
    label columns it holds (all, or all but one: a file of an earlier version lacks a label
    column added since; the most of them when several would), else the generic one."""
    names = set(columns)
    fits = [
        p
        for p in PROFILES.values()
        if len(p.label_columns & names) >= 2 and len(p.label_columns - names) <= 1
    ]
    return max(fits, key=lambda p: len(p.label_columns), default=GENERIC_PROFILE)


__all__ = ["PROFILES", "ReportProfile", "profile_for", "profile_for_columns"]
