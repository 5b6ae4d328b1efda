"""Every output name in one place: partition path, dataset and part names, manifest, catalogs,
temporary names. Storage and the report read these; nothing here does I/O.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from types import MappingProxyType

from .storage.location import Location

CATALOG_DIR = "catalog"
# Catalog tables by name, and their files (the spec's names).
CATALOG_FILES = MappingProxyType(
    {
        "customers": "customers.parquet",
        "merchants": "merchants.parquet",
        "cards": "cards.parquet",
    }
)
MANIFEST_NAME = "_manifest.json"
# Footer key-value metadata of every transactions file: the run's provenance as JSON.
PROVENANCE_KEY = "fraud_simulator"
REPORTS_DIR = "reports"
# Catalogs on S3 (``--s3`` upload): the spec's prefix in the artifacts bucket.
S3_CATALOG_PREFIX = "catalogues"


def partition(run_date: date) -> str:
    """Return ``payments/year=YYYY/month=MM``: the partition path, local and on S3."""
    return f"payments/year={run_date.year}/month={run_date.month:02d}"


def dataset_name(total_rows: int, run_date: date) -> str:
    """Return ``payments_{rows:_}_{YYYY-MM-DD}``: the dataset's name (file stem or directory)."""
    return f"payments_{total_rows:_}_{run_date.isoformat()}"


def dataset_path(out_dir: Location, total_rows: int, run_date: date, layout: str) -> Location:
    """Return the transactions' path: a ``.parquet`` file (single) or a parts directory."""
    name = dataset_name(total_rows, run_date)
    if layout == "single":
        name += ".parquet"
    return out_dir / partition(run_date) / name


def part_name(index: int) -> str:
    """Return the file name of chunk ``index`` in the parts layout."""
    return f"part-{index:05d}.parquet"


def spool_name(index: int) -> str:
    """Return the name of the file a worker hands chunk ``index`` over in (single layout)."""
    return f"chunk-{index:05d}.parquet"


def run_token() -> str:
    """Return a fresh random token naming one run's temporary files."""
    return uuid.uuid4().hex[:12]


def temp_sibling(path: Path, suffix: str = "tmp") -> Path:
    """Return a hidden, unique sibling of ``path`` to write into before renaming."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.{suffix}")


def staged_catalog_dir(out_dir: Path, token: str) -> Path:
    """Return where a run stages its catalogs before moving them to ``catalog/``."""
    return out_dir / f".{CATALOG_DIR}.{token}.tmp"


def temp_file(directory: Path, name: str) -> Path:
    """Return the temporary name ``name`` is written under in ``directory`` before renaming."""
    return directory / f".{name}.{uuid.uuid4().hex[:8]}.tmp"
