"""Run the benchmark suite and write bench/RESULTS.md.

python -m bench            1M and 10M rows, 1 and 2 workers (and v2 at 10M), plus the floor
                           (about 3 minutes)
python -m bench --large    also 50M rows (memory flatness) ...
python -m bench --huge     ... and 100M rows (about 15 GB of disk while it runs)
python -m bench --scale    only the scale cases: the shipped config (parts layout) at 10M,
                           100M and 300M rows over its 90 days, and 100M over a year, with
                           the time to the first chunk and the driver's own peak (about 25
                           minutes and 20 GB of disk while it runs)

Each case runs as its own process tree; wall time is measured around it and peak memory is
the largest sum of RSS over the tree (parent and workers), sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psutil
import yaml

from .profile import stage_breakdown

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
NOTES_MARK = "<!-- notes: everything below is kept when the results are regenerated -->"
GIB = 1024**3


@dataclass(frozen=True)
class Case:
    kind: str  # "generator" or "floor"
    rows: int
    workers: int = 1
    # One worker runs in-process, where Polars may use every core for encoding; a single
    # Polars thread makes it one core, the unit the parallel-efficiency target compares with.
    one_thread: bool = True
    realism: str | None = None  # None: the shipped config's (v3)
    layout: str | None = None  # None: the shipped config's (single)
    end_date: str | None = None  # None: the shipped config's (90 days)

    @property
    def label(self) -> str:
        if self.kind == "floor":
            return "floor (numpy + pyarrow, 1 process)"
        who = f"generator, {self.workers} worker{'s' if self.workers > 1 else ''}"
        if self.layout:
            who = f"{who}, {self.layout}"
        if self.end_date:
            who = f"{who}, to {self.end_date}"
        if self.realism:
            who = f"{who} ({self.realism})"
        if self.workers == 1:
            who += ", 1 thread" if self.one_thread else ", Polars threads"
        return who


@dataclass(frozen=True)
class Measurement:
    case: Case
    wall_s: float
    peak_tree_mib: float
    peak_single_mib: float
    first_chunk_s: float | None = None  # from start to the first chunk's log line
    peak_driver_mib: float | None = None

    @property
    def rows_per_s(self) -> float:
        return self.case.rows / self.wall_s


def _command(case: Case, work: Path) -> list[str]:
    if case.kind == "floor":
        return [
            sys.executable,
            "-m",
            "bench.floor",
            "--rows",
            str(case.rows),
            "--out",
            str(work / "floor.parquet"),
        ]
    config = yaml.safe_load((ROOT / "generator_config.yaml").read_text())
    config.update(total_rows=case.rows, num_workers=case.workers, out_dir=str(work))
    config.pop("report", None)
    if case.layout:
        config["output"] = {**config.get("output", {}), "layout": case.layout}
    if case.end_date:
        config["temporal"] = {**config.get("temporal", {}), "end_date": case.end_date}
    if case.realism:
        config["realism"] = case.realism
        if case.realism != "v3":  # v3's own sections and card activity
            for section in ("population", "fraud"):
                config.pop(section, None)
            config.get("catalog", {}).pop("card_zipf_exponent", None)
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return [
        sys.executable,
        "-m",
        "fraud_detection.simulator",
        "--config",
        str(path),
        "--log-level",
        "INFO",  # each chunk's line: the first one times the start-up
    ]


def _tree_rss(proc: psutil.Process) -> tuple[int, int]:
    total = largest = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for member in members:
        try:
            rss = member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


def measure(case: Case, work: Path) -> Measurement:
    """Return wall time, time to the first chunk and peak memory (all processes, the
    largest one, the driver) of one case, run in its own process tree."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    command = _command(case, work)
    start = time.perf_counter()
    env = dict(os.environ)
    if case.kind == "generator" and case.workers == 1 and case.one_thread:
        env["POLARS_MAX_THREADS"] = "1"
    child = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    first_chunk: list[float] = []
    reader = threading.Thread(target=_watch_log, args=(child, start, first_chunk), daemon=True)
    reader.start()
    proc = psutil.Process(child.pid)
    peak_tree = peak_single = peak_driver = 0
    while child.poll() is None:
        tree, single = _tree_rss(proc)
        peak_tree, peak_single = max(peak_tree, tree), max(peak_single, single)
        with contextlib.suppress(psutil.NoSuchProcess):
            peak_driver = max(peak_driver, proc.memory_info().rss)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    reader.join(5)
    if child.returncode != 0:
        raise SystemExit(f"{case} failed with exit code {child.returncode}")
    shutil.rmtree(work, ignore_errors=True)
    return Measurement(
        case, wall, peak_tree / 2**20, peak_single / 2**20,
        first_chunk[0] if first_chunk else None, peak_driver / 2**20,
    )  # fmt: skip


def _watch_log(child: subprocess.Popen[str], start: float, first_chunk: list[float]) -> None:
    """Read the child's log; note when its first chunk is done; show warnings and errors."""
    assert child.stderr is not None
    for line in child.stderr:
        if not first_chunk and " Chunk 1/" in line:
            first_chunk.append(time.perf_counter() - start)
        if "WARNING" in line or "ERROR" in line:
            print(line, end="", file=sys.stderr)


def _find(
    results: list[Measurement], kind: str, rows: int, workers: int = 1, realism: str | None = None
) -> Measurement | None:
    return next((m for m in results if m.case == Case(kind, rows, workers, realism=realism)), None)


def _targets(results: list[Measurement]) -> list[tuple[str, str, bool]]:
    rows: list[tuple[str, str, bool]] = []
    g10_2, g10_1 = _find(results, "generator", 10**7, 2), _find(results, "generator", 10**7, 1)
    g1_2, floor10 = _find(results, "generator", 10**6, 2), _find(results, "floor", 10**7)
    g50 = _find(results, "generator", 5 * 10**7, 2)
    if g10_2 and floor10:
        ratio = g10_2.wall_s / floor10.wall_s
        rows.append(("10M rows v3, 2 workers: wall <= 1.3 x floor", f"{ratio:.2f} x", ratio <= 1.3))
    v2 = _find(results, "generator", 10**7, 2, "v2")
    if v2 and floor10:
        ratio = v2.wall_s / floor10.wall_s
        rows.append(("10M rows v2, 2 workers: wall <= 1.5 x floor", f"{ratio:.2f} x", ratio <= 1.5))
    if g10_2 and g10_1:
        speedup = g10_1.wall_s / g10_2.wall_s
        rows.append(
            ("2 workers >= 1.6 x faster than 1 (10M, 1 thread)", f"{speedup:.3f} x", speedup >= 1.6)
        )
    if g10_2:
        gib = g10_2.peak_tree_mib / 1024
        rows.append(("peak memory, all processes, 10M < 2 GiB", f"{gib:.2f} GiB", gib < 2))
    if g10_2 and g50:
        growth = g50.peak_tree_mib / g10_2.peak_tree_mib
        rows.append(("peak memory flat 10M -> 50M (within 20%)", f"{growth:.2f} x", growth <= 1.2))
    if g10_2 and g1_2:
        scale = g10_2.wall_s / g1_2.wall_s
        rows.append(("10M takes <= 11 x the time of 1M (2 workers)", f"{scale:.2f} x", scale <= 11))
    g100 = _find(results, "generator", 10**8, 2)
    if g100:
        rows.append(("100M rows complete on this machine", f"{g100.wall_s:.0f} s", True))
    return rows


SCALE_START, SCALE_END = "<!-- scale:start -->", "<!-- scale:end -->"
SCALE_CASES = (
    Case("generator", 10**7, 2, layout="parts"),
    Case("generator", 10**8, 2, layout="parts"),
    Case("generator", 10**8, 2, layout="parts", end_date="2025-12-31"),
    Case("generator", 3 * 10**8, 2, layout="parts"),
)


def _scale_targets(results: list[Measurement]) -> list[tuple[str, str, bool]]:
    by_case = {m.case: m for m in results}
    base, year = by_case.get(SCALE_CASES[0]), by_case.get(SCALE_CASES[2])
    rows: list[tuple[str, str, bool]] = []
    for m in (by_case.get(SCALE_CASES[1]), year):
        if m is None:
            continue
        what = "100M rows" + (" over a year" if m is year else " over 90 days")
        first = m.first_chunk_s if m.first_chunk_s is not None else float("inf")
        rows.append((f"{what}: first chunk within 30 s", f"{first:.1f} s", first <= 30))
        driver = (m.peak_driver_mib or 0) / 1024
        rows.append((f"{what}: driver peak <= 2 GiB", f"{driver:.2f} GiB", driver <= 2))
        if base:
            growth = m.peak_tree_mib / base.peak_tree_mib
            ok = growth <= 1.5
            rows.append((f"{what}: all processes within 1.5 x the 10M run", f"{growth:.2f} x", ok))
    big = by_case.get(SCALE_CASES[3])
    if big and base:
        ratio = big.rows_per_s / base.rows_per_s
        rows.append(("300M rows: throughput within 15% of 10M", f"{ratio:.2f} x", ratio >= 0.85))
    return rows


def render_scale(results: list[Measurement]) -> str:
    """Return the scale section of RESULTS.md (between its markers)."""
    lines = [
        SCALE_START,
        "## Scale",
        "",
        f"Measured {date.today().isoformat()} by `python -m bench --scale` on {_machine()}.",
        "The shipped config with `total_rows` raised, 2 workers, `output.layout: parts`; the",
        "first chunk is the time from start to the log line of chunk 1 (catalogs, world,",
        "episode plan and chunk plan on the driver, then one chunk).",
        "",
        "| case | rows | wall (s) | rows/s | first chunk (s) | driver peak (MiB)"
        " | all processes peak (MiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in results:
        first = f"{m.first_chunk_s:.1f}" if m.first_chunk_s is not None else "-"
        lines.append(
            f"| {m.case.label} | {m.case.rows:,} | {m.wall_s:.1f} | {m.rows_per_s:,.0f} |"
            f" {first} | {m.peak_driver_mib or 0:,.0f} | {m.peak_tree_mib:,.0f} |"
        )
    lines += ["", "| target | measured | met |", "| --- | ---: | :---: |"]
    lines += [
        f"| {name} | {value} | {'yes' if ok else '**no**'} |"
        for name, value, ok in _scale_targets(results)
    ]
    return "\n".join([*lines, SCALE_END])


def _with_scale(text: str, section: str) -> str:
    """Return RESULTS.md's text with its scale section replaced (or added before the notes)."""
    if SCALE_START in text and SCALE_END in text:
        head, rest = text.split(SCALE_START, 1)
        return head + section + rest.split(SCALE_END, 1)[1]
    if NOTES_MARK in text:
        head, notes = text.split(NOTES_MARK, 1)
        return f"{head}{section}\n\n{NOTES_MARK}{notes}"
    return f"{text}\n{section}\n"


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy
    import polars
    import pyarrow

    return (
        f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / GIB:.0f} GiB RAM, "
        f"Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"polars {polars.__version__}, pyarrow {pyarrow.__version__}"
    )


def render(results: list[Measurement], stages: list[tuple[str, float]], notes: str) -> str:
    floor = {m.case.rows: m for m in results if m.case.kind == "floor"}
    lines = [
        "# Benchmark results",
        "",
        f"Measured {date.today().isoformat()} by `python -m bench` on {_machine()}.",
        "Shipped config (v3, medium, single file, batch 100k) unless a case names another"
        " realism; each case is its own process tree.",
        "",
        "| case | rows | wall (s) | rows/s | peak RSS, all processes (MiB)"
        " | largest process (MiB) | / floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in results:
        ref = floor.get(m.case.rows)
        ratio = f"{m.wall_s / ref.wall_s:.2f}" if ref and m.case.kind == "generator" else ""
        lines.append(
            f"| {m.case.label} | {m.case.rows:,} | {m.wall_s:.1f} | {m.rows_per_s:,.0f} |"
            f" {m.peak_tree_mib:,.0f} | {m.peak_single_mib:,.0f} | {ratio} |"
        )
    lines += ["", "## Targets", "", "| target | measured | met |", "| --- | ---: | :---: |"]
    lines += [
        f"| {name} | {value} | {'yes' if ok else '**no**'} |"
        for name, value, ok in _targets(results)
    ]
    lines += [
        "",
        "## Where the time goes",
        "",
        "One worker's view: CPU time per 100k-row chunk (profiled in-process with pyinstrument,",
        "10 chunks of the shipped config), by stage.",
        "",
        "| stage | ms per chunk | share |",
        "| --- | ---: | ---: |",
    ]
    total = sum(t for _, t in stages) or 1.0
    lines += [f"| {name} | {t * 1000:.1f} | {100 * t / total:.0f}% |" for name, t in stages]
    lines += ["", NOTES_MARK, notes.strip(), ""]
    return "\n".join(lines)


def _run(cases: list[Case] | tuple[Case, ...], work: Path) -> list[Measurement]:
    results = []
    for case in cases:
        result = measure(case, work)
        first = f" first chunk {result.first_chunk_s:.1f} s" if result.first_chunk_s else ""
        print(
            f"{case.label:40s} {case.rows:>12,} rows {result.wall_s:8.1f} s"
            f" {result.rows_per_s:>12,.0f} rows/s {result.peak_tree_mib:8,.0f} MiB{first}",
            flush=True,
        )
        results.append(result)
    return results


def scale(work: Path) -> None:
    """Run the scale cases and write their section of RESULTS.md."""
    results = _run(SCALE_CASES, work)
    old = RESULTS.read_text("utf-8") if RESULTS.exists() else ""
    RESULTS.write_text(_with_scale(old, render_scale(results)), "utf-8")
    for name, value, ok in _scale_targets(results):
        print(f"{'ok ' if ok else 'MISS'} {name}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--large", action="store_true", help="add 50M rows")
    parser.add_argument("--huge", action="store_true", help="add 50M and 100M rows")
    parser.add_argument(
        "--scale", action="store_true", help="only the scale cases (10M to 300M rows, parts)"
    )
    parser.add_argument(
        "--work", type=Path, default=ROOT / "bench" / "out", help="scratch directory"
    )
    args = parser.parse_args()
    if args.scale:
        scale(args.work)
        return
    cases = [
        Case("floor", 10**6),
        Case("floor", 10**7),
        Case("generator", 10**6, 1),
        Case("generator", 10**6, 2),
        Case("generator", 10**7, 1),
        Case("generator", 10**7, 1, one_thread=False),
        Case("generator", 10**7, 2),
        Case("generator", 10**7, 2, realism="v2"),
    ]
    if args.large or args.huge:
        cases.append(Case("generator", 5 * 10**7, 2))
    if args.huge:
        cases.append(Case("generator", 10**8, 2))
    results = _run(cases, args.work)
    stages = stage_breakdown()
    old = RESULTS.read_text("utf-8") if RESULTS.exists() else ""
    notes = old.split(NOTES_MARK, 1)[1] if NOTES_MARK in old else ""
    section = (
        old[old.index(SCALE_START) : old.index(SCALE_END) + len(SCALE_END)]
        if (SCALE_START in old and SCALE_END in old)
        else ""
    )
    text = render(results, stages, notes)
    RESULTS.write_text(_with_scale(text, section) if section else text, "utf-8")
    for name, value, ok in _targets(results):
        print(f"{'ok ' if ok else 'MISS'} {name}: {value}")
    print(f"written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
