"""``fraud-report DATASET``: parse flags, build the report, map errors to one line and an exit.

Exit codes: 0 report written; 1 bad input (dataset, catalog, config or flag) or a failure to
write, with one line per problem and no partial report files; 3 report written but it found
problems, with ``--fail-on problems`` (for CI pipelines that gate on the report).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import polars as pl

from ..config import load_config
from ..errors import ConfigError
from .analysis.split import DEFAULT_MAX_MODEL_ROWS
from .build import ReportSettings, build_report, save_report
from .errors import ReportInputError
from .page.markup import tolerance, value

log = logging.getLogger("fraud_detection.simulator.report")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_PROBLEMS = 3


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line and exit 1, like every other bad input."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"Argument error: {message}\n")


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the ``fraud-report`` argument parser."""
    parser = _Parser(
        prog="fraud-report",
        description="Write report.html and report.json for a generated dataset: overview, "
        "schema and config fidelity, plots, leakage check and a baseline model.",
    )
    parser.add_argument("dataset", type=Path, help="a Parquet file or a directory of parts")
    parser.add_argument(
        "--catalog", type=Path, help="catalog directory (default: nearest catalog/ above)"
    )
    parser.add_argument("--config", type=Path, help="generator config: adds the fidelity checks")
    parser.add_argument(
        "--out", type=Path, help="output directory (default: {out_dir}/reports/{dataset name}/)"
    )
    parser.add_argument(
        "--max-model-rows",
        type=_positive,
        default=DEFAULT_MAX_MODEL_ROWS,
        help="leakage/model sample cap, rows (default: %(default)s)",
    )
    parser.add_argument(
        "--fail-on",
        choices=("never", "problems"),
        default="never",
        help="problems: exit 3 when the report finds a failed check or a leak (default: never)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def problem_line(problem: dict[str, Any]) -> str:
    """Return one problem as a line: where, what, expected, measured and tolerance."""
    unit = problem["unit"]
    return (
        f"Problem: {problem['section']}: {problem['label']}: expected "
        f"{value(problem['expected'], unit)}, measured {value(problem['measured'], unit)} "
        f"(tolerance {tolerance(problem['tolerance'], unit)})"
    )


def _run(args: argparse.Namespace) -> int:
    config = load_config(args.config) if args.config is not None else None
    settings = ReportSettings(max_model_rows=args.max_model_rows)
    report = build_report(args.dataset, args.catalog, config, settings)
    html_path, json_path = save_report(report, args.dataset, args.out)
    print(f"report.html: {html_path}")
    print(f"report.json: {json_path}")
    found = report.data["verdict"]["problems"]
    for problem in found:
        print(problem_line(problem), file=sys.stderr)
    if found and args.fail_on == "problems":
        return EXIT_PROBLEMS
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the report CLI; return the process exit code."""
    args = build_parser().parse_args(argv)
    level = logging.WARNING if args.quiet else logging.INFO
    # A no-op when the host already configured logging; our own logger's level holds either way.
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    log.setLevel(level)
    try:
        return _run(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"Config error: {problem}", file=sys.stderr)
    except ReportInputError as exc:
        print(f"Input error: {exc}", file=sys.stderr)
    except pl.exceptions.ComputeError as exc:  # what Polars raises for a damaged file
        print(f"Input error: cannot read {args.dataset}: {_first_line(exc)}", file=sys.stderr)
    except OSError as exc:
        print(f"Output error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("Interrupted: no report written", file=sys.stderr)
    except Exception:
        log.exception("Unexpected error (a bug: please report it); no report written")
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
