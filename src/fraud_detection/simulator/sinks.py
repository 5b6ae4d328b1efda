"""Where generated chunks go: one Parquet file, or part files plus a manifest.

Each sink consumes the engine's results in chunk order and leaves nothing at the final path
unless the whole run succeeded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path

from .config import GeneratorConfig
from .engines import ChunkResult, Encoded, PartSink
from .layout import MANIFEST_NAME, PROVENANCE_KEY, part_name, temp_sibling
from .plan import ChunkPlan
from .progress import Progress
from .result import PartInfo
from .schema import Column
from .staging import StagedCatalogs
from .storage.destination import remove, write_bytes
from .storage.location import Location
from .storage.parquet import ParquetFileWriter
from .version import __version__

log = logging.getLogger("fraud_detection.simulator")

# Keys that decide the rows; the manifest's config hash covers these and nothing else, so the
# same data from 1 or 8 workers, local or dask, carries the same hash.
DATA_KEYS = ("total_rows", "fraud_rate", "seed", "realism", "batch_size", "catalog", "temporal",
             "feature", "labeler")  # fmt: skip


def config_hash(cfg: GeneratorConfig) -> str:
    """Return the sha256 of the keys that decide the rows (end_date resolved)."""
    data = cfg.model_dump(mode="json", include=set(DATA_KEYS))
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
    config = cfg.model_dump(mode="json", include={*DATA_KEYS, "output"})
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
    metadata: tuple[tuple[str, str], ...] = (),
) -> tuple[int, int]:
    """Append every chunk's row groups to one file at ``path``; return (rows, frauds)."""
    frauds = 0
    # Workers that share this file system hand over files, not bytes through a pipe.
    shared_fs = cfg.engine == "local" or not cfg.dask.scheduler_address
    spool = temp_sibling(path, "chunks") if shared_fs else None
    try:
        if spool is not None:
            spool.mkdir(parents=True)
        with ParquetFileWriter(path) as writer:
            output = Encoded(cfg.catalog.parquet_row_group_size, spool, metadata)
            for result in results(output):
                assert result.parquet is not None
                writer.append(result.parquet)
                frauds += result.fraud_count
            if catalogs:
                catalogs.commit()
            writer.commit()
    finally:
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
    return writer.rows, frauds


def write_parts(
    cfg: GeneratorConfig,
    final: Location,
    plan: list[ChunkPlan],
    results: Callable[[PartSink], Iterator[ChunkResult]],
    catalogs: StagedCatalogs | None,
    manifest: Callable[[list[PartInfo]], dict[str, object]],
    metadata: tuple[tuple[str, str], ...] = (),
) -> list[PartInfo]:
    """Have workers write one part per chunk, then the manifest; return the parts."""
    # S3: parts go to their final keys; the manifest, written last, commits the dataset.
    stage: Location = temp_sibling(final) if isinstance(final, Path) else final
    parts: list[PartInfo] = []
    try:
        for result in results(PartSink(stage, cfg.catalog.parquet_row_group_size, metadata)):
            assert result.part is not None
            parts.append(result.part)
        write_bytes(stage, MANIFEST_NAME, json.dumps(manifest(parts), indent=2).encode())
        if catalogs:
            catalogs.commit()
        if isinstance(stage, Path) and isinstance(final, Path):
            replace_dir(stage, final)
    except BaseException:
        if isinstance(stage, Path):
            shutil.rmtree(stage, ignore_errors=True)
        else:
            remove(stage, [MANIFEST_NAME, *(part_name(c.index) for c in plan)])
        raise
    return parts


def replace_dir(stage: Path, final: Path) -> None:
    """Move ``stage`` to ``final``, replacing an earlier run's directory of the same name."""
    old = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.old")
    if final.exists():
        os.replace(final, old)
    os.replace(stage, final)
    shutil.rmtree(old, ignore_errors=True)


def manifest(
    info: dict[str, object], parts: list[PartInfo], columns: tuple[Column, ...]
) -> dict[str, object]:
    """Return the parts layout's manifest: provenance, counts, columns and parts."""
    return {
        "format": "fraud-simulator/parts/1",
        **{k: v for k, v in info.items() if k != "format"},
        "total_rows": sum(p.rows for p in parts),
        "fraud_count": sum(p.fraud_count for p in parts),
        "columns": [{"name": c.name, "dtype": str(c.dtype)} for c in columns],
        "parts": [asdict(p) for p in parts],
    }
