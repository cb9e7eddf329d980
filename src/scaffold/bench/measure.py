"""``scaffold bench``: the Django and Flask starters, measured side by side.

For each starter (generated with the same answers into a temporary folder, or a
copy of a project folder given on the command line) it:

1. counts the lines of generated code and the declared dependencies;
2. installs the project into its own virtual environment (uv when available,
   else venv + pip) and times it, then counts the installed distributions;
3. runs the project's own test suite and times it;
4. migrates, creates a user and seeds the same number of published articles;
5. adds the baseline views (see ``_bench_apps``) to its copy of the project;
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
out, including on Ctrl-C and SIGTERM. The result is a plain dict (``--json``),
a table (``format_table``) and optionally a bar chart (``write_chart``).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import _bench_apps
from ._bench_load import LoadResult, Request, combine_rounds, round_plan, run_load, wrk_path
from ._bench_procs import ManagedProcess, children, cleanup_guard, cpu_seconds, rss_mib
from .errors import BenchError, BenchProjectError, ChartUnavailable

FRAMEWORKS = ("django", "flask")
LOOPBACK = "127.0.0.1"
TARGET_LIST_VS_BARE_REST = 0.9
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

# Variables of the calling environment that would change how a project runs.
_SCRUBBED_ENV = (
    "ALLOWED_HOSTS", "CONN_MAX_AGE", "DATABASE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE",
    "FLASK_APP", "FLASK_DEBUG", "FLASK_ENV", "GUNICORN_CMD_ARGS", "PYTHONDONTWRITEBYTECODE",
    "PYTHONHOME", "PYTHONPATH",
    "SECRET_KEY", "SECURE_SSL_REDIRECT", "VIRTUAL_ENV", "WEB_CONCURRENCY",
)  # fmt: skip
_COPY_IGNORE = shutil.ignore_patterns(
    ".venv", "venv", ".git", "__pycache__", "*.pyc", "*.sqlite3", "*.db", ".env",
    "staticfiles", "instance", ".pytest_cache", ".ruff_cache", "htmlcov", ".coverage",
    "node_modules", "*.egg-info",
)  # fmt: skip
_NOT_CODE_DIRS = {".venv", "venv", ".git", "__pycache__", "staticfiles", "instance"}


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    method: str = "GET"


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("list", "GET /api/articles/"),
    Endpoint("detail", "GET /api/articles/{id}/"),
    Endpoint("create", "POST /api/articles/", "POST"),
    Endpoint("home", "GET / (HTML)"),
    Endpoint("health", "GET /api/health/ (async)"),
    Endpoint("bare_rest_list", "bare REST-library list"),
    Endpoint("bare_framework_list", "bare framework list"),
)
# Loaded in this order: the write comes last, so the reads see the seeded rows only.
LOAD_ORDER = (
    "health",
    "home",
    "detail",
    "list",
    "bare_rest_list",
    "bare_framework_list",
    "create",
)


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


Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# --------------------------------------------------------------------- helpers


def _uv() -> str | None:
    here = Path(sys.executable).parent / "uv"
    if here.exists():
        return str(here)
    return shutil.which("uv")


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _run(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 900,
    what: str,
) -> tuple[float, str]:
    """Run ``cmd`` in its own process group; return (seconds, output) or raise BenchError."""
    log = Path(tempfile.mkstemp(prefix="scaffold-bench-", suffix=".log")[1])
    proc = ManagedProcess(cmd, cwd=cwd, env=env, log_path=log)
    started = time.perf_counter()
    proc.start()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        proc.stop()
        elapsed = time.perf_counter() - started
        output = log.read_text(errors="replace")
        log.unlink(missing_ok=True)
    if code is None:
        raise BenchError(f"{what} took longer than {timeout:.0f} s:\n{_tail(output)}")
    if code != 0:
        raise BenchError(f"{what} failed (exit {code}) in {cwd}:\n{_tail(output)}")
    return elapsed, output


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def http_request(
    base_url: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    host, port = base_url.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


# ------------------------------------------------------------------- projects


@dataclass
class BenchProject:
    """One starter being measured: its copy, its venv and how to run it."""

    framework: str
    package_name: str
    path: Path
    source: str  # "generated" or the folder it was copied from
    bin_dir: Path | None = None
    installer: str = ""
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def python(self) -> Path:
        assert self.bin_dir is not None
        return self.bin_dir / "python"

    def base_env(self) -> dict[str, str]:
        """The caller's environment without anything that would change the project."""
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
        if self.bin_dir is not None:
            env["PATH"] = f"{self.bin_dir}{os.pathsep}{env.get('PATH', '')}"
            env["VIRTUAL_ENV"] = str(self.bin_dir.parent)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def production_env(self) -> dict[str, str]:
        """As a production deployment runs it (README), HTTPS redirect off for loopback."""
        env = self.base_env()
        env.update(
            SECRET_KEY=secrets.token_urlsafe(50),
            DEBUG="false",
            ALLOWED_HOSTS=f"{LOOPBACK},localhost",
            SECURE_SSL_REDIRECT="false",
        )
        return env

    def manage(self, *args: str) -> list[str]:
        """The project's own command line: manage.py (Django) or flask (Flask)."""
        if self.framework == "django":
            return [str(self.python), "manage.py", *args]
        assert self.bin_dir is not None
        return [str(self.bin_dir / "flask"), "--app", self.package_name, *args]


def read_project_answers(path: Path) -> dict[str, Any]:
    answers_file = path / ".copier-answers.yml"
    try:
        answers = yaml.safe_load(answers_file.read_text("utf-8"))
    except (OSError, yaml.YAMLError):
        answers = None
    if not isinstance(answers, dict) or answers.get("framework") not in FRAMEWORKS:
        raise BenchProjectError(
            f"{str(path)!r} is not a project generated by scaffold "
            "(no .copier-answers.yml naming the framework)"
        )
    if answers.get("rest_api") is False:
        raise BenchProjectError(
            f"{str(path)!r} was generated without the REST API (rest_api=false); "
            "the benchmark loads /api/articles/"
        )
    return answers


def copy_project(source: Path, dest: Path) -> BenchProject:
    """Copy a project folder for benchmarking (never modified in place)."""
    source = source.expanduser().resolve()
    if not source.is_dir():
        raise BenchProjectError(f"{str(source)!r} is not a folder")
    answers = read_project_answers(source)
    shutil.copytree(source, dest, ignore=_COPY_IGNORE)
    return BenchProject(
        framework=answers["framework"],
        package_name=str(answers.get("package_name") or ""),
        path=dest,
        source=str(source),
    )


def generate_project(
    framework: str, dest: Path, template: str | None, vcs_ref: str | None
) -> BenchProject:
    from .generate import generate, load_template

    result = generate(
        dest,
        {"framework": framework, **BENCH_ANSWERS},
        template=load_template(template),
        vcs_ref=vcs_ref,
        defaults=True,
        git=False,
    )
    read_project_answers(dest)
    return BenchProject(
        framework=framework,
        package_name=str(result.answers.get("package_name", BENCH_ANSWERS["package_name"])),
        path=dest,
        source="generated",
    )


def count_code(path: Path) -> dict[str, int]:
    """Files and lines of the project as generated (text files only)."""
    files = lines = python_lines = 0
    for root, dirs, names in os.walk(path):
        dirs[:] = [d for d in dirs if d not in _NOT_CODE_DIRS and not d.endswith(".egg-info")]
        for name in names:
            if name.endswith((".pyc", ".sqlite3", ".db", ".log")):
                continue
            try:
                text = (Path(root) / name).read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            count = text.count("\n") + (0 if not text or text.endswith("\n") else 1)
            files += 1
            lines += count
            if name.endswith(".py"):
                python_lines += count
    return {"files": files, "lines": lines, "python_lines": python_lines}


def declared_dependencies(path: Path) -> dict[str, int]:
    try:
        project = tomllib.loads((path / "pyproject.toml").read_text("utf-8"))["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return {"direct": 0, "dev": 0}
    extras = project.get("optional-dependencies", {})
    return {"direct": len(project.get("dependencies", [])), "dev": len(extras.get("dev", []))}


_LIST_DISTRIBUTIONS = """\
import importlib.metadata as m, json
names = sorted({(d.metadata["Name"] or "").lower(): d.version for d in m.distributions()}.items())
print(json.dumps(dict(names)))
"""


def installed_distributions(project: BenchProject) -> dict[str, str]:
    _, output = _run(
        [project.python, "-c", _LIST_DISTRIBUTIONS],
        cwd=project.path,
        env=project.base_env(),
        timeout=60,
        what="listing the installed packages",
    )
    found = json.loads(output.strip().splitlines()[-1])
    skip = {"pip", "setuptools", "wheel", "", project.package_name.replace("_", "-")}
    return {name: version for name, version in found.items() if name not in skip}


def install(project: BenchProject, installer: str) -> float:
    """Create the project's venv and ``pip install -e ".[dev]"`` it; return seconds."""
    from .install import install_commands

    uv = _uv() if installer in ("auto", "uv") else None
    if installer == "uv" and not uv:
        raise BenchError("--installer uv: uv is not installed (pip install uv)")
    env = project.base_env()
    seconds = 0.0
    for cmd in install_commands(project.path, uv=uv):
        if uv and cmd[1:3] == ["pip", "install"]:
            cmd = [*cmd, "--compile-bytecode"]  # as pip does: no compiling at first start
        elapsed, _ = _run(cmd, cwd=project.path, env=env, what=f"installing {project.path.name}")
        seconds += elapsed
    project.bin_dir = project.path / ".venv" / "bin"
    project.installer = "uv" if uv else "pip"
    if not (project.bin_dir / "gunicorn").exists():
        raise BenchError(
            f"gunicorn is not a dependency of {project.path.name}; the benchmark serves "
            "the project with gunicorn as its README does"
        )
    return seconds


def run_project_tests(project: BenchProject) -> dict[str, Any]:
    """The project's own test suite, as a fresh clone runs it (no .env)."""
    cmd = [str(project.python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    started = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=project.path, env=project.base_env(), capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=900, check=False, start_new_session=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    summary = ""
    for line in reversed(proc.stdout.strip().splitlines()):
        if " passed" in line or " failed" in line or " error" in line:
            summary = line.strip("= ")
            break
    return {"seconds": round(seconds, 2), "passed": proc.returncode == 0, "summary": summary}


def prepare_data(project: BenchProject, articles: int) -> tuple[str, str]:
    """Migrate, create the bench user and seed ``articles`` published articles.
    Returns the user's (username, password)."""
    env = project.production_env()
    password = "bench-" + secrets.token_urlsafe(16)
    steps: list[tuple[list[str], str]] = []
    if project.framework == "django":
        steps.append((project.manage("migrate", "--noinput"), "migrate"))
        steps.append((project.manage("collectstatic", "--noinput"), "collectstatic"))
        steps.append(
            (project.manage("createuser", BENCH_USER, "--password", password), "createuser")
        )
        seed = project.manage("seed_articles", "--count", str(articles), "--author", BENCH_USER)
    else:
        steps.append((project.manage("db", "upgrade"), "flask db upgrade"))
        steps.append(
            (project.manage("users", "create", BENCH_USER, "--password", password), "users create")
        )
        seed = project.manage("articles", "seed", "--count", str(articles), "--author", BENCH_USER)
    steps.append(([*seed, "--published"], "seeding articles"))
    for cmd, what in steps:
        _run(cmd, cwd=project.path, env=env, timeout=300, what=f"{project.framework}: {what}")
    return BENCH_USER, password


# --------------------------------------------------------------------- serving


class GunicornServer:
    """gunicorn serving a project on 127.0.0.1, in its own process group."""

    def __init__(self, project: BenchProject, app: str, env: dict[str, str], workers: int):
        self.project = project
        self.app = app
        self.env = env
        self.workers = workers
        self.log_path = project.path / "scaffold-bench-gunicorn.log"
        self.proc: ManagedProcess | None = None
        self.base_url = ""

    def command(self, port: int) -> list[str]:
        assert self.project.bin_dir is not None
        return [
            str(self.project.bin_dir / "gunicorn"),
            # Not the project's gunicorn.conf.py (gthread, access log): every server
            # here runs exactly the settings below.
            "--config", os.devnull,
            "--bind", f"{LOOPBACK}:{port}",
            "--workers", str(self.workers),
            "--worker-class", "sync",
            "--timeout", "60",
            "--graceful-timeout", "5",
            "--error-logfile", "-",
            self.app,
        ]  # fmt: skip

    def start(self, timeout: float = 90.0) -> float:
        """Start and wait for the first answer of /api/health/; return the seconds taken."""
        for _attempt in range(3):
            port = free_port()
            self.base_url = f"http://{LOOPBACK}:{port}"
            self.proc = ManagedProcess(
                self.command(port), cwd=self.project.path, env=self.env, log_path=self.log_path
            )
            started = time.perf_counter()
            self.proc.start()
            try:
                self._wait(started + timeout)
            except BenchError:
                log = self.proc.log_tail() if self.proc else ""
                self.stop()
                if "Address already in use" in log:
                    continue
                raise
            return time.perf_counter() - started
        raise BenchError(f"gunicorn could not bind a port on {LOOPBACK}")

    def _wait(self, deadline: float) -> None:
        assert self.proc is not None
        while True:
            if self.proc.poll() is not None:
                raise BenchError(
                    f"gunicorn stopped before answering ({self.project.framework}):\n"
                    + _tail(self.proc.log_tail())
                )
            try:
                http_request(self.base_url, "GET", "/api/health/", timeout=5)
                return
            except OSError:
                pass
            if time.perf_counter() > deadline:
                raise BenchError(
                    f"gunicorn did not answer in time ({self.project.framework}):\n"
                    + _tail(self.proc.log_tail())
                )
            time.sleep(0.01)

    def worker_pids(self) -> list[int]:
        if self.proc is None or self.proc.pid is None:
            return []
        return children(self.proc.pid)

    def worker_rss(self) -> tuple[float | None, list[float]]:
        """VmRSS of the master and of each worker, in MiB."""
        if self.proc is None or self.proc.pid is None:
            return None, []
        workers = [rss_mib(pid) for pid in children(self.proc.pid)]
        return rss_mib(self.proc.pid), [round(r, 1) for r in workers if r is not None]

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
            self.proc = None

    def __enter__(self) -> GunicornServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def build_requests(detail_id: int, username: str, password: str) -> dict[str, Request]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    json_headers = (("Accept", "application/json"),)
    return {
        "list": Request("GET", "/api/articles/?page_size=20", json_headers),
        "detail": Request("GET", f"/api/articles/{detail_id}/", json_headers),
        "create": Request(
            "POST",
            "/api/articles/",
            (
                *json_headers,
                ("Content-Type", "application/json"),
                ("Authorization", f"Basic {token}"),
            ),
            body_parts=('{"title": "Bench article ', '", "body": "Written by scaffold bench."}'),
        ),
        "home": Request("GET", "/", (("Accept", "text/html"),)),
        "health": Request("GET", "/api/health/", json_headers),
        "bare_rest_list": Request("GET", _bench_apps.BARE_REST_PATH, json_headers),
        "bare_framework_list": Request("GET", _bench_apps.BARE_FRAMEWORK_PATH, json_headers),
    }


def check_endpoints(base_url: str, requests: dict[str, Request], framework: str) -> None:
    """Each endpoint answers as expected once, before any load (else the numbers lie)."""
    expected = {"create": 201}
    for key, req in requests.items():
        status, _, body = http_request(
            base_url, req.method, req.path, body=req.body("check"), headers=dict(req.headers)
        )
        want = expected.get(key, 200)
        if status != want:
            raise BenchError(
                f"{framework}: {req.method} {req.path} answered {status}, expected {want}: "
                f"{body[:300].decode(errors='replace')}"
            )
        if key.endswith("list"):
            data = json.loads(body)
            results = data.get("results", []) if isinstance(data, dict) else data
            if len(results) != 20:
                raise BenchError(
                    f"{framework}: {req.path} returned {len(results)} articles, expected 20"
                )


def first_article_id(base_url: str) -> int:
    status, _, body = http_request(base_url, "GET", "/api/articles/?page_size=20")
    if status != 200:
        raise BenchError(f"GET /api/articles/ answered {status}: {body[:300]!r}")
    results = json.loads(body).get("results") or []
    if not results:
        raise BenchError("GET /api/articles/ returned no articles after seeding")
    return int(results[len(results) // 2]["id"])


# ------------------------------------------------------------------ the bench


@dataclass
class _Served:
    """A prepared project, its running server and its requests, during the load."""

    key: str  # name in the report ("django", "flask", "django-2", ...)
    project: BenchProject
    result: dict[str, Any]
    server: GunicornServer
    credentials: tuple[str, str]
    requests: dict[str, Request] = field(default_factory=dict)
    measured: dict[str, list[LoadResult]] = field(default_factory=dict)
    memory_after_reads: tuple[float | None, list[float]] = (None, [])


def prepare_project(project: BenchProject, options: BenchOptions, say: Progress) -> dict[str, Any]:
    """Size, install, tests and data of one project; returns its part of the report."""
    name = project.framework
    result: dict[str, Any] = {
        "framework": name,
        "package_name": project.package_name,
        "source": project.source,
        "code": count_code(project.path),
        "dependencies": declared_dependencies(project.path),
    }
    (project.path / ".env").unlink(missing_ok=True)  # run as a fresh clone would

    say(f"{name}: installing into its own virtual environment")
    seconds = install(project, options.installer)
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
    reads = [key for key in LOAD_ORDER if key != "create"]
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
        say(f"{t.key}: POST /api/articles/: {options.duration} s")
        # No warm-up here: its requests still queued at the workers (a write with
        # HTTP Basic waits for a password hash) would be counted in this run.
        t.measured["create"].append(
            _load_with_cpu(t, t.requests["create"], options.duration, options)
        )


def bench_projects(
    projects: list[BenchProject], options: BenchOptions, say: Progress
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
            if project.framework == "django":
                app, extra_env = _bench_apps.add_django_bench(project.path)
            else:
                app, extra_env = _bench_apps.add_flask_bench(project.path, project.package_name)
            env = {**project.production_env(), **extra_env}
            server = stack.enter_context(GunicornServer(project, app, env, options.workers))
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
            t.requests = build_requests(first_article_id(t.server.base_url), *t.credentials)
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


def ratios(frameworks: dict[str, Any]) -> dict[str, Any]:
    """The starter's list view against the baselines measured in the same run."""
    out: dict[str, Any] = {}
    for name, data in frameworks.items():
        eps = data.get("endpoints", {})
        try:
            starter = eps["list"]["requests_per_s"]
            rest = eps["bare_rest_list"]["requests_per_s"]
            bare = eps["bare_framework_list"]["requests_per_s"]
        except KeyError:
            continue
        vs_rest = round(starter / rest, 3) if rest else None
        cpu = {k: eps[k].get("server_cpu_ms_per_request") for k in
               ("list", "bare_rest_list", "bare_framework_list")}  # fmt: skip
        out[name] = {
            "list_vs_bare_rest": vs_rest,
            "list_vs_bare_framework": round(starter / bare, 3) if bare else None,
            # The same comparison by the workers' CPU time per request (bare / starter):
            # steadier than requests/s when other work shares the machine.
            "list_vs_bare_rest_cpu": round(cpu["bare_rest_list"] / cpu["list"], 3)
            if cpu["list"] and cpu["bare_rest_list"]
            else None,
            "list_vs_bare_framework_cpu": round(cpu["bare_framework_list"] / cpu["list"], 3)
            if cpu["list"] and cpu["bare_framework_list"]
            else None,
            "target_list_vs_bare_rest": TARGET_LIST_VS_BARE_REST,
            "target_met": vs_rest is not None and vs_rest >= TARGET_LIST_VS_BARE_REST,
        }
    return out


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
    with cleanup_guard(), _workdir(options) as work:
        projects: list[BenchProject] = []
        if options.projects:
            for i, source in enumerate(options.projects):
                projects.append(copy_project(source, work / f"{i + 1}-{Path(source).name}"))
        else:
            for name in options.frameworks:
                say(f"{name}: generating the starter")
                projects.append(generate_project(name, work / name, options.template,
                                                 options.vcs_ref))  # fmt: skip
        frameworks = bench_projects(projects, options, say)
    return {
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


# -------------------------------------------------------------------- output


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _grid(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_table(report: dict[str, Any]) -> str:
    """The report as plain-text tables for a terminal."""
    s = report["settings"]
    names = list(report["frameworks"])
    out = [
        f"scaffold bench {report['date']}: gunicorn {s['workers']} {s['worker_class']} workers, "
        f"{s['connections']} connections, {s['duration_s']} s per endpoint "
        f"(after {s['warmup_s']} s warm-up), {s['load_tool']}, "
        f"{s['database']}, {s['articles']} articles",
    ]
    machine = report.get("machine", {})
    if machine.get("load_average_1min_before") is not None:
        out.append(
            f"machine: {machine.get('cpus')} CPUs, load average "
            f"{machine['load_average_1min_before']}"
            f" before and {machine.get('load_average_1min_after')} after the run"
            " (other work on the machine skews the numbers)"
        )
    out.append("")
    header = ["endpoint"]
    for name in names:
        header += [f"{name} req/s", "p50 ms", "p99 ms", "CPU ms/req"]
    rows = [header]
    for endpoint in ENDPOINTS:
        row = [endpoint.label]
        for name in names:
            ep = report["frameworks"][name].get("endpoints", {}).get(endpoint.key, {})
            rps = _fmt(ep.get("requests_per_s"))
            if ep.get("non_2xx") or ep.get("errors"):
                rps += "!"
            row += [
                rps,
                _fmt(ep.get("p50_ms")),
                _fmt(ep.get("p99_ms")),
                _fmt(ep.get("server_cpu_ms_per_request"), 2),
            ]
        rows.append(row)
    out.append(_grid(rows))
    flagged = [
        f"{name} {key}: {ep['non_2xx']} non-2xx answers, {ep['errors']} socket errors"
        for name in names
        for key, ep in report["frameworks"][name].get("endpoints", {}).items()
        if ep.get("non_2xx") or ep.get("errors")
    ]
    if flagged:
        out += ["", "! " + "; ".join(flagged)]

    def fw(name: str, *path: str) -> Any:
        value: Any = report["frameworks"][name]
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    rows = [["", *names]]
    ratio_rows = [
        ("starter list / bare REST list, req/s", "list_vs_bare_rest"),
        ("starter list / bare framework list, req/s", "list_vs_bare_framework"),
        ("the same by CPU per request: bare REST", "list_vs_bare_rest_cpu"),
        ("the same by CPU per request: bare framework", "list_vs_bare_framework_cpu"),
    ]
    for label, key in ratio_rows:
        rows.append([label] + [_fmt(report["ratios"].get(n, {}).get(key), 2) for n in names])
    rows.append(
        [f"target: list >= {TARGET_LIST_VS_BARE_REST} x bare REST"]
        + [
            {True: "met", False: "NOT met"}.get(report["ratios"].get(n, {}).get("target_met"), "-")
            for n in names
        ]
    )
    rows.append(
        ["worker memory after the reads, MiB (mean)"]
        + [_fmt(fw(n, "memory", "worker_rss_mib_mean")) for n in names]
    )
    rows.append(
        ["cold start to first answer, s"] + [_fmt(fw(n, "cold_start_s"), 2) for n in names]
    )
    rows.append(
        ["install, s"]
        + [f"{_fmt(fw(n, 'install', 'seconds'), 2)} ({fw(n, 'install', 'tool')})" for n in names]
    )
    tests = []
    for n in names:
        t = fw(n, "tests")
        tests.append(
            "-" if not t else f"{_fmt(t['seconds'], 2)} ({'pass' if t['passed'] else 'FAIL'})"
        )
    rows.append(["project tests, s", *tests])
    rows.append(
        ["lines of code (Python / all files)"]
        + [f"{fw(n, 'code', 'python_lines')} / {fw(n, 'code', 'lines')}" for n in names]
    )
    rows.append(
        ["dependencies (direct / dev / installed)"]
        + [
            f"{fw(n, 'dependencies', 'direct')} / {fw(n, 'dependencies', 'dev')} / "
            f"{fw(n, 'dependencies', 'installed')}"
            for n in names
        ]
    )
    out += ["", _grid(rows)]
    return "\n".join(out)


def write_chart(report: dict[str, Any], path: Path) -> Path:
    """A PNG with two bar charts: requests/s and p99 latency per endpoint and framework."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ChartUnavailable(
            'the chart needs matplotlib: pip install "scaffold[bench]" (or pip install matplotlib)'
        ) from None
    names = list(report["frameworks"])
    labels = [e.label for e in ENDPOINTS]
    fig, axes = plt.subplots(1, 2, figsize=(14, 6), constrained_layout=True)
    width = 0.8 / max(1, len(names))
    for ax, metric, title in (
        (axes[0], "requests_per_s", "requests/s (higher is better)"),
        (axes[1], "p99_ms", "p99 latency, ms, log scale (lower is better)"),
    ):
        for i, name in enumerate(names):
            eps = report["frameworks"][name].get("endpoints", {})
            values = [eps.get(e.key, {}).get(metric) or 0 for e in ENDPOINTS]
            positions = [j + (i - (len(names) - 1) / 2) * width for j in range(len(labels))]
            bars = ax.barh(positions, values, height=width, label=name)
            ax.bar_label(bars, fmt="%.0f" if metric == "requests_per_s" else "%.1f", fontsize=7)
        if metric == "p99_ms":
            ax.set_xscale("log")  # a write with a password hash dwarfs the reads
            ax.set_title(title)
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_title(title)
        ax.legend()
    s = report["settings"]
    fig.suptitle(
        f"scaffold bench: gunicorn {s['workers']} {s['worker_class']} workers, "
        f"{s['connections']} connections, {s['duration_s']} s, {s['load_tool']}"
    )
    path = Path(path)
    try:
        fig.savefig(path, dpi=110)
    except OSError as exc:
        raise BenchError(f"cannot write the chart to {str(path)!r}: {exc.strerror}") from None
    finally:
        plt.close(fig)
    return path
