"""``scaffold bench --async``: the async server option against the threaded workers.

For each framework it generates the starter twice with the bench's answers, once
with ``async_server=false`` (gunicorn's threaded workers, 4 threads each) and once
with ``async_server=true`` (Django: ASGI on uvicorn workers; Flask: gevent workers),
installs and prepares both as ``scaffold bench`` does, and serves each with ITS OWN
gunicorn.conf.py (the worker class is what is compared; the same number of
workers for all). Its copy of each project gets the I/O-bound view of ``baselines``,
which waits on a local upstream service that answers after ``upstream_delay_ms``
(``upstream``), loaded with ``io_connections`` connections; beside it the CPU-bound
endpoints (health, the HTML home page, the API's detail and list) with the usual
``connections``. Every endpoint of every server is loaded in interleaved rounds, and
the report gives, per framework, the async server's requests/s as a multiple of the
threaded one's for each endpoint.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import BenchError, BenchProjectError
from . import baselines
from .endpoints import build_requests, check_endpoints, first_article_id, obtain_token
from .load import LoadResult, Request, combine_rounds, round_plan, run_load
from .procs import cpu_seconds, run_command
from .project import StarterProject, generate_project
from .server import GunicornServer, http_request

IO = "io"
# The CPU-bound endpoints measured beside the I/O-bound view (keys of build_requests).
CPU_BOUND = ("health", "home", "detail", "list")
LABELS = {
    IO: "I/O-bound view (waits on the upstream)",
    "health": "GET /api/health/",
    "home": "GET / (HTML)",
    "detail": "GET /api/articles/{id}/",
    "list": "GET /api/articles/",
}
SERVERS = {
    ("django", False): "gunicorn gthread, 4 threads (WSGI)",
    ("django", True): "gunicorn + uvicorn workers (ASGI)",
    ("flask", False): "gunicorn gthread, 4 threads",
    ("flask", True): "gunicorn gevent workers",
}


@dataclass
class _Target:
    key: str  # "django-sync", "django-async", ...
    project: StarterProject
    result: dict[str, Any]
    server: GunicornServer | None = None
    requests: dict[str, Request] = field(default_factory=dict)
    measured: dict[str, list[LoadResult]] = field(default_factory=dict)


def generate_pairs(options: Any, work: Any, answers: dict[str, Any], say: Any) -> list[_Target]:
    """Each framework's starter without and with ``async_server``."""
    if options.projects:
        raise BenchProjectError(
            "--async compares freshly generated starters (with and without async_server): "
            "drop the project folders"
        )
    targets = []
    for framework in options.frameworks:
        for async_server in (False, True):
            key = f"{framework}-{'async' if async_server else 'sync'}"
            say(f"{key}: generating the starter (async_server={str(async_server).lower()})")
            project = generate_project(
                framework, work / key, {**answers, "async_server": async_server},
                options.template, options.vcs_ref,
            )  # fmt: skip
            targets.append(_Target(key, project, {}))
    return targets


def install_io_requirements(project: StarterProject) -> None:
    """The I/O-bound views' HTTP clients, into the project's own virtual environment."""
    from ..install import find_uv

    uv = find_uv()
    if uv:
        cmd = [uv, "pip", "install", "--python", str(project.python), *baselines.IO_REQUIREMENTS]
    else:
        cmd = [str(project.python), "-m", "pip", "install", *baselines.IO_REQUIREMENTS]
    run_command(cmd, cwd=project.path, env=project.base_env(), what="installing HTTP clients")


def _drain(server: GunicornServer, deadline_s: float = 60.0) -> None:
    """Wait until the server answers at once again: the requests that the I/O-bound
    load left queued are served before anything else is measured."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            http_request(server.base_url, "GET", "/api/health/", timeout=deadline_s)
        if time.monotonic() - started < 0.2:
            return
    raise BenchError(f"{server.project.framework}: the server did not drain its queue")


def _load(target: _Target, key: str, seconds: float, options: Any) -> LoadResult:
    assert target.server is not None
    workers = target.server.worker_pids()
    before = cpu_seconds(workers)
    connections = options.io_connections if key == IO else options.connections
    result = run_load(
        target.server.base_url, target.requests[key], duration=seconds,
        connections=connections, tool=options.tool,
    )  # fmt: skip
    if target.server.worker_pids() == workers:
        result.server_cpu_s = cpu_seconds(workers) - before
    if key == IO:
        _drain(target.server)
    return result


def measure_pairs(
    targets: list[_Target], options: Any, say: Any, prepare: Any, prepare_data: Any
) -> dict[str, Any]:
    """Install, prepare, serve and load every target; the ``async`` part of the report."""
    from .upstream import UpstreamServer

    for t in targets:
        t.result = prepare(t.project, options, say)
        t.result["async_server"] = t.project.async_server
        t.result["server"] = SERVERS[t.project.framework, t.project.async_server]
        install_io_requirements(t.project)
    keys = (*CPU_BOUND, IO)  # the I/O-bound view last: its queue drains before the next
    log = targets[0].project.path.parent / "scaffold-bench-upstream.log"
    upstream_server = UpstreamServer(options.upstream_delay_ms, log)
    with upstream_server as upstream, contextlib.ExitStack() as stack:
        for t in targets:
            say(f"{t.key}: migrating, seeding {options.articles} articles, starting gunicorn")
            credentials = prepare_data(t.project, options.articles)
            app, env = baselines.add_baselines(t.project)
            t.server = t.project.serve(
                app=app, env={**env, baselines.UPSTREAM_VARIABLE: upstream.url},
                workers=options.workers, own_config=True,
                log_path=t.project.path / "scaffold-bench-gunicorn.log",
            )  # fmt: skip
            stack.callback(t.server.stop)
            t.result["cold_start_s"] = round(t.server.start(), 3)
            base_url = t.server.base_url
            token = obtain_token(base_url, *credentials)
            every = build_requests(first_article_id(base_url), *credentials, token)
            accept = (("Accept", "application/json"),)
            io = Request("GET", baselines.upstream_path(t.project), accept)
            t.requests = {IO: io, **{k: every[k] for k in CPU_BOUND}}
            check_endpoints(base_url, t.requests, t.key)
            t.measured = {k: [] for k in keys}
        warmup = options.warmup if options.warmup is not None else max(1, options.duration // 5)
        if warmup > 0:
            say(f"warm-up: {warmup} s per endpoint")
            for t in targets:
                for k in keys:
                    _load(t, k, warmup, options)
        # Rounds of 5 s or more: with 200 connections a threaded server's queue holds
        # each request for seconds.
        rounds, seconds = round_plan(options.duration, min(options.rounds, options.duration // 5))
        for n in range(rounds):
            say(
                f"round {n + 1}/{rounds}: {len(keys)} endpoints x {len(targets)} servers, "
                f"{seconds} s each ({options.io_connections} connections on the I/O-bound "
                f"view, {options.connections} on the others)"
            )
            for t in targets:
                for k in keys:
                    t.measured[k].append(_load(t, k, seconds, options))
        for t in targets:
            assert t.server is not None
            t.result["endpoints"] = {
                k: {
                    "label": LABELS[k],
                    "path": t.requests[k].path,
                    "connections": options.io_connections if k == IO else options.connections,
                    **combine_rounds(t.measured[k]).to_dict(),
                    "rounds": len(t.measured[k]),
                }
                for k in keys
            }
            workers = t.server.worker_rss()[1]
            t.result["memory"] = {
                "worker_rss_mib": workers,
                "worker_rss_mib_mean": round(statistics.mean(workers), 1) if workers else None,
            }
    return {t.key: t.result for t in targets}


def _pairs(results: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [
        (key[:-5], sync, results[f"{key[:-5]}-async"])
        for key, sync in results.items()
        if key.endswith("-sync") and f"{key[:-5]}-async" in results
    ]


def async_ratios(results: dict[str, Any]) -> dict[str, Any]:
    """Per framework: the async server's requests/s over the threaded one's, per endpoint."""
    ratios: dict[str, Any] = {}
    for framework, sync, fast in _pairs(results):
        ratios[framework] = {}
        for endpoint, measured in sync["endpoints"].items():
            base = measured["requests_per_s"]
            other = fast["endpoints"][endpoint]["requests_per_s"]
            ratios[framework][endpoint] = round(other / base, 2) if base else None
    return ratios


def cpu_ratios(results: dict[str, Any]) -> dict[str, Any]:
    """The same comparison by the workers' CPU time per request (threaded / async):
    steadier than requests/s when other work shares the machine."""
    ratios: dict[str, Any] = {}
    for framework, sync, fast in _pairs(results):
        ratios[framework] = {}
        for endpoint, measured in sync["endpoints"].items():
            base = measured.get("server_cpu_ms_per_request")
            other = fast["endpoints"][endpoint].get("server_cpu_ms_per_request")
            ratios[framework][endpoint] = round(base / other, 2) if base and other else None
    return ratios


def check_targets(report: dict[str, Any]) -> list[str]:
    """The issue's targets, as lines: I/O-bound >= 10x, CPU-bound >= 0.8x."""
    lines = []
    for framework, per_endpoint in report["ratios"].items():
        for endpoint, ratio in per_endpoint.items():
            goal = 10.0 if endpoint == IO else 0.8
            verdict = "no figure" if ratio is None else "met" if ratio >= goal else "NOT met"
            lines.append(f"{framework} {endpoint}: {ratio} x (target >= {goal} x: {verdict})")
    return lines


def run_async_bench(
    options: Any, say: Any, workdir: Any, answers: dict[str, Any]
) -> dict[str, Any]:
    """The whole ``--async`` run inside ``workdir`` (see the module docstring)."""
    from .measure import prepare_data, prepare_project

    started = dt.datetime.now(dt.UTC)
    targets = generate_pairs(options, workdir, answers, say)
    if not targets:
        raise BenchError("nothing to measure")
    results = measure_pairs(targets, options, say, prepare_project, prepare_data)
    report = {
        "date": started.isoformat(timespec="seconds"),
        "upstream_delay_ms": options.upstream_delay_ms,
        "io_connections": options.io_connections,
        "servers": results,
        "ratios": async_ratios(results),
        "cpu_ratios": cpu_ratios(results),
    }
    report["targets"] = check_targets(report)
    return report
