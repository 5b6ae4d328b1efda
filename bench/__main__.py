"""Run the benchmark suite and write bench/RESULTS.md.

python -m bench            three rounds of: the floor at 1M and 10M rows, the generator at 1M
                           and 10M rows with 1 and 2 workers (and v2 at 10M, and v3 at 10M
                           with its world built); then 50M rows once (memory flatness);
                           medians and spreads (about 11 minutes)
python -m bench --quick    one round, no 50M (about 2 minutes; not for RESULTS.md targets)
python -m bench --huge     ... and 100M rows (about 15 GB of disk while it runs)
python -m bench --scale    only the scale cases: the shipped config (parts layout) at 10M,
                           100M and 300M rows over its 90 days, and 100M over a year, with
                           the time to the first chunk and the driver's own peak (about 25
                           minutes and 20 GB of disk while it runs)

The generator's runs load their world from the world cache (bench/cache/, emptied and filled
before the rounds, as each config's first run would fill it), except the case marked "world
built", a config's first run. Each case runs as its own process tree; wall time is measured
around it and peak memory is the largest sum of RSS over the tree (parent and workers),
sampled every 50 ms. Every round runs the floor next to the generator, so a ratio to the
floor compares runs made under the same conditions; the tables give the median over rounds
and the spread (lowest-highest).
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psutil
import yaml

import fraud_detection
from fraud_detection.simulator.config import load_config
from fraud_detection.simulator.core import cache_world
from fraud_detection.simulator.libcache import CACHE_ENV
from fraud_detection.simulator.worldcache import WORLD_CACHE_ENV

from .profile import stage_breakdown, startup_breakdown

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
CACHE = ROOT / "bench" / "cache"  # the runs' library and world cache, emptied at the start
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
    # True: the run loads its catalogs, world and plan from the world cache (the bench warms
    # it first); False: it builds them, as a config's first run does.
    world_cache: bool = True

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
        if not self.world_cache:
            who = f"{who}, world built"
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
    startup_s: float | None = None  # from the config loaded ("Generating") to the first chunk

    @property
    def rows_per_s(self) -> float:
        return self.case.rows / self.wall_s


def _config_file(case: Case, work: Path) -> Path:
    """Write the generator config of ``case`` into ``work``; return its path."""
    work.mkdir(parents=True, exist_ok=True)
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
    return path


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
    return [
        sys.executable,
        "-m",
        "fraud_detection.simulator",
        "--config",
        str(_config_file(case, work)),
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
    env = {**os.environ, CACHE_ENV: str(CACHE)}
    if not case.world_cache:
        env[WORLD_CACHE_ENV] = "off"
    if case.kind == "generator" and case.workers == 1 and case.one_thread:
        env["POLARS_MAX_THREADS"] = "1"
    child = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    marks: dict[str, float] = {}
    reader = threading.Thread(target=_watch_log, args=(child, start, marks), daemon=True)
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
    first = marks.get("first_chunk")
    startup = first - marks["config"] if first is not None and "config" in marks else None
    return Measurement(
        case, wall, peak_tree / 2**20, peak_single / 2**20, first, peak_driver / 2**20, startup
    )


def _watch_log(child: subprocess.Popen[str], start: float, marks: dict[str, float]) -> None:
    """Read the child's log; note when its config is loaded (the "Generating" line) and when
    its first chunk is done; show warnings and errors."""
    assert child.stderr is not None
    for line in child.stderr:
        if "config" not in marks and " Generating " in line:
            marks["config"] = time.perf_counter() - start
        if "first_chunk" not in marks and " Chunk 1/" in line:
            marks["first_chunk"] = time.perf_counter() - start
        if "WARNING" in line or "ERROR" in line:
            print(line, end="", file=sys.stderr)


@dataclass(frozen=True)
class Summary:
    """Every run of one case: medians and spreads over the rounds."""

    case: Case
    runs: tuple[Measurement, ...]

    @property
    def wall_s(self) -> float:
        return statistics.median(m.wall_s for m in self.runs)

    @property
    def spread(self) -> str:
        walls = [m.wall_s for m in self.runs]
        return f"{min(walls):.1f}-{max(walls):.1f}" if len(walls) > 1 else ""

    @property
    def peak_tree_mib(self) -> float:
        return max(m.peak_tree_mib for m in self.runs)

    @property
    def peak_single_mib(self) -> float:
        return max(m.peak_single_mib for m in self.runs)

    @property
    def startup_s(self) -> float | None:
        found = [m.startup_s for m in self.runs if m.startup_s is not None]
        return statistics.median(found) if found else None


@dataclass(frozen=True)
class Ratio:
    """A ratio of two cases' walls, round by round (runs of the same round side by side)."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def __str__(self) -> str:
        spread = f" ({min(self.values):.2f}-{max(self.values):.2f})" if len(self.values) > 1 else ""
        return f"{self.median:.2f} x{spread}"


def summarise(results: list[Measurement]) -> list[Summary]:
    """Return one summary per case, in the order the cases first ran."""
    by_case: dict[Case, list[Measurement]] = {}
    for m in results:
        by_case.setdefault(m.case, []).append(m)
    return [Summary(case, tuple(runs)) for case, runs in by_case.items()]


def ratio(summaries: list[Summary], top: Case, bottom: Case) -> Ratio | None:
    """Return ``top``'s wall over ``bottom``'s, paired by round (None if either is missing)."""
    found = {s.case: s.runs for s in summaries}
    if top not in found or bottom not in found:
        return None
    pairs = zip(found[top], found[bottom], strict=False)
    return Ratio(tuple(a.wall_s / b.wall_s for a, b in pairs))


def _find(summaries: list[Summary], case: Case) -> Summary | None:
    return next((s for s in summaries if s.case == case), None)


FLOOR_10M = Case("floor", 10**7)
V3_10M_2, V3_10M_1 = Case("generator", 10**7, 2), Case("generator", 10**7, 1)
V3_1M_2, V2_10M_2 = Case("generator", 10**6, 2), Case("generator", 10**7, 2, realism="v2")
V3_50M_2, V3_100M_2 = Case("generator", 5 * 10**7, 2), Case("generator", 10**8, 2)
V3_10M_2_BUILT = Case("generator", 10**7, 2, world_cache=False)
STARTUP_S = 1.0  # issue 21: config to first chunk at the shipped catalog sizes


def _targets(summaries: list[Summary]) -> list[tuple[str, str, bool]]:
    rows: list[tuple[str, str, bool]] = []
    v3 = ratio(summaries, V3_10M_2, FLOOR_10M)
    if v3:
        ok = v3.median <= 1.0
        rows.append(("10M rows v3, 2 workers: wall <= 1.0 x the floor (median)", str(v3), ok))
    v2 = ratio(summaries, V2_10M_2, FLOOR_10M)
    if v2:
        ok = v2.median <= 1.5
        rows.append(("10M rows v2, 2 workers: wall <= 1.5 x the floor (median)", str(v2), ok))
    speedup = ratio(summaries, V3_10M_1, V3_10M_2)
    if speedup:
        ok = speedup.median >= 1.7
        rows.append(("2 workers >= 1.7 x faster than 1 (10M, 1 thread)", str(speedup), ok))
    g10, g50 = _find(summaries, V3_10M_2), _find(summaries, V3_50M_2)
    for case, how in ((V3_10M_2, "world cached"), (V3_10M_2_BUILT, "world built: a first run")):
        found = _find(summaries, case)
        if found and found.startup_s is not None:
            what = f"start-up <= {STARTUP_S:.0f} s (config to first chunk, 10M, 2 workers, {how})"
            rows.append((what, f"{found.startup_s:.2f} s", found.startup_s <= STARTUP_S))
    if g10:
        gib = g10.peak_tree_mib / 1024
        rows.append(("peak memory, all processes, 10M < 2 GiB", f"{gib:.2f} GiB", gib < 2))
    if g10 and g50:
        growth = g50.peak_tree_mib / g10.peak_tree_mib
        rows.append(("peak memory flat 10M -> 50M (within 20%)", f"{growth:.2f} x", growth <= 1.2))
    scale = ratio(summaries, V3_10M_2, V3_1M_2)
    if scale:
        ok = scale.median <= 11
        rows.append(("10M takes <= 11 x the time of 1M (2 workers)", str(scale), ok))
    g100 = _find(summaries, V3_100M_2)
    if g100:
        rows.append(("100M rows complete on this machine", f"{g100.wall_s:.0f} s", True))
    return rows


SCALE_START, SCALE_END = "<!-- scale:start -->", "<!-- scale:end -->"
SCALE_CASES = (  # the world built: the time to the first chunk is planning at scale
    Case("generator", 10**7, 2, layout="parts", world_cache=False),
    Case("generator", 10**8, 2, layout="parts", world_cache=False),
    Case("generator", 10**8, 2, layout="parts", end_date="2025-12-31", world_cache=False),
    Case("generator", 3 * 10**8, 2, layout="parts", world_cache=False),
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


def render(
    summaries: list[Summary],
    rounds: int,
    stages: list[tuple[str, float]],
    startup_stages: list[tuple[str, float]],
    notes: str,
) -> str:
    floors = {s.case.rows: s.case for s in summaries if s.case.kind == "floor"}
    lines = [
        "# Benchmark results",
        "",
        f"Measured {date.today().isoformat()} by `python -m bench` on {_machine()}.",
        "Shipped config (v3, medium, single file, batch 100k) unless a case names another"
        " realism; each case is its own process tree.",
        f"{rounds} round(s), each running every case once (the floor beside the generator):"
        " wall is the median over rounds with the lowest-highest spread, peak memory the"
        " highest; \"/ floor\" divides each round's wall by that round's floor (median, spread);"
        ' start-up is from the config loaded (the "Generating" log line) to the first chunk'
        " written (median). Generator runs load the catalogs, world and chunk plan from the"
        " world cache, stored before the rounds as a config's first run would, except those"
        ' marked "world built" (a first run, or FRAUD_SIMULATOR_WORLD_CACHE=off).',
        "",
        "| case | rows | runs | wall (s) | spread (s) | rows/s | start-up (s)"
        " | peak RSS, all processes (MiB) | largest process (MiB) | / floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for sm in summaries:
        floor = floors.get(sm.case.rows)
        vs = ratio(summaries, sm.case, floor) if floor and sm.case.kind == "generator" else None
        startup = f"{sm.startup_s:.2f}" if sm.startup_s is not None else ""
        lines.append(
            f"| {sm.case.label} | {sm.case.rows:,} | {len(sm.runs)} | {sm.wall_s:.1f} |"
            f" {sm.spread} | {sm.case.rows / sm.wall_s:,.0f} | {startup} |"
            f" {sm.peak_tree_mib:,.0f} | {sm.peak_single_mib:,.0f} | {vs or ''} |"
        )
    lines += ["", "## Targets", "", "| target | measured | met |", "| --- | ---: | :---: |"]
    lines += [
        f"| {name} | {value} | {'yes' if ok else '**no**'} |"
        for name, value, ok in _targets(summaries)
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
    lines += [
        "",
        "The driver's start-up at the shipped sizes, by what it does (profiled with pyinstrument",
        "in a fresh process, imports done, the library cache on disk; a run then stages the",
        "world for its workers and they make the first chunk):",
        "",
        "| stage | ms |",
        "| --- | ---: |",
    ]
    lines += [f"| {name} | {t * 1000:.0f} |" for name, t in startup_stages]
    lines += ["", NOTES_MARK, notes.strip(), ""]
    return "\n".join(lines)


def _run(cases: list[Case] | tuple[Case, ...], work: Path) -> list[Measurement]:
    results = []
    for case in cases:
        result = measure(case, work)
        first = f" first chunk {result.first_chunk_s:.1f} s" if result.first_chunk_s else ""
        if result.startup_s is not None:
            first += f" (start-up {result.startup_s:.2f} s)"
        print(
            f"{case.label:40s} {case.rows:>12,} rows {result.wall_s:8.1f} s"
            f" {result.rows_per_s:>12,.0f} rows/s {result.peak_tree_mib:8,.0f} MiB{first}",
            flush=True,
        )
        results.append(result)
    return results


def warm(cases: list[Case], work: Path) -> None:
    """Store the world of every case that loads it in the bench's (emptied) cache: as a
    config's first run would, so every measured run of it is a later run. Our modules are
    compiled first, as on an install that caches bytecode (where PYTHONDONTWRITEBYTECODE is
    set, every process would compile 170 modules again: about 0.1 s of its start)."""
    compileall.compile_dir(Path(fraud_detection.__file__).parent, quiet=1)
    shutil.rmtree(CACHE, ignore_errors=True)
    os.environ[CACHE_ENV] = str(CACHE)
    os.environ.pop(WORLD_CACHE_ENV, None)
    for case in cases:
        if case.kind == "generator" and case.world_cache:
            start = time.perf_counter()
            if cache_world(load_config(_config_file(case, work))):
                print(f"world cached for {case.rows:,} rows ({case.realism or 'v3'})"
                      f" in {time.perf_counter() - start:.1f} s", flush=True)  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


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
    parser.add_argument("--quick", action="store_true", help="one round, no 50M rows")
    parser.add_argument("--huge", action="store_true", help="add 100M rows")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the 1M and 10M cases (default 3)"
    )
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
    rounds = 1 if args.quick else max(1, args.rounds)
    cases = [
        Case("floor", 10**6),
        Case("floor", 10**7),
        Case("generator", 10**6, 1),
        Case("generator", 10**6, 2),
        Case("generator", 10**7, 1),
        Case("generator", 10**7, 1, one_thread=False),
        Case("generator", 10**7, 2),
        V3_10M_2_BUILT,
        Case("generator", 10**7, 2, realism="v2"),
    ]
    once = [] if args.quick else [V3_50M_2]
    if args.huge:
        once.append(V3_100M_2)
    warm([*cases, *once], args.work)
    results = []
    for number in range(rounds):
        print(f"round {number + 1} of {rounds}", flush=True)
        results += _run(cases, args.work)
    results += _run(once, args.work)
    summaries = summarise(results)
    stages, startup = stage_breakdown(), startup_breakdown()
    old = RESULTS.read_text("utf-8") if RESULTS.exists() else ""
    notes = old.split(NOTES_MARK, 1)[1] if NOTES_MARK in old else ""
    section = (
        old[old.index(SCALE_START) : old.index(SCALE_END) + len(SCALE_END)]
        if (SCALE_START in old and SCALE_END in old)
        else ""
    )
    text = render(summaries, rounds, stages, startup, notes)
    RESULTS.write_text(_with_scale(text, section) if section else text, "utf-8")
    for name, value, ok in _targets(summaries):
        print(f"{'ok ' if ok else 'MISS'} {name}: {value}")
    print(f"written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
