"""The dataset under report: a Parquet file or a parts directory, read lazily.

``open_dataset`` checks what every later section needs (readable Parquet, a label and an event
time) and raises ``ReportInputError`` otherwise. ``prepare`` returns the lazy frame the
analyses use: known columns cast to the packaged schema's types where a cast makes sense, so a
column stored with the wrong type fails the schema check but still gets its plots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ..schema import polars_schema
from ..storage.layout import CATALOG_FILES
from .errors import ReportInputError

LABEL = "label_fraud"
TIME = "event_time"
TIME_DTYPE = pl.Datetime("ns", "UTC")
# Identifiers: their values name an entity or a row, their numeric order means nothing.
ID_COLUMNS = frozenset(
    {
        "transaction_id",
        "customer_id",
        "card_id",
        "merchant_id",
        "pan_hash",
        "device_id",
        "ip_address",
    }
)
ENTITY_COLUMNS = {"customer": "customer_id", "merchant": "merchant_id", "card": "card_id"}
# The label and what v3 writes about it (typology, episode, report time): outcomes, not
# features. No leakage score or model feature is made of them; each would "leak" by design.
V3_LABELS = frozenset({"fraud_type", "fraud_episode_id", "reported_time"})
LABEL_COLUMNS = frozenset({LABEL, *V3_LABELS})
REALISMS = ("v1", "v2", "v3")
_CATALOG_SEARCH_DEPTH = 5


@dataclass(frozen=True)
class Dataset:
    """A dataset on disk: its path, its Parquet files in name order and their schema."""

    path: Path
    files: tuple[Path, ...]
    schema: pl.Schema

    def scan(self) -> pl.LazyFrame:
        """Return a lazy scan of all files, as stored (no casts)."""
        return pl.scan_parquet(list(self.files))


@dataclass(frozen=True)
class Prepared:
    """The analysis frame: label Boolean, time ``Datetime(ns, UTC)``, known columns cast."""

    lf: pl.LazyFrame
    columns: tuple[str, ...]
    unusable: tuple[str, ...]

    def has(self, *names: str) -> bool:
        """Return whether every named column is usable."""
        return all(name in self.columns for name in names)


def dataset_files(path: Path) -> tuple[Path, ...]:
    """Return the Parquet files of ``path``: itself, or a directory's ``*.parquet`` files at any
    depth (``year=YYYY/month=MM/part-*.parquet`` of ``partition_by: event_date``), by relative
    path; hidden files and folders (a name starting with ``.``) are left out."""
    if path.is_dir():
        found = (
            p
            for p in path.rglob("*.parquet")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        files = tuple(sorted(found, key=lambda p: p.relative_to(path).parts))
        if not files:
            raise ReportInputError(f"{path}: directory holds no *.parquet files")
        return files
    if path.is_file():
        return (path,)
    raise ReportInputError(f"{path}: dataset not found")


def open_dataset(path: str | Path) -> Dataset:
    """Return the dataset at ``path`` once its schema is readable and label and time usable."""
    path = Path(path)
    files = dataset_files(path)
    try:
        schema = pl.scan_parquet(list(files)).collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ReportInputError(
            f"{path}: not a readable Parquet dataset ({_first_line(exc)})"
        ) from None
    problems = _essential_problems(schema)
    if problems:
        raise ReportInputError(f"{path}: {'; '.join(problems)}")
    return Dataset(path, files, schema)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _essential_problems(schema: pl.Schema) -> list[str]:
    """Return why the label or time column cannot be used (empty when both can)."""
    problems = []
    label = schema.get(LABEL)
    if label is None:
        problems.append(f"no {LABEL} column")
    elif not (label == pl.Boolean or label.is_integer()):
        problems.append(f"{LABEL} must be Boolean or integer 0/1, got {label}")
    time = schema.get(TIME)
    if time is None:
        problems.append(f"no {TIME} column")
    elif not isinstance(time, pl.Datetime):
        problems.append(f"{TIME} must be a Datetime column, got {time}")
    return problems


def _is_numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or dtype == pl.Boolean


def _coerced(name: str, actual: pl.DataType, expected: pl.DataType) -> pl.Expr | None:
    """Return ``name`` cast to ``expected`` for analysis, or None when no cast makes sense."""
    col = pl.col(name)
    if actual == expected:
        return col
    if isinstance(expected, pl.Datetime):
        if not isinstance(actual, pl.Datetime):
            return None
        zoned = (
            col.dt.convert_time_zone("UTC") if actual.time_zone else col.dt.replace_time_zone("UTC")
        )
        return zoned.dt.cast_time_unit("ns")
    if expected == pl.String:
        return col.cast(pl.String)
    if _is_numeric(expected) and (_is_numeric(actual) or actual == pl.String):
        return col.cast(expected, strict=False)
    return None


def realism_of(info: dict[str, Any] | None, schema: pl.Schema) -> str | None:
    """Return the dataset's realism: the recorded one, else v3 when it has v3's label columns
    (a foreign file), else None (the spec's columns, as v1 and v2)."""
    recorded = (info or {}).get("realism")
    if isinstance(recorded, str) and recorded in REALISMS:
        return recorded
    return "v3" if set(schema.names()) >= V3_LABELS else None


def prepare(dataset: Dataset, realism: str | None = None) -> Prepared:
    """Return the analysis frame of ``dataset`` (see ``Prepared``), cast to ``realism``'s
    schema."""
    expected = polars_schema(realism)
    exprs: list[pl.Expr] = []
    usable: list[str] = []
    unusable: list[str] = []
    for name, actual in dataset.schema.items():
        target = expected.get(name)
        expr = pl.col(name) if target is None else _coerced(name, actual, target)
        if name == LABEL:
            expr = pl.col(name).cast(pl.Boolean)
        if expr is None:
            unusable.append(name)
            continue
        exprs.append(expr.alias(name))
        usable.append(name)
    lf = dataset.scan().select(exprs)
    return Prepared(lf, tuple(usable), tuple(unusable))


def is_categorical(name: str, dtype: pl.DataType) -> bool:
    """Return whether a column is treated as categories (strings, enums and identifiers)."""
    if name in ID_COLUMNS or name.endswith("_id"):
        return True
    return dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)


def is_numeric(dtype: pl.DataType) -> bool:
    """Return whether a column is used as a number (ints, floats, Booleans, date-times)."""
    return _is_numeric(dtype) or dtype.is_temporal()


def find_catalog_dir(dataset: Path) -> Path | None:
    """Return the nearest ``catalog/`` with all catalog files in ``dataset``'s ancestors."""
    start = dataset if dataset.is_dir() else dataset.parent
    for folder in [start, *start.parents][:_CATALOG_SEARCH_DEPTH]:
        candidate = folder / "catalog"
        if all((candidate / f).is_file() for f in CATALOG_FILES.values()):
            return candidate
    return None


def check_catalog_dir(path: Path, needed: Sequence[str] = tuple(CATALOG_FILES.values())) -> Path:
    """Return ``path`` when it holds the catalog files; raise ``ReportInputError`` otherwise."""
    if not path.is_dir():
        raise ReportInputError(f"{path}: catalog directory not found")
    missing = [f for f in needed if not (path / f).is_file()]
    if missing:
        raise ReportInputError(f"{path}: catalog directory lacks {', '.join(missing)}")
    return path
