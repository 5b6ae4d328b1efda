"""Everything the report reads, once: the dataset, its provenance and report profile, the
config to check against, and its catalogs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...config import GeneratorConfig
from ...realism.profiles import ReportProfile
from .catalogs import Catalogs, open_catalogs
from .columns import LABEL
from .config import expected_mix, fraud_section, resolve_config
from .dataset import Dataset, Prepared, open_dataset, prepare
from .provenance import dataset_profile, read_provenance


@dataclass(frozen=True)
class Inputs:
    """What every section is built from."""

    dataset: Dataset
    data: Prepared
    provenance: dict[str, Any]  # report.json's ``provenance``
    profile: ReportProfile  # from the dataset's recorded realism (or its columns), only
    config: GeneratorConfig | None  # to check against: given, else recorded; None: neither
    config_section: dict[str, Any]  # report.json's ``config``
    fraud: dict[str, Any] | None  # the config's ``fraud`` section (realisms with a difficulty)
    catalogs: Catalogs

    @property
    def info(self) -> dict[str, Any] | None:
        """Return the dataset's provenance record (None: it records none)."""
        info: dict[str, Any] | None = self.provenance["info"]
        return info

    @property
    def label_columns(self) -> frozenset[str]:
        """Return the columns that are the label or facts about it (never scored or used)."""
        profile = self.profile
        return frozenset({LABEL, *profile.label_columns, *profile.optional_label_columns})

    @property
    def expected_mix(self) -> dict[str, float] | None:
        """Return the typology mix the config asks for (None: unknown or no typologies)."""
        return expected_mix(self.profile, self.fraud)


def read_inputs(
    dataset: str | Path, catalog_dir: Path | None, config: GeneratorConfig | None
) -> Inputs:
    """Return the report's inputs; raise ``ReportInputError`` for an unusable dataset or a
    named catalog directory that is missing or unreadable."""
    ds = open_dataset(dataset)
    provenance = read_provenance(ds.files)
    info = provenance["info"]
    profile = dataset_profile(info, ds.schema.names())
    cfg, section = resolve_config(config, info)
    catalogs = open_catalogs(ds.path, catalog_dir, info, profile)
    fraud = fraud_section(profile, config, info)
    data = prepare(ds, profile)
    return Inputs(ds, data, provenance, profile, cfg, section, fraud, catalogs)
