"""Generate, install and serve a starter project for black-box tests, with the
bench's own project and server classes (``scaffold.bench``): the suite installs,
serves and stops a starter exactly as ``scaffold bench`` does.

Used by the REST contract suite (tests/contract/) and the browser tests.
Everything here is bounded in time, binds 127.0.0.1 only, and stops every process
it starts (the whole process group).

API
---
``generate_project(dest, framework, database, answers=None, *, via=None) -> Path``
    Render the template into ``dest`` (which must not exist yet) with ``scaffold new``
    (or ``copier copy`` of the working tree: ``via="copier"`` or the environment
    variable SCAFFOLD_TEST_GENERATOR=copier) and return it.

``prepare_project(dest, framework, database, *, database_url=None, users=DEFAULT_USERS,
python=None, answers=None) -> StarterProject``
    Generate, install into ``dest/.venv`` the way the generated README says
    (uv venv + ``uv pip install -e ".[dev]"``), delete the generated ``.env`` so the
    project runs as a fresh clone in production would, run its deployment steps
    (Django: ``check --deploy``, ``collectstatic``) and migrations, and create ``users``
    with the project's own command. ``database_url`` is required for PostgreSQL (e.g.
    from the ``postgres_url`` fixture); SQLite uses the project's default database file.

``StarterProject`` (``scaffold.bench.project``)
    ``.project_dir``, ``.bin_dir``, ``.framework``, ``.database``, ``.package_name``,
    ``.env`` (the production environment: SECRET_KEY, DEBUG=false, ALLOWED_HOSTS,
    SECURE_SSL_REDIRECT=false, DATABASE_URL when set), ``.users`` (by username);
    ``.command(*args)`` runs ``python manage.py ARGS`` (Django) or ``flask ARGS``
    (Flask) in the project with that environment (``CommandFailed`` when it fails);
    ``.deploy_steps()``, ``.migrate()``, ``.create_user(user)``,
    ``.seed_articles(count, author, published=False)``; ``.serve(**kwargs)`` returns a
    ``GunicornServer`` (not yet started).

``GunicornServer(project, *, env=None, workers=2, startup_timeout=90)`` (``scaffold.bench.server``)
    A context manager: ``with project.serve() as server: httpx.get(server.base_url +
    "/api/health/")``. Starts gunicorn (the starter's WSGI target, the project's own
    gunicorn.conf.py) on a free port of 127.0.0.1 in its own process group, waits until
    ``/api/health/`` answers (any HTTP status), and on exit stops the group (SIGTERM,
    then SIGKILL). ``env`` entries override the project's environment (e.g. a broken
    DATABASE_URL). ``.base_url`` ("http://127.0.0.1:PORT"), ``.pid``, ``.log_path``,
    ``.log_tail()`` (gunicorn's output, for failure messages), ``.listening_addresses()``
    (the sockets the server's processes listen on).

Example::

    project = prepare_project(tmp / "site", "flask", "postgresql", database_url=url)
    with project.serve() as server:
        r = httpx.get(f"{server.base_url}/api/articles/")
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from scaffold.bench.procs import CommandFailed, run_command
from scaffold.bench.project import StarterProject, User
from scaffold.bench.server import LOOPBACK, GunicornServer
from scaffold.starters import FRAMEWORKS

REPO_ROOT = Path(__file__).resolve().parents[2]
DATABASES = ("sqlite", "postgresql")

# The suite's names for the bench's classes (the fixtures' type hints use them).
PreparedProject = StarterProject
ServedProject = GunicornServer

__all__ = [
    "DATABASES",
    "DEFAULT_USERS",
    "FRAMEWORKS",
    "LOOPBACK",
    "CommandFailed",
    "GunicornServer",
    "PreparedProject",
    "ServedProject",
    "StarterProject",
    "User",
    "generate_project",
    "prepare_project",
]


def _password() -> str:
    return "pw-" + secrets.token_urlsafe(12)


DEFAULT_USERS: tuple[User, ...] = (
    User("admin", _password(), staff=True),
    User("alice", _password()),
    User("bob", _password()),
)


# --- generation -------------------------------------------------------------------


def generate_project(
    dest: Path,
    framework: str,
    database: str,
    answers: Mapping[str, object] | None = None,
    *,
    via: str | None = None,
) -> Path:
    """Render the scaffold template of this checkout into ``dest`` with default
    answers plus ``framework``, ``database`` and ``answers``; return ``dest``.

    ``via="cli"`` (the default) runs ``python -m scaffold new DEST --framework F
    --defaults -d database=D --no-git --json``, which renders the checkout's
    committed HEAD. ``via="copier"`` runs ``copier copy --vcs-ref HEAD``, which also
    renders uncommitted changes (for working on a starter before committing it); the
    environment variable SCAFFOLD_TEST_GENERATOR=copier selects it for a whole run.
    """
    if framework not in FRAMEWORKS or database not in DATABASES:
        raise ValueError(f"unsupported combination {framework}-{database}")
    via = via or os.environ.get("SCAFFOLD_TEST_GENERATOR", "cli")
    data_args: list[str] = []
    for key, value in {"database": database, **(answers or {})}.items():
        text = value if isinstance(value, str) else json.dumps(value)
        data_args += ["-d", f"{key}={text}"]
    if via == "cli":
        cmd = [sys.executable, "-m", "scaffold", "new", str(dest), "--framework", framework]
        cmd += ["--defaults", "--no-git", "--json", "--quiet", *data_args]
    elif via == "copier":
        cmd = [sys.executable, "-m", "copier", "copy", "--quiet", "--defaults", "--trust"]
        cmd += ["--vcs-ref", "HEAD", "-d", f"framework={framework}", *data_args]
        cmd += [str(REPO_ROOT), str(dest)]
    else:
        raise ValueError(f"unknown generator {via!r}: use 'cli' or 'copier'")
    run_command(cmd, cwd=REPO_ROOT, timeout=180)
    if not (dest / ".copier-answers.yml").exists():
        raise CommandFailed(f"generation produced no .copier-answers.yml in {dest}")
    return dest


# --- a generated, installed project -----------------------------------------------


def prepare_project(
    dest: Path,
    framework: str,
    database: str,
    *,
    database_url: str | None = None,
    users: Iterable[User] = DEFAULT_USERS,
    python: str | None = None,
    answers: Mapping[str, object] | None = None,
) -> StarterProject:
    """Generate, install, migrate and create ``users``: ready to ``serve()``."""
    if database == "postgresql" and not database_url:
        raise ValueError("database=postgresql needs a database_url")
    project = StarterProject.from_folder(
        generate_project(dest, framework, database, answers), database_url=database_url
    )
    project.install(python=python)
    project.forget_dotenv()  # a fresh clone (CI, production) has no .env
    project.deploy_steps()
    project.migrate()
    for user in users:
        project.create_user(user)
    return project
