"""The generator's config: one typed model of every section, checked across keys.

Common sections are in ``config.sections``, each realism's own in its folder
(``realism/*/settings.py``); the rules that depend on the realism ask ``config.realisms``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from ..realism.classic.settings import LabelerConfig
from ..realism.v3.settings import FraudConfig, PopulationConfig
from ..storage.libraries import table_library_problems
from ..storage.location import S3Location
from .realisms import DEFAULT_REALISM, REALISMS
from .rules import realism_problems, with_realism_defaults
from .sections import (
    CatalogConfig,
    DaskConfig,
    FeatureConfig,
    OutputConfig,
    S3Config,
    TemporalConfig,
    out_dir_value,
    output_problems,
)
from .values import MAX_BATCH_SIZE, MAX_TOTAL_ROWS, Count, Integer, Number, Section


class GeneratorConfig(Section):
    total_rows: Count = Field(
        1_000_000, le=MAX_TOTAL_ROWS, description="Transactions to generate (at most 1e11)."
    )
    fraud_rate: Number = Field(
        0.005, gt=0, lt=1, description="Share of fraud; the count is exactly round(rate * rows)."
    )
    seed: Integer = Field(
        42, ge=0, lt=2**63, description="Master seed: same config and seed, same rows."
    )
    out_dir: Annotated[Path | S3Location, BeforeValidator(out_dir_value)] = Field(
        Path("out"),
        description="Local output directory, or s3://bucket/prefix (with output.layout: parts).",
    )
    realism: Literal["v1", "v2", "v3"] = Field(
        DEFAULT_REALISM,
        description="; ".join(f"{s.name}: {s.summary}" for s in REALISMS.values()) + ".",
    )  # the names of config.realisms.REALISMS (a test keeps the two equal)
    num_workers: Count = Field(
        2,
        description="Worker processes (local engine and LocalCluster: at most the CPUs"
        " available, see FRAUD_SIMULATOR_MAX_WORKERS).",
    )
    batch_size: Count = Field(
        100_000,
        le=MAX_BATCH_SIZE,
        description="Rows per chunk (a chunk is a time slice; at most 1e7).",
    )
    s3_upload: bool = Field(False, description="Upload the outputs to S3 after writing.")
    engine: Literal["local", "dask"] = Field(
        "local", description="local: worker processes; dask: dask.distributed cluster."
    )
    report: bool = Field(False, description="Write report.html/report.json after generating.")
    catalog: CatalogConfig = Field(default_factory=CatalogConfig)
    temporal: TemporalConfig = Field(default_factory=TemporalConfig)
    feature: FeatureConfig = Field(default_factory=FeatureConfig)
    labeler: LabelerConfig = Field(default_factory=LabelerConfig)
    s3: S3Config = Field(default_factory=S3Config)
    dask: DaskConfig = Field(default_factory=DaskConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    population: PopulationConfig = Field(default_factory=PopulationConfig)
    fraud: FraudConfig = Field(default_factory=FraudConfig)

    @model_validator(mode="before")
    @classmethod
    def _realism_defaults(cls, data: Any) -> Any:
        return with_realism_defaults(data)

    @model_validator(mode="after")
    def _sections_fit_realism(self) -> GeneratorConfig:
        problems = realism_problems(self)
        if problems:  # one line each; format_errors keeps their own "key: " prefixes
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _engine_available(self) -> GeneratorConfig:
        if self.engine == "dask":
            try:
                import distributed  # noqa: F401
            except ImportError:
                raise ValueError(
                    "engine: dask needs the dask extra: pip install -e '.[dask]' (from the"
                    " repository's clone)"
                ) from None
        return self

    @model_validator(mode="after")
    def _output_fits(self) -> GeneratorConfig:
        problems = output_problems(self.output, self.out_dir, self.s3_upload, self.report)
        problems += table_library_problems(self.output.format)
        if problems:  # one line each, keyed
            raise ValueError("\n".join(problems))
        return self

    @property
    def fraud_count(self) -> int:
        """The exact number of fraud rows: ``round(fraud_rate * total_rows)``."""
        return round(self.fraud_rate * self.total_rows)
