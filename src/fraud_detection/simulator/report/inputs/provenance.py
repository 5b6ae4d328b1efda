"""What a dataset records about how it was made, and the report profile that follows from it.

Every transactions file the generator writes (the single file, or each part of a parts
directory) carries JSON in its Parquet footer under ``layout.PROVENANCE_KEY``: package version,
realism, seed, config hash, run date, row and fraud counts, the sha256 of each catalog file and
the keys of the config that decide the rows. Older or foreign files have none: the report then
says so and works from the data alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ...realism.profiles import ReportProfile, profile_for, profile_for_columns
from ...storage.layout import PROVENANCE_KEY


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


def dataset_profile(info: Mapping[str, Any] | None, columns: Sequence[str]) -> ReportProfile:
    """Return the report profile of the dataset: its recorded realism's, else (a file without
    provenance) the one its columns imply; the generic profile for an unknown realism."""
    recorded = (info or {}).get("realism")
    if isinstance(recorded, str):
        return profile_for(recorded)
    return profile_for_columns(columns)
