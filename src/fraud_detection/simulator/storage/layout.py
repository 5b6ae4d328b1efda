"""Every output name in one place: partition path, dataset and part names, manifests, catalogs,
staging and temporary names. Storage and the report read these; nothing here does I/O.

A run stages everything under ``{out_dir}/.staging/{token}/`` (a hidden directory outside
``payments/``), in files whose names end in ``.tmp``, so no ``*.parquet`` glob ever reads a
half-written or abandoned file; committing is a rename into the final place.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from types import MappingProxyType

from .location import Location

CATALOG_DIR = "catalog"
# Catalog tables by name, and their files (the spec's names).
CATALOG_FILES = MappingProxyType(
    {
        "customers": "customers.parquet",
        "merchants": "merchants.parquet",
        "cards": "cards.parquet",
    }
)
# v3 also writes its fraud episodes beside the catalogs (one row per episode in the data).
EPISODES_FILE = "episodes.parquet"
# Before issue 12 the manifest sat inside the parts directory (``pl.scan_parquet(dir)`` then
# failed on it); it is now ``{out_dir}/manifests/{dataset}.json``. The old name is still
# recognised, to replace such a dataset on S3 cleanly.
LEGACY_MANIFEST_NAME = "_manifest.json"
MANIFESTS_DIR = "manifests"
# Footer key-value metadata of every transactions file: the run's provenance as JSON.
PROVENANCE_KEY = "fraud_simulator"
REPORTS_DIR = "reports"
# Tables (output.format: delta or iceberg): the transactions table and one per catalog.
TRANSACTIONS_TABLE = "payments"
DELTA_DIR = "delta"
ICEBERG_DIR = "iceberg"
ICEBERG_CATALOG_FILE = "catalog.db"
ICEBERG_DATA_DIR = "data"
# The transactions table's partition: the event's UTC year and month (Delta: two columns,
# Iceberg: the hidden month(event_time) transform).
EVENT_TIME = "event_time"
PARTITION_COLUMNS = ("year", "month")
# Catalogs on S3 (``--s3`` upload): the spec's prefix in the artifacts bucket.
S3_CATALOG_PREFIX = "catalogues"
# Where a run stages its files: ``{out_dir}/.staging/{token}/``, with ``run.json`` naming it.
STAGING_DIR = ".staging"
RUN_FILE = "run.json"
TMP_SUFFIX = ".tmp"
# Inside a run's staging directory.
STAGED_WORLD = "world.pickle"  # the driver's world, loaded by workers in other processes
STAGED_DATASET = "dataset"
STAGED_SPOOL = "chunks"
STAGED_OLD = "replaced"
# Temporary names the generator used before issue 12 (hidden siblings of the final paths);
# a run warns about them (see ``legacy_leftovers`` in storage/runs.py).
LEGACY_PATTERNS = (
    ".catalog.*.tmp",
    "payments/year=*/month=*/.payments_*",
    "payments/year=*/month=*/payments_*/.part-*.tmp",
)


def partition(run_date: date) -> str:
    """Return ``payments/year=YYYY/month=MM``: the partition path, local and on S3."""
    return f"payments/year={run_date.year}/month={run_date.month:02d}"


def month_partition(year: int, month: int) -> str:
    """Return ``year=YYYY/month=MM``: an event-month folder inside an event_date dataset."""
    return f"year={year}/month={month:02d}"


def month_folder(month_index: int) -> str:
    """Return ``year=YYYY/month=MM`` for ``year * 12 + month - 1``."""
    return month_partition(month_index // 12, month_index % 12 + 1)


def event_months(start_ns: int, end_ns: int) -> list[str]:
    """Return the ``year=YYYY/month=MM`` folders the interval [start_ns, end_ns) touches."""
    first = datetime.fromtimestamp(start_ns / 1e9, timezone.utc)
    last = datetime.fromtimestamp((end_ns - 1) / 1e9, timezone.utc)
    return [
        month_folder(m)
        for m in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
    ]


def month_values(part_path: str) -> dict[str, str]:
    """Return a part's partition values from its ``year=YYYY/month=MM/...`` path."""
    values = dict(p.split("=", 1) for p in part_path.split("/")[:-1] if "=" in p)
    return {k: str(int(values[k])) for k in PARTITION_COLUMNS}


def delta_table_path(out_dir: Location, table: str) -> Location:
    """Return ``{out_dir}/delta/{table}``: where the Delta table ``table`` lives."""
    return out_dir / DELTA_DIR / table


def iceberg_warehouse(out_dir: Location) -> Location:
    """Return ``{out_dir}/iceberg``: the default Iceberg catalog's warehouse (and SQLite file)."""
    return out_dir / ICEBERG_DIR


def dataset_name(total_rows: int, run_date: date) -> str:
    """Return ``payments_{rows:_}_{YYYY-MM-DD}``: the dataset's name (file stem or directory)."""
    return f"payments_{total_rows:_}_{run_date.isoformat()}"


def dataset_relpath(
    total_rows: int, run_date: date, layout: str, partition_by: str = "run_date"
) -> str:
    """Return the transactions' path from out_dir: a ``.parquet`` file or a parts directory.

    ``partition_by: event_date`` puts the dataset directly under ``payments/``: its own
    ``year=/month=`` folders are event months, and a second level of the same keys above them
    would repeat the partition columns.
    """
    name = dataset_name(total_rows, run_date)
    if layout == "single":
        name += ".parquet"
    if partition_by == "event_date":
        return f"payments/{name}"
    return f"{partition(run_date)}/{name}"


def dataset_path(
    out_dir: Location,
    total_rows: int,
    run_date: date,
    layout: str,
    partition_by: str = "run_date",
) -> Location:
    """Return ``out_dir / dataset_relpath(...)``."""
    return out_dir / dataset_relpath(total_rows, run_date, layout, partition_by)


def manifest_path(out_dir: Location, name: str) -> Location:
    """Return ``{out_dir}/manifests/{name}.json``: the parts dataset ``name``'s manifest."""
    return out_dir / MANIFESTS_DIR / f"{name}.json"


def part_name(index: int, token: str | None = None) -> str:
    """Return the file name of chunk ``index`` in the parts layout.

    On S3 the run's ``token`` is part of the name, so a run never overwrites the parts of the
    dataset it replaces: ``part-00000-{token}.parquet``.
    """
    return f"part-{index:05d}-{token}.parquet" if token else f"part-{index:05d}.parquet"


def spool_name(index: int) -> str:
    """Return the name of the file a worker hands chunk ``index`` over in (single layout)."""
    return f"chunk-{index:05d}{TMP_SUFFIX}"


def staged(name: str) -> str:
    """Return the staged name of ``name``: never matched by a ``*.parquet`` glob."""
    return name + TMP_SUFFIX


def run_token() -> str:
    """Return a fresh random token naming one run's temporary files."""
    return uuid.uuid4().hex[:12]


def staging_root(out_dir: Location) -> Location:
    """Return ``{out_dir}/.staging``: where every run stages its files."""
    return out_dir / STAGING_DIR


def run_staging(out_dir: Location, token: str) -> Location:
    """Return ``{out_dir}/.staging/{token}``: one run's staging directory."""
    return out_dir / STAGING_DIR / token


def temp_sibling(path: Path, suffix: str = "tmp") -> Path:
    """Return a hidden, unique sibling of ``path`` to write into before renaming."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.{suffix}")
