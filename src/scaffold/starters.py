"""Each starter's operational facts, as data: one ``Starter`` per framework.

How to run the project's own command line, migrate, create a user, seed articles,
which WSGI target gunicorn serves and how to start the development server. The
CLI prints its next steps from here, ``scaffold bench`` and the test suite run
the commands from here: a framework's commands are written down once.

Commands are argument lists for the project's own command line (``manage.py`` for
Django, ``flask`` for Flask); ``{package}`` in an argument stands for the
project's package name. Pure data, no imports beyond the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass

Args = tuple[str, ...]


@dataclass(frozen=True)
class Starter:
    """What a user (or a program) types to run one framework's starter."""

    framework: str  # the answer to the template's `framework` question
    label: str  # as written in prose: "Django"
    program: Args  # the project's command line, in its venv's bin folder
    shown_program: str  # the same as a user types it in the README's shell
    migrate: Args  # bring the database schema up to date (as a user types it)
    no_input: Args  # added to ``migrate`` when a program runs it (never prompt)
    deploy: tuple[Args, ...]  # what the README runs before serving in production
    create_user: Args  # + USERNAME --password PASSWORD [--staff]
    seed: Args  # + --count N --author USERNAME [--published]
    dev_server: Args  # the development server
    wsgi: str  # what gunicorn serves
    celery_app: str = ""  # `celery -A` this: the worker and beat (background_jobs)
    # What gunicorn serves with async workers (the template answer async_server): the
    # ASGI application for Django's uvicorn workers; Flask's WSGI app on gevent workers.
    async_app: str = ""

    def command(self, *args: str, package: str) -> list[str]:
        """``program`` and ``args`` with ``{package}`` filled in (relative to the venv's bin)."""
        return [part.format(package=package) for part in (*self.program, *args)]

    def wsgi_target(self, package: str, *, async_server: bool = False) -> str:
        """The app gunicorn is given on its command line (README, Dockerfile)."""
        target = self.async_app if async_server and self.async_app else self.wsgi
        return target.format(package=package)

    def create_user_args(self, username: str, password: str, *, staff: bool = False) -> Args:
        return (*self.create_user, username, "--password", password, *(("--staff",) * staff))

    def seed_args(self, count: int, author: str, *, published: bool = False) -> Args:
        flag = ("--published",) if published else ()
        return (*self.seed, "--count", str(count), "--author", author, *flag)

    def next_steps(self, folder: str, *, installed: bool) -> list[str]:
        """The shell lines that take a new project from its folder to a running site."""
        lines = [f"cd {folder}"]
        if installed:
            lines.append(". .venv/bin/activate")
        else:
            lines += ["python -m venv .venv && . .venv/bin/activate", 'pip install -e ".[dev]"']
        shown = self.shown_program
        lines += ["pytest", " ".join((shown, *self.migrate))]
        return [*lines, " ".join((shown, *self.dev_server))]

    def celery_args(self, process: str, package: str) -> list[str]:
        """``celery -A APP worker`` (or ``beat``) of a project with background jobs."""
        return ["celery", "-A", self.celery_app.format(package=package), process]

    def migrate_args(self) -> Args:
        return (*self.migrate, *self.no_input)


DJANGO = Starter(
    framework="django",
    label="Django",
    program=("python", "manage.py"),
    shown_program="python manage.py",
    migrate=("migrate",),
    no_input=("--noinput",),
    deploy=(("check", "--deploy"), ("collectstatic", "--noinput")),
    create_user=("createuser",),
    seed=("seed_articles",),
    dev_server=("runserver",),
    wsgi="config.wsgi",
    celery_app="config",
    async_app="config.asgi:application",
)

FLASK = Starter(
    framework="flask",
    label="Flask",
    program=("flask", "--app", "{package}"),
    shown_program="flask",
    migrate=("db", "upgrade"),
    no_input=(),
    deploy=(),
    create_user=("users", "create"),
    seed=("articles", "seed"),
    dev_server=("run",),
    wsgi="{package}:create_app()",
    celery_app="{package}.worker",
)

STARTERS: dict[str, Starter] = {s.framework: s for s in (DJANGO, FLASK)}
FRAMEWORKS: tuple[str, ...] = tuple(STARTERS)


def other(framework: str) -> str:
    """The framework that is not ``framework``."""
    return next(name for name in FRAMEWORKS if name != framework)
