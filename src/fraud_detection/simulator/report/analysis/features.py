"""A practitioner's baseline: the history features a fraud team computes first.

For each row, from strictly earlier rows only: per card, counts and amount sums over 1 hour,
1 day and 7 days, the time since its last payment, the amount against its own history, and
whether the merchant, device, IP or country is new to it; per device and per IP, how many
distinct cards used it before; per merchant, payments in the last hour and day, and its fraud
rate using only labels reported by then (the Fraud Detection Handbook's delayed merchant
risk; a label without a report time is known a week after its payment). Identifiers are never
features, nor are the label columns. A feature whose columns the dataset lacks is left out.

Features are of two kinds: a card's own (``card_history``: they need only that card's rows)
and shared ones (``shared_history``: devices, IPs and merchants, which need every card's
rows). ``history`` computes both. Computing the shared ones over all rows and then a card's
own over a sample of whole cards gives every sampled row exactly the values it has in the
full computation (see ``analysis.model``).

The shared ones include the graph feature (``graph``: other cards on the row's device or IP in
the last 7 days). With ``classic``, the frame also gets the Fraud Detection Handbook's features
(``classic``): the card's 30-day window and mean amounts, the merchant's delayed windows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from ..inputs.columns import CARD, DEVICE, IP, LABEL, MERCHANT, OFFSET, REPORTED, TIME, TYPE
from .classic import CARD_WINDOWS, calendar_flags, card_means, merchant_delayed
from .graph import GRAPH_FEATURE, other_cards
from .split import GAP, known_at

SMOOTHING = 20.0
KEY_SEED = 20_250_101
WINDOWS = {"1h": "1h", "1d": "1d", "7d": "7d"}
RAW_NUMERIC = ("amount", "log_amount", "hour_utc", "hour_local", "is_recurring")
RAW_CATEGORICAL = (
    "channel", "pos_entry_mode", "device_type", "mcc_code", "merchant_country", "currency",
    "card_scheme",
)  # fmt: skip
# What the features and the models read (those present are loaded; the label facts
# ``REPORTED`` and ``TYPE`` only when the dataset's realism writes them as label columns).
COLUMNS = (
    TIME, LABEL, REPORTED, TYPE, CARD, MERCHANT, DEVICE, IP, "amount", "latitude",
    "longitude", "local_time_offset", "is_recurring", *RAW_CATEGORICAL,
)  # fmt: skip


def hashed_keys(columns: list[str] | tuple[str, ...]) -> list[pl.Expr]:
    """Return device_id and ip_address as 64-bit hashes (null stays null): the features only
    group by them, and grouping integers is several times faster than strings."""
    return [
        pl.when(pl.col(c).is_null()).then(None).otherwise(pl.col(c).hash(KEY_SEED)).alias(c)
        for c in (DEVICE, IP)
        if c in columns
    ]


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    strings = [c for c in (DEVICE, IP) if c in frame.columns and frame.schema[c] == pl.String]
    return frame.with_columns(hashed_keys(strings)) if strings else frame


def _is_new(*keys: str) -> pl.Expr:
    """Return whether this row is the first of its (card, keys) combination."""
    new = pl.struct(CARD, *keys).is_first_distinct()
    return new & pl.all_horizontal(pl.col(k).is_not_null() for k in keys)


def _card_exprs(columns: set[str], classic: bool = False) -> list[pl.Expr]:
    """Return the card's own features whose columns are present (see the module doc)."""
    first = pl.int_range(pl.len())
    t_ns = pl.col(TIME).dt.epoch("ns")
    exprs = [
        first.over(CARD).alias("card_rows_before"),
        ((t_ns - t_ns.shift(1).over(CARD)) / 1e9).alias("since_last_s"),
    ]
    optional: list[tuple[tuple[str, ...], Callable[[], list[pl.Expr]]]] = [
        ((MERCHANT,), lambda: [first.over(CARD, MERCHANT).alias("card_merchant_rows_before")]),
        ((DEVICE,), lambda: [first.over(CARD, DEVICE).alias("card_device_rows_before")]),
        ((IP,), lambda: [_is_new(IP).alias("new_ip")]),
        (("merchant_country",), lambda: [_is_new("merchant_country").alias("new_country")]),
        (("latitude", "longitude"), lambda: [_km_from_last().alias("km_from_last")]),
        (("local_time_offset",), lambda: [_hour_deviation().alias("hour_vs_card")]),
        (("amount",), lambda: [_amount_vs_card().alias("amount_vs_card")]),
    ]
    for needs, make in optional:
        if set(needs) <= columns:
            exprs += make()
    windows = WINDOWS | CARD_WINDOWS if classic else WINDOWS
    return exprs + _windows(CARD, "card", amounts="amount" in columns, windows=windows)


def card_history(frame: pl.DataFrame, classic: bool = False) -> pl.DataFrame:
    """Return ``frame`` (sorted by time) with the card's own features added (``classic``: and
    the classic baseline's)."""
    frame = _keyed(frame).sort(TIME, maintain_order=True)
    if CARD not in frame.columns:
        return frame
    out = frame.with_columns(_card_exprs(set(frame.columns), classic))
    if classic:
        out = card_means(out)
    derived = []
    if "card_merchant_rows_before" in out.columns:
        derived.append((pl.col("card_merchant_rows_before") == 0).alias("new_merchant"))
    if "card_device_rows_before" in out.columns:
        new = (pl.col("card_device_rows_before") == 0) & pl.col(DEVICE).is_not_null()
        derived.append(new.alias("new_device"))
    return out.with_columns(derived)


def shared_history(frame: pl.DataFrame, classic: bool = False) -> pl.DataFrame:
    """Return ``frame`` (sorted by time) with the device, IP and merchant features added
    (``classic``: and the classic baseline's delayed merchant windows)."""
    frame = _keyed(frame).sort(TIME, maintain_order=True)
    exprs = [
        _distinct_before(key).alias(name)
        for key, name in ((DEVICE, "cards_per_device"), (IP, "cards_per_ip"))
        if key in frame.columns and CARD in frame.columns
    ]
    if CARD in frame.columns and {DEVICE, IP} & set(frame.columns):
        exprs.append(pl.lit(other_cards(frame)).alias(GRAPH_FEATURE))
    if MERCHANT not in frame.columns:
        return frame.with_columns(exprs)
    out = frame.with_columns(*exprs, *_windows(MERCHANT, "merchant", amounts=False))
    out = out.with_columns(merchant_risk=_delayed_merchant_rate(out))
    return merchant_delayed(out) if classic else out


def history(frame: pl.DataFrame, classic: bool = False) -> pl.DataFrame:
    """Return ``frame`` (sorted by time) with every history feature added."""
    return card_history(shared_history(frame, classic), classic)


def _windows(
    key: str, prefix: str, amounts: bool, windows: dict[str, str] = WINDOWS
) -> list[pl.Expr]:
    """Counts (and amount sums) of ``key``'s earlier rows within each window."""
    exprs = []
    for name, period in windows.items():
        one = pl.col(TIME).is_not_null().cast(pl.Int32).rolling_sum_by(TIME, period, closed="left")
        exprs.append(one.over(key).fill_null(0).alias(f"{prefix}_count_{name}"))
        if amounts:
            total = pl.col("amount").rolling_sum_by(TIME, period, closed="left")
            exprs.append(total.over(key).fill_null(0.0).alias(f"{prefix}_amount_{name}"))
    return exprs


def _amount_vs_card() -> pl.Expr:
    """log(1 + amount) minus the mean of the card's earlier ones (null for its first)."""
    log_amount = pl.col("amount").log1p()
    before = pl.int_range(pl.len()).over(CARD)
    return log_amount - log_amount.cum_sum().shift(1).over(CARD) / before


def _km_from_last() -> pl.Expr:
    """Great-circle km from the card's previous payment's place (null for its first)."""
    lat, lon = pl.col("latitude").radians(), pl.col("longitude").radians()
    lat0, lon0 = lat.shift(1).over(CARD), lon.shift(1).over(CARD)
    a = ((lat - lat0) / 2).sin() ** 2 + lat.cos() * lat0.cos() * ((lon - lon0) / 2).sin() ** 2
    return 2 * 6371.0 * a.clip(0, 1).sqrt().arcsin()


def _hour_deviation() -> pl.Expr:
    """Hours between this payment's local hour and the card's usual one (circular mean of its
    earlier payments), 0-12; null for its first."""
    local = (pl.col(TIME).dt.hour().cast(pl.Int32) * 60 + pl.col("local_time_offset")) % 1440
    angle = local.cast(pl.Float64) / 1440 * 2 * np.pi
    x = angle.cos().cum_sum().shift(1).over(CARD)
    y = angle.sin().cum_sum().shift(1).over(CARD)
    usual = pl.arctan2(y, x)
    diff = (angle - usual).abs() % (2 * np.pi)
    return pl.min_horizontal(diff, 2 * np.pi - diff) / (2 * np.pi) * 24


def _distinct_before(key: str) -> pl.Expr:
    """Distinct cards seen on ``key`` before this row (null when the row has no ``key``)."""
    new_pair = pl.struct(key, CARD).is_first_distinct().cast(pl.Int32)
    seen = new_pair.cum_sum().over(key) - new_pair
    return pl.when(pl.col(key).is_null()).then(None).otherwise(seen)


def _delayed_merchant_rate(frame: pl.DataFrame) -> np.ndarray:
    """Return each row's merchant fraud rate from labels reported before the row, smoothed
    toward the overall known rate with ``SMOOTHING`` pseudo-payments."""
    t0 = frame[TIME].min()
    seconds = ((frame[TIME] - t0).dt.total_seconds()).to_numpy().astype(np.int64)
    merchant = frame[MERCHANT].rank("dense").cast(pl.Int64).to_numpy()
    known = known_at(frame, GAP)
    fraud = frame[LABEL].to_numpy() & known.is_not_null().to_numpy()
    known_s = ((known.fill_null(t0) - t0).dt.total_seconds()).to_numpy().astype(np.int64)
    events = np.sort(merchant[fraud] * (1 << 33) + np.maximum(known_s[fraud], 0))
    probe = merchant * (1 << 33) + seconds
    count = np.searchsorted(events, probe, side="right") - np.searchsorted(
        events, merchant * (1 << 33), side="left"
    )
    before = frame.select(pl.int_range(pl.len()).over(MERCHANT)).to_series().to_numpy()
    prior = fraud.mean() if fraud.size else 0.0
    return (count + SMOOTHING * prior) / (before + SMOOTHING)


HISTORY = (
    "new_merchant", "new_device", "new_ip", "new_country", "since_last_s", "km_from_last",
    "hour_vs_card", "card_rows_before",
    "card_device_rows_before", "card_merchant_rows_before", "amount_vs_card",
    "cards_per_device", "cards_per_ip", GRAPH_FEATURE, "merchant_risk",
    *(f"card_{k}_{w}" for w in WINDOWS for k in ("count", "amount")),
    *(f"merchant_count_{w}" for w in WINDOWS),
)  # fmt: skip


def local_time() -> pl.Expr:
    """Return the local time at the point of sale: ``event_time`` + ``local_time_offset``."""
    return pl.col(TIME) + pl.duration(minutes=pl.col(OFFSET).cast(pl.Int64).fill_null(0))


def with_raw(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with the derived raw features: log amount, UTC and local hour, and the
    local weekend and night flags (UTC without ``local_time_offset``)."""
    exprs = [pl.col(TIME).dt.hour().alias("hour_utc")]
    if "amount" in frame.columns:
        exprs.append(pl.col("amount").clip(lower_bound=0).log1p().alias("log_amount"))
    if OFFSET in frame.columns:
        local = (pl.col(TIME).dt.hour().cast(pl.Int32) * 60 + pl.col(OFFSET)) % 1440
        exprs.append((local // 60).alias("hour_local"))
    exprs += calendar_flags(local_time() if OFFSET in frame.columns else pl.col(TIME))
    return frame.with_columns(exprs)
