#!/usr/bin/env python3
"""Worker start-up and memory: the Django and Flask starters under gunicorn, side by side.

    .venv/bin/python benchmarks/startup.py              # 7 interleaved starts each
    .venv/bin/python benchmarks/startup.py --runs 15
    .venv/bin/python benchmarks/startup.py --write      # also record it in RESULTS.md

Each starter is generated with the default answers (SQLite), installed with uv (bytecode
compiled, as pip does), migrated and prepared as its README's deployment section says,
then started again and again with its own gunicorn.conf.py (2 gthread workers), the two
frameworks in turn (the order swapped every round), so that other work on the machine
weighs on both alike. Per start:

- cold start: from starting gunicorn to the first answer of /api/health/;
- memory: the resident memory (VmRSS) of each worker once both have answered a few
  requests (the home page, the article list, the health view), the mean of the workers.

The report gives the median (min-max) of each and the ratio Flask / Django (target: at
most 1). Nothing passes or fails on a number. Servers bind 127.0.0.1 on free ports and
are stopped on the way out, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from run import RESULTS, user_env, write_results

from scaffold.bench.procs import cleanup_guard
from scaffold.bench.project import StarterProject, generate_project
from scaffold.bench.server import GunicornServer, http_request
from scaffold.starters import FRAMEWORKS

START, END = "<!-- startup:start -->", "<!-- startup:end -->"
PATHS = ("/", "/api/articles/", "/api/health/")
TOUCHES = 6  # requests per path once the server answers: every worker sees some


def prepare(framework: str, work: Path) -> StarterProject:
    project = generate_project(framework, work / framework, {"database": "sqlite"})
    project.forget_dotenv()  # as a fresh clone (CI, production) runs it
    project.install("uv", compile_bytecode=True)
    project.deploy_steps()
    project.migrate()
    return project


def one_start(project: StarterProject) -> tuple[float, float]:
    """Start gunicorn; return (seconds to the first answer, mean worker RSS in MiB)."""
    with GunicornServer(project, workers=2, own_config=True) as server:
        seconds = server.start()
        for _ in range(TOUCHES):
            for path in PATHS:
                http_request(server.base_url, "GET", path, timeout=20)
        deadline = time.perf_counter() + 30
        while True:  # both workers up (the first answer needs only one)
            _, workers = server.worker_rss()
            if len(workers) == server.workers or time.perf_counter() > deadline:
                break
            time.sleep(0.05)
        return seconds, statistics.mean(workers)


def cell(values: list[float], digits: int) -> str:
    return (
        f"{statistics.median(values):.{digits}f} "
        f"({min(values):.{digits}f}-{max(values):.{digits}f}, n={len(values)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="starts per framework [7]")
    parser.add_argument("--write", action="store_true", help="record the results in RESULTS.md")
    args = parser.parse_args(argv)
    env = user_env()  # the projects' commands and servers run in it
    os.environ.clear()
    os.environ.update(env)
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    cold: dict[str, list[float]] = {f: [] for f in FRAMEWORKS}
    rss: dict[str, list[float]] = {f: [] for f in FRAMEWORKS}
    with cleanup_guard(), tempfile.TemporaryDirectory(prefix="scaffold-startup-") as tmp:
        projects = {}
        for framework in FRAMEWORKS:
            print(f"== {framework}: generate, install, migrate", file=sys.stderr, flush=True)
            projects[framework] = prepare(framework, Path(tmp))
        for framework in FRAMEWORKS:  # one untimed start each: files in the page cache
            one_start(projects[framework])
        for n in range(args.runs):
            order = FRAMEWORKS if n % 2 == 0 else tuple(reversed(FRAMEWORKS))
            for framework in order:
                seconds, mib = one_start(projects[framework])
                cold[framework].append(seconds)
                rss[framework].append(mib)
            print(f"   round {n + 1}/{args.runs}", file=sys.stderr, flush=True)
    load_after = os.getloadavg()[0]

    ratio_cold = statistics.median(cold["flask"]) / statistics.median(cold["django"])
    ratio_rss = statistics.median(rss["flask"]) / statistics.median(rss["django"])
    given = " ".join(argv if argv is not None else sys.argv[1:])
    lines = [
        f"Command: `python benchmarks/startup.py{' ' + given if given else ''}`  ",
        f"Date: {started.strftime('%Y-%m-%d %H:%M UTC')}  ",
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, load average "
        f"{load_before:.2f} before, {load_after:.2f} after  ",
        f"Python {platform.python_version()}; gunicorn with each project's gunicorn.conf.py "
        "(2 gthread workers), SQLite; median (min-max, n starts), interleaved",
        "",
        "| measure | django | flask | flask / django | target | |",
        "|---|---|---|---|---|---|",
        f"| cold start to the first answer, s | {cell(cold['django'], 3)} "
        f"| {cell(cold['flask'], 3)} | {ratio_cold:.2f} | <= 1 | "
        f"{'met' if ratio_cold <= 1 else 'NOT met'} |",
        f"| memory per worker (VmRSS after {TOUCHES * len(PATHS)} requests), MiB "
        f"| {cell(rss['django'], 1)} | {cell(rss['flask'], 1)} | {ratio_rss:.2f} | <= 1 | "
        f"{'met' if ratio_rss <= 1 else 'NOT met'} |",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_results(text, START, END)
        print(f"\nrecorded in {RESULTS.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
