"""The realisms by name: ``REALISMS`` maps a config's ``realism`` to its object.

The CLI's ``--realism`` choices come from it; adding a realism is a folder under ``realism/``
plus one line here and one in ``config.realisms`` (its settings).
"""

from __future__ import annotations

from types import MappingProxyType

from .base import Realism, cached_world, remember_world
from .classic.v1 import V1
from .classic.v2 import V2
from .v3.realism import V3

REALISMS = MappingProxyType({r.name: r for r in (V1(), V2(), V3())})


def get_realism(name: str) -> Realism:
    """Return the realism registered as ``name``."""
    return REALISMS[name]


__all__ = ["REALISMS", "Realism", "cached_world", "get_realism", "remember_world"]
