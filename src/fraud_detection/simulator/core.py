"""Orchestration: plan the chunks, build catalogs, run an engine, write what comes back."""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from .catalog import CATALOG_FILES, Catalogs, write_catalogs
from .chunk import _generate_chunk, generate_chunk
from .config import GeneratorConfig, S3Location
from .engine import ChunkResult, run_local
from .plan import ChunkPlan, make_plan
from .progress import Progress
from .schema import polars_schema
from .writer import ParquetChunkWriter

log = logging.getLogger("fraud_detection.simulator")

__all__ = [
    "GenerationResult",
    "_generate_chunk",
    "generate_chunk",
    "generate_dataframe",
    "generate_dataset",
    "generate_to_parquet",
    "output_path",
    "write_parquet",
]


@dataclass(frozen=True)
class GenerationResult:
    """What a run wrote: the transactions file, the catalogs (v2), counts and timing."""

    path: Path
    rows: int
    fraud_count: int
    catalog_dir: Path | None
    seconds: float
    run_date: date

    @property
    def partition(self) -> str:
        """``payments/year=YYYY/month=MM``: the partition path, local and on S3."""
        return f"payments/year={self.run_date.year}/month={self.run_date.month:02d}"


def _local_out_dir(cfg: GeneratorConfig) -> Path:
    if isinstance(cfg.out_dir, S3Location):
        raise ValueError("an s3:// out_dir is written by the dask engine's parts layout only")
    return cfg.out_dir


def output_path(cfg: GeneratorConfig, today: date | None = None) -> Path:
    """Return ``{out_dir}/payments/year=YYYY/month=MM/payments_{rows:_}_{YYYY-MM-DD}.parquet``."""
    today = today or date.today()
    filename = f"payments_{cfg.total_rows:_}_{today.isoformat()}.parquet"
    return (
        _local_out_dir(cfg)
        / "payments"
        / f"year={today.year}"
        / f"month={today.month:02d}"
        / filename
    )


def write_parquet(df: pl.DataFrame, out_path: str | Path, row_group_size: int = 100_000) -> Path:
    """Write ``df`` as Snappy Parquet at ``out_path`` (atomically; parents created); return it."""
    out_path = Path(out_path)
    with ParquetChunkWriter(out_path, row_group_size, df.to_arrow().schema) as writer:
        writer.write(df)
        return writer.commit()


def _log_chunk(result: ChunkResult, total_chunks: int, level: int) -> None:
    rows = result.frame.height
    log.log(
        level,
        "Chunk %d/%d: %s rows in %.2f s (%s rows/s)",
        result.chunk.index + 1,
        total_chunks,
        f"{rows:,}",
        result.seconds,
        f"{rows / max(result.seconds, 1e-9):,.0f}",
    )


class _StagedCatalogs:
    """v2 catalogs written to a hidden directory, moved to ``{out_dir}/catalog`` on success."""

    def __init__(self, cfg: GeneratorConfig) -> None:
        out_dir = _local_out_dir(cfg)
        self.final_dir = out_dir / "catalog"
        self.stage = out_dir / f".catalog.{uuid.uuid4().hex[:8]}.tmp"
        write_catalogs(self.stage, cfg)
        self.catalogs = Catalogs.load(self.stage)

    def commit(self) -> Path:
        self.final_dir.mkdir(parents=True, exist_ok=True)
        for filename in CATALOG_FILES.values():
            os.replace(self.stage / filename, self.final_dir / filename)
        self.discard()
        return self.final_dir

    def discard(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


def iter_chunks(
    cfg: GeneratorConfig, catalogs: Catalogs | None, plan: list[ChunkPlan] | None = None
) -> Iterator[ChunkResult]:
    """Yield each chunk's labeled, schema-cast frame in time order."""
    plan = plan if plan is not None else make_plan(cfg)
    yield from run_local(cfg, plan, catalogs)


def generate_dataframe(cfg: GeneratorConfig) -> pl.DataFrame:
    """Return the whole dataset as one DataFrame (v2 also writes ``{out_dir}/catalog/``).

    Holds every row in memory: for large datasets use ``generate_to_parquet``.
    """
    catalogs: Catalogs | None = None
    if cfg.realism == "v2":
        catalog_dir = _local_out_dir(cfg) / "catalog"
        write_catalogs(catalog_dir, cfg)
        catalogs = Catalogs.load(catalog_dir)
    frames = [result.frame for result in iter_chunks(cfg, catalogs)]
    if not frames:
        return pl.DataFrame(schema=polars_schema())
    return pl.concat(frames, rechunk=False)


# The spec's public alias, kept for existing integrations (Airflow DAGs, scripts).
generate_dataset = generate_dataframe


def generate_to_parquet(
    cfg: GeneratorConfig, today: date | None = None, progress: Progress | None = None
) -> GenerationResult:
    """Generate the dataset chunk by chunk into its Parquet file; return what was written.

    Memory stays flat in ``total_rows``. Nothing appears at the final paths unless the whole
    run succeeds.
    """
    start = time.perf_counter()
    today = today or date.today()
    path = output_path(cfg, today)
    plan = make_plan(cfg)
    progress = progress or Progress(cfg.total_rows)
    chunk_level = logging.DEBUG if progress.enabled else logging.INFO
    staged = _StagedCatalogs(cfg) if cfg.realism == "v2" else None
    frauds = 0
    try:
        with ParquetChunkWriter(path, cfg.catalog.parquet_row_group_size) as writer:
            for result in iter_chunks(cfg, staged.catalogs if staged else None, plan):
                writer.write(result.frame)
                frauds += int(result.frame["label_fraud"].sum())
                _log_chunk(result, len(plan), chunk_level)
                progress.update(result.frame.height)
            progress.close()
            catalog_dir = staged.commit() if staged else None
            writer.commit()
    finally:
        if staged:
            staged.discard()
    seconds = time.perf_counter() - start
    return GenerationResult(path, writer.rows, frauds, catalog_dir, seconds, today)
