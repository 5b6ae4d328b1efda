"""The columns the report reads by name, each named once.

``label_fraud`` is the truth and ``event_time`` the clock of every measurement. The three
columns some realisms write about the label (``REPORTED``, ``TYPE``, ``EPISODE``) are read only
when the dataset's report profile lists them among its label columns.
"""

from __future__ import annotations

LABEL = "label_fraud"
TIME = "event_time"
REPORTED, TYPE, EPISODE = "reported_time", "fraud_type", "fraud_episode_id"
CAMPAIGN = "fraud_campaign_id"  # label data too, where a dataset has it (issue 19)
CUSTOMER, CARD, MERCHANT = "customer_id", "card_id", "merchant_id"
DEVICE, IP = "device_id", "ip_address"
OFFSET = "local_time_offset"  # minutes from UTC at the point of sale
HOME = "home_country"  # of a customer, in customers.parquet
# Identifiers: their values name an entity or a row, their numeric order means nothing.
ID_COLUMNS = frozenset(
    {"transaction_id", CUSTOMER, CARD, MERCHANT, "pan_hash", DEVICE, IP}
)  # fmt: skip
ENTITY_COLUMNS = {"customer": CUSTOMER, "merchant": MERCHANT, "card": CARD}


def is_identifier(name: str) -> bool:
    """Return whether a column names an entity or a row (its values mean nothing alone)."""
    return name in ID_COLUMNS or name.endswith("_id")
