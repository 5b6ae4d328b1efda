"""The catalog files beside a dataset: found or named, read once, with one error policy.

A catalog directory named with ``--catalog`` must hold readable ``customers``, ``merchants``
and ``cards`` tables: otherwise ``ReportInputError`` (the user asked for it). One only found
near the dataset (the nearest ``catalog/`` holding the three files, up to four folders up) is
a guess: when it is unreadable the catalog checks are skipped and the page says why. Either
way they are skipped when the dataset's realism draws no rows from shared catalogs (v1) or
when the files are not the ones the rows were drawn from (their sha256 differ from those the
dataset records: a later run replaced them). ``catalog_match`` runs once, here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import polars as pl

from ...realism.profiles import ReportProfile
from ...storage.layout import CATALOG_FILES
from ..errors import ReportInputError

NO_DIRECTORY = "no catalog directory found (--catalog)"
# Catalog tables some datasets have beyond the three: read when present, never required (so
# older catalog directories still qualify). Issue 19's generator writes the episodes table;
# its name belongs in storage.layout beside CATALOG_FILES once it does.
OPTIONAL_FILES = MappingProxyType({"episodes": "episodes.parquet"})
_SEARCH_DEPTH = 5
_HASH_BLOCK = 1 << 20


@dataclass(frozen=True)
class Catalogs:
    """The dataset's catalogs: where, whether they are the rows' own, and why not usable."""

    directory: Path | None
    match: Mapping[str, Any]  # ``catalog_match``: status and per-file checksums
    skipped: str | None  # why the rows are not checked against them; None: usable
    schemas: Mapping[str, pl.Schema] = field(default_factory=dict)  # by table name

    def table(self, name: str, columns: Sequence[str]) -> pl.LazyFrame | str:
        """Return ``columns`` of catalog table ``name`` (``customers``, ``merchants``,
        ``cards``, or an optional one such as ``episodes``) lazily, or why they cannot be read
        (skipped, the table absent, or a column missing)."""
        if self.skipped is not None or self.directory is None:
            return self.skipped or NO_DIRECTORY
        file = CATALOG_FILES.get(name) or OPTIONAL_FILES[name]
        schema = self.schemas.get(name)
        if schema is None:
            return f"no readable {file} beside the catalogs"
        missing = [c for c in columns if c not in schema]
        if missing:
            return f"{file} has no {', '.join(missing)}"
        return pl.scan_parquet(self.directory / file).select(columns)

    def columns(self, name: str) -> tuple[str, ...]:
        """Return the columns of catalog table ``name`` (none when not usable or absent)."""
        schema = self.schemas.get(name)
        return tuple(schema.names()) if self.skipped is None and schema is not None else ()


NONE = Catalogs(None, {"status": "none", "files": {}}, NO_DIRECTORY)


def find_catalog_dir(dataset: Path) -> Path | None:
    """Return the nearest ``catalog/`` with all catalog files in ``dataset``'s ancestors."""
    start = dataset if dataset.is_dir() else dataset.parent
    for folder in [start, *start.parents][:_SEARCH_DEPTH]:
        candidate = folder / "catalog"
        if all((candidate / f).is_file() for f in CATALOG_FILES.values()):
            return candidate
    return None


def check_catalog_dir(path: Path) -> Path:
    """Return ``path`` when it holds the catalog files; raise ``ReportInputError`` otherwise."""
    if not path.is_dir():
        raise ReportInputError(f"{path}: catalog directory not found")
    missing = [f for f in CATALOG_FILES.values() if not (path / f).is_file()]
    if missing:
        raise ReportInputError(f"{path}: catalog directory lacks {', '.join(missing)}")
    return path


def read_schemas(directory: Path) -> tuple[dict[str, pl.Schema], str | None]:
    """Return (each catalog table's schema, None) or ({}, why one is not readable); an
    optional table is there when present and readable."""
    schemas = {}
    for name, file in CATALOG_FILES.items():
        path = directory / file
        try:
            schemas[name] = pl.scan_parquet(path).collect_schema()
        except (pl.exceptions.PolarsError, OSError) as exc:
            text = str(exc).strip().splitlines()
            return {}, f"{path}: not a readable catalog ({text[0] if text else type(exc).__name__})"
    for name, file in OPTIONAL_FILES.items():
        if (directory / file).is_file():
            try:
                schemas[name] = pl.scan_parquet(directory / file).collect_schema()
            except (pl.exceptions.PolarsError, OSError):
                continue  # its checks say the table is not readable
    return schemas, None


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def catalog_match(info: Mapping[str, Any] | None, catalog_dir: Path | None) -> dict[str, Any]:
    """Return whether ``catalog_dir`` holds the catalog files the dataset was drawn from.

    ``status``: ``match``; ``replaced`` (a recorded file's sha256 differs or it is missing);
    ``not_used`` (the dataset records that it used no catalogs, e.g. realism v1); ``unknown``
    (no provenance: nothing to compare with); ``none`` (no catalog directory).
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


def skip_reason(match: Mapping[str, Any], profile: ReportProfile) -> str | None:
    """Return why the rows are not checked against these catalogs (None: they are)."""
    if profile.uses_catalogs is False or match["status"] == "not_used":
        realism = profile.realism or "unknown"
        return f"this dataset was made without shared catalogs (realism {realism}); skipped"
    if match["status"] == "replaced":
        changed = [name for name, f in match["files"].items() if not f["match"]]
        return (
            "catalogs were replaced since this dataset was made (sha256 of "
            f"{', '.join(changed)} differ from the recorded ones); catalog checks skipped"
        )
    return None


def open_catalogs(
    dataset: Path,
    named: Path | None,
    info: Mapping[str, Any] | None,
    profile: ReportProfile,
) -> Catalogs:
    """Return the dataset's catalogs: ``named`` (checked: a bad one raises
    ``ReportInputError``) or the nearest found (a bad one is skipped, with the reason)."""
    directory = check_catalog_dir(Path(named)) if named is not None else find_catalog_dir(dataset)
    if directory is None:
        return NONE
    schemas, unreadable = read_schemas(directory)
    if unreadable is not None and named is not None:
        raise ReportInputError(unreadable)
    match = catalog_match(info, directory)
    skipped = skip_reason(match, profile)
    if skipped is None and unreadable is not None:
        skipped = f"{unreadable}; catalog checks skipped"
    return Catalogs(directory, match, skipped, schemas)
