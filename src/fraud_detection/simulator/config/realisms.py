"""The one realism -> settings table: which sections each realism owns, what it ignores, its
defaults, its checks and the sections its config hash covers.

Everything outside ``realism/`` asks this table (or ``realism.registry`` for the generation
objects) instead of comparing realism names. A new realism adds its ``settings.py`` here.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from ..realism.classic.settings import V1_SETTINGS, V2_SETTINGS
from ..realism.v3.settings import V3_SETTINGS
from .values import RealismSettings

REALISMS = MappingProxyType({s.name: s for s in (V1_SETTINGS, V2_SETTINGS, V3_SETTINGS)})
DEFAULT_REALISM: Final = "v3"
# Keys that decide the rows of every realism; each adds its ``hash_sections``.
COMMON_DATA_KEYS = ("total_rows", "fraud_rate", "seed", "realism", "batch_size", "catalog",
                    "temporal", "feature")  # fmt: skip


def settings_of(realism: str) -> RealismSettings:
    """Return the settings of ``realism`` (a key of ``REALISMS``)."""
    return REALISMS[realism]


def data_keys(realism: str) -> set[str]:
    """Return the top-level config keys that decide the rows of ``realism``."""
    return {*COMMON_DATA_KEYS, *settings_of(realism).hash_sections}


def owned_sections() -> set[str]:
    """Return the sections some realism owns (the others are common to all)."""
    return {section for s in REALISMS.values() for section in s.sections}
