"""What a merchant's category code fixes: which channels it takes and its ticket size.

One row per MCC (ISO 18245 codes): its share of merchants, the share of its payments made
online (the rest in store; ATMs are ATMs), the median ticket in USD and the spread of
log(ticket), and the roles fraud stories look for. The ticket sizes and channel shares are
assumptions of this project (typical card-present and e-commerce tickets), not measured
figures; the README says so. Amounts scale with each customer's spending level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class Mcc:
    code: str
    name: str
    merchants: float  # relative share of merchants in the catalog
    online: float  # share of its payments made online; -1 marks an ATM
    ticket: float  # median amount, USD
    sigma: float  # sd of log(amount)
    roles: frozenset[str] = frozenset()


def _m(code: str, name: str, merchants: float, online: float, ticket: float, sigma: float,
       *roles: str) -> Mcc:  # fmt: skip
    return Mcc(code, name, merchants, online, ticket, sigma, frozenset(roles))


# Roles: subscription (bills monthly), testing (low-friction online, where card testers probe),
# cashout (resaleable goods fraudsters buy), big (one-off large legitimate purchases),
# rogue (where a rogue merchant hides: direct marketing, misc online retail).
MCCS: tuple[Mcc, ...] = (
    _m("5411", "Grocery stores", 10, 0.05, 38, 0.7),
    _m("5812", "Restaurants", 9, 0.08, 32, 0.6),
    _m("5814", "Fast food", 8, 0.05, 11, 0.5),
    _m("5813", "Bars", 3, 0.0, 24, 0.6),
    _m("5541", "Service stations (fuel)", 6, 0.0, 42, 0.45),
    _m("5311", "Department stores", 4, 0.3, 55, 0.8, "big"),
    _m("5999", "Miscellaneous retail", 6, 0.45, 28, 0.9, "testing", "cashout", "rogue"),
    _m("5732", "Electronics", 3, 0.5, 120, 1.0, "big", "cashout"),
    _m("5691", "Clothing", 5, 0.4, 65, 0.7),
    _m("5912", "Drug stores", 5, 0.1, 18, 0.7),
    _m("5942", "Book stores", 2, 0.5, 22, 0.6),
    _m("5944", "Jewelry", 1, 0.25, 220, 0.9, "big", "cashout"),
    _m("5200", "Home supply", 2, 0.2, 60, 0.9, "big"),
    _m("5967", "Direct marketing", 1, 1.0, 30, 0.8, "testing", "rogue"),
    _m("4111", "Commuter transport", 3, 0.1, 3.5, 0.5),
    _m("4121", "Taxis and rideshare", 3, 0.85, 19, 0.6),
    _m("4511", "Airlines", 1.5, 0.97, 330, 0.7, "big", "cashout"),
    _m("4722", "Travel agencies", 1, 0.9, 450, 0.8, "big", "cashout"),
    _m("7011", "Hotels", 2, 0.6, 170, 0.7, "big"),
    _m("4814", "Telecom services", 1.5, 1.0, 45, 0.4, "subscription"),
    _m("4899", "Streaming and cable", 1.5, 1.0, 14, 0.3, "subscription"),
    _m("4900", "Utilities", 1.5, 1.0, 85, 0.5, "subscription"),
    _m("5817", "Apps and software", 1, 1.0, 6, 1.0, "subscription", "testing"),
    _m("7997", "Clubs and gyms", 1.5, 0.9, 45, 0.4, "subscription"),
    # App-store sized purchases: legitimate payments under $2 are common here.
    _m("5815", "Digital media", 1.5, 1.0, 4, 1.0, "testing"),
    _m("5816", "Digital games", 1.5, 1.0, 5, 1.1, "testing"),
    _m("8398", "Charities", 1, 1.0, 25, 0.8, "testing"),
    _m("6011", "ATM cash", 3, -1.0, 100, 0.5),
    _m("7995", "Gambling", 1, 1.0, 40, 0.9, "rogue"),
    _m("7832", "Cinemas", 1.5, 0.3, 16, 0.4),
)
CODES: tuple[str, ...] = tuple(m.code for m in MCCS)
# Share of a category's online payments the merchant initiates with the stored card, no
# customer session (rides charged after the trip, hotels at check-out or for a no-show,
# utility bills paid from the stored card) - assumptions; subscriptions are apart.
MERCHANT_INITIATED = np.array(
    [{"4121": 0.8, "7011": 0.4, "4900": 0.5, "4814": 0.3, "4722": 0.2}.get(c, 0.0) for c in CODES]
)
# Payments a merchant of the category takes, relative to a grocery store of the same
# popularity: the weekly shop, the commute and the coffee are everyday, a travel agency, an
# airline or a jeweller a few times a year. An assumption of this project; it scales each
# merchant's popularity, so habits and every other draw by popularity follow it (without it,
# travel agencies took a quarter of online rows' value: most card payments are at the point
# of sale, EBA/ECB 2025).
PAYMENT_RATE = np.array([
    {"5411": 1.0, "5812": 0.5, "5814": 0.8, "5813": 0.5, "5541": 0.6, "5311": 0.3,
     "5999": 0.5, "5732": 0.1, "5691": 0.2, "5912": 0.5, "5942": 0.2, "5944": 0.03,
     "5200": 0.15, "5967": 0.3, "4111": 1.0, "4121": 0.4, "4511": 0.04, "4722": 0.03,
     "7011": 0.05, "4814": 0.2, "4899": 0.2, "4900": 0.2, "5817": 0.5, "7997": 0.3,
     "5815": 0.6, "5816": 0.5, "8398": 0.1, "6011": 0.5, "7995": 0.5, "7832": 0.2}[c]
    for c in CODES
])  # fmt: skip
ATM = CODES.index("6011")
TICKET_MEDIAN = np.array([m.ticket for m in MCCS])
TICKET_SIGMA = np.array([m.sigma for m in MCCS])
ONLINE_SHARE = np.array([max(m.online, 0.0) for m in MCCS])


def index_of(codes: pl.Series) -> np.ndarray:
    """Return each MCC code's index into ``MCCS``."""
    lookup = {c: i for i, c in enumerate(CODES)}
    return codes.replace_strict(lookup, return_dtype=pl.Int64).to_numpy()


def with_role(role: str) -> np.ndarray:
    """Return the indices (into ``MCCS``) of the codes that play ``role``."""
    return np.array([i for i, m in enumerate(MCCS) if role in m.roles], dtype=np.int64)


def table() -> pl.DataFrame:
    """Return the MCC profiles as a table (for the README and the report)."""
    return pl.DataFrame(
        {
            "mcc_code": list(CODES),
            "name": [m.name for m in MCCS],
            "merchant_share": [m.merchants for m in MCCS],
            "online_share": [m.online for m in MCCS],
            "ticket_median_usd": [m.ticket for m in MCCS],
            "ticket_sigma": [m.sigma for m in MCCS],
            "payment_rate": PAYMENT_RATE.tolist(),
            "roles": [", ".join(sorted(m.roles)) for m in MCCS],
        }
    )
