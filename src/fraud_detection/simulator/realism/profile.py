"""What the report does for datasets of one realism: its report profile.

Each realism owns one ``ReportProfile`` (``classic/profile.py`` for v1 and v2,
``v3/profile.py``), and ``profiles.profile_for`` finds it by the name a dataset records. The
report reads only profiles: which fidelity checks and page sections apply, which columns are
facts about the label rather than features, whether the rows were drawn from shared
catalogs, and, for a realism with a difficulty, its target bands and preset typology mixes.
A leaf module: nothing here imports the generator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Fidelity check families (the report's ``checks.fidelity`` runs one):
# - ``common``: what every realism promises (rows, exact fraud count, dates, id ranges);
# - ``distributions``: plus the configured distributions of v1/v2 (Zipf slopes, device-type
#   shares, device_id nulls, recurring share, lognormal amount);
# - ``behaviour``: plus what people and fraud episodes promise (label columns, typology mix,
#   report times, card owners, monthly subscriptions, quiet nights, homes, own devices).
FIDELITY_FAMILIES = ("common", "distributions", "behaviour")
# Page sections a realism may add to the common ones (overview, plots, model with its drift
# curve by test week, leakage, fidelity, catalogs, schema, columns):
# - ``typologies``: fraud typologies, label latency and training on late labels;
# - ``calendar``: daily volume by local date with weekends and holidays, weekday x local hour;
# - ``published_figures``: the dataset against published card-fraud figures (where computable);
# - ``lifecycles``: cards issued, blocked and replaced, customers joining (catalog columns);
# - ``campaigns``: campaign sizes, groups of cards linked by devices or IPs, and the gain of
#   the baseline's graph feature (one more model fit);
# - ``classic_baseline``: the Fraud Detection Handbook's classic features beside the
#   practitioner's baseline (one more model fit).
SECTIONS = (
    "typologies", "calendar", "published_figures", "lifecycles", "campaigns", "classic_baseline",
)  # fmt: skip

Band = Mapping[str, tuple[float, float]]  # metric -> (low, high) for the history model


@dataclass(frozen=True)
class ReportProfile:
    """What the report checks and shows for one realism's datasets."""

    realism: str | None  # the name datasets record; None: unknown (the generic profile)
    fidelity: str = "common"  # one of FIDELITY_FAMILIES
    sections: frozenset[str] = frozenset()  # of SECTIONS
    # Columns that are facts about the label (``label_fraud`` is always one): never scored
    # alone, never features. A file without provenance holding all of them is of this realism.
    label_columns: frozenset[str] = frozenset()
    # Label data only some of the realism's datasets carry (columns a later version added, such
    # as ``fraud_campaign_id``): never scored alone, never features, where present; not needed
    # to recognise the realism.
    optional_label_columns: frozenset[str] = frozenset()
    uses_catalogs: bool | None = None  # rows drawn from shared catalog files; None: unknown
    # Per difficulty level, the history model's target band (empty: no difficulty).
    difficulty_bands: Mapping[str, Band] = field(default_factory=dict)
    # Per difficulty level, the preset share of fraud rows of each typology (in
    # ``reference.TYPOLOGIES`` order).
    typology_mixes: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    max_report_delay_days: float | None = None  # a fraud is reported at most this late

    def __post_init__(self) -> None:
        if self.fidelity not in FIDELITY_FAMILIES:
            raise ValueError(f"fidelity: one of {FIDELITY_FAMILIES}, not {self.fidelity!r}")
        if not self.sections <= set(SECTIONS):
            raise ValueError(f"unknown sections {sorted(self.sections - set(SECTIONS))}")
        if "typologies" in self.sections and self.max_report_delay_days is None:
            raise ValueError("the typologies section needs max_report_delay_days")


# Data whose realism is unknown (recorded by a later version, or a foreign file whose columns
# name none): only what holds for every realism, and the descriptions any card data gets
# where its columns allow (the calendar, the published figures).
DESCRIPTIONS = frozenset({"calendar", "published_figures"})
GENERIC_PROFILE = ReportProfile(realism=None, sections=DESCRIPTIONS)
