"""Rules across keys that depend on the realism: its defaults, the keys it does not read (set,
they are errors rather than silently ignored) and its own checks. Every rule asks the realism
table (``config.realisms``); none compares realism names."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .realisms import DEFAULT_REALISM, REALISMS


def with_realism_defaults(data: Any) -> Any:
    """Return the raw config with its realism's defaults filled in where a key is absent."""
    if not isinstance(data, dict):
        return data
    settings = REALISMS.get(data.get("realism", DEFAULT_REALISM))
    if settings is None:
        return data  # an unknown realism is reported by the field itself
    out = dict(data)
    for dotted, value in settings.defaults.items():
        section, key = dotted.split(".")
        given = out.get(section)
        if given is None:
            out[section] = {key: value}
        elif isinstance(given, dict) and key not in given:
            out[section] = {**given, key: value}
    return out


def realism_problems(cfg: Any) -> list[str]:
    """Return one line per key ``cfg`` sets that its realism does not read, then the lines of
    the realism's own checks."""
    settings = REALISMS[cfg.realism]
    problems = []
    for dotted, reason in settings.unused.items():
        section_name, _, key = dotted.partition(".")
        section: BaseModel = getattr(cfg, section_name)
        default = type(section)()
        if not key:
            if section != default:
                problems.append(f"{section_name}: {reason}")
            continue
        names = type(section).model_fields if key == "*" else (key,)
        problems += [
            f"{section_name}.{name}: {reason}"
            for name in names
            if getattr(section, name) != getattr(default, name)
        ]
    return problems + settings.check(cfg)
