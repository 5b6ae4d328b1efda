"""Orchestration: plan the chunks, prepare the world, run an engine, write what comes back.

``generate_to_parquet`` is what the CLI runs: memory flat in ``total_rows``, nothing at the final
paths unless the whole run succeeds. ``generate_dataframe`` (alias ``generate_dataset``) is the
spec's in-memory API for small datasets.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import polars as pl

from .config import GeneratorConfig
from .engines import ChunkResult, Engine, InMemory, Output, WorldSource, open_engine
from .features import user_agent_pool
from .layout import dataset_path, run_token
from .plan import ChunkPlan
from .progress import Progress
from .realism import Realism, get_realism
from .result import GenerationResult, PartInfo
from .schema import polars_schema
from .sinks import (
    config_hash,
    footer_metadata,
    manifest,
    provenance,
    tracked,
    write_parts,
    write_single,
)
from .staging import StagedCatalogs
from .storage.location import Location
from .storage.parquet import ParquetFileWriter, parquet_bytes

log = logging.getLogger("fraud_detection.simulator")

__all__ = [
    "GenerationResult",
    "config_hash",
    "generate_dataframe",
    "generate_dataset",
    "generate_to_parquet",
    "output_path",
    "write_parquet",
]


def output_path(cfg: GeneratorConfig, today: date | None = None) -> Location:
    """Return ``{out_dir}/payments/year=YYYY/month=MM/payments_{rows:_}_{YYYY-MM-DD}.parquet``.

    For ``output.layout: parts`` the same name without ``.parquet`` is the parts directory.
    """
    return dataset_path(cfg.out_dir, cfg.total_rows, today or date.today(), cfg.output.layout)


def write_parquet(df: pl.DataFrame, out_path: str | Path, row_group_size: int = 100_000) -> Path:
    """Write ``df`` as Snappy Parquet at ``out_path`` (atomically; parents created); return it."""
    with ParquetFileWriter(Path(out_path)) as writer:
        writer.append(parquet_bytes(df, row_group_size))
        return writer.commit()


@dataclass
class _Job:
    """One run: its realism, plan, started engine, staged catalogs and what workers load."""

    cfg: GeneratorConfig
    realism: Realism
    plan: list[ChunkPlan]
    engine: Engine
    catalogs: StagedCatalogs | None
    source: WorldSource

    def map(self, output: Output) -> Iterator[ChunkResult]:
        return self.engine.map(self.plan, self.source, output)


@contextmanager
def _job(cfg: GeneratorConfig) -> Iterator[_Job]:
    """Yield a run's job; the workers start first, so they boot while catalogs are built."""
    realism = get_realism(cfg.realism)
    with open_engine(cfg, math.ceil(cfg.total_rows / cfg.batch_size)) as engine:
        token = run_token()
        tables = realism.tables(cfg)
        catalogs = StagedCatalogs(cfg, tables, token) if tables else None
        try:
            source = WorldSource(
                token,
                catalogs.stage if catalogs else None,
                catalogs.files if catalogs else (),
                user_agent_pool(),
            )
            yield _Job(cfg, realism, realism.plan(cfg, tables), engine, catalogs, source)
        finally:
            if catalogs:
                catalogs.discard()


def generate_dataframe(cfg: GeneratorConfig) -> pl.DataFrame:
    """Return the whole dataset as one DataFrame (v2 also writes ``{out_dir}/catalog/``).

    Holds every row in memory: for large datasets use ``generate_to_parquet``.
    """
    with _job(cfg) as job:
        tables = [r.table for r in job.map(InMemory()) if r.table is not None]
        if job.catalogs:
            job.catalogs.commit()
    if not tables:
        return pl.DataFrame(schema=polars_schema())
    return pl.concat([pl.DataFrame(t) for t in tables], rechunk=False)


# The spec's public alias, kept for existing integrations (Airflow DAGs, scripts).
generate_dataset = generate_dataframe


def generate_to_parquet(
    cfg: GeneratorConfig, today: date | None = None, progress: Progress | None = None
) -> GenerationResult:
    """Generate the dataset chunk by chunk to its destination; return what was written.

    ``output.layout: single`` appends row groups to one file; ``parts`` has each worker write
    its chunk as a part file and ends with ``_manifest.json``.
    """
    start = time.perf_counter()
    today = today or date.today()
    progress = progress or Progress(cfg.total_rows)
    path = output_path(cfg, today)
    parts: list[PartInfo] = []
    with _job(cfg) as job:

        def results(output: Output) -> Iterator[ChunkResult]:
            return tracked(job.map(output), len(job.plan), progress)

        info = provenance(cfg, today, job.catalogs)
        metadata = footer_metadata(info)
        if cfg.output.layout == "parts":
            columns = job.realism.columns()
            parts = write_parts(
                cfg, path, job.plan, results, job.catalogs,
                lambda p: manifest(info, p, columns), metadata,
            )  # fmt: skip
            rows, frauds = sum(p.rows for p in parts), sum(p.fraud_count for p in parts)
        else:
            assert isinstance(path, Path), "an s3:// out_dir needs output.layout: parts"
            rows, frauds = write_single(cfg, path, results, job.catalogs, metadata)
        catalog_dir = job.catalogs.final if job.catalogs else None
        files = job.catalogs.files if job.catalogs else ()
    seconds = time.perf_counter() - start
    result = GenerationResult(path, rows, frauds, catalog_dir, seconds, today, parts, None, files)
    return _with_report(cfg, result) if cfg.report else result


def _with_report(cfg: GeneratorConfig, result: GenerationResult) -> GenerationResult:
    """Return ``result`` with the report written (``report: true``); local outputs only."""
    if not isinstance(result.path, Path):
        log.warning("report: skipped, %s is not local (run fraud-report on a copy)", result.path)
        return result
    from .report import write_report  # matplotlib and scikit-learn: only when asked for

    catalog_dir = result.catalog_dir if isinstance(result.catalog_dir, Path) else None
    report = write_report(result.path, catalog_dir=catalog_dir, config=cfg)
    log.info("Report: %s", report[0])
    return replace(result, report=report)
