"""Reading a config: YAML (dates kept as text, keys written twice reported), dotted overrides,
validation into ``GeneratorConfig`` with every problem reported at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import ConfigError
from .messages import format_errors
from .model import GeneratorConfig


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, but dates stay text for the model to parse.

    PyYAML turns ``2025-02-30`` into a ``ValueError`` traceback, not a YAML error, and knows
    no key to name; as text, the model reports ``temporal.start_date: ...`` like any value.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _duplicate_keys(node: yaml.Node, where: tuple[str, ...] = ()) -> list[str]:
    """Return one line per key written twice in the same mapping (YAML keeps the last)."""
    problems: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            line = key.start_mark.line + 1
            if name in seen:
                dotted = ".".join((*where, name))
                problems.append(f"{dotted}: written twice (lines {seen[name]} and {line})")
            seen.setdefault(name, line)
            problems += _duplicate_keys(value, (*where, name))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            problems += _duplicate_keys(item, where)
    return problems


def _read_yaml(path: Path, text: str) -> Any:
    """Return the YAML document in ``text``; ``ConfigError`` for a syntax error or a key twice."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        duplicates = _duplicate_keys(node)
        if duplicates:
            raise ConfigError(duplicates)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: YAML syntax error{where}: {problem}") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value YAML itself cannot build
        raise ConfigError(f"{path}: cannot read a value: {exc}") from None
    finally:
        loader.dispose()


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> GeneratorConfig:
    """Return the validated config in ``path``, with ``overrides`` (dotted keys) applied.

    Raises ``ConfigError`` listing every problem, one line each.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    data = _read_yaml(path, text)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping of keys, got {type(data).__name__}")
    return config_from_dict(data, overrides)


def config_from_dict(
    data: dict[str, Any], overrides: dict[str, Any] | None = None
) -> GeneratorConfig:
    """Return the validated config for a mapping (as read from YAML), overrides applied."""
    merged = _deep_copy(data)
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        node = merged
        *parents, last = dotted.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[last] = value
    try:
        return GeneratorConfig.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(format_errors(exc)) from None


def _deep_copy(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _deep_copy(v) if isinstance(v, dict) else v for k, v in data.items()}
