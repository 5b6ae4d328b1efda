"""Where delivered chunks go: one Parquet file, or part files plus a manifest.

A run's core pulls results from the engine and pushes them into one ``Sink``: ``output`` is
what the sink asks workers to deliver, ``write`` takes each result in chunk order, ``commit``
puts the dataset (then the catalogs, then, for parts, the manifest) in place and ``abort``
drops what was written. Nothing is at a final path unless ``commit`` returned.
"""

from __future__ import annotations

import json
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..result import PartInfo
from .datasets import replace_on_s3
from .destination import read_optional, write_bytes
from .layout import (
    LEGACY_MANIFEST_NAME,
    STAGED_DATASET,
    STAGED_OLD,
    STAGED_SPOOL,
    TMP_SUFFIX,
    event_months,
    part_name,
    staged,
)
from .local import move, replace_dir
from .location import Location, S3Location
from .outputs import ChunkResult, Encoded, Output, PartFiles
from .parquet import ParquetFileWriter
from .staging import RunStaging, StagedCatalogs

log = logging.getLogger("fraud_detection.simulator")


@dataclass(frozen=True)
class Written:
    """What a committed sink put in place."""

    path: Location
    rows: int
    fraud_count: int
    parts: list[PartInfo] = field(default_factory=list)
    manifest: Location | None = None
    version: int | None = None  # a table's version (Delta) or snapshot id (Iceberg)


@dataclass(frozen=True)
class Run:
    """What every sink of a run shares: its staging, its catalogs (committed after the data)
    and the Parquet settings (row group size, footer metadata)."""

    staging: RunStaging
    catalogs: StagedCatalogs | None
    row_group_size: int
    metadata: tuple[tuple[str, str], ...] = ()


class Sink(ABC):
    """A dataset being written: ``output`` for the workers, then write, commit or abort."""

    output: Output

    @abstractmethod
    def write(self, result: ChunkResult) -> None:
        """Take the next chunk's result (chunks arrive in order)."""

    @abstractmethod
    def commit(self) -> Written:
        """Put the dataset, then the catalogs (then the manifest) in place; return them."""

    @abstractmethod
    def abort(self) -> None:
        """Drop what was written (the run's staging is removed by the run itself)."""


class SingleFile(Sink):
    """Every chunk's row groups appended to one file, assembled in the run's staging and renamed
    to ``path`` when complete (no re-encoding)."""

    def __init__(self, path: Path, run: Run, shared_fs: bool = True) -> None:
        root = run.staging.root
        assert isinstance(root, Path), "a single file is written locally"
        # Workers that share this file system hand over files, not bytes through a pipe.
        spool = root / STAGED_SPOOL if shared_fs else None
        if spool is not None:
            spool.mkdir(parents=True)
        self.run = run
        self.output = Encoded(run.row_group_size, spool, run.metadata)
        self._writer = ParquetFileWriter(path, root / staged(path.name))
        self._frauds = 0

    def write(self, result: ChunkResult) -> None:
        assert result.parquet is not None
        self._writer.append(result.parquet)
        self._frauds += result.fraud_count

    def commit(self) -> Written:
        if self.run.catalogs:
            self.run.catalogs.commit()
        path = self._writer.commit()
        return Written(path, self._writer.rows, self._frauds)

    def abort(self) -> None:
        self._writer.abort()


@dataclass(frozen=True)
class PartsTarget:
    """Where a parts dataset goes: its directory, its path from out_dir, its manifest."""

    out_dir: Location
    final: Location
    relative: str
    manifest: Location
    by_month: bool


class Parts(Sink):
    """Workers write one part per chunk (per event month); ``commit`` moves them into place.

    Locally the directory is built in the run's staging and renamed into place; on S3 the
    parts carry the run's token, and the manifest, written last, commits them. ``chunks``
    are (index, start ns, end ns) of every chunk: the part names a failed S3 run deletes.
    ``manifest`` holds what the manifest says besides the parts (provenance, columns).
    """

    def __init__(
        self, target: PartsTarget, run: Run, chunks: Sequence[tuple[int, int, int]],
        manifest: Mapping[str, Any],
    ) -> None:  # fmt: skip
        self.target, self.run, self.manifest = target, run, dict(manifest)
        staging = run.staging
        args = (run.row_group_size, run.metadata)
        if isinstance(target.final, Path):
            assert isinstance(staging.root, Path)
            self.stage: Location = staging.root / STAGED_DATASET
            self.output = PartFiles(self.stage, *args, None, TMP_SUFFIX, target.by_month)
        else:
            self.stage = target.final
            self.output = PartFiles(target.final, *args, staging.token, "", target.by_month)
            staging.track(target.final, possible_parts(chunks, staging.token, target.by_month))
        self.parts: list[PartInfo] = []

    def write(self, result: ChunkResult) -> None:
        self.parts.extend(result.parts)

    def abort(self) -> None:
        self.parts.clear()  # the staged parts (local) or tracked keys (S3) go with the staging

    def commit(self) -> Written:
        target, parts = self.target, self.parts
        document = json.dumps(self._manifest(), indent=2).encode()
        previous = _previous_manifest(target)
        if isinstance(target.final, Path):
            self._commit_local(document)
        else:
            if self.run.catalogs:
                self.run.catalogs.commit()  # right before the manifest: a failed run never did
            write_bytes(target.manifest.parent, target.manifest.name, document)
            self.run.staging.committed()
            assert isinstance(target.final, S3Location) and isinstance(target.out_dir, S3Location)
            replace_on_s3(target.final, target.out_dir, previous, {p.path for p in parts})
        rows, frauds = sum(p.rows for p in parts), sum(p.fraud_count for p in parts)
        return Written(target.final, rows, frauds, parts, target.manifest)

    def _manifest(self) -> dict[str, object]:
        """Return the manifest: provenance, counts, columns and parts (paths in the dataset)."""
        parts = self.parts
        return {
            "format": "fraud-simulator/parts/2",
            **{k: v for k, v in self.manifest.items() if k not in ("format", "columns")},
            "dataset": self.target.relative,
            "partition_by": "event_date" if self.target.by_month else "run_date",
            "total_rows": sum(p.rows for p in parts),
            "fraud_count": sum(p.fraud_count for p in parts),
            "columns": self.manifest.get("columns", []),
            "parts": [asdict(p) for p in parts],
        }

    def _commit_local(self, document: bytes) -> None:
        """Rename the staged parts, swap the directory in, then the catalogs, the manifest last."""
        target, staging, stage = self.target, self.run.staging, self.stage
        assert isinstance(target.final, Path) and isinstance(target.manifest, Path)
        assert isinstance(staging.root, Path) and isinstance(stage, Path)
        stage.mkdir(parents=True, exist_ok=True)
        for part in self.parts:
            os.replace(stage / (part.path + TMP_SUFFIX), stage / part.path)
        replace_dir(stage, target.final, staging.root / STAGED_OLD)
        if self.run.catalogs:
            self.run.catalogs.commit()
        staged_manifest = staging.root / staged(target.manifest.name)
        staged_manifest.write_bytes(document)
        move(staged_manifest, target.manifest)


def possible_parts(chunks: Sequence[tuple[int, int, int]], token: str, by_month: bool) -> list[str]:
    """Return every part path the run could write: what a failure deletes (S3, tables)."""
    if not by_month:
        return [part_name(index, token) for index, _, _ in chunks]
    return [
        f"{month}/{part_name(index, token)}"
        for index, start, end in chunks
        for month in event_months(start, end)
    ]


def _previous_manifest(target: PartsTarget) -> dict[str, Any] | None:
    """Return the manifest a committed run left for this dataset (the legacy one on S3)."""
    data = read_optional(target.manifest.parent, target.manifest.name)
    if data is None and isinstance(target.final, S3Location):
        data = read_optional(target.final, LEGACY_MANIFEST_NAME)
        if data is not None:
            legacy = json.loads(data)
            legacy["legacy"] = True
            return legacy if isinstance(legacy, dict) else None
    if data is None:
        return None
    try:
        found = json.loads(data)
    except ValueError:
        log.warning("%s is not valid JSON: replaced without reading it", target.manifest)
        return None
    if isinstance(found, dict) and found.get("dataset", target.relative) != target.relative:
        log.warning(
            "%s described %s; it now describes %s (the other dataset's files are left alone)",
            target.manifest, found.get("dataset"), target.relative,
        )  # fmt: skip
        return None
    return found if isinstance(found, dict) else None
