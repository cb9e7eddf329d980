"""The Flask starter (templates/flask/), generated into tmp_path.

Fast tests render every supported combination of options (a table of readable ids) and
check the files without installing anything: no Jinja left over, ruff clean, every .py
compiles, TOML and YAML parse, optional files and dependencies follow the options.

Slow tests install a few combinations into a fresh venv (as the generated README says)
and run what a user runs: the project's own tests (with coverage), `flask db upgrade`
and `flask db check` on a fresh database, the production refusals, and the user and
seed commands. The PostgreSQL project does all of it against a real server.
"""

from __future__ import annotations

import ast
import os
import re
import secrets
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.procs import install_project, python_for, run
from tests.support.render import render

RUFF = str(Path(sys.executable).parent / "ruff")


@dataclass(frozen=True)
class Combo:
    id: str
    database: str = "sqlite"
    rest_api: bool = True
    docker: bool = False
    github_actions: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def answers(self) -> dict[str, Any]:
        return {
            "framework": "flask",
            "database": self.database,
            "rest_api": self.rest_api,
            "docker": self.docker,
            "github_actions": self.github_actions,
            **self.extra,
        }

    @property
    def package(self) -> str:
        return self.extra.get("package_name", "my_site")


# Every supported combination (docker needs postgresql), plus unusual text answers.
COMBOS = [
    Combo("sqlite-api-ci"),
    Combo("sqlite-api", github_actions=False),
    Combo("sqlite-ci", rest_api=False),
    Combo("sqlite", rest_api=False, github_actions=False),
    Combo("postgresql-api-ci", database="postgresql"),
    Combo("postgresql-api", database="postgresql", github_actions=False),
    Combo("postgresql-ci", database="postgresql", rest_api=False),
    Combo("postgresql", database="postgresql", rest_api=False, github_actions=False),
    Combo("postgresql-api-docker-ci", database="postgresql", docker=True),
    Combo("postgresql-api-docker", database="postgresql", docker=True, github_actions=False),
    Combo("postgresql-docker-ci", database="postgresql", rest_api=False, docker=True),
    Combo(
        "postgresql-docker",
        database="postgresql",
        rest_api=False,
        docker=True,
        github_actions=False,
    ),
    Combo(
        "unusual-text",
        extra={
            "project_name": 'Jo\'s "Blog" \\ {{ not jinja }} 🚀 – café',  # noqa: RUF001
            "package_name": "jos_blog",
            "description": 'Notes, "quotes" & backslashes \\ {% raw %} ✓',
            "author_name": "Zoë O'Brien",
            "why_framework": ["Small API", "Pick your own extensions"],
        },
    ),
]

# Rendered files where a leftover `{{`, `{%` or `{#` would be a template bug. The
# framework's own Jinja templates (*.html) are left out: that syntax is theirs.
# `${{ ... }}` is GitHub Actions' expression syntax.
CHECKED_SUFFIXES = {".py", ".toml", ".yml", ".yaml", ".md", ".css", ".js", ".ini", ".mako"}
CHECKED_NAMES = {"Dockerfile", ".gitignore", ".dockerignore", ".flaskenv"}
LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#")


def checked_text_files(project: Path) -> list[Path]:
    return [
        path
        for path in sorted(project.rglob("*"))
        if path.is_file()
        and (
            path.suffix in CHECKED_SUFFIXES
            or path.name in CHECKED_NAMES
            or path.name.startswith(".env")
        )
    ]


@pytest.fixture(scope="module", params=COMBOS, ids=lambda combo: combo.id)
def generated(request, plain_template, tmp_path_factory) -> tuple[Combo, Path]:
    combo: Combo = request.param
    dest = tmp_path_factory.mktemp(f"flask-{combo.id}") / "project"
    return combo, render(plain_template, dest, combo.answers)


# --- fast: every combination ------------------------------------------------------


def test_no_template_syntax_left(generated):
    combo, project = generated
    files = checked_text_files(project)
    assert project / "pyproject.toml" in files and project / ".env" in files
    typed = [  # braces the user typed into an answer are theirs to keep
        fragment
        for value in combo.extra.values()
        if isinstance(value, str)
        for fragment in re.findall(r"\{\{.*?\}\}|\{%.*?%\}", value)
    ]
    leftovers = []
    for path in files:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for fragment in typed:
                line = line.replace(fragment, "")
            if LEFTOVER.search(line):
                leftovers.append(f"{path.relative_to(project)}:{number}: {line.strip()}")
    assert not leftovers, "unrendered template syntax:\n" + "\n".join(leftovers)


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff_is_clean(generated, args):
    _, project = generated
    proc = subprocess.run(
        [RUFF, *args, "--no-cache", "."], cwd=project, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_python_files_compile(generated):
    combo, project = generated
    files = sorted(project.rglob("*.py"))
    assert project / combo.package / "__init__.py" in files
    for path in files:
        compile(ast.parse(path.read_text("utf-8"), str(path)), str(path), "exec")


def test_toml_and_yaml_parse(generated):
    combo, project = generated
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["requires-python"] == ">=3.11"
    assert pyproject["project"]["description"] == combo.extra.get(
        "description", "A Flask starter project generated by scaffold."
    )
    assert pyproject["project"]["authors"][0]["name"] == combo.extra.get(
        "author_name", "Your Name"
    )
    for path in [*project.rglob("*.yml"), *project.rglob("*.yaml")]:
        assert yaml.safe_load(path.read_text("utf-8")), path
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert answers["framework"] == "flask"
    assert answers["rest_api"] is combo.rest_api and answers["database"] == combo.database
    assert "dev_secret_key" not in answers


def test_optional_files_follow_the_options(generated):
    combo, project = generated
    package = combo.package
    expected = {
        f"{package}/api.py": combo.rest_api,
        f"{package}/schemas.py": combo.rest_api,
        f"{package}/templates/api/docs.html": combo.rest_api,
        f"{package}/static/js/api-docs.js": combo.rest_api,
        "tests/test_api.py": combo.rest_api,
        "Dockerfile": combo.docker,
        "compose.yaml": combo.docker,
        ".dockerignore": combo.docker,
        ".github/workflows/ci.yml": combo.github_actions,
    }
    actual = {name: (project / name).exists() for name in expected}
    assert actual == expected
    for name in [  # always there, whatever the options
        f"{package}/__init__.py",
        f"{package}/config.py",
        f"{package}/extensions.py",
        f"{package}/models.py",
        f"{package}/admin.py",
        f"{package}/auth.py",
        f"{package}/pages.py",
        f"{package}/health.py",
        f"{package}/commands.py",
        f"{package}/migrations/env.py",
        f"{package}/migrations/versions/0001_initial.py",
        f"{package}/templates/base.html",
        f"{package}/templates/errors/404.html",
        f"{package}/templates/auth/login.html",
        f"{package}/templates/pages/article_list.html",
        f"{package}/templates/pages/article_detail.html",
        f"{package}/static/css/site.css",
        "tests/conftest.py",
        "tests/test_health.py",
        "gunicorn.conf.py",
        ".env",
        ".env.example",
        ".flaskenv",
        ".gitignore",
        "README.md",
    ]:
        assert (project / name).is_file(), name


def test_no_module_level_app_and_flask_app_discovery(generated):
    combo, project = generated
    init = ast.parse((project / combo.package / "__init__.py").read_text("utf-8"))
    assigned = {
        target.id
        for node in init.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    functions = {node.name for node in init.body if isinstance(node, ast.FunctionDef)}
    assert "app" not in assigned and "create_app" in functions
    assert f"FLASK_APP={combo.package}" in (project / ".flaskenv").read_text().splitlines()


def test_dependencies_follow_the_options(generated):
    combo, project = generated
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    deps = " ".join(pyproject["project"]["dependencies"])
    for name in (
        "flask[async]",
        "flask-sqlalchemy",
        "flask-migrate",
        "flask-login",
        "flask-wtf",
        "flask-admin",
        "python-dotenv",
        "gunicorn",
    ):
        assert name in deps, name
    assert ("psycopg[binary]" in deps) is (combo.database == "postgresql")
    assert ("flask-smorest" in deps) is combo.rest_api
    assert ("flask-swagger-ui" in deps) is combo.rest_api
    dev = " ".join(pyproject["project"]["optional-dependencies"]["dev"])
    for tool in ("pytest", "pytest-cov", "ruff"):
        assert tool in dev
    assert "--cov" in pyproject["tool"]["pytest"]["ini_options"]["addopts"]
    assert pyproject["tool"]["coverage"]["report"]["fail_under"] >= 90


def test_project_name_reaches_the_code_unchanged(generated):
    combo, project = generated
    tree = ast.parse((project / combo.package / "config.py").read_text("utf-8"))
    config_class = next(
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Config"
    )
    site_name = next(
        node.value.value
        for node in config_class.body
        if isinstance(node, ast.Assign)
        and getattr(node.targets[0], "id", None) == "SITE_NAME"
        and isinstance(node.value, ast.Constant)
    )
    assert site_name == combo.extra.get("project_name", "My Site")


def test_secret_only_in_the_ignored_env_file(generated):
    combo, project = generated
    env = dict(
        line.split("=", 1)
        for line in (project / ".env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    secret = env["SECRET_KEY"]
    assert len(secret) >= 50
    assert (env.get("APP_ENV"), env.get("DEBUG")) == ("development", "true")
    assert ("DATABASE_URL" in env) is (combo.database == "postgresql")
    hits = [
        path.relative_to(project)
        for path in project.rglob("*")
        if path.is_file() and path.name != ".env" and secret in path.read_text("utf-8", "replace")
    ]
    assert hits == []
    assert "SECRET_KEY=change-me" in (project / ".env.example").read_text()
    ignored = (project / ".gitignore").read_text().splitlines()
    for entry in (".env", ".venv/", "instance/", "__pycache__/"):
        assert entry in ignored, entry


def test_readme(generated):
    combo, project = generated
    readme = (project / "README.md").read_text("utf-8")
    for text in (
        'python -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]"',
        "flask db upgrade",
        "flask run",
        "pytest",
        "flask users create",
        "flask articles seed",
        f'gunicorn -c gunicorn.conf.py "{combo.package}:create_app()"',
        "WEB_CONCURRENCY",
        "SECRET_KEY",
        "SECURE_SSL_REDIRECT",
    ):
        assert text in readme, text
    assert ("/api/docs/" in readme) is combo.rest_api
    why = readme.split("## Why Flask", 1)[1].split("\n## ", 1)[0]
    reasons = combo.extra.get("why_framework", [])
    for reason in reasons:
        assert f"- {reason}" in why
    assert ("chosen directly" in why) is (not reasons)


def test_ci_workflow_runs_the_tests(generated):
    combo, project = generated
    readme = (project / "README.md").read_text("utf-8")
    assert ("## Continuous integration" in readme) is combo.github_actions
    if not combo.github_actions:
        return
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    job = workflow["jobs"]["test"]
    commands = [step.get("run", "") for step in job["steps"]]
    assert 'python -m pip install -e ".[dev]"' in commands
    assert any(command.startswith("pytest") for command in commands)
    assert "ruff check ." in commands and "ruff format --check ." in commands
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12"]
    assert ("services" in job) is (combo.database == "postgresql")


def test_compose_runs_web_and_postgresql(generated):
    combo, project = generated
    readme = (project / "README.md").read_text("utf-8")
    assert ("docker compose up --build" in readme) is combo.docker
    if not combo.docker:
        return
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    assert set(compose["services"]) == {"web", "db"}
    assert compose["services"]["db"]["image"].startswith("postgres:")
    assert "db:5432" in compose["services"]["web"]["environment"]["DATABASE_URL"]
    dockerfile = (project / "Dockerfile").read_text()
    assert "db upgrade" in dockerfile
    assert f"exec gunicorn -c gunicorn.conf.py '{combo.package}:create_app()'" in dockerfile
    assert "COPY pyproject.toml README.md gunicorn.conf.py ./" in dockerfile
    assert ".env" in (project / ".dockerignore").read_text().splitlines()


# --- slow: installed projects ------------------------------------------------------

# Variables of this process that would change how a generated project runs.
SCRUBBED = (
    "APP_ENV",
    "DATABASE_URL",
    "DEBUG",
    "FLASK_APP",
    "FLASK_DEBUG",
    "PYTHONPATH",
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "TEST_DATABASE_URL",
    "VIRTUAL_ENV",
    "PYTEST_ADDOPTS",
)


@dataclass(frozen=True)
class Install:
    id: str
    python: str  # the interpreter version of the venv
    database: str = "sqlite"
    answers: dict[str, Any] = field(default_factory=dict)


# One install each, reused by every slow test: the default project on the oldest and a
# newer Python, and the PostgreSQL project (without the REST API, with Docker files)
# against a real server.
INSTALLS = [
    Install("sqlite-py3.11", python="3.11"),
    Install("sqlite-py3.12", python="3.12"),
    Install(
        "pg-no-api-docker",
        python="3.11",
        database="postgresql",
        answers={"rest_api": False, "docker": True},
    ),
]


@dataclass
class Installed:
    install: Install
    project: Path
    bin_dir: Path
    env: dict[str, str]  # a fresh clone's environment: no .env file
    database_url: str | None

    def run(self, *args: str, env: dict[str, str] | None = None, check: bool = True):
        return run(
            [str(self.bin_dir / args[0]), *args[1:]],
            cwd=self.project,
            env={**self.env, **(env or {})},
            timeout=600,
            check=check,
        )

    def flask(self, *args: str, env: dict[str, str] | None = None, check: bool = True):
        return self.run("flask", *args, env=env, check=check)

    def production(self) -> dict[str, str]:
        """What the README's deploy section sets."""
        env = {"SECRET_KEY": secrets.token_urlsafe(50)}
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env


def interpreter(version: str) -> str:
    """An interpreter of ``version`` that runs, or "" (a pyenv shim such as python3.12
    is on PATH even when that version is not selected, and then fails)."""
    candidates = [python_for(version)]
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates += sorted(map(str, pyenv_root.glob(f"versions/{version}.*/bin/python3")))
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-c", ""], capture_output=True).returncode == 0:
            return candidate
    return ""


@pytest.fixture(scope="module", params=INSTALLS, ids=lambda install: install.id)
def installed(request, plain_template, tmp_path_factory) -> Installed:
    install: Install = request.param
    python = interpreter(install.python)
    if not python:
        pytest.skip(f"no Python {install.python} on this machine")
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    database_url = None
    if install.database == "postgresql":
        database_url = request.getfixturevalue("postgres_server").create_database()
    dest = tmp_path_factory.mktemp(f"flask-{install.id}") / "project"
    answers = {"framework": "flask", "database": install.database, **install.answers}
    project = render(plain_template, dest, answers)
    (project / ".env").unlink()  # run as a fresh clone (CI, production) would
    bin_dir = install_project(project, python=python)
    return Installed(install, project, bin_dir, env, database_url)


@pytest.mark.slow
def test_own_test_suite_passes_with_coverage(installed):
    env = {}
    if installed.database_url:  # the PostgreSQL project's tests run on the real server
        env["TEST_DATABASE_URL"] = installed.database_url
    proc = installed.run("pytest", "-q", "-p", "no:cacheprovider", env=env)
    summary = proc.stdout.strip().splitlines()[-1]
    # Everything passed: nothing failed, skipped or errored (e.g. no PostgreSQL).
    assert re.fullmatch(r"=* *\d+ passed in .*", summary), proc.stdout[-3000:]
    assert "Required test coverage of 90" in proc.stdout, proc.stdout[-3000:]


@pytest.mark.slow
def test_migrations_upgrade_and_check_clean(installed):
    if installed.database_url:  # the server's database was emptied by the tests
        env = installed.production()
    else:  # a fresh SQLite file in the instance folder
        env = {**installed.production(), "DATABASE_URL": "sqlite:///fresh-check.db"}
    upgrade = installed.flask("db", "upgrade", env=env)
    assert "Running upgrade  -> 0001" in upgrade.stderr, upgrade.stderr
    check = installed.flask("db", "check", env=env)
    assert "No new upgrade operations detected." in check.stdout + check.stderr
    # `flask --app PACKAGE` works as well as the .flaskenv discovery.
    current = installed.flask("--app", _package(installed), "db", "current", env=env)
    assert "0001 (head)" in current.stdout


def _package(installed: Installed) -> str:
    answers = yaml.safe_load((installed.project / ".copier-answers.yml").read_text())
    return answers["package_name"]


@pytest.mark.slow
def test_users_and_seed_commands(installed):
    env = {**installed.production(), "DATABASE_URL": installed.database_url or "sqlite:///cmd.db"}
    installed.flask("db", "upgrade", env=env)
    created = installed.flask("users", "create", "boss", "--password", "pw", "--staff", env=env)
    assert 'Created staff user "boss".' in created.stdout
    again = installed.flask("users", "create", "boss", "--password", "pw", env=env, check=False)
    assert again.returncode == 1
    assert again.stderr.strip() == 'Error: A user named "boss" already exists.'
    seeded = installed.flask(
        "articles", "seed", "--count", "3", "--author", "boss", "--published", env=env
    )
    assert "Created 3 published article(s)" in seeded.stdout


@pytest.mark.slow
def test_production_refuses_unsafe_settings(installed):
    base = installed.production()
    for env, message in [
        ({**base, "SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({**base, "DEBUG": "true"}, "DEBUG is on"),
    ]:
        proc = installed.flask("db", "current", env=env, check=False)
        assert proc.returncode != 0
        assert message in proc.stderr, proc.stderr[-2000:]


@pytest.mark.slow
def test_gunicorn_starts_from_its_settings_file(installed):
    """`gunicorn -c gunicorn.conf.py "PACKAGE:create_app()"` (README, Dockerfile): gunicorn
    accepts the file and loads the app with it; the version comes from one constant."""
    package = _package(installed)
    env = {**installed.production(), "PORT": "8123", "WEB_CONCURRENCY": "3"}
    proc = installed.run(
        "gunicorn", "-c", "gunicorn.conf.py", "--print-config", f"{package}:create_app()", env=env
    )
    settings = dict(re.findall(r"^(\w+)\s+= (.*)$", proc.stdout, re.M))
    chosen = {name: settings[name] for name in ("bind", "workers", "worker_class", "threads")}
    assert chosen == {
        "bind": "['0.0.0.0:8123']",
        "workers": "3",
        "worker_class": "gthread",
        "threads": "4",
    }
    script = f"import importlib.metadata as m; print(m.version({package!r}))"
    assert installed.run("python", "-c", script).stdout.strip() == "0.1.0"
