"""What a dataset records about how it was made, and whether its catalogs are still the same.

Every transactions file the generator writes (the single file, or each part of a parts
directory) carries JSON in its Parquet footer under ``layout.PROVENANCE_KEY``: package version,
realism, seed, config hash, run date, row and fraud counts, the sha256 of each catalog file and
the keys of the config that decide the rows. Older or foreign files have none: the report then
says so and works from the data alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ..config import GeneratorConfig, config_from_dict
from ..errors import ConfigError
from ..storage.layout import PROVENANCE_KEY

_HASH_BLOCK = 1 << 20


def _read_one(path: Path) -> dict[str, Any] | None:
    """Return the provenance JSON of one file, or None when it has none (or unreadable)."""
    try:
        text = pl.read_parquet_metadata(path).get(PROVENANCE_KEY)
    except (pl.exceptions.PolarsError, OSError):
        return None
    if text is None:
        return None
    try:
        info = json.loads(text)
    except ValueError:
        return None
    return info if isinstance(info, dict) else None


def read_provenance(files: Sequence[Path]) -> dict[str, Any]:
    """Return ``{"found", "info", "files_with", "files", "consistent", "note"}`` for ``files``.

    ``info`` is the first file's record; ``consistent`` is False when parts disagree (parts of
    different runs mixed in one directory), which the page reports.
    """
    records = [_read_one(path) for path in files]
    present = [r for r in records if r is not None]
    texts = {json.dumps(r, sort_keys=True) for r in present}
    out: dict[str, Any] = {
        "found": bool(present),
        "info": present[0] if present else None,
        "files": len(files),
        "files_with": len(present),
        "consistent": len(texts) <= 1 and len(present) in (0, len(files)),
        "note": None,
    }
    if not present:
        out["note"] = "the dataset records no provenance (an older or foreign file)"
    elif len(texts) > 1:
        out["note"] = f"the {len(files)} files record {len(texts)} different runs"
    elif len(present) < len(files):
        out["note"] = f"only {len(present)} of {len(files)} files record their provenance"
    return out


def recorded_config(info: dict[str, Any] | None) -> tuple[GeneratorConfig | None, str | None]:
    """Return (the config rebuilt from the record, None) or (None, why it cannot be)."""
    if info is None or not isinstance(info.get("config"), dict):
        return None, "no config recorded"
    try:
        return config_from_dict(info["config"]), None
    except ConfigError as exc:
        return None, "the recorded config is not valid for this version: " + "; ".join(exc.problems)


def config_differences(given: GeneratorConfig, recorded: dict[str, Any]) -> list[str]:
    """Return the dotted keys whose values differ between ``given`` and the recorded config.

    Only keys the record holds are compared (it holds those that decide the rows).
    """
    dumped = given.model_dump(mode="json")
    dumped.setdefault("temporal", {})["end_date"] = given.temporal.last_day.isoformat()
    return sorted(_diff(dumped, recorded, ""))


def _diff(given: Any, recorded: Any, prefix: str) -> list[str]:
    if isinstance(recorded, dict) and isinstance(given, dict):
        out: list[str] = []
        for key, value in recorded.items():
            out += _diff(given.get(key), value, f"{prefix}{key}.")
        return out
    return [] if given == recorded else [prefix.rstrip(".")]


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def catalog_match(info: dict[str, Any] | None, catalog_dir: Path | None) -> dict[str, Any]:
    """Return whether ``catalog_dir`` holds the catalog files the dataset was drawn from.

    ``status``: ``match``; ``replaced`` (a recorded file's sha256 differs or it is missing);
    ``not_used`` (the dataset was made without catalogs, e.g. realism v1); ``unknown`` (no
    provenance: nothing to compare with); ``none`` (no catalog directory).
    """
    recorded = (info or {}).get("catalogs")
    if catalog_dir is None:
        return {"status": "none", "files": {}}
    if not isinstance(recorded, dict):
        return {"status": "unknown", "files": {}}
    if not recorded:
        return {"status": "not_used", "files": {}}
    files = {}
    for name, want in sorted(recorded.items()):
        path = catalog_dir / name
        found = sha256_file(path) if path.is_file() else None
        files[name] = {"recorded": want, "found": found, "match": found == want}
    same = all(f["match"] for f in files.values())
    return {"status": "match" if same else "replaced", "files": files}
