"""Delta Lake tables (``output.format: delta``) through ``deltalake`` (delta-rs).

``{out_dir}/delta/payments`` is partitioned by the events' UTC ``year`` and ``month`` (two
integer partition columns, as the parquet layout's ``event_date`` folders read); workers write
its files as ``year=YYYY/month=MM/part-NNNNN-{run}.parquet`` and the driver adds them in one
commit (overwrite: the previous files are removed from the table in that same commit, and stay
on disk for time travel until ``DeltaTable.vacuum()``). Catalogs are ``{out_dir}/delta/
customers``, ``merchants``, ``cards`` (and v3's ``episodes``), each replaced in one commit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import polars as pl
import pyarrow as pa

from ..errors import ConfigError
from .layout import PARTITION_COLUMNS, TRANSACTIONS_TABLE, delta_table_path, month_values
from .location import Location, S3Location
from .sinks import Run
from .tables import TableSink, arrow_schema


class DeltaTables(TableSink):
    """The payments table and the catalog tables under ``{out_dir}/delta/``."""

    def __init__(
        self, out_dir: Location, run: Run, chunks: Sequence[tuple[int, int, int]],
        schema: pl.Schema, mode: str,
    ) -> None:  # fmt: skip
        self.out_dir, self.mode = out_dir, mode
        self._location = delta_table_path(out_dir, TRANSACTIONS_TABLE)
        partitions = pl.Schema({c: pl.Int32() for c in PARTITION_COLUMNS})
        self.schema = arrow_schema(pl.Schema({**schema, **partitions}))
        self.options = storage_options(out_dir)
        self._check_append()
        super().__init__(self._location, run, chunks)

    @property
    def location(self) -> Location:
        return self._location

    def commit_transactions(self) -> int:
        from deltalake.transaction import AddAction, create_table_with_add_actions

        now = int(time.time() * 1000)
        adds = [
            AddAction(p.path, p.size_bytes, month_values(p.path), now, True,
                      json.dumps({"numRecords": p.rows}))
            for p in self.parts
        ]  # fmt: skip
        uri, partition_by = str(self._location), list(PARTITION_COLUMNS)
        table = self._table()
        if table is None:
            create_table_with_add_actions(
                uri, _delta_schema(self.schema), adds, mode="error", partition_by=partition_by,
                storage_options=self.options, commit_properties=self._properties(),
            )  # fmt: skip
            return 0
        table.create_write_transaction(
            adds, self.mode, self.schema, partition_by, commit_properties=self._properties()
        )
        table.update_incremental()
        return int(table.version())

    def commit_catalog(self, name: str, table: pa.Table) -> None:
        from deltalake import write_deltalake

        write_deltalake(
            str(delta_table_path(self.out_dir, name)), table, mode="overwrite",
            schema_mode="overwrite", storage_options=self.options,
            commit_properties=self._properties(),
        )  # fmt: skip

    def _table(self) -> Any:
        """Return the payments table, or None when there is none yet."""
        from deltalake import DeltaTable
        from deltalake.exceptions import TableNotFoundError

        try:
            return DeltaTable(str(self._location), storage_options=self.options)
        except TableNotFoundError:
            return None

    def _properties(self) -> Any:
        from deltalake import CommitProperties

        # The run's provenance in the commit's info, as in every data file's footer.
        return CommitProperties(custom_metadata=dict(self.run.metadata))

    def _check_append(self) -> None:
        """Raise ``ConfigError`` (before anything is generated) when appending to a payments
        table whose columns differ from this run's."""
        if self.mode != "append":
            return
        table = self._table()
        if table is None:
            return
        have = pa.schema(table.schema().to_arrow())
        if have.names != self.schema.names:
            raise ConfigError(
                f"output.write_mode: append to {self._location}, whose columns differ from this"
                f" run's ({', '.join(sorted(set(have.names) ^ set(self.schema.names)))}):"
                " write_mode: overwrite replaces it"
            )


def _delta_schema(schema: pa.Schema) -> Any:
    from deltalake import Schema

    return Schema.from_arrow(schema)


def storage_options(location: Location) -> dict[str, str]:
    """Return delta-rs' options for ``location``: on S3, the endpoint, region and credentials
    the standard AWS settings give boto3 (delta-rs does not read every one of them)."""
    if not isinstance(location, S3Location):
        return {}
    from .s3 import resolved_settings

    found = resolved_settings()
    options = {
        "AWS_ENDPOINT_URL": found.endpoint,
        "AWS_REGION": found.region,
        "AWS_ACCESS_KEY_ID": found.access_key,
        "AWS_SECRET_ACCESS_KEY": found.secret_key,
        "AWS_SESSION_TOKEN": found.token,
        "AWS_ALLOW_HTTP": "true" if (found.endpoint or "").startswith("http://") else None,
    }
    return {key: value for key, value in options.items() if value}
