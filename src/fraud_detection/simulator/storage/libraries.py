"""Which optional library each table format needs (the ``lake`` extra): the config asks here,
without importing any of them."""

from __future__ import annotations

import importlib.util

# The Python package each table format needs.
LIBRARIES = {"delta": "deltalake", "iceberg": "pyiceberg"}
EXTRA_HINT = "pip install -e '.[lake]' (from the repository's clone)"


def table_library_problems(fmt: str) -> list[str]:
    """Return the config error for ``output.format: fmt`` when its library is missing."""
    library = LIBRARIES.get(fmt)
    if library is None or importlib.util.find_spec(library) is not None:
        return []
    return [f"output.format: {fmt} needs the {library} package, in the lake extra: {EXTRA_HINT}"]
