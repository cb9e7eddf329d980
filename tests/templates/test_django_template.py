"""The Django starter (templates/django/), generated into tmp_path.

Fast tests render every supported combination of options (a table below, with readable
ids) and check the files without installing anything: no Jinja left over, ruff clean,
every .py compiles, TOML and YAML parse, optional files follow their options.

Slow tests install a few combinations into a fresh venv (as the generated README says)
and run what a user runs, without a .env file: the project's own test suite (coverage
gate included), `manage.py check --deploy --fail-level WARNING` (every system check plus
the deployment ones) with production variables, `makemigrations --check --dry-run`, and
`migrate` plus the project's commands (against a real PostgreSQL server for PostgreSQL).
"""

from __future__ import annotations

import ast
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.procs import install_project, python_for, run
from tests.support.render import render
from tests.templates.rendered import (
    checked_text_files,
    compile_python_files,
    parse_toml_and_yaml,
    ruff,
    template_leftovers,
)


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
            "framework": "django",
            "database": self.database,
            "rest_api": self.rest_api,
            "docker": self.docker,
            "github_actions": self.github_actions,
            **self.extra,
        }


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
            "project_name": 'Jo\'s "Blog" \\ {{ not jinja }} 🚀',
            "package_name": "jos_blog",
            "description": 'Notes, "quotes" & backslashes \\ {% raw %}',
            "author_name": "Zoë O'Brien",
            "why_framework": ["Admin panel needed", "Relational data"],
        },
    ),
]


@pytest.fixture(scope="module", params=COMBOS, ids=lambda combo: combo.id)
def generated(request, plain_template, tmp_path_factory) -> tuple[Combo, Path]:
    combo: Combo = request.param
    dest = tmp_path_factory.mktemp(f"django-{combo.id}") / "project"
    return combo, render(plain_template, dest, combo.answers)


# --- fast: every combination ------------------------------------------------------


def test_no_template_syntax_left(generated):
    combo, project = generated
    files = checked_text_files(project)
    assert project / "pyproject.toml" in files and project / ".env" in files
    leftovers = template_leftovers(project, combo.extra)
    assert not leftovers, "unrendered template syntax:\n" + "\n".join(leftovers)


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff_is_clean(generated, args):
    _, project = generated
    proc = ruff(project, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_python_files_compile(generated):
    _, project = generated
    files = compile_python_files(project)
    assert project / "manage.py" in files


def test_toml_and_yaml_parse(generated):
    combo, project = generated
    pyproject, answers = parse_toml_and_yaml(project)
    assert pyproject["project"]["requires-python"] == ">=3.11"
    assert answers["rest_api"] is combo.rest_api and answers["database"] == combo.database


def test_optional_files_follow_the_options(generated):
    combo, project = generated
    expected = {
        "articles/api.py": combo.rest_api,
        "articles/serializers.py": combo.rest_api,
        "tests/test_api.py": combo.rest_api,
        "api_tokens/models.py": combo.rest_api,
        "api_tokens/migrations/0001_initial.py": combo.rest_api,
        "tests/test_tokens.py": combo.rest_api,
        "docs/API.md": combo.rest_api,
        "Dockerfile": combo.docker,
        "compose.yaml": combo.docker,
        ".dockerignore": combo.docker,
        ".github/workflows/ci.yml": combo.github_actions,
    }
    actual = {name: (project / name).exists() for name in expected}
    assert actual == expected
    assert (project / "docs").exists() is combo.rest_api  # no empty folder
    # Always there, whatever the options.
    for name in [
        "manage.py",
        "config/settings.py",
        "config/urls.py",
        "config/wsgi.py",
        "config/asgi.py",
        "accounts/migrations/0001_initial.py",
        "accounts/migrations/0002_loginfailure.py",
        "articles/migrations/0001_initial.py",
        "templates/registration/signup.html",
        "templates/registration/password_reset_email.html",
        "templates/base.html",
        "templates/404.html",
        "static/css/site.css",
        "gunicorn.conf.py",
        ".env",
        ".env.example",
        ".gitignore",
        "README.md",
    ]:
        assert (project / name).is_file(), name


def test_dependencies_follow_the_options(generated):
    combo, project = generated
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    deps = " ".join(pyproject["project"]["dependencies"])
    assert "Django>=5.2,<7" in deps  # 5.2 LTS on Python 3.11, Django 6 on 3.12+
    assert "gunicorn" in deps and "whitenoise" in deps and "django-environ" in deps
    assert ("psycopg[binary]" in deps) is (combo.database == "postgresql")
    assert ("djangorestframework" in deps) is combo.rest_api
    assert ("drf-spectacular[sidecar]" in deps) is combo.rest_api
    dev = " ".join(pyproject["project"]["optional-dependencies"]["dev"])
    for tool in ("pytest", "pytest-django", "pytest-cov", "ruff"):
        assert tool in dev
    pytest_config = pyproject["tool"]["pytest"]["ini_options"]
    assert "--cov" in pytest_config["addopts"]
    assert pyproject["tool"]["coverage"]["report"]["fail_under"] >= 90


def test_settings_text_follows_the_options(generated):
    combo, project = generated
    settings = (project / "config" / "settings.py").read_text("utf-8")
    assert 'AUTH_USER_MODEL = "accounts.User"' in settings
    assert ('"rest_framework"' in settings) is combo.rest_api
    has_sqlite_default = 'default=f"sqlite:///' in settings
    assert has_sqlite_default is (combo.database == "sqlite")
    env_file = (project / ".env").read_text()
    assert ("DATABASE_URL=postgres://" in env_file) is (combo.database == "postgresql")


def test_project_name_reaches_the_code_unchanged(generated):
    combo, project = generated
    tree = ast.parse((project / "config" / "settings.py").read_text("utf-8"))
    site_name = next(
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and getattr(node.targets[0], "id", None) == "SITE_NAME"
        and isinstance(node.value, ast.Constant)
    )
    assert site_name == combo.extra.get("project_name", "My Site")


def test_gitignore_and_readme(generated):
    combo, project = generated
    ignored = (project / ".gitignore").read_text().splitlines()
    for entry in (".env", ".venv/", "db.sqlite3", "staticfiles/"):
        assert entry in ignored
    readme = (project / "README.md").read_text("utf-8")
    for command in (
        'python -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]"',
        "python manage.py migrate",
        "python manage.py runserver",
        "python manage.py createsuperuser",
        "`pytest`",
        "gunicorn -c gunicorn.conf.py config.wsgi",
        "WEB_CONCURRENCY",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
    ):
        assert command in readme, command
    why = readme.split("## Why Django", 1)[1]
    for reason in combo.extra.get("why_framework", []):
        assert f"- {reason}" in why
    if not combo.extra.get("why_framework"):
        assert "chosen directly" in why


def test_ci_workflow_runs_the_tests(generated):
    combo, project = generated
    readme = (project / "README.md").read_text("utf-8")
    assert ("## Continuous integration" in readme) is combo.github_actions
    if not combo.github_actions:
        return
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    job = workflow["jobs"]["test"]
    commands = [step.get("run", "") for step in job["steps"]]
    assert 'python -m pip install -e ".[dev]"' in commands and "pytest" in commands
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
    web_command = compose["services"]["web"]["command"]
    assert "exec gunicorn -c gunicorn.conf.py config.wsgi" in web_command
    dockerfile = (project / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile
    assert 'CMD ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"]' in dockerfile
    assert "COPY . ." in dockerfile  # gunicorn.conf.py included
    assert ".env" in (project / ".dockerignore").read_text().splitlines()


# --- slow: installed projects ------------------------------------------------------

# Variables of this process that would change how a generated project runs.
SCRUBBED = (
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "PYTHONPATH",
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "VIRTUAL_ENV",
    "PYTEST_ADDOPTS",
)


def production_env() -> dict[str, str]:
    """What the README's deploy section sets."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.com",
    }


@dataclass(frozen=True)
class Install:
    id: str
    python: str  # the interpreter version the venv is made with
    django: int  # the Django major version pip picks for it
    database: str = "sqlite"
    answers: dict[str, Any] = field(default_factory=dict)


# One install each (reused by every slow test): the default project on the oldest and a
# newer Python, the project without the REST API, and PostgreSQL against a real server.
INSTALLS = [
    Install("sqlite-py3.11-django5.2", python="3.11", django=5),
    Install("sqlite-py3.12-django6", python="3.12", django=6),
    Install("sqlite-no-api", python="3.11", django=5, answers={"rest_api": False}),
    Install("pg-docker", python="3.11", django=5, database="postgresql", answers={"docker": True}),
]


@dataclass
class Installed:
    install: Install
    project: Path
    bin_dir: Path
    env: dict[str, str]  # the environment of a fresh clone: no .env file

    def run(self, *args: str, extra_env: dict[str, str] | None = None, timeout: float = 300):
        return run(
            [str(self.bin_dir / args[0]), *args[1:]],
            cwd=self.project,
            env={**self.env, **(extra_env or {})},
            timeout=timeout,
        )

    def manage(self, *args: str, extra_env: dict[str, str] | None = None):
        return self.run("python", "manage.py", *args, extra_env=extra_env)


@pytest.fixture(scope="module", params=INSTALLS, ids=lambda install: install.id)
def installed(request, plain_template, tmp_path_factory) -> Installed:
    install: Install = request.param
    python = python_for(install.python)
    if not python:
        pytest.skip(f"no Python {install.python} on this machine")
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    if install.database == "postgresql":
        env["DATABASE_URL"] = request.getfixturevalue("postgres_server").create_database()
    dest = tmp_path_factory.mktemp(f"django-{install.id}") / "project"
    answers = {"framework": "django", "database": install.database, **install.answers}
    project = render(plain_template, dest, answers)
    (project / ".env").unlink()  # run as a fresh clone (CI, production) would
    bin_dir = install_project(project, python=python)
    return Installed(install, project, bin_dir, env)


@pytest.mark.slow
def test_installs_the_expected_django(installed):
    out = installed.run("python", "-c", "import django; print(django.VERSION[0])").stdout
    assert int(out) == installed.install.django


@pytest.mark.slow
def test_own_test_suite_passes_with_coverage(installed):
    proc = installed.run("pytest", "-q", "-p", "no:cacheprovider", timeout=600)
    assert re.search(r"\d+ passed", proc.stdout), proc.stdout[-3000:]
    assert "Required test coverage of 90" in proc.stdout, proc.stdout[-3000:]


@pytest.mark.slow
def test_checks_pass_with_production_settings(installed):
    env = production_env()
    proc = installed.manage("check", "--deploy", "--fail-level", "WARNING", extra_env=env)
    assert "no issues" in proc.stdout
    installed.manage("makemigrations", "--check", "--dry-run", extra_env=env)


@pytest.mark.slow
def test_migrate_then_create_a_user_and_articles(installed):
    env = production_env()
    installed.manage("migrate", "--noinput", extra_env=env)
    installed.manage("createuser", "alice", "--password", "pw-alice-123", "--staff", extra_env=env)
    proc = installed.manage(
        "seed_articles", "--count", "3", "--author", "alice", "--published", extra_env=env
    )
    assert "Created 3 published articles." in proc.stdout


@pytest.mark.slow
def test_gunicorn_starts_from_its_settings_file(installed):
    """`gunicorn -c gunicorn.conf.py config.wsgi` (README, Dockerfile, compose): gunicorn
    accepts the file and loads the app with it; the version comes from one constant."""
    env = {**production_env(), "PORT": "8123", "WEB_CONCURRENCY": "3"}
    proc = installed.run(
        "gunicorn", "-c", "gunicorn.conf.py", "--print-config", "config.wsgi", extra_env=env
    )
    settings = dict(re.findall(r"^(\w+)\s+= (.*)$", proc.stdout, re.M))
    chosen = {name: settings[name] for name in ("bind", "workers", "worker_class", "threads")}
    assert chosen == {
        "bind": "['0.0.0.0:8123']",
        "workers": "3",
        "worker_class": "gthread",
        "threads": "4",
    }
    version = installed.run(
        "python", "-c", "import importlib.metadata as m; print(m.version('my_site'))"
    )
    assert version.stdout.strip() == "0.1.0"
