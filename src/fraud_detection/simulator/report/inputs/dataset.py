"""The dataset under report: a Parquet file or a parts directory, read lazily.

``open_dataset`` checks what every later section needs (readable Parquet, a label and an event
time) and raises ``ReportInputError`` otherwise. ``prepare`` returns the lazy frame the
analyses use: known columns cast to the packaged schema's types where a cast makes sense, so a
column stored with the wrong type fails the schema check but still gets its plots.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ...realism.profiles import ReportProfile, profile_for
from ...schema import polars_schema
from ..errors import ReportInputError
from .columns import LABEL, TIME

GENERIC = profile_for(None)


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


def prepare(dataset: Dataset, profile: ReportProfile = GENERIC) -> Prepared:
    """Return the analysis frame of ``dataset`` (see ``Prepared``), cast to the schema of
    ``profile``'s realism."""
    expected = polars_schema(profile.realism)
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
