"""The installed package's version (what manifests and reports record)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fraud-simulator")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"
