"""Orchestration: plan the chunks, stage the catalogs, run an engine, write what comes back.

``generate_to_parquet`` is what the CLI runs: memory flat in ``total_rows``, nothing at the final
paths unless the whole run succeeds. ``generate_dataframe`` (alias ``generate_dataset``) is the
spec's in-memory API for small datasets.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

import polars as pl

from . import __version__
from .catalog import CATALOG_FILES, write_catalogs
from .chunk import _generate_chunk, generate_chunk
from .config import GeneratorConfig, S3Location
from .destination import Location, parquet_bytes, remove, write_bytes
from .engine import (
    CatalogSource,
    ChunkResult,
    Encoded,
    Engine,
    InMemory,
    Output,
    PartInfo,
    PartSink,
    open_engine,
    part_name,
)
from .features import user_agent_pool
from .plan import ChunkPlan, make_plan
from .progress import Progress
from .schema import polars_schema, transaction_columns
from .writer import ParquetFileWriter

log = logging.getLogger("fraud_detection.simulator")

MANIFEST_NAME = "_manifest.json"
# Keys that decide the rows; the manifest's config hash covers these and nothing else, so the
# same data from 1 or 8 workers, local or dask, carries the same hash.
DATA_KEYS = ("total_rows", "fraud_rate", "seed", "realism", "batch_size", "catalog", "temporal",
             "feature", "labeler")  # fmt: skip

__all__ = [
    "GenerationResult",
    "_generate_chunk",
    "config_hash",
    "generate_chunk",
    "generate_dataframe",
    "generate_dataset",
    "generate_to_parquet",
    "output_path",
    "write_parquet",
]


@dataclass(frozen=True)
class GenerationResult:
    """What a run wrote: the transactions (file, or parts directory), catalogs, counts, timing."""

    path: Path | S3Location
    rows: int
    fraud_count: int
    catalog_dir: Path | S3Location | None
    seconds: float
    run_date: date
    parts: list[PartInfo] = field(default_factory=list)
    report: tuple[Path, Path] | None = None

    @property
    def partition(self) -> str:
        """``payments/year=YYYY/month=MM``: the partition path, local and on S3."""
        return f"payments/year={self.run_date.year}/month={self.run_date.month:02d}"


def output_path(cfg: GeneratorConfig, today: date | None = None) -> Path | S3Location:
    """Return ``{out_dir}/payments/year=YYYY/month=MM/payments_{rows:_}_{YYYY-MM-DD}.parquet``.

    For ``output.layout: parts`` the same name without ``.parquet`` is the parts directory.
    """
    today = today or date.today()
    name = f"payments_{cfg.total_rows:_}_{today.isoformat()}"
    if cfg.output.layout == "single":
        name += ".parquet"
    return cfg.out_dir / "payments" / f"year={today.year}" / f"month={today.month:02d}" / name


def config_hash(cfg: GeneratorConfig) -> str:
    """Return the sha256 of the keys that decide the rows (end_date resolved)."""
    data = cfg.model_dump(mode="json", include=set(DATA_KEYS))
    data["temporal"]["end_date"] = cfg.temporal.last_day.isoformat()
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def write_parquet(df: pl.DataFrame, out_path: str | Path, row_group_size: int = 100_000) -> Path:
    """Write ``df`` as Snappy Parquet at ``out_path`` (atomically; parents created); return it."""
    with ParquetFileWriter(Path(out_path)) as writer:
        writer.append(parquet_bytes(df, row_group_size))
        return writer.commit()


class _Catalogs:
    """v2 catalogs for one run: staged locally (moved to ``catalog/`` on success) or on S3."""

    def __init__(self, cfg: GeneratorConfig) -> None:
        token = uuid.uuid4().hex[:12]
        self.final: Location = cfg.out_dir / "catalog"
        self.stage: Location = (
            self.final
            if isinstance(self.final, S3Location)
            else cfg.out_dir / f".catalog.{token}.tmp"
        )
        write_catalogs(self.stage, cfg)
        self.source = CatalogSource(self.stage, token)
        self.committed = False

    def commit(self) -> Location:
        if isinstance(self.stage, Path) and isinstance(self.final, Path):
            self.final.mkdir(parents=True, exist_ok=True)
            for filename in CATALOG_FILES.values():
                os.replace(self.stage / filename, self.final / filename)
            shutil.rmtree(self.stage, ignore_errors=True)
        self.committed = True
        return self.final

    def discard(self) -> None:
        if self.committed:
            return
        if isinstance(self.stage, Path):
            shutil.rmtree(self.stage, ignore_errors=True)
        else:
            remove(self.stage, CATALOG_FILES.values())


def _log_chunk(result: ChunkResult, total_chunks: int, level: int) -> None:
    log.log(
        level,
        "Chunk %d/%d: %s rows in %.2f s (%s rows/s)",
        result.chunk.index + 1,
        total_chunks,
        f"{result.rows:,}",
        result.seconds,
        f"{result.rows / max(result.seconds, 1e-9):,.0f}",
    )


def _tracked(
    results: Iterator[ChunkResult], total_chunks: int, progress: Progress
) -> Iterator[ChunkResult]:
    level = logging.DEBUG if progress.enabled else logging.INFO
    for result in results:
        _log_chunk(result, total_chunks, level)
        progress.update(result.rows)
        yield result
    progress.close()


@dataclass
class _Job:
    """One run: the plan, a started engine, the staged catalogs and the pools chunks share."""

    cfg: GeneratorConfig
    plan: list[ChunkPlan]
    engine: Engine
    catalogs: _Catalogs | None
    user_agents: tuple[str, ...]

    def map(self, output: Output) -> Iterator[ChunkResult]:
        source = self.catalogs.source if self.catalogs else None
        return self.engine.map(self.plan, source, output, self.user_agents)


@contextmanager
def _job(cfg: GeneratorConfig) -> Iterator[_Job]:
    """Yield a run's job; the workers start first, so they boot while catalogs are built."""
    plan = make_plan(cfg)
    with open_engine(cfg, len(plan)) as engine:
        catalogs = _Catalogs(cfg) if cfg.realism == "v2" else None
        try:
            yield _Job(cfg, plan, engine, catalogs, user_agent_pool())
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
    with _job(cfg) as job:
        write = _write_parts if cfg.output.layout == "parts" else _write_single
        path, rows, frauds, parts = write(job, today, progress)
        catalog_dir = job.catalogs.final if job.catalogs else None
    seconds = time.perf_counter() - start
    result = GenerationResult(path, rows, frauds, catalog_dir, seconds, today, parts)
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


def _write_single(
    job: _Job, today: date, progress: Progress
) -> tuple[Path, int, int, list[PartInfo]]:
    cfg = job.cfg
    path = output_path(cfg, today)
    assert isinstance(path, Path), "an s3:// out_dir needs output.layout: parts"
    frauds = 0
    # Workers that share this file system hand over files, not bytes through a pipe.
    shared_fs = cfg.engine == "local" or not cfg.dask.scheduler_address
    spool = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.chunks") if shared_fs else None
    try:
        if spool is not None:
            spool.mkdir(parents=True)
        output = Encoded(cfg.catalog.parquet_row_group_size, spool)
        with ParquetFileWriter(path) as writer:
            for result in _tracked(job.map(output), len(job.plan), progress):
                assert result.parquet is not None
                writer.append(result.parquet)
                frauds += result.fraud_count
            if job.catalogs:
                job.catalogs.commit()
            writer.commit()
    finally:
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
    return path, writer.rows, frauds, []


def _write_parts(
    job: _Job, today: date, progress: Progress
) -> tuple[Location, int, int, list[PartInfo]]:
    cfg, plan = job.cfg, job.plan
    final = output_path(cfg, today)
    if isinstance(final, Path):
        stage: Location = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.tmp")
    else:
        stage = final  # S3: parts go to their final keys; the manifest, written last, commits
    parts: list[PartInfo] = []
    try:
        sink = PartSink(stage, cfg.catalog.parquet_row_group_size)
        for result in _tracked(job.map(sink), len(plan), progress):
            assert result.part is not None
            parts.append(result.part)
        manifest = _manifest(cfg, parts, today)
        write_bytes(stage, MANIFEST_NAME, json.dumps(manifest, indent=2).encode())
        if job.catalogs:
            job.catalogs.commit()
        if isinstance(stage, Path) and isinstance(final, Path):
            _replace_dir(stage, final)
    except BaseException:
        if isinstance(stage, Path):
            shutil.rmtree(stage, ignore_errors=True)
        else:
            remove(stage, [MANIFEST_NAME, *(part_name(c.index) for c in plan)])
        raise
    return final, sum(p.rows for p in parts), sum(p.fraud_count for p in parts), parts


def _replace_dir(stage: Path, final: Path) -> None:
    """Move ``stage`` to ``final``, replacing an earlier run's directory of the same name."""
    old = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.old")
    if final.exists():
        os.replace(final, old)
    os.replace(stage, final)
    shutil.rmtree(old, ignore_errors=True)


def _manifest(cfg: GeneratorConfig, parts: list[PartInfo], today: date) -> dict[str, object]:
    return {
        "format": "fraud-simulator/parts/1",
        "package_version": __version__,
        "config_sha256": config_hash(cfg),
        "seed": cfg.seed,
        "realism": cfg.realism,
        "run_date": today.isoformat(),
        "total_rows": sum(p.rows for p in parts),
        "fraud_count": sum(p.fraud_count for p in parts),
        "columns": [{"name": c.name, "dtype": str(c.dtype)} for c in transaction_columns()],
        "parts": [asdict(p) for p in parts],
    }
