"""What every config section is made of: lenient numbers, bounded types, the section base,
and the description of what a realism reads (``RealismSettings``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def number(value: Any) -> Any:
    """Accept ``"1e6"`` or ``"1_000_000"`` where YAML left a number as a string.

    ``true``/``false`` are not numbers (pydantic would read ``total_rows: true`` as 1 row).
    """
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {str(value).lower()}")
    if isinstance(value, str):
        try:
            parsed = float(value.replace("_", ""))
        except ValueError:
            return value
        return int(parsed) if parsed.is_integer() else parsed
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Count = Annotated[int, BeforeValidator(number), Field(gt=0)]
Integer = Annotated[int, BeforeValidator(number)]
# Finite: a NaN weight or an infinite prior would silently turn into NaN data.
Number = Annotated[float, BeforeValidator(number), Field(allow_inf_nan=False)]
# What Datetime(ns) holds (1677-09-21 .. 2262-04-11), in whole years with a margin.
FIRST_DATE, LAST_DATE = date(1678, 1, 1), date(2261, 12, 31)
MAX_TOTAL_ROWS = 100_000_000_000
MAX_BATCH_SIZE = 10_000_000


class Section(BaseModel):
    """A config section: unknown keys are errors, values frozen, defaults validated too."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


@dataclass(frozen=True)
class RealismSettings:
    """What a realism reads from the config, so the config can check and hash it.

    ``sections``: the sections it owns (set under another realism, they are errors);
    ``unused``: other keys it ignores, each with the reason a user reads when one is set;
    ``defaults``: dotted keys whose default differs under this realism; ``hash_sections``: the
    sections besides the common ones that decide its rows (the config hash covers them);
    ``check``: its own cross-key rules, given the whole config, one line per problem.
    """

    name: str
    summary: str
    sections: tuple[str, ...] = ()
    unused: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    hash_sections: tuple[str, ...] = ()
    check: Callable[[Any], list[str]] = field(default=lambda cfg: [])
