"""Error text: one line per problem, naming the dotted key (``catalog.num_cards: ...``) and,
for an unknown key, the closest known one."""

from __future__ import annotations

import difflib
import re

from pydantic import BaseModel, ValidationError

from .model import GeneratorConfig

_KEYED = re.compile(r"^[a-z_]+(\.[a-z_]+)*: ")


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "config"


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = GeneratorConfig
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def format_errors(exc: ValidationError) -> list[str]:
    """Return one line per problem: ``key.path: what is wrong (got value)``."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc)
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            lines.append(f"{_where(loc)}: unknown key{suggestion}")
            continue
        msg = err["msg"].removeprefix("Value error, ")
        if not loc and all(_KEYED.match(line) for line in msg.splitlines()):
            lines += msg.splitlines()  # a cross-field check that names its keys itself
            continue
        shown = "" if err["type"] == "missing" else f" (got {err.get('input')!r})"
        if isinstance(err.get("input"), dict):
            shown = ""
        # A check across keys names its key first itself.
        lines.append(f"{msg}{shown}" if not loc else f"{_where(loc)}: {msg}{shown}")
    return lines
