"""What a run produced: the parts it wrote and the result ``generate_to_parquet`` returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .storage.layout import partition
from .storage.location import Location


@dataclass(frozen=True)
class PartInfo:
    """One part file of the parts layout, as the manifest lists it (path: in the dataset)."""

    path: str
    rows: int
    fraud_count: int
    sha256: str
    size_bytes: int


@dataclass(frozen=True)
class GenerationResult:
    """What a run wrote: the transactions (file, or parts directory), catalogs, counts, timing."""

    path: Location
    rows: int
    fraud_count: int
    catalog_dir: Location | None
    seconds: float
    run_date: date
    parts: list[PartInfo] = field(default_factory=list)
    report: tuple[Path, Path] | None = None
    catalog_files: tuple[str, ...] = ()
    manifest: Location | None = None
    table_version: int | None = None  # output.format delta: the version; iceberg: the snapshot

    @property
    def partition(self) -> str:
        """``payments/year=YYYY/month=MM``: the partition path, local and on S3."""
        return partition(self.run_date)
