"""The config the dataset is checked against: the one given (``--config``), else the one it
records; and, for a realism with a difficulty, the fraud it asked for (level and typology mix).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...config import GeneratorConfig, config_from_dict
from ...errors import ConfigError
from ...realism.profiles import ReportProfile
from ...reference import TYPOLOGIES


def recorded_config(info: Mapping[str, Any] | None) -> tuple[GeneratorConfig | None, str | None]:
    """Return (the config rebuilt from the record, None) or (None, why it cannot be)."""
    if info is None or not isinstance(info.get("config"), dict):
        return None, "no config recorded"
    try:
        return config_from_dict(info["config"]), None
    except ConfigError as exc:
        return None, "the recorded config is not valid for this version: " + "; ".join(exc.problems)


def config_differences(given: GeneratorConfig, recorded: dict[str, Any]) -> list[str]:
    """Return the dotted keys whose values differ between ``given`` and the recorded config.

    Only keys the record holds are compared (it holds those that decide the rows).
    """
    dumped = given.model_dump(mode="json")
    dumped.setdefault("temporal", {})["end_date"] = given.temporal.last_day.isoformat()
    return sorted(_diff(dumped, recorded, ""))


def _diff(given: Any, recorded: Any, prefix: str) -> list[str]:
    if isinstance(recorded, dict) and isinstance(given, dict):
        out: list[str] = []
        for key, value in recorded.items():
            out += _diff(given.get(key), value, f"{prefix}{key}.")
        return out
    return [] if given == recorded else [prefix.rstrip(".")]


def resolve_config(
    given: GeneratorConfig | None, info: Mapping[str, Any] | None
) -> tuple[GeneratorConfig | None, dict[str, Any]]:
    """Return (the config to check against, report.json's ``config`` section).

    The config given wins; without one, the config the dataset records (its provenance).
    """
    section: dict[str, Any] = {"source": None, "note": None, "differences": [], "text": ""}
    recorded, why = recorded_config(info)
    if given is not None:
        section |= {"source": "given", "text": "the config given with --config"}
        if info is not None and isinstance(info.get("config"), dict):
            section["differences"] = config_differences(given, info["config"])
        return given, section
    if recorded is not None:
        section |= {"source": "recorded", "text": "the config recorded in the dataset's files"}
        return recorded, section
    section["note"] = why if info is not None else "no --config given and no config recorded"
    section["text"] = "nothing (" + section["note"] + ")"
    return None, section


def fraud_section(
    profile: ReportProfile, given: GeneratorConfig | None, info: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """Return the config's ``fraud`` section (difficulty, typology mix) for a realism with a
    difficulty: the given config's, else the recorded one's. None for other realisms, and when
    the record has none (then the difficulty is unknown, not the default: a record without it
    says nothing about how hard the data was made)."""
    if not profile.difficulty_bands:
        return None
    if given is not None:
        section = given.model_dump(mode="json").get("fraud")
    else:
        section = ((info or {}).get("config") or {}).get("fraud")
    return section if isinstance(section, dict) and section.get("difficulty") else None


def expected_mix(
    profile: ReportProfile, fraud: Mapping[str, Any] | None
) -> dict[str, float] | None:
    """Return the share of fraud rows per typology a ``fraud`` section asks for: its
    ``typologies`` (normalised; absent ones 0), else its difficulty's preset mix in
    ``profile``; None when neither is known."""
    if fraud is None:
        return None
    given = fraud.get("typologies")
    if isinstance(given, dict) and given:
        raw = [float(given.get(t, 0.0)) for t in TYPOLOGIES]
    elif str(fraud.get("difficulty")) in profile.typology_mixes:
        raw = list(profile.typology_mixes[str(fraud["difficulty"])])
    else:
        return None
    total = sum(raw)
    return {t: (v / total if total else 0.0) for t, v in zip(TYPOLOGIES, raw, strict=True)}
