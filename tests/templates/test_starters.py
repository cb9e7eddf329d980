"""Both starters (templates/django/, templates/flask/), generated into tmp_path.

Fast tests render every supported combination of options and check the files without
installing anything: no Jinja left over, ruff clean, every .py compiles, TOML and YAML
parse, optional files and dependencies follow the options, the README, CI workflow and
Docker files say what the project does. The combinations are built from the questions
(every choice of ``database`` and every boolean question, for each framework, minus the
ones the questions refuse), plus unusual text answers; ids read like
``django-postgresql-api-docker-ci``. What differs between the frameworks is data below
(or ``scaffold.starters``), the checks are shared.

Slow tests install a few combinations into a fresh venv (as the generated README says)
and run what a user runs, without a .env file: the project's own test suite (coverage
gate included), the migrations check, the production refusals, the user and seed
commands and gunicorn's settings file (against a real PostgreSQL server for PostgreSQL).
"""

from __future__ import annotations

import ast
import itertools
import re
import secrets
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffold.bench.procs import Completed, run_command
from scaffold.bench.project import StarterProject
from scaffold.starters import FRAMEWORKS, STARTERS
from tests.support.procs import python_for
from tests.support.render import render
from tests.templates.rendered import (
    checked_text_files,
    compile_python_files,
    parse_toml_and_yaml,
    ruff,
    template_leftovers,
)

QUESTIONS = Path(__file__).resolve().parents[2] / "questions" / "common.yml"

# --- the combinations, from the questions ---------------------------------------------

# The boolean questions' defaults (questions/common.yml), for the unusual-text projects.
DEFAULT_OPTIONS = {"rest_api": True, "docker": False, "github_actions": True}


@dataclass(frozen=True)
class Combo:
    framework: str
    name: str  # the options part of the id: "postgresql-api-docker-ci"
    database: str = "sqlite"
    options: dict[str, bool] = field(default_factory=dict)  # the boolean questions
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.framework}-{self.name}"

    @property
    def answers(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "database": self.database,
            **self.options,
            **self.extra,
        }

    def on(self, question: str) -> bool:
        """The answer to a boolean question (its default when it is not given)."""
        return self.options.get(question, DEFAULT_OPTIONS.get(question, False))

    @property
    def rest_api(self) -> bool:
        return self.on("rest_api")

    @property
    def docker(self) -> bool:
        return self.on("docker")

    @property
    def github_actions(self) -> bool:
        return self.on("github_actions")

    @property
    def background_jobs(self) -> bool:
        return self.on("background_jobs")

    @property
    def package(self) -> str:
        return self.extra.get("package_name", "my_site")

    @property
    def label(self) -> str:
        return STARTERS[self.framework].label


# How a boolean question shows in the ids when it is on (else its name, dashed).
ID_WORDS = {
    "rest_api": "api",
    "docker": "docker",
    "github_actions": "ci",
    "background_jobs": "jobs",
    "async_server": "async",
}
# Boolean questions that do not double the matrix: each is on in one combination beside
# the defaults and in the all-on one (per framework), off everywhere else. Background
# jobs touch their own files and a few lines behind one `{% if %}`; the async server
# changes how the project is served, not the files the other answers choose. Neither
# combination misses them; doubling every combination for each would quadruple the suite.
FOLDED = ("background_jobs", "async_server")


def _questions() -> tuple[list[str], dict[str, str | None]]:
    """The choices of ``database``, and every boolean question that is asked, with
    the boolean it is asked after (``when: "{{ other }}"``) or None, as
    questions/common.yml declares them."""
    questions = yaml.safe_load(QUESTIONS.read_text("utf-8"))
    databases = list(questions["database"]["choices"].values())
    booleans: dict[str, str | None] = {}
    for name, question in questions.items():
        when = question.get("when", True)
        if question.get("type") != "bool" or when is False:
            continue
        parent = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", str(when))
        booleans[name] = parent.group(1) if parent else None
    return databases, booleans


def _impossible(answers: dict[str, Any]) -> bool:
    """Combinations the questions refuse: the compose file runs PostgreSQL, so
    ``docker`` needs ``database=postgresql`` (the validator of ``docker``)."""
    return answers.get("docker", False) and answers["database"] != "postgresql"


def _supported() -> list[Combo]:
    """Every framework x every database x every boolean on and off, where it is asked
    (a question asked only after another one is on varies only then), minus the
    impossible ones."""
    databases, booleans = _questions()
    folded = {q: booleans.pop(q) for q in FOLDED}
    combos = []
    for framework, database in itertools.product(FRAMEWORKS, databases):
        for values in itertools.product((True, False), repeat=len(booleans)):
            options = dict(zip(booleans, values, strict=True))
            unasked = {q for q, parent in booleans.items() if parent and not options[parent]}
            if any(options[q] for q in unasked):
                continue  # a question that is not asked counts once, with its default
            options = {q: on for q, on in options.items() if q not in unasked}
            if _impossible({"database": database, **options}):
                continue
            if database == databases[-1] and all(options.values()):
                options.update(dict.fromkeys(folded, True))  # the all-on combination
            words = [ID_WORDS.get(q, q.replace("_", "-")) for q, on in options.items() if on]
            combos.append(Combo(framework, "-".join([database, *words]), database, options))
        for question in folded:
            if database == "sqlite":  # the defaults, plus this one
                options = {**DEFAULT_OPTIONS, "dependabot": True, question: True}
                name = "-".join([database, "defaults", ID_WORDS[question]])
                combos.append(Combo(framework, name, database, options))
    return combos


UNUSUAL_TEXT = {
    "django": {
        "project_name": 'Jo\'s "Blog" \\ {{ not jinja }} 🚀',
        "package_name": "jos_blog",
        "description": 'Notes, "quotes" & backslashes \\ {% raw %}',
        "author_name": "Zoë O'Brien",
        "why_framework": ["Admin panel needed", "Relational data"],
    },
    "flask": {
        "project_name": 'Jo\'s "Blog" \\ {{ not jinja }} 🚀 – café',  # noqa: RUF001
        "package_name": "jos_blog",
        "description": 'Notes, "quotes" & backslashes \\ {% raw %} ✓',
        "author_name": "Zoë O'Brien",
        "why_framework": ["Small API", "Pick your own extensions"],
    },
}
COMBOS = [
    *_supported(),
    *(
        Combo(framework, "unusual-text", options=DEFAULT_OPTIONS, extra=UNUSUAL_TEXT[framework])
        for framework in FRAMEWORKS
    ),
]


def _near_defaults(combo: Combo) -> bool:
    """The fast suite renders the combinations at most one answer away from the
    defaults, everything on, and the unusual texts; the slow suite renders them all."""
    if combo.extra:
        return True
    answers = {"database": combo.database, **combo.options}
    defaults = {"database": "sqlite", **DEFAULT_OPTIONS, "dependabot": True}
    changed = [key for key, value in answers.items() if defaults.get(key) != value]
    return len(changed) <= 1 or all(answers.get(key) is not False for key in answers)


def _params(combos: list[Combo]) -> list[Any]:
    return [
        pytest.param(combo, id=combo.id, marks=() if _near_defaults(combo) else pytest.mark.slow)
        for combo in combos
    ]


def _of(framework: str) -> list[Any]:
    return _params([combo for combo in COMBOS if combo.framework == framework])


@pytest.fixture(scope="module")
def rendered(plain_template, tmp_path_factory) -> Callable[[Combo], Path]:
    """``rendered(combo)``: the project of ``combo``, rendered once for the module."""
    projects: dict[str, Path] = {}

    def get(combo: Combo) -> Path:
        if combo.id not in projects:
            dest = tmp_path_factory.mktemp(combo.id) / "project"
            projects[combo.id] = render(plain_template, dest, combo.answers)
        return projects[combo.id]

    return get


@pytest.fixture(params=_params(COMBOS))
def generated(request, rendered) -> tuple[Combo, Path]:
    return request.param, rendered(request.param)


# --- what differs between the starters (``{package}``: the package name) ------------

ENTRY_MODULE = {"django": "manage.py", "flask": "{package}/__init__.py"}

OPTIONAL_FILES: dict[str, dict[str, tuple[str, ...]]] = {
    "django": {
        "rest_api": (
            "articles/api.py",
            "articles/serializers.py",
            "tests/test_api.py",
            "api_tokens/models.py",
            "api_tokens/migrations/0001_initial.py",
            "tests/test_tokens.py",
            "docs/API.md",
            "config/json_input.py",
            "config/parsers.py",
            "tests/test_json_input.py",
        ),
        "background_jobs": (
            "config/celery.py",
            "config/broker.py",
            "accounts/tasks.py",
            "accounts/mail.py",
            "tests/test_jobs.py",
        ),
    },
    "flask": {
        "rest_api": (
            "{package}/api.py",
            "{package}/schemas.py",
            "{package}/templates/api/docs.html",
            "{package}/static/js/api-docs.js",
            "tests/test_api.py",
            "tests/test_api_access.py",
            "docs/API.md",
            "{package}/json_input.py",
            "tests/test_json_input.py",
        ),
        "background_jobs": ("{package}/jobs.py", "{package}/worker.py", "tests/test_jobs.py"),
        "async_server": ("{package}/green.py",),  # async views on gevent workers
    },
}
SHARED_OPTIONAL_FILES = {
    "docker": ("Dockerfile", "compose.yaml", ".dockerignore"),
    "github_actions": (".github/workflows/ci.yml",),
}
ALWAYS_FILES = {
    "django": (
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
    ),
    "flask": (
        "{package}/__init__.py",
        "{package}/config.py",
        "{package}/extensions.py",
        "{package}/models.py",
        "{package}/admin.py",
        "{package}/auth.py",
        "{package}/pages.py",
        "{package}/health.py",
        "{package}/commands.py",
        "{package}/migrations/env.py",
        "{package}/migrations/versions/0001_initial.py",
        "{package}/migrations/versions/0002_api_tokens_and_login_failures.py",
        "{package}/data/common-passwords.txt",
        "{package}/templates/auth/form.html",
        "{package}/templates/auth/password_reset_email.txt",
        "tests/test_accounts.py",
        "{package}/templates/base.html",
        "{package}/templates/errors/404.html",
        "{package}/templates/auth/login.html",
        "{package}/templates/pages/article_list.html",
        "{package}/templates/pages/article_detail.html",
        "{package}/static/css/site.css",
        "tests/conftest.py",
        "tests/test_health.py",
        ".flaskenv",
    ),
}
SHARED_ALWAYS_FILES = ("gunicorn.conf.py", ".env", ".env.example", ".gitignore", "README.md")

DEPENDENCIES = {
    "django": ("Django>=5.2,<7", "gunicorn", "whitenoise", "django-environ"),
    "flask": (
        "flask[async]",
        "flask-sqlalchemy",
        "flask-migrate",
        "flask-login",
        "flask-wtf",
        "flask-admin",
        "python-dotenv",
        "gunicorn",
    ),
}
JOBS_DEPENDENCIES = {
    "django": ("celery[redis]", "redis"),
    "flask": ("celery[redis]", "redis", "flask-caching"),
}
ASYNC_DEPENDENCIES = {"django": ("uvicorn-worker", "uvicorn[standard]"), "flask": ("gevent",)}
API_DEPENDENCIES = {
    "django": ("djangorestframework", "drf-spectacular[sidecar]"),
    "flask": ("flask-smorest", "flask-swagger-ui"),
}
DEV_DEPENDENCIES = {
    "django": ("pytest", "pytest-django", "pytest-cov", "ruff"),
    "flask": ("pytest", "pytest-cov", "ruff"),
}

# Where the project name lands in the code: (file, class holding SITE_NAME or None).
SITE_NAME_AT = {"django": ("config/settings.py", None), "flask": ("{package}/config.py", "Config")}

IGNORED = {
    "django": (".env", ".venv/", "db.sqlite3", "staticfiles/"),
    "flask": (".env", ".venv/", "instance/", "__pycache__/"),
}
README_TEXTS = {
    "django": (
        'python -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]"',
        "python manage.py migrate",
        "python manage.py runserver",
        "python manage.py createsuperuser",
        "`pytest`",
        "gunicorn -c gunicorn.conf.py {app}",
        "WEB_CONCURRENCY",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
    ),
    "flask": (
        'python -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]"',
        "flask db upgrade",
        "flask run",
        "pytest",
        "flask users create",
        "flask articles seed",
        'gunicorn -c gunicorn.conf.py "{package}:create_app()"',
        "WEB_CONCURRENCY",
        "SECRET_KEY",
        "SECURE_SSL_REDIRECT",
    ),
}


# What the CI workflow of each starter runs, beyond installing and testing.
def _django_ci(commands: list[str], job: dict[str, Any]) -> None:
    assert "pytest" in commands


def _flask_ci(commands: list[str], job: dict[str, Any]) -> None:
    assert any(command.startswith("pytest") for command in commands)
    assert "ruff check ." in commands and "ruff format --check ." in commands
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.13"]


CI_CHECKS: dict[str, Callable[[list[str], dict[str, Any]], None]] = {
    "django": _django_ci,
    "flask": _flask_ci,
}

# Texts of the Docker files: the web service's command in compose.yaml, and the Dockerfile.
COMPOSE_COMMAND = {"django": "exec gunicorn -c gunicorn.conf.py {app}", "flask": None}
DOCKERFILE_TEXTS = {
    "django": (
        "collectstatic",
        'CMD ["gunicorn", "-c", "gunicorn.conf.py", "{app}"]',
        "COPY . .",  # gunicorn.conf.py included
    ),
    "flask": (
        "db upgrade",
        "exec gunicorn -c gunicorn.conf.py '{package}:create_app()'",
        "COPY pyproject.toml README.md gunicorn.conf.py ./",
    ),
}


def _at(combo: Combo, name: str) -> str:
    """``name`` with ``{package}`` and ``{app}`` (what gunicorn serves) filled in."""
    starter = STARTERS[combo.framework]
    app = starter.wsgi_target(combo.package, async_server=combo.on("async_server"))
    return name.format(package=combo.package, app=app)


# --- fast: every combination ----------------------------------------------------------


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
    combo, project = generated
    files = compile_python_files(project)
    assert project / _at(combo, ENTRY_MODULE[combo.framework]) in files


def test_toml_and_yaml_parse(generated):
    combo, project = generated
    pyproject, answers = parse_toml_and_yaml(project)
    assert pyproject["project"]["requires-python"] == ">=3.11"
    assert answers["rest_api"] is combo.rest_api and answers["database"] == combo.database
    if combo.framework == "flask":
        assert pyproject["project"]["description"] == combo.extra.get(
            "description", "A Flask starter project generated by scaffold."
        )
        assert pyproject["project"]["authors"][0]["name"] == combo.extra.get(
            "author_name", "Your Name"
        )
        assert answers["framework"] == "flask"
        assert "dev_secret_key" not in answers


def test_optional_files_follow_the_options(generated):
    combo, project = generated
    options = {**OPTIONAL_FILES[combo.framework], **SHARED_OPTIONAL_FILES}
    expected = {
        _at(combo, name): combo.on(option) for option, names in options.items() for name in names
    }
    actual = {name: (project / name).exists() for name in expected}
    assert actual == expected
    assert (project / "docs").exists() is combo.rest_api  # no empty folder
    for name in (*ALWAYS_FILES[combo.framework], *SHARED_ALWAYS_FILES):  # whatever the options
        assert (project / _at(combo, name)).is_file(), name


def test_dependencies_follow_the_options(generated):
    combo, project = generated
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    deps = " ".join(pyproject["project"]["dependencies"])
    for name in DEPENDENCIES[combo.framework]:
        assert name in deps, name
    assert ("psycopg[binary]" in deps) is (combo.database == "postgresql")
    for name in API_DEPENDENCIES[combo.framework]:
        assert (name in deps) is combo.rest_api, name
    for name in JOBS_DEPENDENCIES[combo.framework]:
        assert (name in deps) is combo.background_jobs, name
    for name in ASYNC_DEPENDENCIES[combo.framework]:
        assert (name in deps) is combo.on("async_server"), name
    dev = " ".join(pyproject["project"]["optional-dependencies"]["dev"])
    for tool in DEV_DEPENDENCIES[combo.framework]:
        assert tool in dev
    assert "--cov" in pyproject["tool"]["pytest"]["ini_options"]["addopts"]
    assert pyproject["tool"]["coverage"]["report"]["fail_under"] >= 90


def test_project_name_reaches_the_code_unchanged(generated):
    combo, project = generated
    path, class_name = SITE_NAME_AT[combo.framework]
    tree = ast.parse((project / _at(combo, path)).read_text("utf-8"))
    body = tree.body
    if class_name:
        body = next(
            node.body
            for node in tree.body
            if isinstance(node, ast.ClassDef) and node.name == class_name
        )
    site_name = next(
        node.value.value
        for node in body
        if isinstance(node, ast.Assign)
        and getattr(node.targets[0], "id", None) == "SITE_NAME"
        and isinstance(node.value, ast.Constant)
    )
    assert site_name == combo.extra.get("project_name", "My Site")


def test_gitignore_and_readme(generated):
    combo, project = generated
    ignored = (project / ".gitignore").read_text().splitlines()
    for entry in IGNORED[combo.framework]:
        assert entry in ignored, entry
    readme = (project / "README.md").read_text("utf-8")
    for text in README_TEXTS[combo.framework]:
        assert _at(combo, text) in readme, text
    reasons = combo.extra.get("why_framework", [])
    why = readme.split(f"## Why {combo.label}", 1)[1]
    if combo.framework == "flask":
        assert ("/api/docs/" in readme) is combo.rest_api
        why = why.split("\n## ", 1)[0]
        assert ("chosen directly" in why) is (not reasons)
    for reason in reasons:
        assert f"- {reason}" in why
    if not reasons:
        assert "chosen directly" in why


def _readme_mentions(project: Path, text: str, option: bool) -> bool:
    """Assert the README mentions ``text`` exactly when ``option`` is on; return ``option``."""
    readme = (project / "README.md").read_text("utf-8")
    assert (text in readme) is option, text
    return option


def test_ci_workflow_runs_the_tests(generated):
    combo, project = generated
    if not _readme_mentions(project, "## Continuous integration", combo.github_actions):
        return
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    job = workflow["jobs"]["test"]
    commands = [step.get("run", "") for step in job["steps"]]
    assert 'python -m pip install -e ".[dev]"' in commands
    CI_CHECKS[combo.framework](commands, job)
    services = {"postgres": combo.database == "postgresql", "redis": combo.background_jobs}
    assert set(job.get("services", {})) == {name for name, on in services.items() if on}
    assert ("REDIS_URL" in job["env"]) is combo.background_jobs


def test_compose_runs_web_and_postgresql(generated):
    combo, project = generated
    if not _readme_mentions(project, "docker compose up --build", combo.docker):
        return
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    jobs = {"redis", "worker", "beat"} if combo.background_jobs else set()
    assert set(compose["services"]) == {"web", "db", *jobs}
    assert compose["services"]["db"]["image"].startswith("postgres:")
    assert "db:5432" in compose["services"]["web"]["environment"]["DATABASE_URL"]
    if COMPOSE_COMMAND[combo.framework]:
        assert (
            _at(combo, COMPOSE_COMMAND[combo.framework]) in compose["services"]["web"]["command"]
        )
    dockerfile = (project / "Dockerfile").read_text()
    for text in DOCKERFILE_TEXTS[combo.framework]:
        assert _at(combo, text) in dockerfile, text
    assert ".env" in (project / ".dockerignore").read_text().splitlines()


JOBS_WORDS = re.compile(r"celery|redis", re.IGNORECASE)


def test_background_jobs_leave_no_trace_when_off(generated):
    """Without the answer no file mentions Celery or Redis; with it, the README tells how
    to run, scale and monitor the worker and beat."""
    combo, project = generated
    readme = (project / "README.md").read_text("utf-8")
    if combo.background_jobs:
        app = {"django": "config", "flask": f"{combo.package}.worker"}[combo.framework]
        for text in (f"celery -A {app} worker", f"celery -A {app} beat", "**Scaling.**"):
            assert text in readme, text
        return
    hits = [
        f"{path.relative_to(project)}: {match.group(0)}"
        for path in checked_text_files(project)
        for match in [JOBS_WORDS.search(path.read_text("utf-8", "replace"))]
        if match
    ]
    assert hits == []


# --- fast: what only one starter has --------------------------------------------------


@pytest.mark.parametrize("combo", _of("django"))
def test_django_settings_text_follows_the_options(rendered, combo):
    project = rendered(combo)
    settings = (project / "config" / "settings.py").read_text("utf-8")
    assert 'AUTH_USER_MODEL = "accounts.User"' in settings
    assert ('"rest_framework"' in settings) is combo.rest_api
    has_sqlite_default = 'default=f"sqlite:///' in settings
    assert has_sqlite_default is (combo.database == "sqlite")
    env_file = (project / ".env").read_text()
    assert ("DATABASE_URL=postgres://" in env_file) is (combo.database == "postgresql")
    # Under ASGI every request has a thread of its own: no connection kept for the next.
    kept = 0 if combo.on("async_server") else 60
    assert f'env.int("CONN_MAX_AGE", default={kept})' in settings


@pytest.mark.parametrize("combo", _of("flask"))
def test_flask_has_no_module_level_app_and_finds_it_through_flaskenv(rendered, combo):
    project = rendered(combo)
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


@pytest.mark.parametrize("combo", _of("flask"))
def test_flask_secret_only_in_the_ignored_env_file(rendered, combo):
    project = rendered(combo)
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


# --- slow: installed projects ---------------------------------------------------------


@dataclass(frozen=True)
class Install:
    framework: str
    name: str
    python: str  # the interpreter version the venv is made with
    database: str = "sqlite"
    answers: dict[str, Any] = field(default_factory=dict)
    django: int | None = None  # the Django major version pip picks for it

    @property
    def id(self) -> str:
        return f"{self.framework}-{self.name}"


# One install each (reused by every slow test): the default project on the oldest and a
# newer Python; Django also without the REST API; PostgreSQL (with the Docker files)
# against a real server, for Flask without the REST API. Background jobs are folded into
# the newer Python's and the PostgreSQL installs (no install of their own): their own
# tests then run the jobs eagerly on both Pythons and with Django 5.2 and 6. The async
# server is on in the PostgreSQL installs (with jobs: everything on).
JOBS = {"background_jobs": True}
INSTALLS = [
    Install("django", "sqlite-py3.11-django5.2", python="3.11", django=5),
    Install("django", "sqlite-py3.12-django6-jobs", python="3.12", answers=JOBS, django=6),
    Install("django", "sqlite-no-api", python="3.11", django=5, answers={"rest_api": False}),
    Install(
        "django",
        "pg-docker-jobs-async",
        "3.11",
        "postgresql",
        {"docker": True, "async_server": True, **JOBS},
        django=5,
    ),
    Install("flask", "sqlite-py3.11", python="3.11"),
    Install("flask", "sqlite-py3.12-jobs", python="3.12", answers=JOBS),
    Install(
        "flask",
        "pg-no-api-docker-jobs-async",
        "3.11",
        "postgresql",
        {"rest_api": False, "docker": True, "async_server": True, **JOBS},
    ),
]

# How the project's own tests find the PostgreSQL server (Flask: ``TEST_DATABASE_URL``,
# a database the tests may empty, apart from the one DATABASE_URL names).
TEST_DATABASE_VARIABLE = {"django": "DATABASE_URL", "flask": "TEST_DATABASE_URL"}
# What the README's deploy section sets, beyond SECRET_KEY (and DATABASE_URL).
PRODUCTION_ENV = {
    "django": {"DEBUG": "false", "ALLOWED_HOSTS": "example.com"},
    "flask": {"TRUSTED_HOSTS": "example.com"},
}
# The database file the command checks use with SQLite (None: the project's default).
COMMANDS_SQLITE_URL = {"django": None, "flask": "sqlite:///cmd.db"}
# What the project's commands print.
CREATED_USER = {"django": None, "flask": 'Created staff user "boss".'}
DUPLICATE_USER = {"django": None, "flask": 'Error: A user named "boss" already exists.'}
# gunicorn's worker class and threads with async_server (threads: gunicorn's default).
ASYNC_WORKER = {"django": ("uvicorn_worker.UvicornWorker", "1"), "flask": ("gevent", "1")}
SEEDED = {"django": "Created 3 published articles.", "flask": "Created 3 published article(s)"}


@dataclass
class Installed:
    install: Install
    project: StarterProject
    database_url: str | None

    @property
    def framework(self) -> str:
        return self.install.framework

    def production(self) -> dict[str, str]:
        """What the README's deploy section sets."""
        env = {"SECRET_KEY": secrets.token_urlsafe(50), **PRODUCTION_ENV[self.framework]}
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def run(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> Completed:
        """``args[0]`` from the venv's bin folder, in a fresh clone's environment (no
        .env file, nothing of this process's that changes how the project runs) plus
        ``env``."""
        return run_command(
            [str(self.project.bin / args[0]), *args[1:]],
            cwd=self.project.path,
            env={**self.project.base_env(), **(env or {})},
            timeout=600,
            check=check,
        )

    def own(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> Completed:
        """The project's own command line (``manage.py`` / ``flask``) with ``args``."""
        program = self.project.starter.command(*args, package=self.project.package_name)
        return self.run(*program, env=env, check=check)


@pytest.fixture(scope="module")
def install_once(plain_template, tmp_path_factory, request) -> Callable[[Install], Installed]:
    """``install_once(install)``: the rendered, installed project, once per module."""
    done: dict[str, Installed] = {}

    def get(install: Install) -> Installed:
        if install.id not in done:
            python = python_for(install.python)
            if not python:
                pytest.skip(f"no Python {install.python} on this machine")
            database_url = None
            if install.database == "postgresql":
                database_url = request.getfixturevalue("postgres_server").create_database()
            dest = tmp_path_factory.mktemp(install.id) / "project"
            answers = {
                "framework": install.framework,
                "database": install.database,
                **install.answers,
            }
            project = StarterProject.from_folder(render(plain_template, dest, answers))
            project.forget_dotenv()  # run as a fresh clone (CI, production) would
            project.install(python=python)
            done[install.id] = Installed(install, project, database_url)
        return done[install.id]

    return get


@pytest.fixture(params=INSTALLS, ids=lambda install: install.id)
def installed(request, install_once) -> Installed:
    return install_once(request.param)


def _installs_of(framework: str) -> list[Any]:
    return [pytest.param(i, id=i.id) for i in INSTALLS if i.framework == framework]


@pytest.mark.slow
def test_own_test_suite_passes_with_coverage(installed, request):
    env = {}
    if installed.database_url:  # the PostgreSQL project's tests run on the real server
        env[TEST_DATABASE_VARIABLE[installed.framework]] = installed.database_url
    if installed.install.answers.get("background_jobs"):  # its tests marked "redis" too
        env["REDIS_URL"] = request.getfixturevalue("redis_server").url(15)
    proc = installed.run("pytest", "-q", "-p", "no:cacheprovider", env=env)
    assert re.search(r"\d+ passed", proc.stdout), proc.stdout[-3000:]
    if installed.framework == "flask":
        summary = proc.stdout.strip().splitlines()[-1]
        # Everything passed: nothing failed, skipped or errored (e.g. no PostgreSQL).
        assert re.fullmatch(r"=* *\d+ passed in .*", summary), proc.stdout[-3000:]
    assert "Required test coverage of 90" in proc.stdout, proc.stdout[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("install", _installs_of("django"))
def test_django_installs_the_expected_version(install_once, install):
    installed = install_once(install)
    env = {"DATABASE_URL": installed.database_url} if installed.database_url else {}
    out = installed.run("python", "-c", "import django; print(django.VERSION[0])", env=env)
    assert int(out.stdout) == install.django


@pytest.mark.slow
@pytest.mark.parametrize("install", _installs_of("django"))
def test_django_checks_pass_with_production_settings(install_once, install):
    installed = install_once(install)
    env = installed.production()
    proc = installed.own("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert "no issues" in proc.stdout
    installed.own("makemigrations", "--check", "--dry-run", env=env)


@pytest.mark.slow
@pytest.mark.parametrize("install", _installs_of("flask"))
def test_flask_migrations_upgrade_and_check_clean(install_once, install):
    installed = install_once(install)
    if installed.database_url:  # the server's database was emptied by the tests
        env = installed.production()
    else:  # a fresh SQLite file in the instance folder
        env = {**installed.production(), "DATABASE_URL": "sqlite:///fresh-check.db"}
    upgrade = installed.run("flask", "db", "upgrade", env=env)  # found through .flaskenv
    assert "Running upgrade  -> 0001" in upgrade.stderr, upgrade.stderr
    check = installed.run("flask", "db", "check", env=env)
    assert "No new upgrade operations detected." in check.stdout + check.stderr
    # `flask --app PACKAGE` works as well as the .flaskenv discovery; the database is
    # at the newest of the project's migrations.
    package = installed.project.package_name
    versions = installed.project.path / package / "migrations" / "versions"
    head = max(path.name for path in versions.glob("[0-9]*.py")).split("_", 1)[0]
    current = installed.run("flask", "--app", package, "db", "current", env=env)
    assert f"{head} (head)" in current.stdout


@pytest.mark.slow
@pytest.mark.parametrize("install", _installs_of("flask"))
def test_flask_production_refuses_unsafe_settings(install_once, install):
    installed = install_once(install)
    base = installed.production()
    for env, message in [
        ({**base, "SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({**base, "DEBUG": "true"}, "DEBUG is on"),
    ]:
        proc = installed.run("flask", "db", "current", env=env, check=False)
        assert proc.returncode != 0
        assert message in proc.stderr, proc.stderr[-2000:]


@pytest.mark.slow
def test_migrate_then_create_a_user_and_articles(installed):
    """The starter's commands (``scaffold.starters``), as the README gives them."""
    starter = installed.project.starter
    env = installed.production()
    sqlite_url = COMMANDS_SQLITE_URL[installed.framework]
    if sqlite_url and not installed.database_url:
        env["DATABASE_URL"] = sqlite_url
    installed.own(*starter.migrate_args(), env=env)
    created = installed.own(*starter.create_user_args("boss", "pw-boss-123", staff=True), env=env)
    if CREATED_USER[installed.framework]:
        assert CREATED_USER[installed.framework] in created.stdout
    if DUPLICATE_USER[installed.framework]:
        args = starter.create_user_args("boss", "pw-boss-123")
        again = installed.own(*args, env=env, check=False)
        assert again.returncode == 1
        assert again.stderr.strip() == DUPLICATE_USER[installed.framework]
    seeded = installed.own(*starter.seed_args(3, "boss", published=True), env=env)
    assert SEEDED[installed.framework] in seeded.stdout


@pytest.mark.slow
def test_gunicorn_starts_from_its_settings_file(installed):
    """`gunicorn -c gunicorn.conf.py TARGET` (README, Dockerfile, compose): gunicorn
    accepts the file and loads the app with it; the version comes from one constant."""
    project = installed.project
    target = project.app_target  # config.asgi:application with async_server
    env = {**installed.production(), "PORT": "8123", "WEB_CONCURRENCY": "3"}
    proc = installed.run("gunicorn", "-c", "gunicorn.conf.py", "--print-config", target, env=env)
    settings = dict(re.findall(r"^(\w+)\s+= (.*)$", proc.stdout, re.M))
    chosen = {name: settings[name] for name in ("bind", "workers", "worker_class", "threads")}
    workers = ASYNC_WORKER[project.framework] if project.async_server else ("gthread", "4")
    assert chosen == {
        "bind": "['0.0.0.0:8123']",
        "workers": "3",
        "worker_class": workers[0],
        "threads": workers[1],
    }
    script = f"import importlib.metadata as m; print(m.version({project.package_name!r}))"
    assert installed.run("python", "-c", script).stdout.strip() == "0.1.0"
