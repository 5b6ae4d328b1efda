"""The README's generated tables stay true to the code."""

from __future__ import annotations

import re

from fraud_detection.simulator.config import config_table
from fraud_detection.simulator.schema import schema_table
from tests.conftest import REPO


def _block(name: str) -> str:
    text = (REPO / "README.md").read_text("utf-8")
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", text, re.S)
    assert match, f"README has no {name} block"
    return match.group(1)


def test_config_table_is_current() -> None:
    assert _block("config-table") == config_table(), "run: python scripts/update_readme.py"


def test_schema_table_is_current() -> None:
    assert _block("schema-table") == schema_table(), "run: python scripts/update_readme.py"
