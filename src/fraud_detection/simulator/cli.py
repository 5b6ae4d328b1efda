"""Command line: parse flags, load the config, generate, optionally upload; map errors to exits.

Exit codes: 0 success, 1 config or unexpected error, 2 S3 delivery failed, 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import difflib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from .config import GeneratorConfig, load_config
from .engines.base import own_this_process
from .errors import ConfigError, S3UploadError, SimulatorError, Terminated
from .realism.registry import REALISMS
from .result import GenerationResult
from .signals import EXIT_INTERRUPTED, EXIT_TERMINATED, received, signals_end_the_run
from .version import __version__

log = logging.getLogger("fraud_detection.simulator")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_S3 = 2
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one ``Config error: --flag: problem`` line with exit 1 (2 is
    reserved for S3), naming the flag first as a config line names its key."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"Config error: {self._one_line(message)} (see --help)\n")

    def _one_line(self, message: str) -> str:
        if message.startswith("argument "):
            flag, _, problem = message.removeprefix("argument ").partition(": ")
            return f"{flag.split('/')[-1]}: {problem}"
        if message.startswith("unrecognized arguments: "):
            unknown = message.removeprefix("unrecognized arguments: ").split()[0]
            flags = [o for a in self._actions for o in a.option_strings]
            hint = difflib.get_close_matches(unknown.split("=")[0], flags, n=1)
            return f"{unknown}: unknown flag" + (f"; did you mean {hint[0]}?" if hint else "")
        return message


def _integer(text: str) -> int:
    """Parse ``1000000``, ``1_000_000`` or ``1e6`` (what a tired user types) as an integer."""
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_integer():
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fraud-simulator",
        description="Generate a labeled synthetic card-transaction dataset as Parquet.",
    )
    parser.add_argument(
        "--config", default="generator_config.yaml", help="YAML config (default: %(default)s)"
    )
    parser.add_argument("--s3", action="store_true", help="upload the outputs to S3 afterwards")
    parser.add_argument(
        "--log-level", default="INFO", type=str.upper, choices=_LEVELS, help="default: INFO"
    )
    parser.add_argument("--num-workers", type=_integer, help="override num_workers")
    parser.add_argument("--batch-size", type=_integer, help="override batch_size (rows per chunk)")
    parser.add_argument("--realism", choices=tuple(REALISMS), help="override realism")
    parser.add_argument("--engine", choices=("local", "dask"), help="override engine")
    parser.add_argument("--total-rows", type=_integer, help="override total_rows")
    parser.add_argument("--seed", type=_integer, help="override seed")
    parser.add_argument("--out-dir", help="override out_dir")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "num_workers": args.num_workers,
        "batch_size": args.batch_size,
        "realism": args.realism,
        "engine": args.engine,
        "total_rows": args.total_rows,
        "seed": args.seed,
        "out_dir": args.out_dir,
    }


def _run(cfg: GeneratorConfig, do_upload: bool) -> int:
    from .core import generate_to_parquet

    if do_upload and cfg.output.format != "parquet":
        raise ConfigError(
            f"--s3: uploads Parquet files; write {cfg.output.format} tables to S3 directly"
            " (out_dir: s3://bucket/prefix)"
        )
    log.info(
        "Generating %s rows (fraud_rate=%g, seed=%d, realism=%s, workers=%d)",
        f"{cfg.total_rows:,}",
        cfg.fraud_rate,
        cfg.seed,
        cfg.realism,
        cfg.num_workers,
    )
    result = generate_to_parquet(cfg)
    log.info("Written %s: %s", _what(cfg, result), result.path)
    if result.catalog_dir:
        log.info("Catalogs: %s", result.catalog_dir)
    elif cfg.output.format != "parquet" and result.catalog_files:
        log.info("Catalog tables: %s", ", ".join(Path(f).stem for f in result.catalog_files))
    log.info(
        "%s rows, %s frauds (%.4f%%) in %.1f s (%s rows/s)",
        f"{result.rows:,}",
        f"{result.fraud_count:,}",
        100 * result.fraud_count / max(result.rows, 1),
        result.seconds,
        f"{result.rows / max(result.seconds, 1e-9):,.0f}",
    )
    if do_upload:
        from .storage.delivery import upload_outputs

        upload_outputs(cfg, result)
    return EXIT_OK


def _what(cfg: GeneratorConfig, result: GenerationResult) -> str:
    """Return what ``result.path`` is, for the log: a file, a directory, a table."""
    o = cfg.output
    if o.format == "delta":
        return f"Delta table (version {result.table_version})"
    if o.format == "iceberg":
        return f"Iceberg table {o.iceberg.namespace}.payments (snapshot {result.table_version})"
    where = "local" if isinstance(result.path, Path) else "S3"
    if result.parts:
        return f"{where} parts directory ({len(result.parts)} parts, manifest {result.manifest})"
    return f"{where} file"


def _warnings_of_distributed(record: logging.LogRecord) -> bool:
    """Drop ``distributed``'s records below WARNING (without --log-level DEBUG), and once the
    run is interrupted, all of them, asyncio's and tornado's (an "Exception in callback" for a
    connection closed under the cluster's event loop).

    A LocalCluster logs every worker's start and stop at INFO; as a run is interrupted, its
    workers and connections close under it, which it logs with tracebacks. A filter, not a
    logger level: importing ``distributed`` resets its loggers' levels.
    """
    if record.name.startswith("distributed"):
        return record.levelno >= logging.WARNING and not received()
    return not (record.name.startswith(("asyncio", "tornado")) and received())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator CLI; return the process exit code."""
    with signals_end_the_run():
        try:
            return _main(argv)
        except Terminated:  # arrived while an earlier signal was being handled
            return EXIT_TERMINATED
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:  # long: one except per exit code, in order
    args = build_parser().parse_args(argv)
    level = getattr(logging, args.log_level)
    # A no-op when the host (Airflow, pytest) already configured logging; our level still holds.
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s: %(message)s")
    logging.getLogger("fraud_detection").setLevel(level)
    if level > logging.DEBUG:  # botocore logs credential and endpoint discovery at INFO
        logging.getLogger("botocore").setLevel(logging.WARNING)
        for handler in logging.getLogger().handlers:
            handler.addFilter(_warnings_of_distributed)  # added once: it is the same function
    log.debug("Arguments: %s", vars(args))
    own_this_process()  # chunks run in this process may tune its allocator
    try:
        cfg = load_config(args.config, _overrides(args))
        return _run(cfg, args.s3 or cfg.s3_upload)
    except ConfigError as exc:
        for problem in exc.problems:
            log.error("Config error: %s", problem)
        return EXIT_ERROR
    except S3UploadError as exc:
        log.error("S3 upload failed: %s", exc)
        return EXIT_S3
    except SimulatorError as exc:  # e.g. the report could not read what was written
        log.error("Error: %s", exc)
        return EXIT_ERROR
    except Terminated:
        log.error("Terminated (SIGTERM): what the run staged was removed")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        log.error("Interrupted: what the run staged was removed")
        return EXIT_INTERRUPTED
    except OSError as exc:
        log.error("Output error: %s", exc)
        return EXIT_ERROR
    except Exception:
        log.exception("Unexpected error")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
