"""Generate, install and serve a starter project for black-box tests.

Used by the REST contract suite (tests/contract/), and meant to be reused by the
browser tests and ``scaffold bench``. Everything here is bounded in time, binds
127.0.0.1 only, and stops every process it starts (the whole process group).

API
---
``generate_project(dest, framework, database, answers=None, *, via=None) -> Path``
    Render the template into ``dest`` (which must not exist yet) with ``scaffold new``
    (or ``copier copy`` of the working tree: ``via="copier"`` or the environment
    variable SCAFFOLD_TEST_GENERATOR=copier) and return it.

``prepare_project(dest, framework, database, *, database_url=None, users=DEFAULT_USERS,
python=None, answers=None) -> PreparedProject``
    Generate, install into ``dest/.venv`` the way the generated README says
    (uv venv + ``uv pip install -e ".[dev]"``), delete the generated ``.env`` so the
    project runs as a fresh clone in production would, run its deployment steps
    (Django: ``check --deploy``, ``collectstatic``) and migrations, and create ``users`` with the
    project's own command. ``database_url`` is required for
    PostgreSQL (e.g. from the ``postgres_url`` fixture); SQLite uses the project's
    default database file.

``python_for(version) -> str`` (in procs.py)
    A CPython of that version that runs (pyenv's install, else ``pythonX.Y``), for
    ``prepare_project(python=...)``.

``PreparedProject``
    ``.project_dir``, ``.bin_dir``, ``.framework``, ``.database``, ``.package_name``,
    ``.env`` (the production environment: SECRET_KEY, DEBUG=false, ALLOWED_HOSTS,
    SECURE_SSL_REDIRECT=false, DATABASE_URL when set), ``.users`` (by username);
    ``.command(*args)`` runs ``python manage.py ARGS`` (Django) or ``flask ARGS``
    (Flask) in the project with that environment; ``.deploy_steps()``, ``.migrate()``,
    ``.create_user(user)``, ``.seed_articles(count, author, published=False)``;
    ``.serve(**kwargs)`` returns a ``ServedProject`` (not yet started).

``ServedProject(project, *, env=None, workers=2, startup_timeout=90)``
    A context manager: ``with project.serve() as server: httpx.get(server.base_url +
    "/api/health/")``. Starts gunicorn (``config.wsgi`` for Django,
    ``"PACKAGE:create_app()"`` for Flask) on a free port of 127.0.0.1 in its own
    process group, waits until ``/api/health/`` answers (any HTTP status), and on exit
    stops the group (SIGTERM, then SIGKILL). ``env`` entries override the project's
    environment (e.g. a broken DATABASE_URL). ``.base_url`` ("http://127.0.0.1:PORT"),
    ``.pid``, ``.log_path``, ``.log_tail()`` (gunicorn's output, for failure messages),
    ``.listening_addresses()`` (the sockets the server's processes listen on).

Example::

    project = prepare_project(tmp / "site", "flask", "postgresql", database_url=url)
    with project.serve() as server:
        r = httpx.get(f"{server.base_url}/api/articles/")
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from .postgres import free_port
from .procs import CommandFailed, install_project

REPO_ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("django", "flask")
DATABASES = ("sqlite", "postgresql")
LOOPBACK = "127.0.0.1"

# Variables of the calling environment that would change how a generated project
# runs; the project gets exactly the values set here instead.
_SCRUBBED_ENV = (
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "FLASK_APP",
    "FLASK_DEBUG",
    "FLASK_ENV",
    "GUNICORN_CMD_ARGS",
    "PYTHONHOME",
    "PYTHONPATH",
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "VIRTUAL_ENV",
    "WEB_CONCURRENCY",
)


@dataclass(frozen=True)
class User:
    username: str
    password: str
    staff: bool = False

    @property
    def auth(self) -> tuple[str, str]:
        """``(username, password)`` for HTTP Basic (``httpx`` ``auth=``)."""
        return (self.username, self.password)


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
    _run(cmd, cwd=REPO_ROOT, env=None, timeout=180)
    if not (dest / ".copier-answers.yml").exists():
        raise CommandFailed(f"generation produced no .copier-answers.yml in {dest}")
    return dest


# --- a generated, installed project -----------------------------------------------


@dataclass
class PreparedProject:
    project_dir: Path
    bin_dir: Path
    framework: str
    database: str
    package_name: str
    env: dict[str, str]
    users: dict[str, User] = field(default_factory=dict)

    def command(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run the project's own CLI (``manage.py`` / ``flask``) with ``args``."""
        if self.framework == "django":
            cmd = [str(self.bin_dir / "python"), "manage.py", *args]
        else:
            cmd = [str(self.bin_dir / "flask"), *args]
        return _run(cmd, cwd=self.project_dir, env=self.env, timeout=timeout)

    def migrate(self) -> None:
        if self.framework == "django":
            self.command("migrate", "--noinput")
        else:
            self.command("db", "upgrade")

    def deploy_steps(self) -> None:
        """What the README's deployment section runs before starting the server:
        Django checks its deployment settings and collects static files (WhiteNoise
        serves them); Flask has no step."""
        if self.framework == "django":
            self.command("check", "--deploy")
            self.command("collectstatic", "--noinput")

    def create_user(self, user: User) -> None:
        prefix = ("createuser",) if self.framework == "django" else ("users", "create")
        args = [*prefix, user.username, "--password", user.password]
        if user.staff:
            args.append("--staff")
        self.command(*args)
        self.users[user.username] = user

    def seed_articles(self, count: int, author: str, *, published: bool = False) -> None:
        prefix = ("seed_articles",) if self.framework == "django" else ("articles", "seed")
        args = [*prefix, "--count", str(count), "--author", author]
        if published:
            args.append("--published")
        self.command(*args)

    def serve(self, **kwargs: object) -> ServedProject:
        return ServedProject(self, **kwargs)  # type: ignore[arg-type]


def production_env(bin_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment a production deployment sets (see the generated README),
    with the HTTPS redirect off because tests speak plain HTTP on loopback."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(bin_dir.parent),
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def prepare_project(
    dest: Path,
    framework: str,
    database: str,
    *,
    database_url: str | None = None,
    users: Iterable[User] = DEFAULT_USERS,
    python: str | None = None,
    answers: Mapping[str, object] | None = None,
) -> PreparedProject:
    """Generate, install, migrate and create ``users``: ready to ``serve()``."""
    if database == "postgresql" and not database_url:
        raise ValueError("database=postgresql needs a database_url")
    project_dir = generate_project(dest, framework, database, answers)
    stored = yaml.safe_load((project_dir / ".copier-answers.yml").read_text()) or {}
    bin_dir = install_project(project_dir, python=python)
    # A fresh clone (CI, production) has no .env: run the way it would.
    (project_dir / ".env").unlink(missing_ok=True)
    project = PreparedProject(
        project_dir=project_dir,
        bin_dir=bin_dir,
        framework=framework,
        database=database,
        package_name=str(stored.get("package_name", "my_site")),
        env=production_env(bin_dir, database_url),
    )
    project.deploy_steps()
    project.migrate()
    for user in users:
        project.create_user(user)
    return project


# --- a running server --------------------------------------------------------------


class ServedProject:
    """gunicorn serving a prepared project on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        project: PreparedProject,
        *,
        env: Mapping[str, str] | None = None,
        workers: int = 2,
        startup_timeout: float = 90.0,
        log_path: Path | None = None,
    ) -> None:
        self.project = project
        self.env = {**project.env, **(env or {})}
        self.workers = workers
        self.startup_timeout = startup_timeout
        self.log_path = log_path or project.project_dir / f"gunicorn-{os.getpid()}-{id(self)}.log"
        self.port = 0
        self.base_url = ""
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def app_spec(self) -> str:
        if self.project.framework == "django":
            return "config.wsgi"
        return f"{self.project.package_name}:create_app()"

    def start(self) -> str:
        """Start gunicorn and wait until /api/health/ answers; return the base URL."""
        last_error = ""
        for _attempt in range(3):  # a free port can be taken before gunicorn binds it
            self.port = free_port()
            self.base_url = f"http://{LOOPBACK}:{self.port}"
            self._spawn()
            try:
                self._wait_until_answering()
                return self.base_url
            except _ServerExited as exc:
                last_error = str(exc)
                self.stop()
                if "Address already in use" not in last_error:
                    break
            except BaseException:
                self.stop()
                raise
        raise CommandFailed(last_error)

    def _spawn(self) -> None:
        cmd = [
            str(self.project.bin_dir / "gunicorn"),
            "--bind",
            f"{LOOPBACK}:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
            *_private_control(self.project.bin_dir),
            self.app_spec(),
        ]
        log = self.log_path.open("ab")
        try:
            self._proc = subprocess.Popen(
                cmd,
                cwd=self.project.project_dir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as a whole
            )
        finally:
            log.close()

    def _wait_until_answering(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self.startup_timeout
        url = f"{self.base_url}/api/health/"
        while True:
            if self._proc.poll() is not None:
                raise _ServerExited(
                    f"gunicorn exited with {self._proc.returncode} before answering "
                    f"{url}\n--- gunicorn log ---\n{self.log_tail()}"
                )
            try:
                httpx.get(url, timeout=5.0, trust_env=False)
                return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise CommandFailed(
                    f"{url} did not answer within {self.startup_timeout}s\n"
                    f"--- gunicorn log ---\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop gunicorn and every process of its group; safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            # The master is gone; make sure no worker of the group outlives it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            break

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def listening_addresses(self) -> set[tuple[str, int]]:
        """``(ip, port)`` of every TCP socket the server's processes listen on
        (Linux /proc; empty where it is not available)."""
        if self._proc is None or not Path("/proc/net/tcp").exists():
            return set()
        pgid = self._proc.pid
        inodes: set[str] = set()
        for proc_dir in Path("/proc").iterdir():
            if not proc_dir.name.isdigit():
                continue
            try:
                if os.getpgid(int(proc_dir.name)) != pgid:
                    continue
                for fd in (proc_dir / "fd").iterdir():
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
            except OSError:
                continue
        found: set[tuple[str, int]] = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                parts = line.split()
                local, state, inode = parts[1], parts[3], parts[9]
                if state == "0A" and inode in inodes:  # 0A = LISTEN
                    found.add(_decode_address(local))
        return found

    def __enter__(self) -> ServedProject:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _ServerExited(CommandFailed):
    pass


@functools.cache
def _private_control(bin_dir: Path) -> tuple[str, ...]:
    """gunicorn 24+ opens a control socket at one path per user (~/.gunicorn/), which
    servers running side by side would share: turn it off where the option exists."""
    try:
        help_text = subprocess.run(
            [str(bin_dir / "gunicorn"), "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return ("--no-control-socket",) if "--no-control-socket" in help_text else ()


def _decode_address(hex_address: str) -> tuple[str, int]:
    ip_hex, port_hex = hex_address.split(":")
    raw = bytes.fromhex(ip_hex)
    if len(raw) == 4:
        ip = ".".join(str(b) for b in reversed(raw))
    else:  # IPv6: four little-endian 32-bit words
        words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
        full = b"".join(words)
        ip = ":".join(full[i : i + 2].hex() for i in range(0, 16, 2))
    return ip, int(port_hex, 16)


def _run(
    cmd: list[str], *, cwd: Path, env: Mapping[str, str] | None, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Like procs.run, but with exactly ``env`` (not merged into os.environ)."""
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            text=True,
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise CommandFailed(f"{' '.join(cmd)} timed out after {timeout}s in {cwd}") from exc
    if proc.returncode != 0:
        raise CommandFailed(
            f"{' '.join(cmd)} exited {proc.returncode} in {cwd}\n"
            f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
        )
    return proc
