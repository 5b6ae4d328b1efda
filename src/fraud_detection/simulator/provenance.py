"""What a dataset records about how it was made: the config keys that decide its rows, their
hash, the catalogs' sha256. Written in every file's footer and in the parts manifest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date

from .config import GeneratorConfig
from .config.realisms import data_keys as realism_data_keys
from .storage.layout import PROVENANCE_KEY
from .version import __version__


def data_keys(cfg: GeneratorConfig) -> set[str]:
    """Return the config keys that decide the rows of ``cfg``'s realism."""
    return realism_data_keys(cfg.realism)


def config_hash(cfg: GeneratorConfig) -> str:
    """Return the sha256 of the keys that decide the rows (end_date resolved), so the same data
    from 1 or 8 workers, local or dask, in any layout or format, carries the same hash.

    ``output.timestamp_unit`` is among them: nanoseconds and their truncation to microseconds
    are different values.
    """
    data = cfg.model_dump(mode="json", include=data_keys(cfg))
    data["temporal"]["end_date"] = cfg.temporal.last_day.isoformat()
    data["output"] = {"timestamp_unit": cfg.output.timestamp_unit}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def provenance(
    cfg: GeneratorConfig, today: date, catalogs: Mapping[str, str] | None = None
) -> dict[str, object]:
    """Return what a dataset records about how it was made (footer metadata and manifest).

    ``config`` holds the keys that decide the rows (``end_date`` resolved), so a reader can
    rebuild the config and check the data against it; ``catalogs`` the sha256 of each catalog
    file the rows were drawn from.
    """
    config = cfg.model_dump(mode="json", include={*data_keys(cfg), "output"})
    config["temporal"]["end_date"] = cfg.temporal.last_day.isoformat()
    # Catalog properties may hold credentials: never written into the data.
    config["output"]["iceberg"].pop("catalog", None)
    return {
        "format": 1,
        "package_version": __version__,
        "realism": cfg.realism,
        "seed": cfg.seed,
        "config_sha256": config_hash(cfg),
        "run_date": today.isoformat(),
        "total_rows": cfg.total_rows,
        "fraud_count": cfg.fraud_count,
        "catalogs": dict(catalogs or {}),
        "config": config,
    }


def footer_metadata(info: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """Return ``info`` as the Parquet key-value metadata every chunk carries."""
    return ((PROVENANCE_KEY, json.dumps(info, sort_keys=True)),)
