"""A run's catalogs, staged until the dataset is complete, then committed to ``catalog/``.

Locally they are written to a hidden directory and moved into ``{out_dir}/catalog/`` only when
the transactions are complete, so a failed run leaves no catalogs. On S3 they are written to
their final keys (workers read them there) and removed again if the run fails.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from .config import GeneratorConfig
from .layout import CATALOG_DIR, staged_catalog_dir
from .storage.destination import remove
from .storage.location import Location, S3Location
from .storage.store import encode_tables, write_tables


class StagedCatalogs:
    """Catalog tables of one run: written to ``stage`` now, moved to ``final`` by ``commit``."""

    def __init__(self, cfg: GeneratorConfig, tables: Mapping[str, pl.DataFrame], token: str):
        self.final: Location = cfg.out_dir / CATALOG_DIR
        self.stage: Location = (
            self.final
            if isinstance(cfg.out_dir, S3Location)
            else staged_catalog_dir(cfg.out_dir, token)
        )
        self.files = tuple(tables)
        c = cfg.catalog
        encoded = encode_tables(tables, c.parquet_row_group_size, c.max_size_mb)
        # What the dataset records, so a reader can tell when catalog/ no longer matches it.
        self.sha256 = {name: hashlib.sha256(data).hexdigest() for name, data in encoded.items()}
        write_tables(self.stage, encoded)
        self.committed = False

    def commit(self) -> Location:
        """Move the staged files into ``final`` (replacing earlier ones); return ``final``."""
        if isinstance(self.stage, Path) and isinstance(self.final, Path):
            self.final.mkdir(parents=True, exist_ok=True)
            for filename in self.files:
                os.replace(self.stage / filename, self.final / filename)
            shutil.rmtree(self.stage, ignore_errors=True)
        self.committed = True
        return self.final

    def discard(self) -> None:
        """Remove what was staged, unless committed."""
        if self.committed:
            return
        if isinstance(self.stage, Path):
            shutil.rmtree(self.stage, ignore_errors=True)
        else:
            remove(self.stage, self.files)
