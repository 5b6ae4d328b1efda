"""Golden files: every committed row of the tiny v1/v2 datasets is generated again, unchanged.

If this fails after a change that should not touch the data, the change is wrong. If the data
changed on purpose, rewrite the files with ``make golden`` and say why in the commit.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests import golden


def first_difference(expected: pl.DataFrame, actual: pl.DataFrame) -> str:
    """Return where two frames first differ: shape, columns, or the first row and column."""
    if expected.columns != actual.columns:
        return f"columns {actual.columns} != {expected.columns}"
    if expected.height != actual.height:
        return f"{actual.height} rows != {expected.height}"
    for column in expected.columns:
        same = expected[column].eq_missing(actual[column])
        if not same.all():
            row = int(same.arg_min() or 0)
            return (
                f"row {row}, column {column}: {actual[column][row]!r} != {expected[column][row]!r}"
            )
    return "frames differ in dtype only"


@pytest.mark.parametrize("name", golden.NAMES)
def test_golden_dataset_is_unchanged(name: str, tmp_path: Path) -> None:
    expected = golden.committed(name)
    actual = golden.regenerate(name, tmp_path)
    assert sorted(actual) == sorted(expected)
    for stem, frame in expected.items():
        try:
            assert_frame_equal(actual[stem], frame, check_exact=True)
        except AssertionError:
            pytest.fail(f"golden {name}/{stem}: {first_difference(frame, actual[stem])}")
