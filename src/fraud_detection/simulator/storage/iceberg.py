"""Apache Iceberg tables (``output.format: iceberg``) through ``pyiceberg``.

Tables ``{namespace}.payments`` (partitioned by ``month(event_time)``, a hidden partition: no
extra column) and ``{namespace}.customers``, ``merchants``, ``cards`` (v3: ``episodes``), in
the configured catalog; by default a SQL catalog in a SQLite file,
``{out_dir}/iceberg/catalog.db``, with the warehouse beside it. Workers write the
transactions' files under the table's ``data/``; the driver adds them in one transaction
(overwrite: a delete and an append snapshot committed together, so no reader sees the table
empty). A new table is created by that same transaction: a run that fails leaves no table
behind (only the namespace).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import polars as pl
import pyarrow as pa

from ..errors import ConfigError
from .layout import (
    EVENT_TIME,
    ICEBERG_CATALOG_FILE,
    ICEBERG_DATA_DIR,
    TRANSACTIONS_TABLE,
    iceberg_warehouse,
)
from .location import Location, S3Location
from .sinks import Run
from .tables import TableSink, arrow_schema

DEFAULT_CATALOG_NAME = "fraud_simulator"
# pyiceberg's S3 properties, filled from the standard AWS settings when not given.
_S3_PROPERTIES = {
    "s3.endpoint": "endpoint",
    "s3.region": "region",
    "s3.access-key-id": "access_key",
    "s3.secret-access-key": "secret_key",
    "s3.session-token": "token",
}


class IcebergTables(TableSink):
    """The payments table and the catalog tables in one Iceberg namespace."""

    def __init__(
        self, out_dir: Location, run: Run, chunks: Sequence[tuple[int, int, int]],
        schema: pl.Schema, mode: str, iceberg: Any,
    ) -> None:  # fmt: skip
        self.mode, self.namespace = mode, iceberg.namespace
        self.catalog = open_catalog(out_dir, iceberg.catalog_name, iceberg.catalog)
        self.catalog.create_namespace_if_not_exists(self.namespace)
        self.schema = arrow_schema(schema)
        ident = (self.namespace, TRANSACTIONS_TABLE)
        self._table: Any = None
        self._create: Any = None
        if self.catalog.table_exists(ident):
            self._table = self.catalog.load_table(ident)
            self._check_append()
            uri = self._table.location()
        else:  # created by the commit, with the run's files: a failed run leaves no table
            self._create = self.catalog.create_table_transaction(ident, self.schema)
            uri = self._create.table_metadata.location
        self.uri = uri.rstrip("/")
        self._location = location_of(self.uri)
        super().__init__(self._location / ICEBERG_DATA_DIR, run, chunks)

    @property
    def location(self) -> Location:
        return self._location

    def commit_transactions(self) -> int:
        from pyiceberg.expressions import AlwaysTrue
        from pyiceberg.transforms import MonthTransform

        files = [f"{self.uri}/{ICEBERG_DATA_DIR}/{p.path}" for p in self.parts]
        summary = dict(self.run.metadata)  # the run's provenance, as in every file's footer
        if self._create is not None:
            tx = self._create
            with tx.update_spec() as spec:
                spec.add_field(EVENT_TIME, MonthTransform(), f"{EVENT_TIME}_month")
            tx.add_files(files, snapshot_properties=summary)
            table = tx.commit_transaction()
        else:
            table = self._table
            with table.transaction() as tx:
                if self.mode == "overwrite":
                    match_schema(tx, self.schema)
                    if table.current_snapshot() is not None:
                        tx.delete(AlwaysTrue(), snapshot_properties=summary)
                tx.add_files(files, snapshot_properties=summary)
        return int(table.current_snapshot().snapshot_id)

    def commit_catalog(self, name: str, table: pa.Table) -> None:
        ident = (self.namespace, name)
        summary = dict(self.run.metadata)
        if not self.catalog.table_exists(ident):
            tx = self.catalog.create_table_transaction(ident, table.schema)
            tx.append(table, snapshot_properties=summary)
            tx.commit_transaction()
            return
        existing = self.catalog.load_table(ident)
        with existing.transaction() as tx:
            match_schema(tx, table.schema)
            if existing.current_snapshot() is None:
                tx.append(table, snapshot_properties=summary)
            else:
                tx.overwrite(table, snapshot_properties=summary)

    def _check_append(self) -> None:
        """Raise ``ConfigError`` (before anything is generated) when appending to a payments
        table whose columns differ from this run's."""
        if self.mode != "append" or self._table is None:
            return
        have = [f.name for f in self._table.schema().fields]
        if have != self.schema.names:
            differ = ", ".join(sorted(set(have) ^ set(self.schema.names)))
            raise ConfigError(
                f"output.write_mode: append to {self.namespace}.{TRANSACTIONS_TABLE}, whose"
                f" columns differ from this run's ({differ}): write_mode: overwrite replaces it"
            )


def match_schema(tx: Any, schema: pa.Schema) -> None:
    """Make the table's columns those of ``schema`` within ``tx`` (a rerun of another realism
    adds or drops columns; the table's history keeps the old ones)."""
    current = [f.name for f in tx.table_metadata.schema().fields]
    if current == schema.names:
        return
    with tx.update_schema() as update:
        update.union_by_name(schema)
        for name in current:
            if name not in schema.names:
                update.delete_column(name)


def location_of(uri: str) -> Location:
    """Return a table location (``file://``, a path, ``s3://``) as a location workers write."""
    parts = urlsplit(uri)
    if parts.scheme in ("s3", "s3a", "s3n"):
        return S3Location(parts.netloc, parts.path.strip("/"))
    if parts.scheme in ("", "file"):
        return Path(unquote(parts.path))
    raise ConfigError(
        f"output.iceberg.catalog: the table location {uri} is neither local nor s3://, where the"
        " generator's workers write the data files"
    )


def open_catalog(out_dir: Location, name: str | None, properties: Mapping[str, str]) -> Any:
    """Return the configured pyiceberg catalog: ``name`` (from pyiceberg's own config) with
    ``properties`` on top, else the default SQL catalog in ``{out_dir}/iceberg/catalog.db``."""
    from pyiceberg.catalog import load_catalog

    props = dict(properties)
    if not props and name is None:
        warehouse = iceberg_warehouse(out_dir)
        assert isinstance(warehouse, Path), "the config requires a catalog for an s3:// out_dir"
        warehouse = warehouse.resolve()
        warehouse.mkdir(parents=True, exist_ok=True)
        props = {
            "type": "sql",
            "uri": f"sqlite:///{warehouse / ICEBERG_CATALOG_FILE}",
            "warehouse": warehouse.as_uri(),
        }
    if isinstance(out_dir, S3Location) or any(v.startswith("s3") for v in props.values()):
        props = {**_s3_properties(), **props}
    return load_catalog(name or DEFAULT_CATALOG_NAME, **props)


def _s3_properties() -> dict[str, str]:
    """Return pyiceberg's S3 properties from the standard AWS settings (boto3's view)."""
    from .s3 import resolved_settings

    found = resolved_settings()
    values = {key: getattr(found, attr) for key, attr in _S3_PROPERTIES.items()}
    return {key: value for key, value in values.items() if value}
