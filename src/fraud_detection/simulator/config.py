"""The generator's configuration: one typed model that reports every problem at once.

``Field(description=...)`` is the single source for what each key means; the README's config
table is generated from it (``python scripts/update_readme.py``).
"""

from __future__ import annotations

import difflib
import math
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ConfigError
from .storage.location import S3Location as S3Location  # re-exported: config.S3Location

DEFAULT_AMOUNT_PARAMS: dict[str, dict[str, float]] = {
    "lognormal": {"mean": 3.5, "sigma": 1.0},
    "normal": {"loc": 50.0, "scale": 25.0},
    "uniform": {"low": 1.0, "high": 500.0},
}


def _number(value: Any) -> Any:
    """Accept ``"1e6"`` or ``"1_000_000"`` where YAML left a number as a string."""
    if isinstance(value, str):
        try:
            number = float(value.replace("_", ""))
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Count = Annotated[int, BeforeValidator(_number), Field(gt=0)]
Number = Annotated[float, BeforeValidator(_number)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class CatalogConfig(_Section):
    num_customers: Count = Field(50_000, description="Customers in the catalog (ids 1..N).")
    num_merchants: Count = Field(5_000, description="Merchants in the catalog (ids 1..N).")
    num_cards: Count = Field(75_000, description="Cards in the catalog (ids 1..N).")
    customer_zipf_exponent: Number = Field(
        1.0, ge=0, description="Zipf exponent of customer activity (0 = uniform)."
    )
    merchant_zipf_exponent: Number = Field(
        1.1, ge=0, description="Zipf exponent of merchant popularity."
    )
    card_zipf_exponent: Number = Field(1.0, ge=0, description="Zipf exponent of card usage.")
    merchant_risk_alpha: Number = Field(1.0, gt=0, description="Beta(alpha, .) of merchant risk.")
    merchant_risk_beta: Number = Field(30.0, gt=0, description="Beta(., beta) of merchant risk.")
    card_risk_alpha: Number = Field(1.0, gt=0, description="Beta(alpha, .) of card risk.")
    card_risk_beta: Number = Field(50.0, gt=0, description="Beta(., beta) of card risk.")
    max_size_mb: Number = Field(
        64, gt=0, description="A written catalog file larger than this is an error."
    )
    parquet_row_group_size: Count = Field(
        100_000, description="Rows per Parquet row group (catalogs and transactions)."
    )


class TemporalConfig(_Section):
    start_date: date = Field(date(2025, 1, 1), description="First day of events (inclusive).")
    end_date: date | None = Field(
        None, description="Last day of events (inclusive); today when absent."
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


class FeatureConfig(_Section):
    amount_distribution: Literal["lognormal", "normal", "uniform"] = Field(
        "lognormal", description="Distribution of `amount`."
    )
    amount_params: dict[str, Number] = Field(
        default_factory=dict,
        description=(
            "Parameters of that distribution: lognormal mean/sigma (of log amount; default"
            " 3.5/1.0),"
            " normal loc/scale (50/25), uniform low/high (1/500). Missing ones take the default."
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

    @model_validator(mode="after")
    def _params_fit_distribution(self) -> FeatureConfig:
        allowed = DEFAULT_AMOUNT_PARAMS[self.amount_distribution]
        unknown = sorted(set(self.amount_params) - set(allowed))
        if unknown:
            raise ValueError(
                f"amount_params {unknown} do not apply to {self.amount_distribution}"
                f" (allowed: {', '.join(allowed)})"
            )
        p = self.amount
        if self.amount_distribution == "lognormal" and not p["sigma"] > 0:
            raise ValueError("amount_params.sigma must be > 0")
        if self.amount_distribution == "normal" and not p["scale"] > 0:
            raise ValueError("amount_params.scale must be > 0")
        if self.amount_distribution == "uniform" and not 0 < p["low"] < p["high"]:
            raise ValueError("amount_params need 0 < low < high")
        return self

    @property
    def amount(self) -> dict[str, float]:
        """The amount distribution's parameters, defaults filled in."""
        return {**DEFAULT_AMOUNT_PARAMS[self.amount_distribution], **self.amount_params}


class LabelerConfig(_Section):
    intercept: Literal["calibrated", "naive"] = Field(
        "calibrated",
        description="calibrated: solve the logistic intercept so bursts get burst_share of the "
        "frauds; naive: the spec's log(fr/(1-fr)).",
    )
    burst_share: Number = Field(
        0.25, ge=0, le=1, description="Share of each chunk's frauds placed as merchant bursts."
    )
    burst_factor: Count = Field(10, description="Frauds per burst wave.")
    burst_window_s: Number = Field(
        1800, gt=0, description="A wave labels the merchant's transactions within +- this."
    )
    w_amount: Number = Field(0.8, description="Logistic weight of log(amount + 1).")
    w_mrisk: Number = Field(2.0, description="Logistic weight of merchant risk.")
    w_crisk: Number = Field(1.5, description="Logistic weight of card risk.")
    w_night: Number = Field(0.5, description="Logistic weight of hour < 6 (UTC).")


class S3Config(_Section):
    raw_bucket_param: str = Field(
        "/fraud/raw_bucket_name", description="SSM parameter holding the transactions bucket."
    )
    artifacts_bucket_param: str = Field(
        "/fraud/artifacts_bucket_name", description="SSM parameter holding the catalogs bucket."
    )
    prefix: str = Field("", description="Key prefix prepended to every uploaded key.")
    multipart_threshold_mb: Number = Field(
        8, gt=0, description="Files larger than this upload in parts (multipart)."
    )
    multipart_chunksize_mb: Number = Field(8, ge=5, description="Size of each uploaded part.")


class DaskConfig(_Section):
    scheduler_address: str | None = Field(
        None, description="Connect to this scheduler; absent: start a LocalCluster."
    )
    connect_timeout_s: Number = Field(
        30, gt=0, description="Give up connecting to scheduler_address after this long."
    )


class OutputConfig(_Section):
    layout: Literal["single", "parts"] = Field(
        "single",
        description="single: one Parquet file; parts: one file per chunk plus _manifest.json.",
    )


def _out_dir(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("s3://"):
        return S3Location.parse(value)
    return value


class GeneratorConfig(_Section):
    total_rows: Count = Field(1_000_000, description="Transactions to generate.")
    fraud_rate: Number = Field(
        0.005, gt=0, lt=1, description="Share of fraud; the count is exactly round(rate * rows)."
    )
    seed: Annotated[int, BeforeValidator(_number)] = Field(
        42, ge=0, description="Master seed: same config and seed, same rows."
    )
    out_dir: Annotated[Path | S3Location, BeforeValidator(_out_dir)] = Field(
        Path("out"),
        description="Local output directory, or s3://bucket/prefix (with output.layout: parts).",
    )
    realism: Literal["v1", "v2"] = Field(
        "v2", description="v1: spec's legacy per-chunk catalogs; v2: shared catalogs."
    )  # the names of realism.REALISMS (a test keeps the two equal)
    num_workers: Count = Field(2, description="Worker processes.")
    batch_size: Count = Field(100_000, description="Rows per chunk (a chunk is a time slice).")
    s3_upload: bool = Field(False, description="Upload the outputs to S3 after writing.")
    engine: Literal["local", "dask"] = Field(
        "local", description="local: multiprocessing pool; dask: dask.distributed cluster."
    )
    report: bool = Field(False, description="Write report.html/report.json after generating.")
    catalog: CatalogConfig = Field(default_factory=CatalogConfig)
    temporal: TemporalConfig = Field(default_factory=TemporalConfig)
    feature: FeatureConfig = Field(default_factory=FeatureConfig)
    labeler: LabelerConfig = Field(default_factory=LabelerConfig)
    s3: S3Config = Field(default_factory=S3Config)
    dask: DaskConfig = Field(default_factory=DaskConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)

    @model_validator(mode="after")
    def _engine_available(self) -> GeneratorConfig:
        if self.engine == "dask":
            try:
                import distributed  # noqa: F401
            except ImportError:
                raise ValueError(
                    "engine: dask needs the dask extra: pip install 'fraud-simulator[dask]'"
                ) from None
        if isinstance(self.out_dir, S3Location) and self.output.layout != "parts":
            raise ValueError("an s3:// out_dir needs output.layout: parts")
        return self

    @property
    def fraud_count(self) -> int:
        """The exact number of fraud rows: ``round(fraud_rate * total_rows)``."""
        return round(self.fraud_rate * self.total_rows)


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "config"


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = GeneratorConfig
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def format_errors(exc: ValidationError) -> list[str]:
    """Return one line per problem: ``key.path: what is wrong (got value)``."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc)
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            lines.append(f"{_where(loc)}: unknown key{suggestion}")
            continue
        msg = err["msg"].removeprefix("Value error, ")
        shown = "" if err["type"] == "missing" else f" (got {err.get('input')!r})"
        if isinstance(err.get("input"), dict):
            shown = ""
        lines.append(f"{_where(loc)}: {msg}{shown}")
    return lines


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> GeneratorConfig:
    """Return the validated config in ``path``, with ``overrides`` (dotted keys) applied.

    Raises ``ConfigError`` listing every problem, one line each.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: YAML syntax error{where}: {problem}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping of keys, got {type(data).__name__}")
    return config_from_dict(data, overrides)


def config_from_dict(
    data: dict[str, Any], overrides: dict[str, Any] | None = None
) -> GeneratorConfig:
    """Return the validated config for a mapping (as read from YAML), overrides applied."""
    merged = _deep_copy(data)
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        node = merged
        *parents, last = dotted.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[last] = value
    try:
        return GeneratorConfig.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(format_errors(exc)) from None


def _deep_copy(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _deep_copy(v) if isinstance(v, dict) else v for k, v in data.items()}


def config_table() -> str:
    """Return the README's config table (Markdown), from the models' field descriptions."""
    rows = ["| key | default | meaning |", "| --- | --- | --- |"]

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{prefix}{name}.")
                continue
            rows.append(
                f"| `{prefix}{name}` | {_shown(field.get_default(call_default_factory=True))}"
                f" | {field.description or ''} |"
            )

    walk(GeneratorConfig, "")
    return "\n".join(rows)


def _shown(default: Any) -> str:
    if default is None:
        return "(absent)"
    if isinstance(default, int) and not isinstance(default, bool):
        return f"`{default:_}`"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if default == "":
        return '`""`'
    return f"`{default}`"
