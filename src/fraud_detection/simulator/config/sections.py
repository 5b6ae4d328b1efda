"""The config sections every realism shares: catalog sizes and priors, the date range, features,
and where and how output goes (S3, Dask, layout). A realism's own sections live in its folder
(``realism/*/settings.py``)."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from ..storage.location import S3Location
from .values import (
    FIRST_DATE,
    LAST_DATE,
    MAX_BATCH_SIZE,
    Count,
    Number,
    Section,
    number,
)

DEFAULT_AMOUNT_PARAMS: dict[str, dict[str, float]] = {
    "lognormal": {"mean": 3.5, "sigma": 1.0},
    "normal": {"loc": 50.0, "scale": 25.0},
    "uniform": {"low": 1.0, "high": 500.0},
}


class CatalogConfig(Section):
    num_customers: Count = Field(
        50_000, le=100_000_000, description="Customers in the catalog (ids 1..N; at most 1e8)."
    )
    num_merchants: Count = Field(
        5_000, le=10_000_000, description="Merchants in the catalog (ids 1..N; at most 1e7)."
    )
    num_cards: Count = Field(
        75_000,
        le=10_000_000,
        description="Cards in the catalog (ids 1..N; at most 1e7, about 4 GB per process).",
    )
    customer_zipf_exponent: Number = Field(
        1.0,
        ge=0,
        le=10,
        description="Zipf exponent of customer activity (0 = uniform; <= 10); v1/v2 only (v3:"
        " a customer is as active as their cards).",
    )
    merchant_zipf_exponent: Number = Field(
        1.1, ge=0, le=10, description="Zipf exponent of merchant popularity (<= 10)."
    )
    card_zipf_exponent: Number = Field(
        1.0,
        ge=0,
        le=10,
        description="Zipf exponent of card usage (<= 10); default 0.6 under v3, where 1.0 would"
        " give one card 8.5% of all payments.",
    )
    merchant_risk_alpha: Number = Field(
        1.0, gt=0, le=1e6, description="Beta(alpha, .) of merchant risk (<= 1e6)."
    )
    merchant_risk_beta: Number = Field(
        30.0, gt=0, le=1e6, description="Beta(., beta) of merchant risk (<= 1e6)."
    )
    card_risk_alpha: Number = Field(
        1.0, gt=0, le=1e6, description="Beta(alpha, .) of card risk (<= 1e6)."
    )
    card_risk_beta: Number = Field(
        50.0, gt=0, le=1e6, description="Beta(., beta) of card risk (<= 1e6)."
    )
    max_size_mb: Number = Field(
        64, gt=0, le=5_000, description="A written catalog file larger than this is an error."
    )
    parquet_row_group_size: Count = Field(
        100_000,
        le=MAX_BATCH_SIZE,
        description="Rows per Parquet row group (catalogs and transactions; at most 1e7).",
    )


class TemporalConfig(Section):
    start_date: date = Field(
        date(2025, 1, 1),
        ge=FIRST_DATE,
        le=LAST_DATE,
        description="First day of events (inclusive; 1678-01-01..2261-12-31, what Datetime(ns)"
        " holds).",
    )
    end_date: date | None = Field(
        None,
        ge=FIRST_DATE,
        le=LAST_DATE,
        description="Last day of events (inclusive); today when absent.",
    )

    @model_validator(mode="after")
    def _end_not_before_start(self) -> TemporalConfig:
        if self.last_day < self.start_date:
            raise ValueError(f"end_date {self.last_day} is before start_date {self.start_date}")
        return self

    @property
    def last_day(self) -> date:
        """The inclusive last day: ``end_date``, or today when it is absent."""
        return self.end_date or date.today()


# Each amount parameter's allowed range: amounts stay finite and below about 1e12.
AMOUNT_PARAM_RANGES: dict[str, tuple[float, float]] = {
    "mean": (-10.0, 20.0),
    "sigma": (0.0, 5.0),
    "loc": (-1e9, 1e9),
    "scale": (0.0, 1e9),
    "low": (0.0, 1e12),
    "high": (0.0, 1e12),
}
_STRICTLY_POSITIVE = ("sigma", "scale")


class FeatureConfig(Section):
    amount_distribution: Literal["lognormal", "normal", "uniform"] = Field(
        "lognormal", description="Distribution of `amount`."
    )
    amount_params: dict[str, Number] = Field(
        default_factory=dict,
        description=(
            "Parameters of that distribution: lognormal mean/sigma (of log amount; default"
            " 3.5/1.0; mean -10..20, sigma 0..5), normal loc/scale (50/25; each within 1e9),"
            " uniform low/high (1/500; 0 < low < high <= 1e12). Missing ones take the default."
        ),
    )
    device_types: dict[str, Number] = Field(
        default_factory=lambda: {"mobile": 0.6, "desktop": 0.3, "tablet": 0.1},
        description="device_type values and their relative weights (each > 0).",
    )

    @field_validator("device_types")
    @classmethod
    def _positive_weights(cls, weights: dict[str, float]) -> dict[str, float]:
        if not weights:
            raise ValueError("needs at least one device type")
        bad = [f"{k}={v}" for k, v in weights.items() if not (v > 0 and math.isfinite(v))]
        if bad:
            raise ValueError(f"weights must be positive numbers, got {', '.join(bad)}")
        if any(not k.strip() for k in weights):
            raise ValueError("device type names must be non-empty")
        return weights

    @field_validator("amount_params")
    @classmethod
    def _params_fit_distribution(
        cls, params: dict[str, float], info: ValidationInfo
    ) -> dict[str, float]:
        distribution = info.data.get("amount_distribution")
        if distribution not in DEFAULT_AMOUNT_PARAMS:
            return params  # amount_distribution itself is reported
        allowed = DEFAULT_AMOUNT_PARAMS[distribution]
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise ValueError(
                f"{unknown} do not apply to {distribution} (allowed: {', '.join(allowed)})"
            )
        p = {**allowed, **params}
        for name, value in p.items():
            low, high = AMOUNT_PARAM_RANGES[name]
            strict = name in _STRICTLY_POSITIVE
            if not (low < value <= high if strict else low <= value <= high):
                raise ValueError(
                    f"{name} must be {'>' if strict else '>='} {low:g} and <= {high:g}"
                    f" (got {value:g})"
                )
        if distribution == "uniform" and not p["low"] < p["high"]:
            raise ValueError("amount_params need 0 < low < high")
        return params

    @property
    def amount(self) -> dict[str, float]:
        """The amount distribution's parameters, defaults filled in."""
        return {**DEFAULT_AMOUNT_PARAMS[self.amount_distribution], **self.amount_params}


class S3Config(Section):
    raw_bucket_param: str = Field(
        "/fraud/raw_bucket_name", description="SSM parameter holding the transactions bucket."
    )
    artifacts_bucket_param: str = Field(
        "/fraud/artifacts_bucket_name", description="SSM parameter holding the catalogs bucket."
    )
    prefix: str = Field("", description="Key prefix prepended to every uploaded key.")
    multipart_threshold_mb: Number = Field(
        8, gt=0, le=5_000, description="Files larger than this upload in parts (multipart)."
    )
    multipart_chunksize_mb: Number = Field(
        8, ge=5, le=5_000, description="Size of each uploaded part (5..5000, S3's limits)."
    )
    file_attempts: Annotated[int, BeforeValidator(number)] = Field(
        3,
        ge=1,
        le=5,
        description="Attempts per file upload when it fails on a connection error, a 5xx or"
        " throttling (each attempt's requests are retried too); waits 5, 10, 20, 40 s.",
    )


_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[^\]]+\]|[^:/\s]+):(?P<port>\d+)$")
_DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


class DaskConfig(Section):
    scheduler_address: str | None = Field(
        None,
        description="Connect to this scheduler (tcp://host:port); absent: start a LocalCluster.",
    )
    connect_timeout_s: Number = Field(
        30,
        gt=0,
        le=3_600,
        description="Give up connecting to scheduler_address after this long (<= 1 hour).",
    )

    @field_validator("scheduler_address")
    @classmethod
    def _host_and_port(cls, address: str | None) -> str | None:
        if address is None:
            return None
        match = _ADDRESS.match(address.strip())
        if not match or not 0 < int(match["port"]) < 65536:
            raise ValueError("needs a host and a port, e.g. tcp://scheduler:8786")
        if match["scheme"] and match["scheme"] not in _DASK_SCHEMES:
            raise ValueError(f"unknown protocol {match['scheme']}:// (use tcp:// or tls://)")
        return address.strip()


class IcebergConfig(Section):
    namespace: str = Field(
        "fraud",
        min_length=1,
        description="Iceberg namespace of the tables (payments, customers, merchants, cards).",
    )
    catalog_name: str | None = Field(
        None,
        min_length=1,
        description="A catalog configured for pyiceberg (~/.pyiceberg.yaml or"
        " PYICEBERG_CATALOG__{NAME}__* variables), with output.iceberg.catalog's properties"
        " on top; absent: the catalog below.",
    )
    catalog: dict[str, str] = Field(
        default_factory=dict,
        description="pyiceberg catalog properties (type, uri, warehouse, s3.*: any catalog"
        " pyiceberg supports); with neither key: a SQL catalog in {out_dir}/iceberg/catalog.db"
        " (SQLite), warehouse {out_dir}/iceberg. Never recorded in the data.",
    )


class OutputConfig(Section):
    format: Literal["parquet", "delta", "iceberg"] = Field(
        "parquet",
        description="parquet: files (layout below); delta: Delta Lake tables under"
        " {out_dir}/delta/; iceberg: Apache Iceberg tables (output.iceberg). Tables: payments"
        " (partitioned by event month) and the catalogs, one commit per table and run.",
    )
    layout: Literal["single", "parts"] = Field(
        "single",
        description="single: one Parquet file; parts: a directory of one file per chunk, plus"
        " manifests/{dataset}.json.",
    )
    partition_by: Literal["run_date", "event_date"] = Field(
        "run_date",
        description="run_date: payments/year=/month= of the day the run ran (the spec's);"
        " event_date (parts only): payments/{dataset}/year=/month= of the events.",
    )
    timestamp_unit: Literal["us", "ns"] = Field(
        "us",
        description="Unit of every timestamp written (transactions, catalogs) and returned by"
        " generate_dataframe: us (microseconds, UTC: what Spark, Delta, Iceberg and DuckDB"
        " read) or ns (Parquet only).",
    )
    write_mode: Literal["overwrite", "append"] = Field(
        "overwrite",
        description="delta/iceberg: overwrite replaces the payments table's rows (earlier"
        " versions stay for time travel); append adds this run's rows. Catalog tables are"
        " always replaced.",
    )
    iceberg: IcebergConfig = Field(default_factory=IcebergConfig)

    @field_validator("partition_by")
    @classmethod
    def _event_date_needs_parts(cls, partition_by: str, info: ValidationInfo) -> str:
        if partition_by == "event_date" and info.data.get("layout") != "parts":
            raise ValueError("event_date needs output.layout: parts")
        return partition_by


def output_problems(
    output: OutputConfig, out_dir: object, s3_upload: bool, report: bool
) -> list[str]:
    """Return one line per output key set that its format does not read, or that does not fit
    the rest of the config (``out_dir``, ``s3_upload``, ``report``)."""
    default = OutputConfig()
    tables = output.format != "parquet"
    problems = []
    if tables:
        problems += [
            f"output.{key}: applies to output.format: parquet only ({output.format} tables are"
            " partitioned by event month)"
            for key in ("layout", "partition_by")
            if getattr(output, key) != getattr(default, key)
        ]
        if output.timestamp_unit == "ns":
            problems.append(
                f"output.timestamp_unit: {output.format} tables hold microseconds; use us"
                " (or output.format: parquet for nanoseconds)"
            )
    elif output.write_mode != default.write_mode:
        problems.append("output.write_mode: applies to output.format: delta or iceberg")
    if output.format != "iceberg" and output.iceberg != default.iceberg:
        problems.append("output.iceberg: applies to output.format: iceberg only")
    return problems + _where_output_goes(output, out_dir, s3_upload, report)


def _where_output_goes(
    output: OutputConfig, out_dir: object, s3_upload: bool, report: bool
) -> list[str]:
    on_s3, tables = isinstance(out_dir, S3Location), output.format != "parquet"
    if not tables:
        return (
            ["out_dir: an s3:// out_dir needs output.layout: parts"]
            if (on_s3 and output.layout != "parts")
            else []
        )
    problems = []
    if s3_upload:
        problems.append(
            f"s3_upload: uploads Parquet files; write {output.format} tables to S3 directly"
            " (out_dir: s3://bucket/prefix)"
        )
    if report:
        problems.append(
            f"report: reads Parquet datasets, not {output.format} tables (use output.format:"
            " parquet, or read the tables yourself)"
        )
    iceberg = output.iceberg
    if on_s3 and output.format == "iceberg" and not (iceberg.catalog or iceberg.catalog_name):
        problems.append(
            "output.iceberg.catalog: an s3:// out_dir needs a catalog (the default SQLite file"
            " is local), e.g. {type: sql, uri: 'sqlite:////path/catalog.db', warehouse:"
            " 's3://bucket/prefix'}"
        )
    return problems


_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# S3's bucket naming rules (3-63 characters; lower case, digits, dots and hyphens).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def out_dir_value(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if not value.strip():
        raise ValueError("must not be empty (use . for the current directory)")
    scheme = _URL_SCHEME.match(value)
    if scheme is None:
        return value
    if scheme.group(1) != "s3":
        hint = " (write s3:// in lower case)" if scheme.group(1).lower() == "s3" else ""
        raise ValueError(f"unsupported scheme {scheme.group(1)}://{hint}; use a path or s3://")
    location = S3Location.parse(value)
    if not _BUCKET.match(location.bucket):
        raise ValueError(f"{location.bucket!r} is not a valid S3 bucket name")
    return location
