"""A starter project on disk, installed and run the way its README says: the one
way scaffold (``scaffold bench``) and its test suite install and prepare a starter.

``StarterProject`` is a generated project folder with what is needed to run it:
its framework's facts (``scaffold.starters``), its virtual environment (``install``),
the environment a production deployment sets (``env``: SECRET_KEY, DEBUG=false,
ALLOWED_HOSTS, SECURE_SSL_REDIRECT=false for plain HTTP on loopback, DATABASE_URL
when given) and the project's own commands (``command``, ``migrate``,
``deploy_steps``, ``create_user``, ``seed_articles``); ``serve()`` gives a
``GunicornServer``. Every command runs in its own process group, bounded in time,
and raises ``CommandFailed`` with its output when it fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BenchError, BenchProjectError
from ..starters import FRAMEWORKS, STARTERS, Starter
from .procs import Completed, run_command
from .server import LOOPBACK, GunicornServer

# Variables of the calling environment that would change how a project runs; the
# project gets exactly the values set here instead.
_SCRUBBED_ENV = (
    "ALLOWED_HOSTS", "TRUSTED_HOSTS", "APP_ENV", "CONN_MAX_AGE", "DATABASE_URL", "DEBUG",
    "DJANGO_SETTINGS_MODULE", "FLASK_APP", "FLASK_DEBUG", "FLASK_ENV", "GUNICORN_CMD_ARGS",
    "PYTEST_ADDOPTS", "PYTHONDONTWRITEBYTECODE", "PYTHONHOME", "PYTHONPATH",
    "SECRET_KEY", "SECURE_SSL_REDIRECT", "TEST_DATABASE_URL", "VIRTUAL_ENV", "WEB_CONCURRENCY",
)  # fmt: skip
_COPY_IGNORE = shutil.ignore_patterns(
    ".venv", "venv", ".git", "__pycache__", "*.pyc", "*.sqlite3", "*.db", ".env",
    "staticfiles", "instance", ".pytest_cache", ".ruff_cache", "htmlcov", ".coverage",
    "node_modules", "*.egg-info",
)  # fmt: skip
_NOT_CODE_DIRS = {".venv", "venv", ".git", "__pycache__", "staticfiles", "instance"}


@dataclass(frozen=True)
class User:
    """A user of the served site, created with the project's own command."""

    username: str
    password: str
    staff: bool = False

    @property
    def auth(self) -> tuple[str, str]:
        """``(username, password)`` for HTTP Basic (``httpx`` ``auth=``)."""
        return (self.username, self.password)


@dataclass
class StarterProject:
    """A generated project folder and how to run it (see the module docstring)."""

    framework: str
    package_name: str
    path: Path
    source: str = "generated"  # or the folder it was copied from
    database_url: str | None = None
    async_server: bool = False  # the template answer: async gunicorn workers
    bin_dir: Path | None = None
    installer: str = ""
    env: dict[str, str] = field(default_factory=dict)  # production, set by install()
    users: dict[str, User] = field(default_factory=dict)

    @classmethod
    def from_folder(
        cls, path: Path, *, source: str = "generated", database_url: str | None = None
    ) -> StarterProject:
        """The project generated into ``path`` (its framework from .copier-answers.yml)."""
        answers = read_project_answers(path)
        return cls(
            framework=answers["framework"],
            package_name=str(answers.get("package_name") or ""),
            path=path,
            source=source,
            database_url=database_url,
            async_server=answers.get("async_server") is True,
        )

    @property
    def starter(self) -> Starter:
        return STARTERS[self.framework]

    @property
    def app_target(self) -> str:
        """What gunicorn serves (the README's command line)."""
        return self.starter.wsgi_target(self.package_name, async_server=self.async_server)

    @property
    def project_dir(self) -> Path:
        return self.path

    @property
    def database(self) -> str:
        return "postgresql" if (self.database_url or "").startswith("postgres") else "sqlite"

    @property
    def bin(self) -> Path:
        if self.bin_dir is None:
            raise BenchError(f"{self.path.name} is not installed yet")
        return self.bin_dir

    @property
    def python(self) -> Path:
        return self.bin / "python"

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
            TRUSTED_HOSTS=f"{LOOPBACK},localhost",
            SECURE_SSL_REDIRECT="false",
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def forget_dotenv(self) -> None:
        """Run as a fresh clone (CI, production) would: without the generated .env."""
        (self.path / ".env").unlink(missing_ok=True)

    # --- installing ---------------------------------------------------------------

    def install(
        self, installer: str = "auto", *, python: str | None = None, compile_bytecode: bool = False
    ) -> float:
        """Create ``.venv`` and ``pip install -e ".[dev]"`` the project (uv when
        available with ``installer="auto"``); return the seconds it took."""
        from ..install import find_uv, install_commands

        uv = find_uv() if installer in ("auto", "uv") else ""
        if installer == "uv" and not uv:
            raise BenchError("--installer uv: uv is not installed (pip install uv)")
        env = self.base_env()
        commands = install_commands(self.path, uv=uv or None, python=python or sys.executable)
        if uv and compile_bytecode:  # as pip does: no compiling at the first start
            commands[-1] = [*commands[-1], "--compile-bytecode"]
        seconds = 0.0
        for cmd in commands:
            done = run_command(cmd, cwd=self.path, env=env, what=f"installing {self.path.name}")
            seconds += done.seconds
        self.bin_dir = self.path / ".venv" / "bin"
        self.installer = "uv" if uv else "pip"
        self.env = self.production_env()
        if not (self.bin_dir / "gunicorn").exists():
            raise BenchError(
                f"gunicorn is not a dependency of {self.path.name}; scaffold serves "
                "the project with gunicorn as its README does"
            )
        return seconds

    # --- the project's own commands ------------------------------------------------

    def command(self, *args: str, timeout: float = 300, what: str | None = None) -> Completed:
        """Run the project's own command line (``manage.py`` / ``flask``) with ``args``
        in the production environment ``env``."""
        program = self.starter.command(*args, package=self.package_name)
        cmd = [str(self.bin / program[0]), *program[1:]]
        what = what or f"{self.framework}: {' '.join(args)}"
        return run_command(cmd, cwd=self.path, env=self.env, timeout=timeout, what=what)

    def deploy_steps(self) -> None:
        """What the README's deployment section runs before starting the server
        (Django: check the deployment settings, collect the static files)."""
        for args in self.starter.deploy:
            self.command(*args)

    def migrate(self) -> None:
        self.command(*self.starter.migrate_args())

    def create_user(self, user: User) -> None:
        self.command(
            *self.starter.create_user_args(user.username, user.password, staff=user.staff)
        )
        self.users[user.username] = user

    def seed_articles(self, count: int, author: str, *, published: bool = False) -> None:
        self.command(*self.starter.seed_args(count, author, published=published))

    def serve(self, **kwargs: Any) -> GunicornServer:
        """A ``GunicornServer`` for this project (not started: use it in ``with``)."""
        return GunicornServer(self, **kwargs)


def read_project_answers(path: Path) -> dict[str, Any]:
    """The answers of a project generated by scaffold; refuse any other folder."""
    from ..generate import read_answers

    answers = read_answers(path)
    if answers.get("framework") not in FRAMEWORKS:
        raise BenchProjectError(
            f"{str(path)!r} is not a project generated by scaffold "
            "(no .copier-answers.yml naming the framework)"
        )
    return answers


def copy_project(source: Path, dest: Path) -> StarterProject:
    """Copy a project folder for benchmarking (never modified in place)."""
    source = source.expanduser().resolve()
    if not source.is_dir():
        raise BenchProjectError(f"{str(source)!r} is not a folder")
    answers = read_project_answers(source)
    if answers.get("rest_api") is False:
        raise BenchProjectError(
            f"{str(source)!r} was generated without the REST API (rest_api=false); "
            "the benchmark loads /api/articles/"
        )
    shutil.copytree(source, dest, ignore=_COPY_IGNORE)
    return StarterProject.from_folder(dest, source=str(source))


def generate_project(
    framework: str,
    dest: Path,
    answers: Mapping[str, Any],
    template: str | None = None,
    vcs_ref: str | None = None,
) -> StarterProject:
    """Render the template into ``dest`` with ``answers`` (and defaults for the rest)."""
    from ..generate import generate, load_template

    generate(
        dest,
        {"framework": framework, **answers},
        template=load_template(template),
        vcs_ref=vcs_ref,
        defaults=True,
        git=False,
    )
    return StarterProject.from_folder(dest)


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


def installed_distributions(project: StarterProject) -> dict[str, str]:
    done = run_command(
        [project.python, "-c", _LIST_DISTRIBUTIONS],
        cwd=project.path,
        env=project.base_env(),
        timeout=60,
        what="listing the installed packages",
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    skip = {"pip", "setuptools", "wheel", "", project.package_name.replace("_", "-")}
    return {name: version for name, version in found.items() if name not in skip}


def run_project_tests(project: StarterProject) -> dict[str, Any]:
    """The project's own test suite, as a fresh clone runs it (no .env)."""
    done = run_command(
        [project.python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project.path, env=project.base_env(), timeout=900, check=False,
    )  # fmt: skip
    summary = ""
    for line in reversed(done.stdout.strip().splitlines()):
        if " passed" in line or " failed" in line or " error" in line:
            summary = line.strip("= ")
            break
    return {"seconds": round(done.seconds, 2), "passed": done.returncode == 0, "summary": summary}
