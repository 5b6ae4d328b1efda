"""Realisms: each a whole way of making rows, behind the interface in ``base``.

``REALISMS`` maps a config's ``realism`` to its object; the CLI's ``--realism`` choices come
from it, and adding a realism is adding a module here.
"""

from __future__ import annotations

from types import MappingProxyType

from .base import Realism, cached_world, remember_world
from .v1 import V1
from .v2 import V2
from .v3 import V3

REALISMS = MappingProxyType({r.name: r for r in (V1(), V2(), V3())})


def get_realism(name: str) -> Realism:
    """Return the realism registered as ``name``."""
    return REALISMS[name]


__all__ = ["REALISMS", "Realism", "cached_world", "get_realism", "remember_world"]
