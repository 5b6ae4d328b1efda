"""The episode plan: every fraud story of a run, drawn once, cut per chunk.

``plan_episodes`` splits the exact fraud count over the typologies (largest remainder of the
mix), lets each typology plan its episodes from the ``fraud.plan`` stream, trims the last
episodes so each typology makes exactly its quota, numbers the episodes and draws their report
times. Every row's time is known here, so the run's plan can count each chunk's rows; a chunk
then asks ``rows_between`` for its interval and gets the same rows whichever worker runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ....errors import ConfigError
from ....plan import apportion
from ....reference import TYPOLOGIES
from ....streams import stream
from ..world.rows import (
    Rows,
    concat,
    empty,
)
from .latency import report_times
from .presets import FraudParams
from .typologies import (
    TYPOLOGY_CLASSES,
    Context,
    Planned,
    RowTimes,
    Typology,
)

LOST_STOLEN = TYPOLOGIES.index("lost_stolen")


@dataclass(frozen=True)
class TypologyPlan:
    """One typology's episodes, their ids and report times, and all their rows' times."""

    code: int
    planned: Planned
    ids: np.ndarray  # episode id per planned episode (1-based, unique over the run)
    report: np.ndarray  # ns, -1 when never reported
    rows: RowTimes  # every row inside the range, sorted by time
    started: np.ndarray  # each episode's first fraud (ns), before the range for some
    campaign: np.ndarray  # each episode's campaign id (unique over the run), -1 for none


@dataclass(frozen=True)
class EpisodePlan:
    """Every episode of the run."""

    parts: tuple[TypologyPlan, ...]

    @property
    def episodes(self) -> int:
        return sum(p.ids.size for p in self.parts)

    def all_times(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (time, is fraud) of every episode row of the run."""
        if not self.parts:
            return np.zeros(0, np.int64), np.zeros(0, bool)
        return (
            np.concatenate([p.rows.time for p in self.parts]),
            np.concatenate([p.rows.fraud for p in self.parts]),
        )

    def pauses(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (card, from, until) of lost or stolen cards: their owners stop paying."""
        for p in self.parts:
            if p.code == LOST_STOLEN:
                last = _fraud_span(p)[1]
                until = np.where(p.report >= 0, p.report, last + 86_400_000_000_000)
                return p.planned.card, p.planned.start, until
        none = np.zeros(0, np.int64)
        return none, none, none

    def rows_between(self, ctx: Context, start_ns: int, end_ns: int) -> Rows:
        """Return every episode row in [start_ns, end_ns), labels and report times set."""
        out = []
        for p in self.parts:
            lo, hi = np.searchsorted(p.rows.time, [start_ns, end_ns], side="left")
            if hi > lo:
                part = p.rows.take(np.arange(lo, hi))
                rows = TYPOLOGY_CLASSES[p.code].rows(ctx, p.planned, part, p.ids)
                out.append(_on_cards(ctx, _with_reports(rows, p), p))
        return concat(out) if out else _no_rows(ctx)


def typology_quotas(fraud_count: int, params: FraudParams) -> np.ndarray:
    """Return each typology's fraud rows: the exact count split by the mix (largest
    remainder), in ``TYPOLOGIES`` order."""
    return apportion(fraud_count, np.array(params.shares))


def plan_episodes(ctx: Context) -> EpisodePlan:
    """Return the run's episodes: exactly ``round(fraud_rate * total_rows)`` fraud rows."""
    rng = stream(ctx.seed, "fraud.plan")
    quotas = typology_quotas(ctx.cfg.fraud_count, ctx.params)
    parts = []
    next_id = next_campaign = 1
    for code, (typology, quota) in enumerate(zip(TYPOLOGY_CLASSES, quotas, strict=True)):
        if quota <= 0:
            continue
        planned = _trim(_plan_in_range(typology, ctx, int(quota), rng), code, int(quota))
        ids = np.arange(next_id, next_id + planned.size, dtype=np.int64)
        next_id += planned.size
        campaign = np.full(planned.size, -1, dtype=np.int64)
        if typology.campaigns:
            campaign = next_campaign + np.unique(planned.group, return_inverse=True)[1]
            next_campaign = int(campaign.max(initial=next_campaign - 1)) + 1
        story = typology.times(ctx, planned, np.arange(planned.size))
        started = _first_fraud(story, planned.size)  # before the range too
        rows = _capped(story, planned, ctx)
        rows = rows.take(np.argsort(rows.time, kind="stable"))
        none = np.zeros(0, np.int64)
        parts.append(TypologyPlan(code, planned, ids, none, rows, started, campaign))
    return EpisodePlan(_reported(parts, ctx, rng))


# A typology places its quota in at most this many planning rounds: each round plans what is
# missing, scaled by the share of planned rows that fell inside the range so far (stories
# that began before the range, or run past its end, keep only their rows inside it).
MAX_ROUNDS = 12
MAX_OVERSAMPLING = 64.0


def _plan_in_range(
    typology: Typology, ctx: Context, quota: int, rng: np.random.Generator
) -> Planned:
    """Return episodes whose rows inside the range reach ``quota``: an episode running past
    the range's end keeps only what happens before it (its ``rows`` counts just those).
    Raises ``ConfigError`` when ``MAX_ROUNDS`` rounds cannot place the quota."""
    parts: list[Planned] = []
    have = natural = 0
    # Stories that began before the range keep only their rows inside it: ask for that much
    # more at once (one round, evenly spread; the surplus is trimmed at random).
    span = ctx.stop_ns - ctx.first_ns
    ask = int(np.ceil(quota * 1.1 * (span + typology.lead_ns(ctx)) / span))
    for _ in range(MAX_ROUNDS):
        planned = typology.plan(ctx, ask, rng)
        planned.key = rng.integers(0, 1 << 62, planned.size)
        rows = typology.times(ctx, planned, np.arange(planned.size))
        inside = rows.fraud & (rows.time >= ctx.first_ns) & (rows.time < ctx.stop_ns)
        counts = np.bincount(rows.episode[inside], minlength=planned.size)
        planned.rows = np.minimum(planned.rows, counts)
        keep = np.flatnonzero(planned.rows > 0)
        parts.append(_select(planned, keep))
        have += int(planned.rows[keep].sum())
        natural += int(planned.natural.sum())
        if have >= quota or natural == 0:
            break
        placed = have / natural  # rows kept per row planned
        # 50% and a few rows of slack: a few rounds fill even a small remainder.
        ask = int(np.ceil(min((1.5 * (quota - have) + 4) / max(placed, 1e-9),
                              MAX_OVERSAMPLING * (quota - have) + 64)))  # fmt: skip
    if have < quota:
        raise ConfigError(_shortfall(typology.name, quota, have, ctx))
    joined = _join(parts, shift=not typology.merchant_groups)
    # Campaigns in random order, each one's episodes together: trimming the surplus then drops
    # whole campaigns of any time (and cuts one), not the last ones planned nor a few cards
    # from every attack.
    _, group = np.unique(joined.group, return_inverse=True)
    rank = rng.permutation(int(group.max(initial=-1)) + 1)[group]
    return _select(joined, np.lexsort((rng.random(joined.size), rank)))


def _shortfall(name: str, quota: int, have: int, ctx: Context) -> str:
    """Return the config error line of a typology that cannot place its quota."""
    t = ctx.cfg.temporal
    return (
        f"fraud.typologies: {name} cannot place its {quota:,} fraud row(s) between"
        f" {t.start_date} and {t.last_day} (only {have:,} fit): give {name} a smaller share,"
        " lengthen the date range (temporal.*) or add merchants (catalog.num_merchants)"
    )


def _first_fraud(rows: RowTimes, episodes: int) -> np.ndarray:
    """Return each episode's first fraudulent moment (ns), whether inside the range or not."""
    first = np.full(episodes, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, rows.episode[rows.fraud], rows.time[rows.fraud])
    return first


def _select(planned: Planned, index: np.ndarray) -> Planned:
    return Planned(
        planned.card[index], planned.group[index], planned.start[index], planned.rows[index],
        planned.legit[index], planned.extra[index], planned.key[index], planned.natural[index],
    )  # fmt: skip


def _join(parts: list[Planned], shift: bool = True) -> Planned:
    """Return the episodes of several planning rounds as one (groups of different rounds kept
    apart, unless ``shift`` is False: groups that name a merchant)."""
    offsets = np.cumsum([0] + [int(p.group.max(initial=-1)) + 1 for p in parts[:-1]])
    shift_by = offsets if shift else np.zeros(len(parts), dtype=np.int64)
    return Planned(
        np.concatenate([p.card for p in parts]),
        np.concatenate([p.group + s for p, s in zip(parts, shift_by, strict=True)]),
        np.concatenate([p.start for p in parts]),
        np.concatenate([p.rows for p in parts]),
        np.concatenate([p.legit for p in parts]),
        np.concatenate([p.extra for p in parts]),
        np.concatenate([p.key for p in parts]),
        np.concatenate([p.natural for p in parts]),
    )


def _trim(planned: Planned, code: int, quota: int) -> Planned:
    """Return the shortest prefix of the episodes making ``quota`` fraud rows, the last one
    cut to fit, so each typology makes exactly its share of the exact fraud count."""
    cumulative = np.cumsum(planned.rows)
    if cumulative.size == 0 or cumulative[-1] < quota:
        raise ValueError(f"{TYPOLOGIES[code]} planned {int(cumulative[-1:].sum())} of {quota} rows")
    keep = int(np.searchsorted(cumulative, quota)) + 1
    trimmed = _select(planned, np.arange(keep))
    trimmed.rows[-1] -= int(cumulative[keep - 1]) - quota
    return trimmed


def _capped(rows: RowTimes, planned: Planned, ctx: Context) -> RowTimes:
    """Return ``rows`` inside the range, keeping each episode's first ``planned.rows`` fraud
    rows (in time)."""
    inside = np.flatnonzero((rows.time >= ctx.first_ns) & (rows.time < ctx.stop_ns))
    rows = rows.take(inside)
    order = np.lexsort((rows.row, rows.time, rows.episode))
    ordered = rows.take(order)
    fraud = ordered.fraud.astype(np.int64)
    before = np.cumsum(fraud) - fraud
    first = np.searchsorted(ordered.episode, ordered.episode, side="left")
    rank = before - (np.cumsum(fraud) - fraud)[first]
    keep = ~ordered.fraud | (rank < planned.rows[ordered.episode])
    return ordered.take(np.flatnonzero(keep))


def _fraud_span(part: TypologyPlan) -> tuple[np.ndarray, np.ndarray]:
    """Return each episode's first and last fraudulent row times."""
    n = part.ids.size
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    fraud = part.rows.fraud
    np.minimum.at(first, part.rows.episode[fraud], part.rows.time[fraud])
    np.maximum.at(last, part.rows.episode[fraud], part.rows.time[fraud])
    return first, last


def _reported(
    parts: list[TypologyPlan], ctx: Context, rng: np.random.Generator
) -> tuple[TypologyPlan, ...]:
    """Return the parts with every episode's report time (drawn for all typologies at once,
    so the never-reported share is a share of all fraud rows)."""
    if not parts:
        return ()
    typology = np.concatenate([np.full(p.ids.size, p.code) for p in parts])
    first = np.concatenate([p.started for p in parts])
    last = np.concatenate([_fraud_span(p)[1] for p in parts])
    rows = np.concatenate([p.planned.rows for p in parts])
    report = report_times(typology, first, last, rows, ctx.params, rng)
    bounds = np.cumsum([0] + [p.ids.size for p in parts])
    return tuple(
        TypologyPlan(p.code, p.planned, p.ids, report[a:b], p.rows, p.started, p.campaign)
        for p, a, b in zip(parts, bounds[:-1], bounds[1:], strict=True)
    )


def _with_reports(rows: Rows, part: TypologyPlan) -> Rows:
    """Return ``rows`` with ``reported`` and ``campaign`` set on fraud rows (their episode's; a
    typology may return its rows in any order, so they are matched by episode id)."""
    position = (
        np.where(rows.label, rows.episode - part.ids[0], 0) if part.ids.size else rows.episode
    )
    reported = np.where(rows.label, part.report[position], -1)
    campaign = np.where(rows.label, part.campaign[position], -1)
    return replace(rows, reported=reported, campaign=campaign)


def _on_cards(ctx: Context, rows: Rows, part: TypologyPlan) -> Rows:
    """Return ``rows`` on physical cards: an episode's frauds on the card its slot held when
    the fraud began, its other rows (an exposing payment) on the card held then."""
    physical = ctx.pop.physical
    position = rows.episode - part.ids[0] if part.ids.size else rows.episode
    own = physical.live(rows.card, rows.time)
    if rows.label.any():
        slot = part.planned.card[position[rows.label]]
        own[rows.label] = physical.live(slot, part.started[position[rows.label]])
    return replace(rows, card=np.maximum(own, 0))


def _no_rows(ctx: Context) -> Rows:
    del ctx
    return empty()
