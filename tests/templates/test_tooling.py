"""The generated projects' everyday tooling, for both starters.

Fast: the files both starters share (CI workflow, Dockerfile, compose, .gitignore,
.dockerignore, pre-commit config, dependabot, logs) come from one source each in
templates/includes/, and their rendered shared parts are the same in both.

Slow, on every supported combination of options (rendered once): the workflow,
dependabot and compose files match their published JSON schemas (check-jsonschema's
vendored copies), mypy passes on each combination's distinct Python code and the
pre-commit hooks pass on all its files. One project per framework made with
`scaffold new` and installed once (one venv that the other checks reuse): the
pre-commit hooks pass right after generation and after a clean `scaffold update`, and
refuse a conflict marker; the workflow's own `run:` steps, read from its YAML, pass; a
request through gunicorn shows the same request id in the response and the logs (the
per-request line, a line the view writes, the traceback of an error logged once, and
the client never sees it), in text and in JSON lines.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.support.procs import run, uv_binary
from tests.support.render import copy_template, render

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
BIN = Path(sys.executable).parent
SCAFFOLD = [sys.executable, "-m", "scaffold"]
IDENTITY = {
    "GIT_AUTHOR_NAME": "Test User",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test User",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}
FRAMEWORKS = ("django", "flask")
PACKAGE = "my_site"  # the default answers' package name

# Each shared file: its name in templates/<framework>/ and its one source.
SHARED = {
    "{% if github_actions %}.github{% endif %}/workflows/ci.yml.jinja": "ci.yml.jinja",
    "{% if github_actions %}.github{% endif %}/{% if dependabot %}dependabot.yml{% endif %}"
    ".jinja": "dependabot.yml",
    "{% if docker %}Dockerfile{% endif %}.jinja": "Dockerfile.jinja",
    "{% if docker %}compose.yaml{% endif %}.jinja": "compose.yaml.jinja",
    "{% if docker %}.dockerignore{% endif %}.jinja": "dockerignore.jinja",
    ".gitignore.jinja": "gitignore.jinja",
    ".pre-commit-config.yaml.jinja": "pre-commit-config.yaml.jinja",
    "gunicorn.conf.py.jinja": "gunicorn.conf.py",
    "tests/test_logs.py.jinja": "test_logs.py.jinja",
}
LOGS_MODULE = {"django": "config/logs.py.jinja", "flask": "{{ package_name }}/logs.py.jinja"}


# --- fast: one source for each shared file ------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_shared_files_are_one_include_of_their_source(framework):
    sources = {**SHARED, LOGS_MODULE[framework]: "logs.py"}
    for name, source in sources.items():
        text = (TEMPLATES / framework / name).read_text("utf-8")
        assert text == f'{{% include "templates/includes/{source}" %}}', name
        assert (TEMPLATES / "includes" / source).is_file(), source


@pytest.fixture(scope="module")
def full_pair(plain_template, tmp_path_factory) -> dict[str, Path]:
    """Both starters with every shared file (PostgreSQL, Docker, GitHub Actions)."""
    answers = {"database": "postgresql", "docker": True, "github_actions": True}
    return {
        framework: render(
            plain_template,
            tmp_path_factory.mktemp(f"shared-{framework}") / "p",
            {"framework": framework, **answers},
        )
        for framework in FRAMEWORKS
    }


def _yaml(project: Path, name: str) -> Any:
    return yaml.safe_load((project / name).read_text("utf-8"))


def test_ci_workflows_share_everything_but_the_framework_steps(full_pair):
    django, flask = (_yaml(full_pair[fw], ".github/workflows/ci.yml") for fw in FRAMEWORKS)
    for key in ("name", True, "permissions"):  # True: YAML 1.1 reads `on` as a boolean
        assert django[key] == flask[key], key
    assert django["permissions"] == {"contents": "read"}
    dj_job, fl_job = django["jobs"]["test"], flask["jobs"]["test"]
    for key in ("runs-on", "strategy", "services"):
        assert dj_job[key] == fl_job[key], key
    assert dj_job["strategy"]["matrix"]["python-version"] == ["3.11", "3.13"]
    shared_steps = 6  # checkout, setup-python, install, ruff check, ruff format, mypy
    assert dj_job["steps"][:shared_steps] == fl_job["steps"][:shared_steps]
    assert dj_job["steps"][0]["uses"] == "actions/checkout@v5"
    assert dj_job["steps"][1]["uses"] == "actions/setup-python@v6"
    for job in (dj_job, fl_job):
        names = {step.get("name") for step in job["steps"]}
        assert {"Types", "Migrations match the models", "Tests"} <= names
    assert dj_job["env"]["DATABASE_URL"] == fl_job["env"]["TEST_DATABASE_URL"]


def test_dockerfiles_share_base_image_user_and_port(full_pair):
    """Everything but what to copy, how to build and what to run is the same."""

    def shared_parts(project: Path) -> tuple[list[str], list[str]]:
        lines = (project / "Dockerfile").read_text().splitlines()
        head_end = next(n for n, line in enumerate(lines) if line.startswith("RUN useradd"))
        tail = lines.index("USER app")
        return lines[2 : head_end + 1], lines[tail:-1]  # after the two comment lines

    django, flask = (shared_parts(full_pair[fw]) for fw in FRAMEWORKS)
    assert django == flask
    assert django[0][0] == "FROM python:3.13-slim"
    assert django[1] == ["USER app", "EXPOSE 8000", *django[1][2:]]


def test_compose_files_share_the_database_and_take_the_secret_from_env(full_pair):
    django, flask = (_yaml(full_pair[fw], "compose.yaml") for fw in FRAMEWORKS)
    assert django["services"]["db"] == flask["services"]["db"]
    assert django["volumes"] == flask["volumes"]
    dj_web, fl_web = django["services"]["web"], flask["services"]["web"]
    for key in ("build", "ports", "depends_on"):
        assert dj_web[key] == fl_web[key], key
    common = set(dj_web["environment"]) & set(fl_web["environment"])
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "LOG_FORMAT", "SECURE_SSL_REDIRECT"} <= common
    for name in common:
        assert dj_web["environment"][name] == fl_web["environment"][name], name
    # No secret written into the file: compose takes it from .env.
    assert dj_web["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "env_file" not in dj_web and "env_file" not in fl_web


def test_ignore_files_and_hooks_share_their_common_part(full_pair):
    for name in (".gitignore", ".dockerignore"):
        django, flask = (set((full_pair[fw] / name).read_text().splitlines()) for fw in FRAMEWORKS)
        entries = {
            ".gitignore": (".env", ".venv/", "__pycache__/", ".mypy_cache/"),
            ".dockerignore": (".env", ".venv", "**/__pycache__", ".mypy_cache"),
        }[name]
        for entry in entries:
            assert entry in django and entry in flask, (name, entry)
    django, flask = (_yaml(full_pair[fw], ".pre-commit-config.yaml") for fw in FRAMEWORKS)
    dj_hooks, fl_hooks = (config["repos"][0]["hooks"] for config in (django, flask))
    assert [hook for hook in dj_hooks if hook["id"] != "migrations"] == [
        hook for hook in fl_hooks if hook["id"] != "migrations"
    ]
    assert {repo["repo"] for repo in (*django["repos"], *flask["repos"])} == {"local"}
    for hooks in (dj_hooks, fl_hooks):
        assert {hook["language"] for hook in hooks} == {"unsupported"}  # the venv's tools
        ids = [hook["id"] for hook in hooks]
        assert ids[0] == "check-merge-conflict" and "migrations" in ids


# --- slow: every supported combination -------------------------------------------


@dataclass(frozen=True)
class Combination:
    framework: str
    database: str
    rest_api: bool
    docker: bool
    github_actions: bool
    dependabot: bool

    @property
    def id(self) -> str:
        parts = [self.framework, self.database, "api" if self.rest_api else "no-api"]
        parts += ["docker"] * self.docker + ["ci"] * self.github_actions
        return "-".join(parts + ["dependabot"] * self.dependabot)

    @property
    def answers(self) -> dict[str, Any]:
        answers = {name: getattr(self, name) for name in self.__dataclass_fields__}
        if not self.github_actions:
            del answers["dependabot"]  # not asked without GitHub Actions
        return answers


def supported_combinations() -> list[Combination]:
    """Every choice of every option, minus the impossible ones: Docker needs PostgreSQL,
    dependabot needs GitHub Actions."""
    return [
        Combination(*values)
        for values in itertools.product(
            FRAMEWORKS,
            ("sqlite", "postgresql"),
            (True, False),
            (True, False),
            (True, False),
            (True, False),
        )
        if not (values[3] and values[1] != "postgresql") and not (values[5] and not values[4])
    ]


COMBINATIONS = supported_combinations()


@pytest.fixture(scope="module")
def every_combination(plain_template, tmp_path_factory) -> dict[Combination, Path]:
    root = tmp_path_factory.mktemp("every-combination")
    return {
        combo: render(plain_template, root / combo.framework / combo.id, combo.answers)
        for combo in COMBINATIONS
    }


def _validate(schema: str, files: list[Path]) -> None:
    assert files
    proc = run([BIN / "check-jsonschema", "--builtin-schema", schema, *files], check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_ci_files_match_their_published_schemas(every_combination):
    files: dict[str, list[Path]] = {"workflow": [], "dependabot": [], "compose": []}
    for combo, project in every_combination.items():
        expected = {
            "workflow": (project / ".github/workflows/ci.yml", combo.github_actions),
            "dependabot": (project / ".github/dependabot.yml", combo.dependabot),
            "compose": (project / "compose.yaml", combo.docker),
        }
        for kind, (path, wanted) in expected.items():
            assert path.is_file() is wanted, (combo.id, kind)
            if wanted:
                files[kind].append(path)
    _validate("vendor.github-workflows", files["workflow"])
    _validate("vendor.dependabot", files["dependabot"])
    _validate("vendor.compose-spec", files["compose"])
    dependabot = _yaml(files["dependabot"][0].parents[1], ".github/dependabot.yml")
    updates = {entry["package-ecosystem"]: entry for entry in dependabot["updates"]}
    assert set(updates) == {"pip", "github-actions"}
    for entry in updates.values():
        assert entry["schedule"]["interval"] == "weekly" and entry["groups"]


def python_code(project: Path) -> str:
    """A fingerprint of a project's Python code (its .py files and pyproject.toml)."""
    digest = hashlib.sha256()
    for path in sorted([*project.rglob("*.py"), project / "pyproject.toml"]):
        digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def distinct_code(every_combination, framework: str) -> list[Path]:
    """One project for each distinct Python code among the framework's combinations
    (Docker, GitHub Actions and dependabot change other files only)."""
    seen: dict[str, Path] = {}
    for combo, project in every_combination.items():
        if combo.framework == framework:
            seen.setdefault(python_code(project), project)
    return list(seen.values())


# --- slow: one generated, installed project per framework ---------------------------


def git(cwd: Path, *args: str) -> str:
    return run(["git", *args], cwd=cwd, env=IDENTITY, timeout=120).stdout


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory) -> Path:
    """The working tree's template as a git repository: v1 as it is, v2 with one more
    file in each starter (an update without conflicts)."""
    repo = copy_template(tmp_path_factory.mktemp("tooling-template"))
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "v1")
    git(repo, "tag", "v1")
    for framework in FRAMEWORKS:
        docs = repo / "templates" / framework / "docs"
        docs.mkdir()
        (docs / "team.md").write_text("# Team notes\n\nAdded by template v2.\n")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "v2")
    git(repo, "tag", "v2")
    return repo


@dataclass
class Installed:
    framework: str
    project: Path
    bin_dir: Path

    @property
    def env(self) -> dict[str, str]:
        """The project's venv first on PATH (as after `. .venv/bin/activate`), none of
        this process's settings."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"VIRTUAL_ENV", "PYTHONPATH", "DJANGO_SETTINGS_MODULE", "PYTEST_ADDOPTS"}
        }
        env.update(IDENTITY)
        env["PATH"] = f"{self.bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.bin_dir.parent)
        env["PRE_COMMIT_HOME"] = str(self.project.parent / "pre-commit-home")
        # One mypy cache for every run of this framework (the workflow's, each combination's).
        env["MYPY_CACHE_DIR"] = str(self.project.parent / "mypy-cache")
        return env

    def run(self, *cmd: str | Path, cwd: Path | None = None, check: bool = True, **env: str):
        return run(
            list(cmd), cwd=cwd or self.project, env={**self.env, **env}, check=check, timeout=600
        )


def scaffold_new(template: Path, dest: Path, framework: str) -> Path:
    run(
        [
            *SCAFFOLD,
            "new",
            str(dest),
            "--template",
            str(template),
            "--vcs-ref",
            "v1",
            "--framework",
            framework,
            "--defaults",
            "--quiet",
            "-d",
            "project_name=My Site",  # not the folder's name: the package is my_site
        ],
        env={**IDENTITY, "CI": "true"},
        timeout=300,
    )
    return dest


@pytest.fixture(scope="module", params=FRAMEWORKS)
def installed(request, template_repo, tmp_path_factory) -> Installed:
    """`scaffold new` with the default answers (SQLite, REST API, GitHub Actions,
    dependabot), installed as its README says into .venv (with uv, pip included for the
    workflow's own install step), plus psycopg for the PostgreSQL combinations' checks."""
    framework = request.param
    project = scaffold_new(
        template_repo, tmp_path_factory.mktemp(f"tooling-{framework}") / "project", framework
    )
    venv = project / ".venv"
    run([uv_binary(), "venv", "--quiet", "--seed", "--python", sys.executable, venv])
    run(
        [
            uv_binary(),
            "pip",
            "install",
            "--quiet",
            "--python",
            venv / "bin" / "python",
            "-e",
            ".[dev]",
            "psycopg[binary]",
        ],
        cwd=project,
        timeout=900,
    )
    return Installed(framework, project, venv / "bin")


def pre_commit(installed: Installed, project: Path, *, check: bool = True, **env: str):
    return installed.run("pre-commit", "run", "--all-files", cwd=project, check=check, **env)


@pytest.mark.slow
def test_pre_commit_passes_right_after_generation(installed):
    proc = pre_commit(installed, installed.project)
    for hook in ("no conflict markers", "ruff check", "ruff format", "migrations match"):
        assert re.search(rf"^{hook}[^\n]*\.Passed$", proc.stdout, re.M), proc.stdout
    assert git(installed.project, "status", "--porcelain") == ""  # nothing rewritten


@pytest.mark.slow
def test_pre_commit_after_a_clean_update_and_on_a_conflict(installed, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(installed.project, project, ignore=shutil.ignore_patterns(".venv"))
    run([*SCAFFOLD, "update", str(project), "--to", "v2"], env={**IDENTITY, "CI": "true"})
    assert (project / "docs" / "team.md").is_file()
    git(project, "add", "--all")
    pre_commit(installed, project)

    readme = project / "README.md"
    readme.write_text(
        readme.read_text("utf-8")
        + "<<<<<<< before updating\nmine\n=======\ntheirs\n>>>>>>> after updating\n",
        "utf-8",
    )
    git(project, "add", "--all")
    proc = pre_commit(installed, project, check=False)
    assert proc.returncode == 1
    assert re.search(r"^no conflict markers\.*Failed$", proc.stdout, re.M), proc.stdout
    assert "README.md" in proc.stdout and "Merge conflict string '<<<<<<<'" in proc.stdout


@pytest.mark.slow
def test_the_workflow_steps_pass_as_the_workflow_lists_them(installed):
    workflow = _yaml(installed.project, ".github/workflows/ci.yml")
    job = workflow["jobs"]["test"]
    used = [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]
    # This test is the checkout, and the venv is the Python that setup-python gives.
    assert used == ["actions/checkout", "actions/setup-python"]
    commands = [step for step in job["steps"] if "run" in step]
    assert len(commands) >= 6
    for step in commands:
        env = {**job.get("env", {}), **step.get("env", {})}
        proc = installed.run("bash", "-e", "-c", step["run"], check=False, **env)
        output = f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        assert proc.returncode == 0, f"{step.get('name')}: {step['run']}\n{output}"


@pytest.mark.slow
def test_every_combination_passes_mypy_and_the_hooks(installed, every_combination, tmp_path):
    """mypy (one run per distinct code, with the framework's venv and its shared cache),
    the migrations hook on each distinct code, and the other hooks on all the files of
    every combination at once (one repository holding them all)."""
    framework = installed.framework
    for project in distinct_code(every_combination, framework):
        # The venv holds another combination's project: this one's modules come first
        # (django-stubs' plugin imports the settings, with the apps they list).
        proc = installed.run("mypy", cwd=project, check=False, PYTHONPATH=str(project))
        assert proc.returncode == 0, f"{project.name}\n{proc.stdout}{proc.stderr}"
        config = _yaml(project, ".pre-commit-config.yaml")
        [migrations] = [h for h in config["repos"][0]["hooks"] if h["id"] == "migrations"]
        proc = installed.run("sh", "-c", migrations["entry"], cwd=project, check=False)
        assert proc.returncode == 0, f"{project.name}\n{proc.stdout}{proc.stderr}"

    projects = [p for combo, p in every_combination.items() if combo.framework == framework]
    configs = {(p / ".pre-commit-config.yaml").read_text() for p in projects}
    assert len(configs) == 1, "the pre-commit config depends on no option"
    all_of_them = tmp_path / "all"
    for project in projects:
        shutil.copytree(project, all_of_them / project.name)
    (all_of_them / ".pre-commit-config.yaml").write_text(configs.pop())
    git(all_of_them, "init", "--quiet")
    git(all_of_them, "add", "--all")
    proc = pre_commit(installed, all_of_them, check=False, SKIP="migrations")
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert git(all_of_them, "diff", "--name-only") == ""  # no hook rewrote a file


# --- slow: request ids through gunicorn ---------------------------------------------

DJANGO_BOOM = """import logging

from django.urls import path

from config.wsgi import application  # first: sets Django up

from config import urls

log = logging.getLogger("config.views")


def boom(request):
    log.warning("about to fail")
    raise RuntimeError("boom: internal detail")


urls.urlpatterns.append(path("boom/", boom))
__all__ = ["application"]
"""
FLASK_BOOM = f'''import logging

from {PACKAGE} import create_app

app = create_app()
log = logging.getLogger("{PACKAGE}.views")


@app.get("/boom/")
def boom():
    log.warning("about to fail")
    raise RuntimeError("boom: internal detail")
'''


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_and_log(installed: Installed, log_format: str) -> tuple[list[httpx.Response], str]:
    """Serve the project with its gunicorn.conf.py in production mode; GET / (with an
    incoming id) and /boom/ (a view that logs, then fails); return the responses and
    everything the server wrote."""
    secret = "s" * 30 + "ecret-for-the-request-id-test-only-0123456789"
    # The failing view lives outside the project (its git tree stays as generated).
    extra = installed.project.parent / "boom"
    extra.mkdir(exist_ok=True)
    if installed.framework == "django":
        (extra / "boom_wsgi.py").write_text(DJANGO_BOOM)
        target = "boom_wsgi:application"
        env = {
            "DEBUG": "false",
            "SECRET_KEY": secret,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        installed.run("python", "manage.py", "migrate", "--noinput", **env)
        installed.run("python", "manage.py", "collectstatic", "--noinput", **env)
    else:
        (extra / "boom_app.py").write_text(FLASK_BOOM)
        target = "boom_app:app"
        env = {"SECRET_KEY": secret, "SECURE_SSL_REDIRECT": "false", "TRUSTED_HOSTS": "127.0.0.1"}
        installed.run("flask", "--app", PACKAGE, "db", "upgrade", **env)
    env["LOG_FORMAT"] = log_format
    env["PYTHONPATH"] = str(extra)
    port = _free_port()
    log_path = installed.project.parent / f"gunicorn-{log_format}.log"
    with log_path.open("w") as log_file:
        server = subprocess.Popen(
            [
                installed.bin_dir / "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                target,
            ],
            cwd=installed.project,
            env={**installed.env, **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, log_path.read_text()
                try:
                    first = httpx.get(
                        f"{base}/", headers={"X-Request-ID": "trace-42"}, timeout=120
                    )
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.2)
            failed = httpx.get(f"{base}/boom/", timeout=120)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return [first, failed], log_path.read_text()


@pytest.mark.slow
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_request_id_is_in_the_response_and_in_every_log_line(installed, log_format):
    (first, failed), output = serve_and_log(installed, log_format)
    assert first.status_code == 200 and first.headers["X-Request-ID"] == "trace-42"
    assert failed.status_code == 500
    failed_id = failed.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f-]{36}", failed_id)
    assert "internal detail" not in failed.text and "Traceback" not in failed.text
    assert output.count("Traceback (most recent call last)") == 1, output  # logged once

    if log_format == "text":
        access = [line for line in output.splitlines() if ".access [" in line]
        assert len(access) == 2, output
        assert re.search(r" \[trace-42\] GET / 200 \d+\.\dms$", access[0]), access
        assert re.search(rf" \[{failed_id}\] GET /boom/ 500 \d+\.\dms$", access[1]), access
        warning = rf"^\S+ \S+ WARNING \S+\.views \[{failed_id}\] about to fail$"
        assert re.search(warning, output, re.M), output
        error = re.search(rf"^\S+ \S+ ERROR \S+ \[{failed_id}\] .*$", output, re.M)
        assert error, output
        assert "RuntimeError: boom: internal detail" in output[error.end() :]
        return

    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    by_id: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_id.setdefault(entry["request_id"], []).append(entry)
    [first_access] = [e for e in by_id["trace-42"] if e["logger"].endswith(".access")]
    assert [first_access[key] for key in ("method", "path", "status")] == ["GET", "/", 200]
    assert first_access["duration_ms"] >= 0
    failed_entries = by_id[failed_id]
    levels = {entry["level"] for entry in failed_entries}
    assert {"WARNING", "ERROR", "INFO"} <= levels, failed_entries
    assert any(e["message"] == "about to fail" for e in failed_entries)
    [error] = [entry for entry in entries if "traceback" in entry]
    assert error["request_id"] == failed_id and error["level"] == "ERROR"
    assert "RuntimeError: boom: internal detail" in error["traceback"]
    [failed_access] = [e for e in failed_entries if e["logger"].endswith(".access")]
    assert (failed_access["path"], failed_access["status"]) == ("/boom/", 500)
