"""``scaffold bench``'s run: the Django and Flask starters, measured side by side.

For each starter (generated with the same answers into a temporary folder, or a
copy of a project folder given on the command line) it:

1. counts the lines of generated code and the declared dependencies;
2. installs the project into its own virtual environment (uv when available,
   else venv + pip) and times it, then counts the installed distributions;
3. runs the project's own test suite and times it;
4. migrates, creates a user and seeds the same number of published articles;
5. adds the baseline views (see ``baselines``) to its copy of the project;
6. serves it with gunicorn on 127.0.0.1 (same workers, same worker class), timing
   the cold start to the first answer;
7. checks every endpoint answers as the API contract says, then, with every
   project's server running, warms each endpoint up and loads it for ``duration``
   seconds over ``connections`` connections (wrk when installed, else a Python
   client): the reads in interleaved rounds across endpoints and servers, so that
   other work on the machine weighs on all alike, the writes last; the CPU time
   the workers use meanwhile gives the cost per request;
8. reads the resident memory (VmRSS) of each gunicorn worker, and stops the servers.

Every process it starts runs in its own process group and is stopped on the way
out, including on Ctrl-C and SIGTERM (``procs``). The projects are ``project``'s,
their servers ``server``'s; the result is a plain dict (``--json``), a table and
optionally a bar chart (``report``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import secrets
import shutil
import statistics
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BenchError, BenchProjectError
from ..starters import FRAMEWORKS
from . import baselines
from .endpoints import (
    ENDPOINTS,
    LOAD_ORDER,
    WRITES,
    build_requests,
    check_endpoints,
    first_article_id,
    obtain_token,
)
from .load import LoadResult, Request, combine_rounds, round_plan, run_load, wrk_path
from .procs import cleanup_guard, cpu_seconds
from .project import (
    StarterProject,
    User,
    copy_project,
    count_code,
    declared_dependencies,
    generate_project,
    installed_distributions,
    read_project_answers,
    run_project_tests,
)
from .report import ratios
from .server import GunicornServer

BENCH_ANSWERS: dict[str, Any] = {
    "project_name": "Bench Site",
    "package_name": "bench_site",
    "database": "sqlite",
    "rest_api": True,
    "docker": False,
    "github_actions": False,
    "why_framework": [],
}
BENCH_USER = "bench"


@dataclass
class BenchOptions:
    duration: int = 10
    connections: int = 16
    workers: int = 2
    articles: int = 200
    frameworks: tuple[str, ...] = FRAMEWORKS
    projects: tuple[Path, ...] = ()
    template: str | None = None
    vcs_ref: str | None = None
    tool: str = "auto"  # load tool: auto, wrk, python
    installer: str = "auto"  # auto (uv if available), uv, pip
    run_tests: bool = True
    workdir: Path | None = None  # keep everything here instead of a temporary folder
    cold_starts: int = 3
    rounds: int = 10  # the reads: this many interleaved rounds (of 1 s or more)
    warmup: float | None = None  # seconds per endpoint; default duration / 5, at least 1
    # --async: each starter with and without async_server, on its own gunicorn.conf.py,
    # with the I/O-bound view (see ``concurrency``) instead of the whole comparison.
    async_compare: bool = False
    io_connections: int = 200
    upstream_delay_ms: int = 100


Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def prepare_data(project: StarterProject, articles: int) -> tuple[str, str]:
    """Run the deployment steps, migrate, create the bench user and seed ``articles``
    published articles. Returns the user's (username, password)."""
    user = User(BENCH_USER, "bench-" + secrets.token_urlsafe(16))
    project.deploy_steps()
    project.migrate()
    project.create_user(user)
    project.seed_articles(articles, BENCH_USER, published=True)
    return user.auth


@dataclass
class _Served:
    """A prepared project, its running server and its requests, during the load."""

    key: str  # name in the report ("django", "flask", "django-2", ...)
    project: StarterProject
    result: dict[str, Any]
    server: GunicornServer
    credentials: tuple[str, str]
    requests: dict[str, Request] = field(default_factory=dict)
    measured: dict[str, list[LoadResult]] = field(default_factory=dict)
    memory_after_reads: tuple[float | None, list[float]] = (None, [])


def prepare_project(
    project: StarterProject, options: BenchOptions, say: Progress
) -> dict[str, Any]:
    """Size, install, tests and data of one project; returns its part of the report."""
    name = project.framework
    result: dict[str, Any] = {
        "framework": name,
        "package_name": project.package_name,
        "source": project.source,
        "code": count_code(project.path),
        "dependencies": declared_dependencies(project.path),
        # Celery on Redis (the template's background_jobs answer): mails leave the request.
        "background_jobs": bool(read_project_answers(project.path).get("background_jobs")),
    }
    project.forget_dotenv()  # run as a fresh clone would

    say(f"{name}: installing into its own virtual environment")
    seconds = project.install(options.installer, compile_bytecode=True)
    result["install"] = {"tool": project.installer, "seconds": round(seconds, 2)}
    installed = installed_distributions(project)
    result["dependencies"]["installed"] = len(installed)
    keys = ("django", "djangorestframework", "flask", "flask-sqlalchemy", "sqlalchemy",
            "flask-smorest", "marshmallow", "gunicorn", "werkzeug")  # fmt: skip
    result["versions"] = {k: installed[k] for k in keys if k in installed}

    if options.run_tests:
        say(f"{name}: running the project's test suite")
        result["tests"] = run_project_tests(project)
    return result


def _load_with_cpu(served: _Served, request: Request, duration: float, options: BenchOptions):
    """One load run, with the CPU time the server's workers used meanwhile."""
    workers = served.server.worker_pids()
    cpu_before = cpu_seconds(workers)
    result = run_load(
        served.server.base_url, request, duration=duration,
        connections=options.connections, tool=options.tool,
    )  # fmt: skip
    if served.server.worker_pids() == workers:  # no worker restarted meanwhile
        result.server_cpu_s = cpu_seconds(workers) - cpu_before
    return result


def load_all(targets: list[_Served], options: BenchOptions, say: Progress) -> None:
    """Every endpoint of every server. The reads go in interleaved rounds (each round
    visits every endpoint of every server), so that other work on the machine weighs on
    all of them alike; the writes come last, so the reads see the seeded rows only."""
    warmup = options.warmup if options.warmup is not None else max(1, options.duration // 5)
    rounds, seconds = round_plan(options.duration, options.rounds)
    for t in targets:
        t.measured = {key: [] for key in LOAD_ORDER}
    reads = [key for key in LOAD_ORDER if key not in WRITES]
    if warmup > 0:
        say(f"warm-up: {warmup} s per endpoint")
        for t in targets:
            for key in reads:
                _load_with_cpu(t, t.requests[key], warmup, options)
    for n in range(rounds):
        say(
            f"round {n + 1}/{rounds}: {len(reads)} read endpoints x {len(targets)} servers, "
            f"{seconds} s each, {options.connections} connections"
        )
        for t in targets:
            for key in reads:
                t.measured[key].append(_load_with_cpu(t, t.requests[key], seconds, options))
    for t in targets:  # after the reads, before any password hash (scrypt holds 32 MiB+)
        t.memory_after_reads = t.server.worker_rss()
    for t in targets:
        for key in WRITES:
            req = t.requests[key]
            say(f"{t.key}: {req.method} {req.path} ({key}): {options.duration} s")
            # No warm-up here: its requests still queued at the workers (a write with
            # HTTP Basic waits for a password hash) would be counted in this run.
            t.measured[key].append(_load_with_cpu(t, req, options.duration, options))


def bench_projects(
    projects: list[StarterProject], options: BenchOptions, say: Progress
) -> dict[str, Any]:
    """Every measurement of every project (see the module docstring), by report key."""
    keys: list[str] = []
    for project in projects:
        key, n = project.framework, 2
        while key in keys:
            key, n = f"{project.framework}-{n}", n + 1
        keys.append(key)
    results = {
        key: prepare_project(p, options, say) for key, p in zip(keys, projects, strict=True)
    }

    with contextlib.ExitStack() as stack:
        targets: list[_Served] = []
        for key, project in zip(keys, projects, strict=True):
            say(f"{key}: migrating and seeding {options.articles} articles")
            credentials = prepare_data(project, options.articles)
            app, extra_env = baselines.add_baselines(project)
            server = project.serve(
                app=app, env=extra_env, workers=options.workers, own_config=False,
                log_path=project.path / "scaffold-bench-gunicorn.log",
            )  # fmt: skip
            stack.callback(server.stop)  # started (and restarted) for the cold starts below
            targets.append(_Served(key, project, results[key], server, credentials))

        for t in targets:
            cold: list[float] = []
            for i in range(max(1, options.cold_starts)):
                say(f"{t.key}: starting gunicorn ({i + 1}/{options.cold_starts})")
                cold.append(t.server.start())
                if i + 1 < options.cold_starts:
                    t.server.stop()
            t.result["cold_start_s"] = round(statistics.median(cold), 3)
            t.result["cold_start_runs_s"] = [round(c, 3) for c in cold]
            base_url = t.server.base_url
            token = obtain_token(base_url, *t.credentials)
            t.requests = build_requests(first_article_id(base_url), *t.credentials, token)
            check_endpoints(t.server.base_url, t.requests, t.key)

        load_all(targets, options, say)

        for t in targets:
            endpoints: dict[str, Any] = {}
            for endpoint in ENDPOINTS:
                req = t.requests[endpoint.key]
                runs = t.measured[endpoint.key]
                endpoints[endpoint.key] = {
                    "label": endpoint.label,
                    "method": req.method,
                    "path": req.path,
                    **combine_rounds(runs).to_dict(),
                    "rounds": len(runs),
                }
            t.result["endpoints"] = endpoints
            master, workers = t.memory_after_reads
            after_writes = t.server.worker_rss()[1]
            t.result["memory"] = {
                "worker_rss_mib": workers,
                "worker_rss_mib_mean": round(statistics.mean(workers), 1) if workers else None,
                "master_rss_mib": round(master, 1) if master is not None else None,
                "worker_rss_mib_after_writes": after_writes,
            }
    return results


@contextlib.contextmanager
def _workdir(options: BenchOptions) -> Iterator[Path]:
    if options.workdir is not None:
        path = options.workdir.expanduser().absolute()
        if path.exists() and any(path.iterdir()):
            raise BenchProjectError(f"--workdir {str(path)!r} exists and is not empty")
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix="scaffold-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def run_bench(options: BenchOptions, say: Progress = _quiet) -> dict[str, Any]:
    """Run the whole benchmark; return the report (what ``--json`` prints)."""
    tool = options.tool
    if tool == "auto":
        tool = "wrk" if wrk_path() else "python"
    elif tool == "wrk" and not wrk_path():
        raise BenchError("--load-tool wrk: wrk is not installed (apt-get install wrk)")
    options = BenchOptions(**{**options.__dict__, "tool": tool})
    started = dt.datetime.now(dt.UTC)
    load_before = _load_average()
    frameworks: dict[str, Any] = {}
    async_report: dict[str, Any] | None = None
    with cleanup_guard(), _workdir(options) as work:
        projects: list[StarterProject] = []
        if options.async_compare:
            from .concurrency import run_async_bench

            async_report = run_async_bench(options, say, work, BENCH_ANSWERS)
        elif options.projects:
            for i, source in enumerate(options.projects):
                projects.append(copy_project(source, work / f"{i + 1}-{Path(source).name}"))
        else:
            for name in options.frameworks:
                say(f"{name}: generating the starter")
                projects.append(generate_project(name, work / name, BENCH_ANSWERS,
                                                 options.template, options.vcs_ref))  # fmt: skip
        if projects:
            frameworks = bench_projects(projects, options, say)
    report = {
        "scaffold_bench": 1,
        "date": started.isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            # Other work on the machine during the run skews every number: check these.
            "load_average_1min_before": load_before,
            "load_average_1min_after": _load_average(),
        },
        "settings": {
            "duration_s": options.duration,
            "warmup_s": options.warmup
            if options.warmup is not None
            else max(1, options.duration // 5),
            "connections": options.connections,
            "workers": options.workers,
            "worker_class": "sync",
            "server": "gunicorn",
            "load_tool": tool,
            "articles": options.articles,
            "database": "sqlite",
            "page_size": 20,
        },
        "frameworks": frameworks,
        "ratios": ratios(frameworks),
    }
    if async_report is not None:
        report["settings"].update(
            worker_class="each project's gunicorn.conf.py",
            io_connections=options.io_connections,
            upstream_delay_ms=options.upstream_delay_ms,
        )
        report["async_server"] = async_report
    return report
