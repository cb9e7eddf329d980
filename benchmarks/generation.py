#!/usr/bin/env python3
"""How long a user waits for `scaffold new --defaults`, against `copier copy` of the same
template with the same answers, measured in one run (issue 19, target 1).

    .venv/bin/python benchmarks/generation.py             # 10 rounds per framework
    .venv/bin/python benchmarks/generation.py --runs 20 --framework flask
    .venv/bin/python benchmarks/generation.py --write     # also record it in RESULTS.md

Whole processes, started the way a user starts them (the console scripts of this venv),
each into a new destination. The commands of one round run one after the other, in an
order that rotates from round to round, so that other work on the machine weighs on all
of them alike; each row is the median (and min-max) over the rounds, and the ratio is
scaffold's median over copier's median in the same run. Nothing here passes or fails: the
targets are printed beside the figures.

Compared, per framework:
- `scaffold new DEST --framework F --defaults` (the packaged template, git init + commit
  included), and the same with `--no-git`;
- `copier copy --defaults --vcs-ref HEAD CHECKOUT DEST` of this checkout's template, with
  the answers scaffold stores (framework, why_framework, project and author names).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scaffold.starters import FRAMEWORKS

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "RESULTS.md"
START, END = "<!-- generation:start -->", "<!-- generation:end -->"
BIN = Path(sys.executable).parent
RATIO_TARGET = 0.7  # scaffold new <= 0.7 x copier copy
SECONDS_TARGET = 0.8  # and under 0.8 s median, git commit included
BASELINE_NAME = "the baseline"
COMPARED = ("scaffold new", "scaffold new --no-git", "copier copy")


def commands(framework: str, dest: Path, baseline: Path | None) -> dict[str, list[str]]:
    why = json.dumps([f"Chosen explicitly (scaffold new --framework {framework})."])
    answers = {
        "framework": framework,
        "why_framework": why,
        "project_name": "Site",
        "author_name": "Bench",
        "author_email": "bench@example.com",
    }
    data = [arg for key, value in answers.items() for arg in ("-d", f"{key}={value}")]
    scaffold = [str(BIN / "scaffold"), "new", str(dest), "--framework", framework]
    scaffold += ["--defaults", "--quiet", *data[4:]]  # framework/why_framework: scaffold's own
    copier = [str(BIN / "copier"), "copy", "--quiet", "--defaults", "--vcs-ref", "HEAD"]
    found = {
        "scaffold new": scaffold,
        "scaffold new --no-git": [*scaffold, "--no-git"],
        "copier copy": [*copier, *data, str(REPO), str(dest)],
    }
    if baseline is not None:  # another installation's scaffold, e.g. before a change
        found["baseline scaffold new"] = [str(baseline / "scaffold"), *scaffold[1:]]
    return found


def run_once(cmd: list[str], dest: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the process and its children: git) of one run."""
    shutil.rmtree(dest, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 or not (dest / ".copier-answers.yml").is_file():
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def measure(
    framework: str, runs: int, work: Path, env: dict[str, str], baseline: Path | None
) -> dict[str, list[float]]:
    dest = work / "site"
    cmds = commands(framework, dest, baseline)
    for cmd in cmds.values():  # warm-up: the file cache, .pyc files
        run_once(cmd, dest, env)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    times.update({f"cpu {name}": [] for name in cmds})
    names = list(cmds)
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            wall, cpu = run_once(cmds[name], dest, env)
            times[name].append(wall)
            times[f"cpu {name}"].append(cpu)
    return times


def cell(values: list[float]) -> str:
    return (
        f"{statistics.median(values):.3f} s ({min(values):.3f}-{max(values):.3f}, n={len(values)})"
    )


def report(results: dict[str, dict[str, list[float]]], load: tuple[float, float]) -> str:
    from importlib.metadata import version

    sha = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short=10", "HEAD"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    argv = f" {shlex.join(sys.argv[1:])}" if sys.argv[1:] else ""
    python = platform.python_version()
    lines = [
        f"Command: `python benchmarks/generation.py{argv}`  ",
        f"Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC  ",
        f"Machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} before, "
        f"{load[1]:.2f} after  ",
        f"Versions: scaffold {sha}, copier {version('copier')}, Python {python}  ",
        "",
        "| framework | `scaffold new --defaults` | `--no-git` | `copier copy` "
        "| ratio (git included) | ratio without git | targets: <= 0.7 x, < 0.8 s |",
        "|---|---|---|---|---|---|---|",
    ]
    for framework, times in results.items():
        ours, nogit, peer = (statistics.median(times[name]) for name in COMPARED)
        met = [
            f"ratio {'met' if ours / peer <= RATIO_TARGET else 'NOT met'}",
            f"time {'met' if ours < SECONDS_TARGET else 'NOT met'}",
        ]
        cells = " | ".join(cell(times[name]) for name in COMPARED)
        lines.append(
            f"| {framework} | {cells} | {ours / peer:.3f} | {nogit / peer:.3f} "
            f"| {', '.join(met)} |"
        )
    lines += [
        "",
        "CPU time (user + system of the process and its git children; steadier than the wall",
        "time when other work shares the machine):",
        "",
        "| framework | `scaffold new --defaults` | `--no-git` | `copier copy` "
        "| ratio (git included) | ratio without git |",
        "|---|---|---|---|---|---|",
    ]
    for framework, times in results.items():
        ours, nogit, peer = (statistics.median(times[f"cpu {name}"]) for name in COMPARED)
        cells = " | ".join(cell(times[f"cpu {name}"]) for name in COMPARED)
        lines.append(f"| {framework} | {cells} | {ours / peer:.3f} | {nogit / peer:.3f} |")
    for framework, times in results.items():
        if "baseline scaffold new" in times:
            base = times["baseline scaffold new"]
            ratio = statistics.median(times["scaffold new"]) / statistics.median(base)
            cpu_base = times["cpu baseline scaffold new"]
            cpu_ratio = statistics.median(times["cpu scaffold new"]) / statistics.median(cpu_base)
            lines.append(
                f"\nBaseline ({framework}): `scaffold new --defaults` of {BASELINE_NAME}: "
                f"{cell(base)}, CPU {cell(cpu_base)}; this checkout / baseline = "
                f"{ratio:.3f} (CPU {cpu_ratio:.3f})."
            )
    return "\n".join(lines)


def write(block: str) -> None:
    text = RESULTS.read_text()
    section = f"{START}\n{block}\n{END}"
    if START in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + f"\n\n## Generation\n\n{section}\n"
    RESULTS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="rounds per framework")
    parser.add_argument("--framework", choices=FRAMEWORKS, action="append", help="repeatable")
    parser.add_argument("--write", action="store_true", help="record the results in RESULTS.md")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="BIN",
        help="also time the `scaffold` in this bin folder (another venv), in the same rounds",
    )
    parser.add_argument("--baseline-name", default="the baseline", help="its name in the report")
    args = parser.parse_args()
    global BASELINE_NAME
    BASELINE_NAME = args.baseline_name
    env = {k: v for k, v in os.environ.items() if k != "SCAFFOLD_TEMPLATE"}
    before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-generation-") as tmp:
        results = {
            framework: measure(framework, args.runs, Path(tmp), env, args.baseline)
            for framework in args.framework or FRAMEWORKS
        }
    block = report(results, (before, os.getloadavg()[0]))
    print(block)
    if args.write:
        write(block)


if __name__ == "__main__":
    main()
