"""The generator's configuration: one typed model that reports every problem at once.

``Field(description=...)`` is the single source for what each key means; the README's config
table is generated from it (``python scripts/update_readme.py``). By concern: ``values`` (number
parsing, the section base), ``sections`` (the sections every realism shares), ``realisms``
(the realism -> settings table; each realism's sections live in ``realism/*/settings.py``),
``rules`` (checks that depend on the realism), ``model`` (``GeneratorConfig``), ``messages``
(error lines), ``loading`` (YAML, overrides) and ``docs`` (the README table).
"""

from __future__ import annotations

from ..realism.classic.settings import LabelerConfig
from ..realism.v3.settings import V3_CARD_ZIPF_EXPONENT, FraudConfig, PopulationConfig
from ..storage.location import S3Location as S3Location  # re-exported: config.S3Location
from .docs import config_table
from .loading import config_from_dict, load_config
from .messages import format_errors
from .model import GeneratorConfig
from .realisms import REALISMS, data_keys, settings_of
from .sections import (
    DEFAULT_AMOUNT_PARAMS,
    CatalogConfig,
    DaskConfig,
    FeatureConfig,
    OutputConfig,
    S3Config,
    TemporalConfig,
)
from .values import MAX_BATCH_SIZE, MAX_TOTAL_ROWS, RealismSettings

__all__ = [
    "DEFAULT_AMOUNT_PARAMS",
    "MAX_BATCH_SIZE",
    "MAX_TOTAL_ROWS",
    "REALISMS",
    "V3_CARD_ZIPF_EXPONENT",
    "CatalogConfig",
    "DaskConfig",
    "FeatureConfig",
    "FraudConfig",
    "GeneratorConfig",
    "LabelerConfig",
    "OutputConfig",
    "PopulationConfig",
    "RealismSettings",
    "S3Config",
    "S3Location",
    "TemporalConfig",
    "config_from_dict",
    "config_table",
    "data_keys",
    "format_errors",
    "load_config",
    "settings_of",
]
