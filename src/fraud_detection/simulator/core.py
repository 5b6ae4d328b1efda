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
from .engines import ChunkTask, Engine, RunSpec, open_engine
from .features import user_agent_pool
from .plan import ChunkPlan
from .progress import Progress
from .provenance import config_hash, footer_metadata, provenance
from .realism.registry import Realism, get_realism, remember_world
from .result import GenerationResult
from .schema import Column, polars_schema, with_time_unit
from .storage.delta import DeltaTables
from .storage.iceberg import IcebergTables
from .storage.layout import dataset_name, dataset_path, dataset_relpath, manifest_path, run_token
from .storage.location import Location
from .storage.outputs import ChunkResult, InMemory, Output
from .storage.parquet import ParquetFileWriter, parquet_bytes
from .storage.sinks import Parts, PartsTarget, Run, SingleFile, Sink
from .storage.staging import RunStaging, StagedCatalogs
from .worldcache import Prepared, entry_for, load_cached, store_cached, worlds_dir

log = logging.getLogger("fraud_detection.simulator")

__all__ = [
    "GenerationResult",
    "cache_world",
    "config_hash",
    "generate_dataframe",
    "generate_dataset",
    "generate_to_parquet",
    "output_path",
    "write_parquet",
]


def output_path(cfg: GeneratorConfig, today: date | None = None) -> Location:
    """Return ``{out_dir}/payments/year=YYYY/month=MM/payments_{rows:_}_{YYYY-MM-DD}.parquet``.

    For ``output.layout: parts`` the same name without ``.parquet`` is the parts directory
    (directly under ``payments/`` with ``output.partition_by: event_date``).
    """
    o, day = cfg.output, today or date.today()
    return dataset_path(cfg.out_dir, cfg.total_rows, day, o.layout, o.partition_by)


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
    run: RunSpec
    staging: RunStaging

    def map(self, output: Output) -> Iterator[ChunkResult]:
        """Yield every chunk's result, in order, delivered as ``output``."""
        return self.engine.map(ChunkTask(chunk, self.run, output) for chunk in self.plan)


@contextmanager
def _job(cfg: GeneratorConfig) -> Iterator[_Job]:
    """Yield a run's job; the workers start first, so they boot while catalogs are built (or
    read from the world cache). A run that succeeds caches what it built for the next.

    Whatever the run staged is removed after the engine has stopped (nothing writes into the
    staging any more then), however the run ends.
    """
    realism = get_realism(cfg.realism)
    staging = RunStaging(cfg, run_token())
    try:
        with open_engine(cfg, math.ceil(cfg.total_rows / cfg.batch_size)) as engine:
            hit = load_cached(cfg)
            prepared = hit.prepared if hit else _prepare(cfg, realism)
            catalogs = _catalogs(cfg, prepared)
            remember_world(staging.token, prepared.world)  # chunks run in this process reuse it
            # Workers elsewhere load the driver's world instead of building their own.
            staged = None
            if not engine.in_process:
                staged = staging.stage_world(prepared.world, hit.world_file if hit else None)
            run = RunSpec(staging.token, cfg, staged, user_agent_pool())
            yield _Job(cfg, realism, prepared.plan, engine, catalogs, run, staging)
        if hit is None:  # the run succeeded: its next run loads what it built
            store_cached(cfg, prepared, staging.staged_world_file())
    finally:
        staging.discard()


def _catalogs(cfg: GeneratorConfig, prepared: Prepared) -> StagedCatalogs | None:
    """Return the run's catalogs, encoded (``prepared.encoded`` set to their bytes)."""
    if not prepared.tables:
        return None
    catalogs = StagedCatalogs(cfg, prepared.tables, prepared.encoded)
    prepared.encoded = catalogs.encoded
    if cfg.output.format != "parquet":
        catalogs.published  # noqa: B018 - read now: a table sink publishes them at the end
    return catalogs


def _prepare(cfg: GeneratorConfig, realism: Realism) -> Prepared:
    """Return the catalogs, the world and the chunk plan, built."""
    tables = realism.tables(cfg)
    world = realism.world(cfg, tables)
    return Prepared(tables, None, world, realism.plan(cfg, world))


def cache_world(cfg: GeneratorConfig) -> bool:
    """Store ``cfg``'s catalogs, world and chunk plan in the world cache, as its first run
    would, so that its runs start at once (a container image's build step, a DAG's setup
    task, a benchmark); return whether they were built (False: cached already, or the
    cache is off). Writes nothing under ``out_dir``."""
    if worlds_dir() is None or entry_for(cfg) is not None:
        return False
    prepared = _prepare(cfg, get_realism(cfg.realism))
    _catalogs(cfg, prepared)
    return store_cached(cfg, prepared, None)


def generate_dataframe(cfg: GeneratorConfig) -> pl.DataFrame:
    """Return the whole dataset as one DataFrame (v2 also writes ``{out_dir}/catalog/``).

    Holds every row in memory: for large datasets use ``generate_to_parquet``.
    """
    with _job(for_remote_workers(cfg)) as job:
        tables = [r.table for r in job.map(InMemory()) if r.table is not None]
        if job.catalogs:
            job.catalogs.commit()
    if not tables:
        return pl.DataFrame(schema=polars_schema(cfg.realism, cfg.output.timestamp_unit))
    return pl.concat([pl.DataFrame(t) for t in tables], rechunk=False)


# The spec's public alias, kept for existing integrations (Airflow DAGs, scripts).
generate_dataset = generate_dataframe


def generate_to_parquet(
    cfg: GeneratorConfig, today: date | None = None, progress: Progress | None = None
) -> GenerationResult:
    """Generate the dataset chunk by chunk to its destination; return what was written.

    ``output.layout: single`` appends row groups to one file; ``parts`` has each worker write
    its chunk as a part file and ends with ``manifests/{dataset}.json``.
    """
    start = time.perf_counter()
    cfg = for_remote_workers(cfg)
    today = today or date.today()
    progress = progress or Progress(cfg.total_rows)
    with _job(cfg) as job:
        sink = _sink(job, today)
        try:
            for chunk in tracked(job.map(sink.output), len(job.plan), progress):
                sink.write(chunk)
            written = sink.commit()
        except BaseException:
            sink.abort()
            raise
        catalog_dir = job.catalogs.final if job.catalogs else None
        files = job.catalogs.files if job.catalogs else ()
    seconds = time.perf_counter() - start
    if cfg.output.format != "parquet":
        catalog_dir = None  # the catalogs are tables beside the payments table
    result = GenerationResult(
        written.path, written.rows, written.fraud_count, catalog_dir, seconds, today,
        written.parts, None, files, written.manifest, written.version,
    )  # fmt: skip
    return _with_report(cfg, result) if cfg.report else result


def _sink(job: _Job, today: date) -> Sink:
    """Return the sink of the configured format and layout, with the run's provenance in
    every footer."""
    cfg, catalogs, o = job.cfg, job.catalogs, job.cfg.output
    info = provenance(cfg, today, catalogs.sha256 if catalogs else None)
    run = Run(job.staging, catalogs, cfg.catalog.parquet_row_group_size, footer_metadata(info))
    chunks = [(c.index, c.start_ns, c.end_ns) for c in job.plan]
    schema = pl.Schema({c.name: c.dtype for c in _columns(job)})
    if o.format == "delta":
        return DeltaTables(cfg.out_dir, run, chunks, schema, o.write_mode)
    if o.format == "iceberg":
        return IcebergTables(cfg.out_dir, run, chunks, schema, o.write_mode, o.iceberg)
    if o.layout == "parts":
        columns = [{"name": name, "dtype": str(dtype)} for name, dtype in schema.items()]
        return Parts(_parts_target(cfg, today), run, chunks, {**info, "columns": columns})
    path = output_path(cfg, today)
    assert isinstance(path, Path), "an s3:// out_dir needs output.layout: parts"
    # Workers that share this file system hand over files, not bytes through a pipe.
    return SingleFile(path, run, shared_fs=cfg.engine == "local" or not cfg.dask.scheduler_address)


def _columns(job: _Job) -> tuple[Column, ...]:
    """Return the columns the run writes, its datetimes in ``output.timestamp_unit``."""
    return with_time_unit(job.realism.columns(), job.cfg.output.timestamp_unit)


def tracked(
    results: Iterator[ChunkResult], total_chunks: int, progress: Progress
) -> Iterator[ChunkResult]:
    """Yield ``results``, logging each chunk (DEBUG under a progress bar) and advancing it."""
    level = logging.DEBUG if progress.enabled else logging.INFO
    for result in results:
        log.log(
            level,
            "Chunk %d/%d: %s rows in %.2f s (%s rows/s)",
            result.index + 1,
            total_chunks,
            f"{result.rows:,}",
            result.seconds,
            f"{result.rows / max(result.seconds, 1e-9):,.0f}",
        )
        progress.update(result.rows)
        yield result
    progress.close()


def _parts_target(cfg: GeneratorConfig, today: date) -> PartsTarget:
    o = cfg.output
    relative = dataset_relpath(cfg.total_rows, today, o.layout, o.partition_by)
    manifest = manifest_path(cfg.out_dir, dataset_name(cfg.total_rows, today))
    final = cfg.out_dir / relative
    return PartsTarget(cfg.out_dir, final, relative, manifest, o.partition_by == "event_date")


def for_remote_workers(cfg: GeneratorConfig) -> GeneratorConfig:
    """Return ``cfg`` with a relative local out_dir made absolute when a remote Dask
    scheduler runs the chunks (its workers do not share our working directory), and warn
    that they need to see it: a shared file system, or an ``s3://`` out_dir.
    """
    if cfg.engine != "dask" or not cfg.dask.scheduler_address or not isinstance(cfg.out_dir, Path):
        return cfg
    out_dir = cfg.out_dir.resolve()
    log.warning(
        "Dask workers at %s read the catalogs%s under %s: they need a file system shared with"
        " this machine at that path, or use an s3:// out_dir",
        cfg.dask.scheduler_address,
        " and write the parts" if cfg.output.layout == "parts" else "",
        out_dir,
    )
    return cfg.model_copy(update={"out_dir": out_dir})


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
