#!/usr/bin/env python3
"""First green run: from nothing to a passing test suite, Django and Flask side by side.

    .venv/bin/python benchmarks/firstrun.py            # 5 interleaved rounds
    .venv/bin/python benchmarks/firstrun.py --runs 9
    .venv/bin/python benchmarks/firstrun.py --write    # also record it in RESULTS.md

Each round, for each framework in turn (the order swapped every round, so that other
work on the machine weighs on both alike), times what a user types:

1. `scaffold new DEST --framework F --defaults --install --quiet` (the packaged
   template; uv: `uv lock` + `uv sync --extra dev`, uv's cache warm after the untimed
   first round);
2. `.venv/bin/python -m pytest -q -p no:cacheprovider` in DEST: the project's own
   tests, coverage included, as they run the first time (no bytecode cached yet for
   the project's packages: uv does not compile at install).

The report gives the median (min-max) of each step and of the sum (target: under 5 s
per starter), and the Flask / Django ratio of the test suites. Nothing passes or fails
on a number.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import BIN, RESULTS, user_env, write_results

from scaffold.starters import FRAMEWORKS

START, END = "<!-- firstrun:start -->", "<!-- firstrun:end -->"
TARGET = 5.0
SUMMARY = re.compile(r"(\d+) passed")


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout


def one_round(framework: str, work: Path, env: dict[str, str]) -> tuple[float, float, str]:
    dest = work / f"first-{framework}"
    shutil.rmtree(dest, ignore_errors=True)
    new = [f"{BIN}/scaffold", "new", str(dest), "--framework", framework, "--defaults"]
    new_s, _ = timed([*new, "--install", "--quiet"], work, env)
    test_s, out = timed(
        [str(dest / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        dest,
        env,
    )
    passed = SUMMARY.search(out)
    return new_s, test_s, passed.group(1) if passed else "?"


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed rounds [5]")
    parser.add_argument("--write", action="store_true", help="record the results in RESULTS.md")
    args = parser.parse_args(argv)
    env = user_env()
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    new: dict[str, list[float]] = {f: [] for f in FRAMEWORKS}
    tests: dict[str, list[float]] = {f: [] for f in FRAMEWORKS}
    counts: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="scaffold-firstrun-") as tmp:
        work = Path(tmp)
        for framework in FRAMEWORKS:  # untimed: uv's cache warm, as on a second project
            one_round(framework, work, env)
        for n in range(args.runs):
            order = FRAMEWORKS if n % 2 == 0 else tuple(reversed(FRAMEWORKS))
            for framework in order:
                new_s, test_s, counts[framework] = one_round(framework, work, env)
                new[framework].append(new_s)
                tests[framework].append(test_s)
            print(f"   round {n + 1}/{args.runs}", file=sys.stderr, flush=True)
    load_after = os.getloadavg()[0]

    given = " ".join(argv if argv is not None else sys.argv[1:])
    lines = [
        f"Command: `python benchmarks/firstrun.py{' ' + given if given else ''}`  ",
        f"Date: {started.strftime('%Y-%m-%d %H:%M UTC')}  ",
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, load average "
        f"{load_before:.2f} before, {load_after:.2f} after  ",
        f"Python {platform.python_version()}, uv (warm cache); seconds, median (min-max) of "
        f"{args.runs} interleaved rounds",
        "",
        "| starter | `scaffold new --install` | its tests | total | target | |",
        "|---|---|---|---|---|---|",
    ]
    for framework in FRAMEWORKS:
        total = [a + b for a, b in zip(new[framework], tests[framework], strict=True)]
        verdict = "met" if statistics.median(total) < TARGET else "NOT met"
        lines.append(
            f"| {framework} ({counts[framework]} tests) | {cell(new[framework])} "
            f"| {cell(tests[framework])} | {cell(total)} | under {TARGET:g} s | {verdict} |"
        )
    ratio = statistics.median(tests["flask"]) / statistics.median(tests["django"])
    lines += ["", f"Flask / Django, the tests: {ratio:.2f}."]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_results(text, START, END)
        print(f"\nrecorded in {RESULTS.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
