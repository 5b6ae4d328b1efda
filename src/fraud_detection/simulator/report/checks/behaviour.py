"""Fidelity of data made of people and fraud episodes (v3): the checks of what it promises, in
place of v1/v2's Zipf and share checks (a card's activity and a customer's devices are
behaviour, not configured shares).

Each check states its tolerance:
- rows and fraud count: exact; label columns set exactly on fraud rows: exact; with
  ``fraud_campaign_id`` (issue 19), none on legitimate rows and one typology per campaign;
- each typology's share of fraud rows vs the config's mix (``fraud.typologies``, else the
  difficulty's preset): max(0.01, 4 binomial sd over the fraud rows), as v1/v2's shares;
- ``reported_time`` never before its row, and at most 120 days after its episode's first
  fraudulent payment (the profile's longest report delay): exact (0 rows / episodes);
- one ``customer_id`` per card, and (with the catalogs) the owner ``cards.parquet`` names:
  exact;
- recurring payments monthly with the same amount: at least 99% of consecutive legitimate
  recurring payments of a (card, merchant) lie 27-32 days apart with the same amount;
- quiet nights: at most 5% of legitimate in-person payments (in store, ATM) fall between
  01:00 and 05:00 local time at the point of sale (a flat day would put 16.7% there);
- in-store legitimate payments at a median of at most 50 km from the customer's home
  (``customers.parquet``);
- at least 80% of legitimate online payments with a device come from one of the card owner's
  devices in ``customers.parquet`` (usual, second or new device; household members share).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ...config import GeneratorConfig
from ...realism.profiles import ReportProfile
from ..inputs.catalogs import Catalogs
from ..inputs.columns import CAMPAIGN, CARD, CUSTOMER, EPISODE, LABEL, REPORTED, TIME, TYPE
from ..inputs.config import expected_mix
from ..inputs.dataset import Prepared
from ..values import DASH
from .common import check, common_checks, share_tolerance

RECURRING_DAYS = (27.0, 32.0)
RECURRING_MIN_SHARE = 0.99
NIGHT_HOURS = (1, 5)  # [01:00, 05:00) local time
NIGHT_MAX_SHARE = 0.05
HOME_MAX_MEDIAN_KM = 50.0
OWN_DEVICE_MIN_SHARE = 0.80
OWNER_DEVICES = ("device_id", "second_device_id", "new_device_id")
EARTH_KM = 6371.0
BOUND = "one-sided bound"


def _skip(name: str, label: str, expected: Any, why: str, unit: str = "count") -> dict[str, Any]:
    return check(name, label, expected, None, 0, None, why, unit)


def _scalar(data: Prepared, expr: pl.Expr) -> Any:
    return data.lf.select(expr).collect().item()


def label_checks(data: Prepared) -> list[dict[str, Any]]:
    """Return whether fraud_type and fraud_episode_id are set exactly on fraud rows, and
    reported_time only on them."""
    label = "fraud_type and fraud_episode_id set exactly on fraud rows, reported_time only on"
    label += " them (rows that differ)"
    if not data.has(TYPE, EPISODE, REPORTED):
        return [_skip("labels.columns", label, 0, "label columns missing")]
    fraud = pl.col(LABEL)
    wrong = (
        (pl.col(TYPE).is_null() == fraud)
        | (pl.col(EPISODE).is_null() == fraud)
        | (pl.col(REPORTED).is_not_null() & ~fraud)
    )
    n = int(_scalar(data, wrong.sum()))
    return [check("labels.columns", label, 0, n, 0, n == 0)]


def campaign_checks(data: Prepared) -> list[dict[str, Any]]:
    """Return, for data with ``fraud_campaign_id`` (none listed without it), the legitimate
    rows that carry one and the campaigns holding more than one typology."""
    if not data.has(CAMPAIGN):
        return []
    legit = int(_scalar(data, (pl.col(CAMPAIGN).is_not_null() & ~pl.col(LABEL)).sum()))
    mixed = int(
        data.lf.filter(pl.col(CAMPAIGN).is_not_null())
        .group_by(CAMPAIGN)
        .agg(pl.col(TYPE).n_unique().alias("types"))
        .select((pl.col("types") > 1).sum())
        .collect()
        .item()
    ) if data.has(TYPE) else 0  # fmt: skip
    return [
        check("campaigns.legit", "Legitimate rows with a fraud_campaign_id", 0, legit, 0,
              legit == 0),
        check("campaigns.one_type", "Campaigns holding more than one fraud_type", 0, mixed, 0,
              mixed == 0),
    ]  # fmt: skip


def typology_checks(
    promise: tuple[ReportProfile, dict[str, Any] | None], data: Prepared, frauds: int
) -> list[dict[str, Any]]:
    """Return each typology's share of fraud rows vs the config's mix (``promise``: the
    profile with the preset mixes, and the config's fraud section, None when unknown)."""
    profile, fraud = promise
    mix = expected_mix(profile, fraud)
    if fraud is None or mix is None:
        why = "the recorded config has no fraud section: the mix asked for is unknown (--config)"
        return [_skip("typology", "Typology shares vs the config's mix", DASH, why, "text")]
    source = "fraud.typologies" if fraud.get("typologies") else f"the {fraud['difficulty']} preset"
    if not data.has(TYPE):
        return [_skip("typology", "Typology shares", source, "fraud_type missing", "text")]
    frame = data.lf.filter(pl.col(LABEL)).group_by(TYPE).agg(pl.len().alias("n")).collect()
    counts = {str(t): int(n) for t, n in frame.iter_rows()}
    out = []
    for name, want in mix.items():
        tol = share_tolerance(want, frauds)
        got = counts.get(name, 0) / frauds if frauds else None
        ok = got is not None and abs(got - want) <= tol
        label = f"Share of fraud rows of {name} vs {source}"
        detail = f"{counts.get(name, 0):,} of {frauds:,} fraud rows"
        out.append(check(f"typology.{name}", label, want, got, tol, ok, detail, "share"))
    others = sum(n for t, n in counts.items() if t not in mix)
    label = "Fraud rows whose fraud_type is not a known typology"
    return [*out, check("typology.unknown", label, 0, others, 0, others == 0)]


def reported_checks(data: Prepared, max_days: float | None) -> list[dict[str, Any]]:
    """Return the rows reported before they happened and the episodes reported more than
    ``max_days`` after their first fraudulent payment."""
    before = "Fraud rows reported before they happened (reported_time < event_time)"
    late = f"Episodes reported more than {max_days or 0:g} days after their first fraud"
    if not data.has(REPORTED, EPISODE) or max_days is None:
        why = "reported_time or fraud_episode_id missing" if max_days else "no longest delay"
        return [_skip("reported.before_row", before, 0, why), _skip("reported.late", late, 0, why)]
    n_before = int(_scalar(data, (pl.col(REPORTED) < pl.col(TIME)).sum()))
    episodes = (
        data.lf.filter(pl.col(LABEL) & pl.col(EPISODE).is_not_null())
        .group_by(EPISODE)
        .agg(pl.col(TIME).min().alias("first"), pl.col(REPORTED).max().alias("last_report"))
        .filter(pl.col("last_report") - pl.col("first") > pl.duration(days=max_days))
        .select(pl.len())
        .collect()
        .item()
    )
    return [
        check("reported.before_row", before, 0, n_before, 0, n_before == 0),
        check("reported.late", late, 0, int(episodes), 0, episodes == 0),
    ]


def owner_checks(data: Prepared, catalogs: Catalogs) -> list[dict[str, Any]]:
    """Return the cards with more than one customer_id, and the rows whose customer_id is not
    the card's owner in cards.parquet (skipped without usable catalogs, saying why)."""
    one = "Cards seen with more than one customer_id"
    owner = "Rows whose customer_id is not the card's owner in cards.parquet"
    if not data.has("card_id", "customer_id"):
        return [_skip("owner.one_per_card", one, 0, "card_id or customer_id missing"),
                _skip("owner.catalog", owner, 0, "card_id or customer_id missing")]  # fmt: skip
    per_card = data.lf.group_by("card_id").agg(pl.col("customer_id").n_unique().alias("n"))
    many = int(per_card.select((pl.col("n") > 1).sum()).collect().item())
    out = [check("owner.one_per_card", one, 0, many, 0, many == 0)]
    cards = catalogs.table("cards", (CARD, CUSTOMER))
    if isinstance(cards, str):
        return [*out, _skip("owner.catalog", owner, 0, cards)]
    joined = data.lf.select("card_id", "customer_id").join(
        cards.rename({"customer_id": "__owner"}), on="card_id", how="left"
    )
    wrong = int(joined.select(pl.col("customer_id").ne_missing(pl.col("__owner")).sum())
                .collect().item())  # fmt: skip
    return [*out, check("owner.catalog", owner, 0, wrong, 0, wrong == 0)]


def recurring_check(data: Prepared) -> dict[str, Any]:
    """Return the share of consecutive legitimate recurring payments of a (card, merchant)
    that lie 27-32 days apart with the same amount."""
    label = "Recurring payments monthly (27-32 days apart) with the same amount"
    expected = f">= {RECURRING_MIN_SHARE:.0%} of consecutive pairs"
    needs = ("is_recurring", "card_id", "merchant_id", "amount")
    if not data.has(*needs):
        return _skip("recurring.monthly", label, expected, "columns missing", "share")
    key = ("card_id", "merchant_id")
    days = pl.col(TIME).diff().over(key).dt.total_seconds() / 86_400
    same = pl.col("amount") == pl.col("amount").shift(1).over(key)
    pairs = (
        data.lf.filter(pl.col("is_recurring") & ~pl.col(LABEL))
        .select(*key, TIME, "amount")
        .sort(TIME, maintain_order=True)
        .select(days.alias("days"), same.alias("same"))
        .drop_nulls("days")
        .collect()
    )
    if pairs.height == 0:
        return _skip("recurring.monthly", label, expected, "no repeated recurring payment", "share")
    monthly = pairs.select(
        (pl.col("days").is_between(*RECURRING_DAYS) & pl.col("same")).mean()
    ).item()
    detail = f"{pairs.height:,} consecutive pairs"
    ok = monthly >= RECURRING_MIN_SHARE
    return check("recurring.monthly", label, expected, monthly, BOUND, ok, detail, "share")


def night_check(data: Prepared) -> dict[str, Any]:
    """Return the share of legitimate in-person payments between 01:00 and 05:00 local time."""
    low, high = NIGHT_HOURS
    label = f"Legitimate in-person payments between {low:02d}:00 and {high:02d}:00 local time"
    expected = f"<= {NIGHT_MAX_SHARE:.0%}"
    if not data.has("channel", "local_time_offset"):
        return _skip("night.quiet", label, expected, "columns missing", "share")
    local = pl.col(TIME) + pl.duration(minutes=pl.col("local_time_offset").cast(pl.Int64))
    in_person = pl.col("channel").is_in(["IN_STORE", "ATM"]) & ~pl.col(LABEL)
    n, night = (
        data.lf.filter(in_person)
        .select(pl.len(), local.dt.hour().is_between(low, high - 1).sum())
        .collect()
        .row(0)
    )
    if not n:
        return _skip("night.quiet", label, expected, "no in-person payment", "share")
    share = night / n
    detail = f"{night:,} of {n:,} (a flat day: {(high - low) / 24:.1%})"
    return check("night.quiet", label, expected, share, BOUND, share <= NIGHT_MAX_SHARE,
                 detail, "share")  # fmt: skip


def _km(lat: pl.Expr, lon: pl.Expr, lat0: pl.Expr, lon0: pl.Expr) -> pl.Expr:
    lat, lon, lat0, lon0 = (e.radians() for e in (lat, lon, lat0, lon0))
    a = ((lat - lat0) / 2).sin() ** 2 + lat.cos() * lat0.cos() * ((lon - lon0) / 2).sin() ** 2
    return 2 * EARTH_KM * a.clip(0, 1).sqrt().arcsin()


def home_check(data: Prepared, catalogs: Catalogs) -> dict[str, Any]:
    """Return the median distance of legitimate in-store payments from the customer's home."""
    label = "Median km from home of legitimate in-store payments"
    expected = f"<= {HOME_MAX_MEDIAN_KM:g} km"
    homes = catalogs.table("customers", (CUSTOMER, "home_latitude", "home_longitude"))
    if isinstance(homes, str):
        return _skip("home.distance", label, expected, homes, "number")
    if not data.has(CUSTOMER, "channel", "latitude", "longitude"):
        return _skip("home.distance", label, expected, "columns missing", "number")
    km = _km(pl.col("latitude"), pl.col("longitude"),
             pl.col("home_latitude"), pl.col("home_longitude"))  # fmt: skip
    rows = data.lf.filter((pl.col("channel") == "IN_STORE") & ~pl.col(LABEL))
    joined = rows.select("customer_id", "latitude", "longitude").join(homes, on="customer_id")
    median = joined.select(km.median()).collect().item()
    if median is None:
        return _skip("home.distance", label, expected, "no in-store payment", "number")
    ok = median <= HOME_MAX_MEDIAN_KM
    return check("home.distance", label, expected, median, BOUND, ok, "", "number")


def device_check(data: Prepared, catalogs: Catalogs) -> dict[str, Any]:
    """Return the share of legitimate online payments with a device that come from one of the
    card owner's devices (usual, second or new)."""
    label = "Legitimate online payments from one of the owner's devices"
    expected = f">= {OWN_DEVICE_MIN_SHARE:.0%}"
    devices = catalogs.table("customers", (CUSTOMER, *OWNER_DEVICES))
    if isinstance(devices, str):
        return _skip("devices.own", label, expected, devices, "share")
    if not data.has(CUSTOMER, "channel", "device_id"):
        return _skip("devices.own", label, expected, "columns missing", "share")
    devices = devices.rename({c: f"__{c}" for c in OWNER_DEVICES})
    rows = data.lf.filter(
        (pl.col("channel") == "ONLINE") & ~pl.col(LABEL) & pl.col("device_id").is_not_null()
    )
    own = pl.any_horizontal(pl.col("device_id") == pl.col(f"__{c}") for c in OWNER_DEVICES)
    n, mine = (
        rows.select("customer_id", "device_id")
        .join(devices, on="customer_id", how="left")
        .select(pl.len(), own.fill_null(False).sum())
        .collect()
        .row(0)
    )
    if not n:
        return _skip("devices.own", label, expected, "no online payment with a device", "share")
    share = mine / n
    ok = share >= OWN_DEVICE_MIN_SHARE
    return check("devices.own", label, expected, share, BOUND, ok, f"{mine:,} of {n:,}", "share")


def behaviour_checks(
    cfg: GeneratorConfig,
    data: Prepared,
    overview: dict[str, Any],
    catalogs: Catalogs,
    promise: tuple[ReportProfile, dict[str, Any] | None],
) -> list[dict[str, Any]]:
    """Return every behaviour check; those needing the catalogs skip without usable ones.
    ``promise``: the profile (preset mixes, longest report delay) and the config's fraud
    section (None: unknown, the mix is not checked)."""
    rows, frauds = overview["rows"], overview["fraud_count"]
    cards = catalogs.table("cards", (CARD,))
    issued = None if isinstance(cards, str) else int(cards.select(pl.len()).collect().item())
    counted, dates, ids = common_checks(cfg, data, rows, frauds, issued)
    return [
        *counted,
        dates,
        *ids,
        *label_checks(data),
        *campaign_checks(data),
        *typology_checks(promise, data, frauds),
        *reported_checks(data, promise[0].max_report_delay_days),
        *owner_checks(data, catalogs),
        recurring_check(data),
        night_check(data),
        home_check(data, catalogs),
        device_check(data, catalogs),
    ]
