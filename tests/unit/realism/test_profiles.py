"""Report profiles: one per realism, reading the generator's own constants, and a generic one
for data whose realism is unknown."""

from __future__ import annotations

import pytest

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.realism.profile import FIDELITY_FAMILIES, ReportProfile
from fraud_detection.simulator.realism.profiles import (
    PROFILES,
    profile_for,
    profile_for_columns,
)
from fraud_detection.simulator.realism.registry import REALISMS
from fraud_detection.simulator.realism.v3.fraud import latency, presets
from fraud_detection.simulator.reference import DIFFICULTIES, TYPOLOGIES
from fraud_detection.simulator.report.inputs.config import expected_mix
from fraud_detection.simulator.schema import column_names


def test_every_realism_has_its_profile() -> None:
    assert set(PROFILES) == set(REALISMS)
    for name in REALISMS:
        assert profile_for(name).realism == name


@pytest.mark.parametrize("name", [None, "v0", "", "V3"])
def test_an_unknown_realism_gets_the_generic_profile(name: str | None) -> None:
    generic = profile_for(name)
    assert generic.realism is None and generic.fidelity == "common"
    # Only the descriptions any card data gets where its columns allow.
    assert generic.sections == {"calendar", "published_figures"}
    assert not generic.label_columns and not generic.difficulty_bands
    assert generic.uses_catalogs is None


def test_the_v3_profile_reads_the_generators_constants() -> None:
    v3 = profile_for("v3")
    assert v3.typology_mixes is presets.MIXES
    assert v3.max_report_delay_days == latency.MAX_DELAY_DAYS
    assert set(v3.difficulty_bands) == set(v3.typology_mixes) == set(DIFFICULTIES)
    assert all(len(mix) == len(TYPOLOGIES) for mix in v3.typology_mixes.values())


@pytest.mark.parametrize("name", sorted(REALISMS))
def test_label_columns_are_columns_the_realism_writes(name: str) -> None:
    profile = profile_for(name)
    assert profile.label_columns <= set(column_names(name)) - {"label_fraud"}
    assert profile.fidelity in FIDELITY_FAMILIES


def test_a_file_without_provenance_is_known_by_its_label_columns() -> None:
    assert profile_for_columns(column_names("v3")).realism == "v3"
    assert profile_for_columns(column_names("v2")).realism is None  # v1 or v2: unknown
    assert profile_for_columns(["fraud_type", "label_fraud"]).realism is None


def test_a_profile_names_only_known_families_and_sections() -> None:
    with pytest.raises(ValueError, match="fidelity"):
        ReportProfile(realism="x", fidelity="zipf")
    with pytest.raises(ValueError, match="sections"):
        ReportProfile(realism="x", sections=frozenset({"weather"}))


@pytest.mark.parametrize(
    "fraud",
    [
        {"difficulty": "medium"},
        {"difficulty": "hard"},
        {"difficulty": "easy", "typologies": {"card_testing": 2.0, "lost_stolen": 1.0}},
    ],
)
def test_the_report_reads_the_mix_the_generator_resolves(fraud: dict[str, object]) -> None:
    cfg = config_from_dict({"total_rows": 1000, "realism": "v3", "fraud": fraud})
    resolved = presets.resolve(cfg).shares
    dumped = cfg.model_dump(mode="json")["fraud"]
    mix = expected_mix(profile_for("v3"), dumped)
    assert mix is not None and list(mix.values()) == pytest.approx(resolved, abs=1e-12)
    assert expected_mix(profile_for("v2"), dumped) is None or fraud.get("typologies")
