"""Fidelity to the config: the checks of the family the dataset's report profile names.

``common``: what every realism promises (rows, fraud count, dates, id ranges; ``common``).
``distributions``: plus the Zipf slopes and shares a v1/v2 config sets (``distributions``).
``behaviour``: plus what people and fraud episodes promise (``behaviour``). Each check
states its tolerance.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...config import GeneratorConfig
from ...realism.profiles import ReportProfile
from ..inputs.catalogs import NONE, Catalogs
from ..inputs.dataset import Prepared
from .behaviour import behaviour_checks
from .common import checks_section, common_checks
from .distributions import distribution_checks


def fidelity(
    cfg: GeneratorConfig,
    data: Prepared,
    overview: dict[str, Any],
    counts: dict[str, np.ndarray],
    profile: ReportProfile,
    catalogs: Catalogs = NONE,
    fraud: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the fidelity section: ``profile``'s family of checks against ``cfg``.

    ``counts`` are the transactions per entity by rank (Zipf); ``catalogs`` and ``fraud`` (the
    config's fraud section, None when unknown) serve the behaviour checks.
    """
    if profile.fidelity == "distributions":
        checks = distribution_checks(cfg, data, overview, counts)
    elif profile.fidelity == "behaviour":
        checks = behaviour_checks(cfg, data, overview, catalogs, (profile, fraud))
    else:
        counted, dates, ids = common_checks(cfg, data, overview["rows"], overview["fraud_count"])
        checks = [*counted, dates, *ids]
    return checks_section(cfg, checks)
