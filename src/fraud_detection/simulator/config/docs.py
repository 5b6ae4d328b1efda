"""The README's config table, generated from the models' field descriptions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .model import GeneratorConfig


def config_table() -> str:
    """Return the README's config table (Markdown), from the models' field descriptions."""
    rows = ["| key | default | meaning |", "| --- | --- | --- |"]

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{prefix}{name}.")
                continue
            rows.append(
                f"| `{prefix}{name}` | {_shown(field.get_default(call_default_factory=True))}"
                f" | {field.description or ''} |"
            )

    walk(GeneratorConfig, "")
    return "\n".join(rows)


def _shown(default: Any) -> str:
    if default is None:
        return "(absent)"
    if isinstance(default, int) and not isinstance(default, bool):
        return f"`{default:_}`"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if default == "":
        return '`""`'
    return f"`{default}`"
