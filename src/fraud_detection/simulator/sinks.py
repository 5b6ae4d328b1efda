"""Where generated chunks go: one Parquet file, or part files plus a manifest.

Each sink consumes the engine's results in chunk order and leaves nothing at the final path
unless the whole run succeeded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .config import GeneratorConfig
from .engines import ChunkResult, Encoded, PartSink
from .engines.tasks import event_months
from .layout import (
    LEGACY_MANIFEST_NAME,
    PROVENANCE_KEY,
    STAGED_DATASET,
    STAGED_OLD,
    STAGED_SPOOL,
    TMP_SUFFIX,
    part_name,
    staged,
)
from .plan import ChunkPlan
from .progress import Progress
from .result import PartInfo
from .schema import Column
from .staging import RunStaging, StagedCatalogs
from .storage.datasets import replace_on_s3
from .storage.destination import read_optional, write_bytes
from .storage.local import move, replace_dir
from .storage.location import Location, S3Location
from .storage.parquet import ParquetFileWriter
from .version import __version__

log = logging.getLogger("fraud_detection.simulator")

# Keys that decide the rows; the manifest's config hash covers these and nothing else, so the
# same data from 1 or 8 workers, local or dask, carries the same hash.
DATA_KEYS = ("total_rows", "fraud_rate", "seed", "realism", "batch_size", "catalog", "temporal",
             "feature", "labeler")  # fmt: skip
V3_KEYS = ("population", "fraud")  # v3 only: v1/v2 hashes stay what they were


def data_keys(cfg: GeneratorConfig) -> set[str]:
    """Return the config keys that decide the rows of ``cfg``'s realism."""
    return {*DATA_KEYS, *(V3_KEYS if cfg.realism == "v3" else ())}


def config_hash(cfg: GeneratorConfig) -> str:
    """Return the sha256 of the keys that decide the rows (end_date resolved)."""
    data = cfg.model_dump(mode="json", include=data_keys(cfg))
    data["temporal"]["end_date"] = cfg.temporal.last_day.isoformat()
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def tracked(
    results: Iterator[ChunkResult], total_chunks: int, progress: Progress
) -> Iterator[ChunkResult]:
    """Yield ``results``, logging each chunk (DEBUG under a progress bar) and advancing it."""
    level = logging.DEBUG if progress.enabled else logging.INFO
    for result in results:
        log.log(
            level,
            "Chunk %d/%d: %s rows in %.2f s (%s rows/s)",
            result.chunk.index + 1,
            total_chunks,
            f"{result.rows:,}",
            result.seconds,
            f"{result.rows / max(result.seconds, 1e-9):,.0f}",
        )
        progress.update(result.rows)
        yield result
    progress.close()


def provenance(
    cfg: GeneratorConfig, today: date, catalogs: StagedCatalogs | None
) -> dict[str, object]:
    """Return what a dataset records about how it was made (footer metadata and manifest).

    ``config`` holds the keys that decide the rows (``end_date`` resolved), so a reader can
    rebuild the config and check the data against it; ``catalogs`` the sha256 of each catalog
    file the rows were drawn from.
    """
    config = cfg.model_dump(mode="json", include={*data_keys(cfg), "output"})
    config["temporal"]["end_date"] = cfg.temporal.last_day.isoformat()
    return {
        "format": 1,
        "package_version": __version__,
        "realism": cfg.realism,
        "seed": cfg.seed,
        "config_sha256": config_hash(cfg),
        "run_date": today.isoformat(),
        "total_rows": cfg.total_rows,
        "fraud_count": cfg.fraud_count,
        "catalogs": dict(catalogs.sha256) if catalogs else {},
        "config": config,
    }


def footer_metadata(info: dict[str, object]) -> tuple[tuple[str, str], ...]:
    """Return ``info`` as the Parquet key-value metadata every chunk carries."""
    return ((PROVENANCE_KEY, json.dumps(info, sort_keys=True)),)


def write_single(
    cfg: GeneratorConfig,
    path: Path,
    results: Callable[[Encoded], Iterator[ChunkResult]],
    catalogs: StagedCatalogs | None,
    staging: RunStaging,
    metadata: tuple[tuple[str, str], ...] = (),
) -> tuple[int, int]:
    """Append every chunk's row groups to one file at ``path``; return (rows, frauds).

    The file is assembled in the run's staging and renamed to ``path`` when complete.
    """
    assert isinstance(staging.root, Path)
    frauds = 0
    # Workers that share this file system hand over files, not bytes through a pipe.
    shared_fs = cfg.engine == "local" or not cfg.dask.scheduler_address
    spool = staging.root / STAGED_SPOOL if shared_fs else None
    if spool is not None:
        spool.mkdir(parents=True)
    with ParquetFileWriter(path, staging.root / staged(path.name)) as writer:
        output = Encoded(cfg.catalog.parquet_row_group_size, spool, metadata)
        for result in results(output):
            assert result.parquet is not None
            writer.append(result.parquet)
            frauds += result.fraud_count
        if catalogs:
            catalogs.commit()
        writer.commit()
    return writer.rows, frauds


@dataclass(frozen=True)
class PartsTarget:
    """Where a parts dataset goes: its directory, its path from out_dir, its manifest."""

    final: Location
    relative: str
    manifest: Location
    by_month: bool


def write_parts(
    cfg: GeneratorConfig,
    target: PartsTarget,
    plan: list[ChunkPlan],
    results: Callable[[PartSink], Iterator[ChunkResult]],
    catalogs: StagedCatalogs | None,
    staging: RunStaging,
    manifest: Callable[[list[PartInfo]], dict[str, object]],
    metadata: tuple[tuple[str, str], ...] = (),
) -> list[PartInfo]:
    """Have workers write one part per chunk (per event month), commit them; return the parts.

    Locally the directory is built in the run's staging and renamed into place; on S3 the
    parts carry the run's token, and the manifest, written last, commits them.
    """
    size = cfg.catalog.parquet_row_group_size
    if isinstance(target.final, Path):
        assert isinstance(staging.root, Path)
        stage = staging.root / STAGED_DATASET
        sink = PartSink(stage, size, metadata, None, TMP_SUFFIX, target.by_month)
    else:
        sink = PartSink(target.final, size, metadata, staging.token, "", target.by_month)
        staging.track(target.final, _possible_parts(plan, staging.token, target.by_month))
    parts = [part for result in results(sink) for part in result.parts]
    document = json.dumps(manifest(parts), indent=2).encode()
    previous = _previous_manifest(target)
    if isinstance(target.final, Path):
        _commit_local(target, stage, parts, catalogs, staging, document)
    else:
        if catalogs:
            catalogs.commit()  # right before the manifest: a failed run never replaced them
        write_bytes(target.manifest.parent, target.manifest.name, document)
        staging.committed()
        assert isinstance(cfg.out_dir, S3Location) and isinstance(target.final, S3Location)
        replace_on_s3(target.final, cfg.out_dir, previous, {p.path for p in parts})
    return parts


def _possible_parts(plan: list[ChunkPlan], token: str, by_month: bool) -> list[str]:
    """Return every part path the run could write: what a failure deletes (S3)."""
    names = [(part_name(c.index, token), c) for c in plan]
    if not by_month:
        return [name for name, _ in names]
    return [f"{m}/{name}" for name, c in names for m in event_months(c.start_ns, c.end_ns)]


def _commit_local(
    target: PartsTarget,
    stage: Path,
    parts: list[PartInfo],
    catalogs: StagedCatalogs | None,
    staging: RunStaging,
    document: bytes,
) -> None:
    """Rename the staged parts, swap the directory in, then the catalogs, the manifest last."""
    assert isinstance(target.final, Path) and isinstance(target.manifest, Path)
    assert isinstance(staging.root, Path)
    stage.mkdir(parents=True, exist_ok=True)
    for part in parts:
        os.replace(stage / (part.path + TMP_SUFFIX), stage / part.path)
    replace_dir(stage, target.final, staging.root / STAGED_OLD)
    if catalogs:
        catalogs.commit()
    staged_manifest = staging.root / staged(target.manifest.name)
    staged_manifest.write_bytes(document)
    move(staged_manifest, target.manifest)


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


def manifest(
    info: dict[str, object],
    parts: list[PartInfo],
    columns: tuple[Column, ...],
    target: PartsTarget,
) -> dict[str, object]:
    """Return the parts layout's manifest: provenance, counts, columns and parts.

    ``dataset`` is the directory from out_dir; each part's ``path`` is relative to it.
    """
    return {
        "format": "fraud-simulator/parts/2",
        **{k: v for k, v in info.items() if k != "format"},
        "dataset": target.relative,
        "partition_by": "event_date" if target.by_month else "run_date",
        "total_rows": sum(p.rows for p in parts),
        "fraud_count": sum(p.fraud_count for p in parts),
        "columns": [{"name": c.name, "dtype": str(c.dtype)} for c in columns],
        "parts": [asdict(p) for p in parts],
    }
