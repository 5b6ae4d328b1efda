"""Where people shop: in-store merchants grouped by city into markets, and online merchants.

A market is a city with in-store merchants; a customer shops in store at the market nearest
home (or where a travel spell takes them). Online merchants are one national list per country.
Sampling uses one sorted key array per grouping: ``group + cumulative popularity share``, so a
row's draw is one ``searchsorted`` whatever its group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from . import mcc
from .geo import (
    search,
    unit_vectors,
)

MIN_MARKET_MERCHANTS = 3


NEAREST_BLOCK = 1 << 20  # points x markets per block of ``Markets.nearest`` (8 MiB)
KD_TREE_FROM = 512  # markets: from here ``Markets.nearest`` uses a k-d tree


@dataclass(frozen=True)
class Groups:
    """Members of each group (CSR) with popularity keys for weighted draws within a group."""

    ptr: np.ndarray  # group g's members are members[ptr[g]:ptr[g + 1]]
    members: np.ndarray
    keys: np.ndarray  # g + cumulative share of popularity within g, ascending

    @classmethod
    def build(cls, group: np.ndarray, members: np.ndarray, weight: np.ndarray, n: int) -> Groups:
        """Return the groups 0..n-1 of ``members`` (with ``group[i]`` and ``weight[i]``)."""
        order = np.lexsort((members, group))
        group, members, weight = group[order], members[order], weight[order]
        ptr = np.searchsorted(group, np.arange(n + 1))
        cum = np.cumsum(weight)
        start = np.repeat(np.r_[0.0, cum][ptr[:-1]], np.diff(ptr))
        total = np.repeat(np.r_[0.0, cum][ptr[1:]] - np.r_[0.0, cum][ptr[:-1]], np.diff(ptr))
        within = (cum - start) / np.where(total > 0, total, 1.0)
        return cls(ptr, members, group + np.minimum(within, 1.0))

    def size(self) -> np.ndarray:
        return np.diff(self.ptr)

    def sample_avoiding(self, group: np.ndarray, u: np.ndarray, avoid: np.ndarray) -> np.ndarray:
        """Return ``sample`` but, where it lands on a member with ``avoid[member]``, the next
        member of the group that is not avoided (the drawn one if every member is)."""
        out = self.sample(group, u)
        again = np.flatnonzero(avoid[out])
        start = self.ptr[group[again]]
        size = self.size()[group[again]]
        offset = (u[again] * size).astype(np.int64)
        step = 1
        while again.size and step < int(size.max()):  # rows left, and members to try
            candidate = self.members[start + (offset + step) % np.maximum(size, 1)]
            take = ~avoid[candidate] & (step < size)
            out[again[take]] = candidate[take]
            again, start, size, offset = (a[~take] for a in (again, start, size, offset))
            step += 1
        return out

    def sample(self, group: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Return one member of each ``group[i]``, by popularity (``u`` uniform in [0, 1))."""
        pos = search(self.keys, group + u)
        pos = np.clip(pos, self.ptr[group], self.ptr[group + 1] - 1)
        return self.members[pos]


@dataclass(frozen=True)
class Markets:
    """Market cities (in-store shopping) and national online merchant lists."""

    city_ids: np.ndarray  # market -> city_id
    latitude: np.ndarray
    longitude: np.ndarray
    country: np.ndarray  # market -> index into ``countries``
    in_store: Groups  # market -> in-store merchants
    atms: Groups  # market -> its ATMs
    resale: Groups  # market -> its shops of resaleable goods (cash-out categories in store)
    countries: tuple[str, ...]
    online: Groups  # country index -> online merchants of that country
    online_all: Groups  # group 0: every online merchant

    @classmethod
    def build(cls, merchants: pl.DataFrame) -> Markets:
        """Return the markets of a v3 merchant catalog."""
        code_index = {c: i for i, c in enumerate(mcc.CODES)}
        code = merchants["mcc_code"].replace_strict(code_index, return_dtype=pl.Int64).to_numpy()
        online = mcc.ONLINE_SHARE[code] >= 0.5
        in_store = ~online
        weight = merchants["weight"].to_numpy()
        city = merchants["city_id"].to_numpy()
        counts = np.bincount(city[in_store])
        threshold = min(MIN_MARKET_MERCHANTS, int(counts.max()))
        market_city = np.flatnonzero(counts >= threshold)
        market_of_city = np.full(counts.size, -1, dtype=np.int64)
        market_of_city[market_city] = np.arange(market_city.size)
        stores = np.flatnonzero(in_store & (market_of_city[np.minimum(city, counts.size - 1)] >= 0))
        market = market_of_city[city[stores]]
        lat, lon = merchants["latitude"].to_numpy(), merchants["longitude"].to_numpy()
        countries = tuple(sorted(merchants["merchant_country"].unique()))
        country_idx = (
            merchants["merchant_country"]
            .replace_strict({c: i for i, c in enumerate(countries)}, return_dtype=pl.Int64)
            .to_numpy()
        )
        size = np.bincount(market, minlength=market_city.size)
        first = np.zeros(market_city.size, dtype=np.int64)
        first[market[::-1]] = stores[::-1]  # any merchant of the market: they share a country
        web = np.flatnonzero(online)
        atm = stores[code[stores] == mcc.ATM]
        resale = stores[np.isin(code[stores], mcc.with_role("cashout"))]
        return cls(
            market_city.astype(np.int64),
            np.bincount(market, weights=lat[stores], minlength=size.size) / size,
            np.bincount(market, weights=lon[stores], minlength=size.size) / size,
            country_idx[first],
            Groups.build(market_of_city[city[stores]], stores, weight[stores], market_city.size),
            Groups.build(market_of_city[city[atm]], atm, weight[atm], market_city.size),
            Groups.build(market_of_city[city[resale]], resale, weight[resale], market_city.size),
            countries,
            Groups.build(country_idx[web], web, weight[web], len(countries)),
            Groups.build(np.zeros(web.size, dtype=np.int64), web, weight[web], 1),
        )

    def nearest(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Return the market nearest each point: on the unit sphere the largest dot product
        (the shortest chord) is the shortest great-circle distance. Up to ``KD_TREE_FROM``
        markets a matrix product in blocks, which spares the start-up loading SciPy's k-d tree
        (0.18 s); beyond, the k-d tree. Both give the same markets (tests)."""
        markets = unit_vectors(self.latitude, self.longitude)
        points = unit_vectors(lat, lon)
        if markets.shape[0] >= KD_TREE_FROM:
            from scipy.spatial import cKDTree

            return np.asarray(cKDTree(markets).query(points)[1], dtype=np.int64)
        out = np.empty(points.shape[0], dtype=np.int64)
        step = max(1, NEAREST_BLOCK // max(markets.shape[0], 1))
        for i in range(0, points.shape[0], step):
            out[i : i + step] = np.argmax(points[i : i + step] @ markets.T, axis=1)
        return out

    def country_index(self, codes: pl.Series) -> np.ndarray:
        """Return each ISO code's index into ``countries`` (-1 where no merchant is there)."""
        lookup = {c: i for i, c in enumerate(self.countries)}
        return codes.replace_strict(lookup, default=-1, return_dtype=pl.Int64).to_numpy()

    def online_for(
        self, country: np.ndarray, u_domestic: np.ndarray, u: np.ndarray, domestic: float = 0.8
    ) -> np.ndarray:
        """Return an online merchant per row: of the row's country (index, or -1) with
        probability ``domestic`` where that country has online merchants, else any."""
        group = country.astype(np.int64)
        has = (group >= 0) & (self.online.size()[np.maximum(group, 0)] > 0)
        home = has & (u_domestic < domestic)
        out = self.online_all.sample(np.zeros(u.size, dtype=np.int64), u)
        out[home] = self.online.sample(group[home], u[home])
        return out
