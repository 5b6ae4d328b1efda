"""What every typology shares: the planning context, the episode arrays, and row builders.

A typology plans its episodes (one per victim card) with a normal generator from the
``fraud.plan`` stream, then says when each episode's rows happen (``times``) and what they
look like (``rows``); both draw from ``Hashed`` counters keyed by episode and row, so any chunk
rebuilds any row identically.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .....config import GeneratorConfig
from .....features import (
    ipv4_from_words,
    uuid4_from_words,
)
from ...world import mcc
from ...world.behaviour import (
    AgentFamilies,
    Identities,
    Sessions,
    draw_sessions,
)
from ...world.calendar import warp
from ...world.markets import Groups
from ...world.population import (
    NS_PER_DAY,
    Population,
)
from ...world.rows import (
    ECOM,
    FRESH,
    ONLINE,
    Rows,
)
from ..draws import Hashed
from ..drift import day_weights, progress, spoof_share, takeover_ramp
from ..presets import FraudParams

NS_PER_HOUR = 3_600_000_000_000
NS_PER_MINUTE = 60_000_000_000


@dataclass(frozen=True)
class Context:
    """What planning and row building read: config, world, knobs, the range."""

    cfg: GeneratorConfig
    pop: Population
    params: FraudParams
    first_ns: int
    stop_ns: int
    families: AgentFamilies | None = None  # set for row building (the run's user agents)

    @property
    def seed(self) -> int:
        return self.cfg.seed

    def timing(self, plan: Planned, episode: np.ndarray, row: np.ndarray) -> Hashed:
        """Return the draws that place rows in time (keyed by the episodes' planning keys)."""
        return Hashed(self.seed, "fraud.episode", plan.key[episode], row)

    def hashed(self, purpose: str, episode: np.ndarray, row: np.ndarray) -> Hashed:
        return Hashed(self.seed, purpose, episode, row)


@dataclass
class Planned:
    """One typology's episodes: a victim card each, grouped into attacks where they share one.

    ``rows`` is how many fraud rows the episode's story makes; the planner may trim it (the
    fraud count is exact). ``legit`` counts the episode's own legitimate rows (a compromise's
    exposure). ``extra`` holds typology-specific numbers (one row per episode).
    """

    card: np.ndarray
    group: np.ndarray
    start: np.ndarray
    rows: np.ndarray
    legit: np.ndarray
    extra: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    # A random key per episode, set by the planner: what its row times hash (stable however
    # episodes are later selected, joined or numbered).
    key: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # The fraud rows the story makes before any trimming: ``times`` draws these, the planner
    # then keeps the first ``rows`` of them inside the range.
    natural: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        if self.natural.size != self.rows.size:
            self.natural = self.rows.copy()

    @property
    def size(self) -> int:
        return int(self.card.size)

    @classmethod
    def empty(cls, columns: int) -> Planned:
        """No episodes (``columns``: how many ``extra`` numbers the typology keeps)."""
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none, none, none, np.zeros((0, columns)))


@dataclass(frozen=True)
class RowTimes:
    """Rows of some episodes: which episode (index into the plan), which row, when, fraud?"""

    episode: np.ndarray
    row: np.ndarray
    time: np.ndarray
    fraud: np.ndarray

    def take(self, index: np.ndarray) -> RowTimes:
        return RowTimes(self.episode[index], self.row[index], self.time[index], self.fraud[index])


class Typology(ABC):
    """A fraud story: how episodes are planned, when their rows happen, what rows look like.

    ``Planned.group`` is the campaign an episode belongs to (one attacker's operation: a bot,
    a breach, a rogue merchant, a crew); ``campaigns`` False (friendly fraud) gives none.
    """

    name: str
    campaigns: bool = True
    # Groups named by a merchant (a breach, a rogue merchant) are the same in every planning
    # round; an attack's or a crew's are numbered per round (the planner keeps them apart).
    merchant_groups: bool = False

    @abstractmethod
    def plan(self, ctx: Context, quota: int, rng: np.random.Generator) -> Planned:
        """Return episodes making at least ``quota`` fraud rows (none when quota is 0)."""

    def merchants(self, plan: Planned) -> np.ndarray | None:
        """Return the merchant (index) each episode is about (a breach, a rogue merchant), or
        None when the story has none."""
        del plan
        return None

    def lead_ns(self, ctx: Context) -> int:
        """Return how long before the range an episode may begin and still make rows in it
        (about its longest story: the planner then sees a steady pace from day one)."""
        del ctx
        return 0

    @abstractmethod
    def times(self, ctx: Context, plan: Planned, which: np.ndarray) -> RowTimes:
        """Return every row of episodes ``which`` (indices into ``plan``)."""

    @abstractmethod
    def rows(self, ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
        """Return the rows' columns; ``ids`` are the episodes' ids (hash keys, output)."""


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (owner, rank) for ``counts[i]`` rows of each owner i: owner repeated, rank 0..k."""
    owner = np.repeat(np.arange(counts.size), counts)
    start = np.repeat(np.cumsum(counts) - counts, counts)
    return owner, np.arange(owner.size) - start


def natural_rows(
    ctx: Context, plan: Planned, which: np.ndarray, leading: int = 0
) -> tuple[np.ndarray, np.ndarray, Hashed]:
    """Return (episode, rank, timing draws) of every row the stories of episodes ``which``
    make, with ``leading`` rows before each one's natural rows (ranks 0..)."""
    owner, rank = expand(plan.natural[which] + leading)
    episode = which[owner]
    return episode, rank, ctx.timing(plan, episode, rank)


def victims(
    ctx: Context, n: int, rng: np.random.Generator, weight: np.ndarray | None = None
) -> np.ndarray:
    """Return ``n`` victim cards, by card risk (times ``weight``), distinct while they last."""
    w = ctx.pop.cards.risk * (1.0 if weight is None else weight)
    return draw_distinct(w, n, rng)


def draw_distinct(weight: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``n`` indices drawn by ``weight``, distinct while there are nonzero weights
    left, then repeating (drawn with replacement).

    The distinct ones are a weighted sample without replacement in one pass (Efraimidis and
    Spirakis: the ``k`` largest ``u ** (1 / w)``), in the order successive draws would give
    them: its cost does not grow as the sample nears the population, as repeated draws do.
    """
    positive = np.flatnonzero(weight > 0)
    if n <= 0 or positive.size == 0:
        return np.zeros(0, dtype=np.int64)
    want = min(n, positive.size)
    key = np.log(rng.random(positive.size)) / weight[positive]  # log of u ** (1 / w)
    top = np.argpartition(-key, want - 1)[:want] if want < positive.size else np.arange(want)
    chosen = positive[top[np.argsort(-key[top], kind="stable")]]
    cdf = np.cumsum(weight[positive])
    more = positive[np.minimum(np.searchsorted(cdf, rng.random(n - want) * cdf[-1], "right"),
                               positive.size - 1)]  # fmt: skip
    return np.concatenate([chosen, more]).astype(np.int64)


def local_daytime(
    ctx: Context, customer: np.ndarray, day_ns: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Return a moment of day ``day_ns`` (UTC midnight) drawn from the customer's local rhythm."""
    return daytime_at(ctx, day_ns, ctx.pop.customers.zone[customer], u)


def cash_out_factor(
    ctx: Context, stealthy: np.ndarray, imitating: np.ndarray, straight: np.ndarray
) -> np.ndarray:
    """Return each row's multiple of the owner's ticket: the story's ``straight`` one, or its
    ``imitating`` one times the level's ``imitation_spend`` (``presets.IMITATION_SPEND``)."""
    return np.where(stealthy, ctx.params.imitation_spend * imitating, straight)


def moment_of_day(ctx: Context, u: np.ndarray) -> np.ndarray:
    """Return nanoseconds after local midnight drawn from the diurnal rhythm at ``u``: the
    rhythm's minute, then a moment within it (no payment is stamped on the whole minute, a
    fraudster's no more than anyone's)."""
    mass = ctx.pop.clock.minute_mass
    cdf = np.cumsum(mass)
    x = u * cdf[-1]
    minute = np.minimum(np.searchsorted(cdf, x, side="right"), mass.size - 1)
    within = (x - (cdf[minute] - mass[minute])) / np.maximum(mass[minute], 1e-300)
    return ((minute + np.clip(within, 0.0, 1.0 - 1e-9)) * NS_PER_MINUTE).astype(np.int64)


def stratified(rng: np.random.Generator, n: int, mass: np.ndarray | None = None) -> np.ndarray:
    """Return ``n`` positions in [0, 1) spread evenly, in random order: stories start at an
    even pace (a typology's first fortnight holds its share), each at a random moment of its
    stratum. With ``mass`` (what each story weighs: an attack's cards) the strata are as wide
    as the shares of mass, so a big attack does not leave a fortnight without any."""
    if mass is None:
        return (rng.permutation(n) + rng.random(n)) / max(n, 1)
    order = rng.permutation(n)
    share = mass[order] / max(float(mass.sum()), 1e-300)
    out = np.empty(n)
    out[order] = np.cumsum(share) - share * rng.random()  # one offset: systematic
    return np.clip(out, 0.0, np.nextafter(1.0, 0.0))


def random_days(
    ctx: Context, rng: np.random.Generator, n: int, lead_ns: int = 0,
    weight: np.ndarray | None = None, country: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Return ``n`` UTC midnights (local dates), evenly spread (``stratified``) over the range
    and the ``lead_ns`` before it, by the calendar's ``weight`` (days, countries) of each
    episode's ``country`` when given.

    Stories run at a steady pace from the range's first day: those that began up to
    ``lead_ns`` earlier (the typology's longest story) contribute the rows they make inside
    it, as a bank's history starts in the middle of running sprees, breaches and disputes; an
    episode running past the range's end is cut there. The planner keeps only rows inside.
    """
    first = ctx.first_ns - -(-lead_ns // NS_PER_DAY) * NS_PER_DAY
    days = max(int((ctx.stop_ns - first) // NS_PER_DAY), 1)
    u = stratified(rng, n)
    if weight is None or country is None:
        return first + (u * days).astype(np.int64) * NS_PER_DAY
    daily = _days_of(ctx, weight, first, days)
    out = np.empty(n, dtype=np.int64)
    for c in np.unique(country):
        rows = country == c
        out[rows] = (warp(u[rows], daily[:, max(int(c), 0)]) * days).astype(np.int64)
    return first + out * NS_PER_DAY


def drifting_days(
    ctx: Context, rng: np.random.Generator, code: int, lead_ns: int, stealthy: np.ndarray,
    weight: np.ndarray, country: np.ndarray, takeovers: bool = False,
) -> np.ndarray:  # fmt: skip
    """Return ``random_days`` of episodes of typology ``code`` by the calendar's ``weight`` times
    the drift (``fraud.drift``): imitating episodes (``stealthy``) likelier late in the window
    as imitation rises, straight ones early, each typology's pace wandering by the month."""
    out = np.empty(stealthy.size, dtype=np.int64)
    for flag in (True, False):
        rows = np.flatnonzero(stealthy == flag)
        scale = drift_scale(ctx, code, flag, takeovers)
        out[rows] = random_days(
            ctx, rng, rows.size, lead_ns, weight * scale[:, None], country[rows]
        )
    return out


def drift_scale(
    ctx: Context, code: int, stealthy: bool | None = None, takeovers: bool = False
) -> np.ndarray:
    """Return the drift's multipliers of the calendar's days (its origin to the range's end)
    for episodes of typology ``code``: imitating, straight or either; ``takeovers``: the late
    arrival of account takeovers at ``strong``."""
    rhythm, p = ctx.pop.rhythm, ctx.params
    days = rhythm.wave.size
    origin = rhythm.origin // NS_PER_DAY
    window = (ctx.first_ns // NS_PER_DAY, ctx.stop_ns // NS_PER_DAY)
    scale = day_weights(p.drift, ctx.seed, code, days, origin, window, p.mimicry, stealthy)
    if takeovers:
        at = np.clip((origin + np.arange(days) - window[0]) / max(window[1] - window[0], 1), 0, 1)
        scale = scale * takeover_ramp(p.drift, at)
    return scale


def _days_of(ctx: Context, weight: np.ndarray, first: int, days: int) -> np.ndarray:
    """Return the rows of a calendar ``weight`` for ``days`` days from ``first``."""
    origin = ctx.pop.rhythm.origin
    index = np.clip((first - origin) // NS_PER_DAY + np.arange(days), 0, weight.shape[0] - 1)
    return weight[index]


def random_moments(
    ctx: Context, rng: np.random.Generator, n: int, lead_ns: int = 0,
    mass: np.ndarray | None = None, weight: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Return ``n`` moments evenly spread (by ``mass``, see ``stratified``) over the range and
    the ``lead_ns`` before it, by the calendar's daily ``weight`` (days,) when given."""
    first = ctx.first_ns - lead_ns
    u = stratified(rng, n, mass)
    if weight is not None:
        days = -(-(ctx.stop_ns - first) // NS_PER_DAY)
        u = warp(u, _days_of(ctx, weight, first, days))
    return first + (u * (ctx.stop_ns - first)).astype(np.int64)


def of_role(ctx: Context, role: str, online: bool | None = None) -> np.ndarray:
    """Return legitimate merchants whose MCC plays ``role`` (online-only / in-store filter);
    a small catalog without any falls back to merchants of that channel, then to any."""
    m = ctx.pop.merchants
    legit = m.rogue[0] == np.iinfo(np.int64).max
    channel = legit if online is None else legit & ((mcc.ONLINE_SHARE[m.code] >= 0.5) == online)
    for pool in (channel & np.isin(m.code, mcc.with_role(role)), channel, legit):
        if pool.any():
            return np.flatnonzero(pool)
    return np.arange(m.code.size)


def by_weight(pool: np.ndarray, weight: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Return members of ``pool`` drawn by ``weight[pool]`` (``u`` uniform per draw)."""
    cdf = np.cumsum(weight[pool])
    return pool[np.minimum(np.searchsorted(cdf, u * cdf[-1], side="right"), pool.size - 1)]


def own_session(
    ctx: Context, customer: np.ndarray, times: np.ndarray, channel: np.ndarray,
    own_device: bool = False,
) -> Sessions:  # fmt: skip
    """Return the customer's own sessions, drawn as their everyday ones are (``draw_sessions``):
    online mostly one of their devices (now and then a housemate's or another one), their home
    IP at home about as often as they use it, else a carrier's or another network's; a terminal
    in person. Nothing tells them from the customer's everyday payments (with the home IP and
    usual device every time, a dispute was found by how clean its session was). Keyed by the
    row (customer, moment), so every chunk draws the same; ``own_device`` keeps to the
    customer's own devices (a replayed fingerprint)."""
    pop = ctx.pop
    assert ctx.families is not None, "rows need the run's user-agent families"
    families = ctx.families
    h = Hashed(ctx.seed, "fraud.own_session", customer, times)
    u = h.random((4, customer.size))
    if own_device:
        u[0] = 0.0
    agent_u, high, low, ip_word = h.random(), h.words(), h.words(), h.words()
    ids = Identities(
        lambda rows: (agent_u[rows] * len(families.pool)).astype(np.int64),
        lambda rows: uuid4_from_words(high[rows], low[rows]),
        lambda rows: ipv4_from_words(ip_word[rows]),
    )
    spell = pop.travel.at(customer, times)
    return draw_sessions(pop, customer, times, channel, spell, u, ids, families)


def attacker_session(
    ctx: Context, key: np.ndarray, device_type: np.ndarray, ip_key: np.ndarray | None = None
) -> Sessions:
    """Return a fraudster's online session per row: one device and user agent per distinct
    ``key`` (a device of a campaign, an episode or a row) and one IP per distinct ``ip_key``
    (the key by default), derived from the keys so every chunk gets the same strings;
    ``device_type`` (constant within a key) picks the user agent's family."""
    keys, ref = np.unique(key, return_inverse=True)
    words = Hashed(ctx.seed, "fraud.episode", keys, np.zeros(keys.size, np.int64))
    devices = uuid4_from_words(words.words(), words.words())
    ip_keys, ip_ref = np.unique(key if ip_key is None else ip_key, return_inverse=True)
    ip_words = Hashed(ctx.seed, "fraud.session", ip_keys, np.zeros(ip_keys.size, np.int64))
    ips = ipv4_from_words(ip_words.words()).to_arrow()
    assert ctx.families is not None, "rows need the run's user-agent families"
    agent = ctx.families.pick(device_type, words.random()[ref])
    kind = np.full(key.size, FRESH, np.int8)
    return Sessions(
        device_type.astype(np.int8), kind, ref.astype(np.int64), kind.copy(),
        ip_ref.astype(np.int64), agent, devices, ips,
    )  # fmt: skip


# Card data is sold with the victim's browser fingerprint and cookies (Genesis Market sold such
# "bots" by the million until its takedown, Europol's Operation Cookie Monster, April 2023):
# an imitating attacker shows this share of the time as the victim's own device, still from
# their own IP (the share is an assumption).
SPOOFED_DEVICE_SHARE = 0.7


def spoof_at(ctx: Context, plan: Planned, episode: np.ndarray) -> np.ndarray:
    """Return the ``SPOOFED_DEVICE_SHARE`` of each episode as the drift has it when it starts."""
    at = progress(plan.start[episode], ctx.first_ns, ctx.stop_ns)
    return spoof_share(ctx.params.drift, SPOOFED_DEVICE_SHARE, at)


def spoofed(
    ctx: Context, attacker: Sessions, owner: np.ndarray, times: np.ndarray, spoof: np.ndarray
) -> Sessions:
    """Return ``attacker``'s sessions with the victim's own device (type, id and user agent)
    where ``spoof``, the attacker's IP kept."""
    own = own_session(ctx, owner, times, np.full(owner.size, ONLINE, np.int8), own_device=True)
    return Sessions(
        np.where(spoof, own.device_type, attacker.device_type).astype(np.int8),
        np.where(spoof, own.device_kind, attacker.device_kind).astype(np.int8),
        np.where(spoof, own.device_ref, attacker.device_ref).astype(np.int64),
        attacker.ip_kind, attacker.ip_ref,
        np.where(spoof, own.agent, attacker.agent).astype(np.int64),
        attacker.fresh_devices, attacker.fresh_ips,
    )  # fmt: skip


def infrastructure_key(
    code: int, campaign: np.ndarray, slot: np.ndarray, role: int = 0
) -> np.ndarray:
    """Return a key naming one device or IP of a campaign: the typology, the campaign (its
    group), the role (0 tests or the crew, 1 cash-out, ...) and the slot in its pool."""
    return (
        (np.int64(code + 1) << np.int64(52))
        + (campaign.astype(np.int64) << np.int64(12))
        + (np.int64(role) << np.int64(8))
        + slot.astype(np.int64)
    )


def pool_slot(u: np.ndarray, size: np.ndarray | int) -> np.ndarray:
    """Return a member of a pool of ``size`` (at least 1) for each uniform ``u``."""
    size = np.maximum(np.asarray(size, dtype=np.int64), 1)
    return np.minimum((u * size).astype(np.int64), size - 1)


def make_rows(
    ctx: Context, rows: RowTimes, ids: np.ndarray, card: np.ndarray, merchant: np.ndarray,
    channel: np.ndarray, entry: np.ndarray, amount: np.ndarray, session: Sessions,
    place: tuple[np.ndarray, np.ndarray, np.ndarray], typology: int,
) -> Rows:  # fmt: skip
    """Return ``Rows`` for episode rows (labels per ``rows.fraud``; reported set later).

    ``place`` is (latitude, longitude, UTC offset in minutes) per row.
    """
    n = rows.time.size
    lat, lon, offset = place
    fraud = rows.fraud
    return Rows(
        time=rows.time, card=card, customer=ctx.pop.cards.owner[card], merchant=merchant,
        channel=channel.astype(np.int8), entry=entry.astype(np.int8), amount=np.round(amount, 2),
        **session.columns(), latitude=np.round(lat, 6), longitude=np.round(lon, 6),
        offset=offset.astype(np.int16), recurring=np.zeros(n, bool),
        label=fraud, fraud_type=np.where(fraud, typology, -1).astype(np.int8),
        episode=np.where(fraud, ids[rows.episode], -1), campaign=np.full(n, -1, np.int64),
        reported=np.full(n, -1, np.int64),
    )  # fmt: skip


def victims_online_merchant(
    ctx: Context, owner: np.ndarray, u: np.ndarray, u2: np.ndarray, basket: Hashed
) -> np.ndarray:
    """Return an online merchant the victim would use: of ``BASKET_PICKS`` of their habits
    (drawn by popularity, the first with ``u``, the others from ``basket``), the online one
    with the largest usual ticket; else a popular online merchant of their country."""
    pop = ctx.pop
    habit = pop.customers.habits.sample(owner, u)
    best = _online_ticket(pop, habit)
    for _ in range(BASKET_PICKS - 1):
        other = pop.customers.habits.sample(owner, basket.random())
        ticket = _online_ticket(pop, other)
        habit, best = np.where(ticket > best, other, habit), np.maximum(ticket, best)
    online = mcc.ONLINE_SHARE[pop.merchants.code[habit]] >= 0.5
    popular = pop.markets.online_for(pop.customers.country[owner], u2, u)
    return np.where(online, habit, popular)


def _online_ticket(pop: Population, merchant: np.ndarray) -> np.ndarray:
    """Return each merchant's MCC median ticket if the MCC is mostly online, else 0."""
    code = pop.merchants.code[merchant]
    return np.where(mcc.ONLINE_SHARE[code] >= 0.5, mcc.TICKET_MEDIAN[code], 0.0)


def population_device_types(ctx: Context, u: np.ndarray) -> np.ndarray:
    """Return device types drawn like the customers' own (``feature.device_types``)."""
    weights = np.array(list(ctx.cfg.feature.device_types.values()), dtype=np.float64)
    cdf = np.cumsum(weights) / weights.sum()
    return np.minimum(np.searchsorted(cdf, u, side="right"), weights.size - 1).astype(np.int8)


def daytime_at(ctx: Context, times: np.ndarray, zone: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Return each time moved to a waking moment (the diurnal rhythm) of its own day in
    ``zone``: people, fraudsters included, act in their daytime."""
    day = times // NS_PER_DAY * NS_PER_DAY
    offset = ctx.pop.clock.offsets.at(zone, day + NS_PER_DAY // 2).astype(np.int64)
    return day + moment_of_day(ctx, u) - offset * NS_PER_MINUTE


# Where a crew spends stolen numbers: a few merchants of resaleable goods it knows go through,
# the same for all its victims (so their delayed fraud rate shows) [assumption], in one country
# of its own (countries by the square root of their shops' trade: most crews sell abroad, big
# markets draw more of them), so most of its payees are abroad. Card fraud
# is 17 times likelier where the payee is outside the EEA (EBA/ECB 2025 report on payment fraud,
# 2024 data), and remote purchase fraud is mostly cross-border (UK Finance).
CREW_MERCHANTS = 3
CREW_POPULARITY = 1.0  # the exponent of popularity in a crew's choice of shops
# Shops of resaleable goods (electronics, travel, jewellery) are this much likelier a crew's
# than others of their popularity: crews favour goods they can resell but use any shop that
# lets the payment through (gift cards and marketplaces sell everything) [assumption].
RESALE_PREFERENCE = 2.0
CREW_COUNTRY_POPULARITY = 0.5  # and of a country's trade in its choice of country
# Imitating crews still cash out at their own shops this often (the rest: where the victim
# shops): mimicry hides who and where from, not where stolen cards go through [assumption].
CREW_SHARE_IMITATING = 0.10
# Where an imitating thief pays at the victim's own online shops, the one of the largest basket
# of this many of them (drawn by the victim's habits): a cash-out buys resaleable goods where
# the victim shops, not their taxi rides or streaming (research note T2: takeovers spend about
# 3x the owner's usual on resaleable goods; the number of picks is an assumption, measured in
# docs/decisions.md, "the victim's largest basket").
BASKET_PICKS = 3
# Attackers act at night this often (local 00-06), told straight and imitating: the night fraud
# rate ends up a few times the day's (Forter: 10x at 2-6 am; research note section 5: 3x at
# medium; fraud counts still peak in daytime, Feedzai).
NIGHT_SHARE = (0.12, 0.20)


def crew_merchants(
    ctx: Context, code: int, crew: np.ndarray, u: np.ndarray, online: bool = True,
    unbreached: bool = False,
) -> np.ndarray:  # fmt: skip
    """Return one of the ``CREW_MERCHANTS`` merchants of the channel each crew cashes out at
    (resaleable goods likelier, ``RESALE_PREFERENCE``), for each row (``u`` picks one): the
    crew's country (by its trade) and its shops in it (by popularity) are fixed per crew
    (hashes of its key); ``unbreached``: never a breached merchant."""
    m = ctx.pop.merchants
    legit = m.rogue[0] == np.iinfo(np.int64).max
    pool = np.flatnonzero(legit & ((mcc.ONLINE_SHARE[m.code] >= 0.5) == online))
    pool = pool if pool.size else np.flatnonzero(legit)
    if unbreached:
        clean = pool[m.compromise[0][pool] == np.iinfo(np.int64).max]
        pool = clean if clean.size else pool
    countries, country = np.unique(m.country[pool], return_inverse=True)
    resale = np.where(np.isin(m.code[pool], mcc.with_role("cashout")), RESALE_PREFERENCE, 1.0)
    size = m.weight[pool] / mcc.PAYMENT_RATE[m.code[pool]]  # a shop's size, not how often
    shops = Groups.build(country, pool, size**CREW_POPULARITY * resale, countries.size)
    ones = np.ones(crew.size, np.int64)
    home = Hashed(ctx.seed, "fraud.campaign", infrastructure_key(code, crew, ones * 0, 4), ones)
    volume = np.bincount(country, weights=m.weight[pool], minlength=countries.size)
    crew_country = by_weight(np.arange(countries.size), volume**CREW_COUNTRY_POPULARITY,
                             home.random())  # fmt: skip
    slot = pool_slot(u, CREW_MERCHANTS)
    key = infrastructure_key(code, crew, slot, 3)
    pick = Hashed(ctx.seed, "fraud.campaign", key, ones).random()
    return shops.sample(crew_country, pick)


def waking_or_night(
    ctx: Context, times: np.ndarray, zone: np.ndarray, u: np.ndarray, u_night: np.ndarray,
    night: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Return each time moved into its own day in ``zone``: at night (00-06 local) with the
    ``NIGHT_SHARE`` of straight (``night``) or imitating attackers, else at a waking moment
    (``daytime_at``)."""
    day = times // NS_PER_DAY * NS_PER_DAY
    offset = ctx.pop.clock.offsets.at(zone, day + NS_PER_DAY // 2).astype(np.int64)
    dark = (u * 360 * NS_PER_MINUTE).astype(np.int64)
    share = np.where(night, NIGHT_SHARE[1], NIGHT_SHARE[0])
    local = np.where(u_night < share, dark, moment_of_day(ctx, u))
    return day + local - offset * NS_PER_MINUTE


def online_entry(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (channel, entry) of ``n`` online rows."""
    return np.full(n, ONLINE, np.int8), np.full(n, ECOM, np.int8)


def at_point(
    ctx: Context, lat: np.ndarray, lon: np.ndarray, zone: np.ndarray, times: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a place tuple for rows made at (lat, lon) in ``zone``."""
    return lat, lon, ctx.pop.clock.offsets.at(zone, times)


def at_merchant(
    ctx: Context, merchant: np.ndarray, times: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a place tuple for card-present rows: the store."""
    m = ctx.pop.merchants
    return at_point(ctx, m.latitude[merchant], m.longitude[merchant], m.zone[merchant], times)


def at_home(
    ctx: Context, customer: np.ndarray, times: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a place tuple for rows made from the customer's home."""
    c = ctx.pop.customers
    return at_point(ctx, c.latitude[customer], c.longitude[customer], c.zone[customer], times)


def at_market(
    ctx: Context, market: np.ndarray, times: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a place tuple for rows made from a market city (a fraudster's, a traveller's)."""
    p = ctx.pop
    return at_point(ctx, p.markets.latitude[market], p.markets.longitude[market],
                    p.market_zone[market], times)  # fmt: skip


def foreign_market(
    ctx: Context, customer: np.ndarray, u: np.ndarray, shops: bool = False
) -> np.ndarray:
    """Return a market in another country than each customer's, weighted by how many
    customers live there (fraudsters live where people live, so where fraud comes from says
    little by itself: it is the jump from the card's own place that tells), or with ``shops``
    by how many in-store merchants it has (a counterfeit card is spent where shops are, not
    heaped on the few shops of a populous city); home if none."""
    p = ctx.pop
    if shops:
        size = p.markets.in_store.size().astype(np.float64)
    else:
        size = np.bincount(p.customers.market, minlength=p.markets.city_ids.size).astype(np.float64)
    home_country = p.markets.country[p.customers.market[customer]]
    out = p.customers.market[customer].copy()
    for c in np.unique(home_country):
        rows = home_country == c
        pool = np.flatnonzero((p.markets.country != c) & (size > 0))
        if pool.size:
            out[rows] = by_weight(pool, size, u[rows])
    return out


def fill(quota: int, draw: Callable[[int], np.ndarray]) -> np.ndarray:
    """Return episodes from ``draw(k)`` batches until their rows reach ``quota`` (the shortest
    prefix that does). ``draw`` returns rows per episode, or a (k, m) array whose first
    column is the rows (the other columns travel with them)."""
    batches: list[np.ndarray] = [draw(0)]
    total = 0
    while total < quota:
        batch = draw(max(16, 2 * (quota - total) // 3 + 8))
        batches.append(batch)
        total += int((batch[:, 0] if batch.ndim == 2 else batch).sum())
    out = np.concatenate(batches)
    rows = out[:, 0] if out.ndim == 2 else out
    return out[: int(np.searchsorted(np.cumsum(rows), quota)) + 1]


def fill_each(quotas: np.ndarray, draw: Callable[[int], np.ndarray]) -> np.ndarray:
    """Return ``fill`` for each quota in turn from one batch of ``draw`` (an episode has at
    least one row, so ``sum(quotas)`` episodes always suffice): the first quota takes the
    shortest prefix reaching it, the next one continues from there, and so on. Returns the
    episodes kept with their quota's index as the last column."""
    batch = draw(int(np.sum(quotas)))
    rows = batch[:, 0] if batch.ndim == 2 else batch
    cum = np.cumsum(rows)
    ends = np.empty(quotas.size, dtype=np.int64)
    at, done = 0, 0
    for i, q in enumerate(quotas.tolist()):
        if q > 0:
            at = int(np.searchsorted(cum, done + q)) + 1
            done = int(cum[at - 1])
        ends[i] = at
    owner = np.repeat(np.arange(quotas.size), np.diff(np.r_[0, ends]))
    kept = batch[: ends[-1]] if quotas.size else batch[:0]
    return np.column_stack([kept, owner])


def draw_episodes(
    ctx: Context, quota: int, rng: np.random.Generator, straight: tuple[int, int],
    stealthy: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Return (rows, imitating) per episode, enough episodes for ``quota`` fraud rows: an
    episode imitates its victim with probability ``mimicry`` (see ``stealthy_rows``)."""
    drawn = fill(quota, lambda k: stealthy_rows(rng, k, ctx.params.mimicry, straight, stealthy))
    return drawn[:, 0], drawn[:, 1] > 0


def stealthy_rows(
    rng: np.random.Generator, k: int, mimicry: float, straight: tuple[int, int],
    stealthy: tuple[int, int],
) -> np.ndarray:  # fmt: skip
    """Return (rows, stealthy) for ``k`` episodes: a mimic with probability ``mimicry`` draws
    its rows from ``stealthy`` (low, high exclusive), the others from ``straight``."""
    mimic = rng.random(k) < mimicry
    rows = np.where(mimic, rng.integers(*stealthy, k), rng.integers(*straight, k))
    return np.stack([rows, mimic.astype(np.int64)], axis=1)


Place = tuple[np.ndarray, np.ndarray, np.ndarray]


def choose(mask: np.ndarray, if_true: Place, if_false: Place) -> Place:
    """Return the place tuple of ``if_true`` where ``mask``, else of ``if_false``."""
    lat, lon, off = (np.where(mask, a, b) for a, b in zip(if_true, if_false, strict=True))
    return lat, lon, off
