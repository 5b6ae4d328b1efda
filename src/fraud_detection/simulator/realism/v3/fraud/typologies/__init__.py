"""The six fraud typologies, one module each, in ``reference.TYPOLOGIES`` order."""

from __future__ import annotations

from .account_takeover import AccountTakeover
from .base import (
    Context,
    Planned,
    RowTimes,
    Typology,
)
from .card_testing import CardTesting
from .friendly_fraud import FriendlyFraud
from .lost_stolen import LostStolen
from .merchant_compromise import MerchantCompromise
from .rogue_merchant import RogueMerchant

TYPOLOGY_CLASSES: tuple[Typology, ...] = (
    CardTesting(),
    AccountTakeover(),
    LostStolen(),
    MerchantCompromise(),
    RogueMerchant(),
    FriendlyFraud(),
)

__all__ = ["TYPOLOGY_CLASSES", "Context", "Planned", "RowTimes", "Typology"]
