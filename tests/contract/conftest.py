"""Fixtures of the REST contract suite: one served project per framework x database.

``live_project`` (session scope, parametrized ``django-sqlite``, ``django-postgresql-async``,
``flask-sqlite``, ``flask-postgresql-async``) generates, installs and migrates a starter,
creates a staff user and two normal users with the project's own command, and serves it
under gunicorn (2 workers) on 127.0.0.1 until the last test of that combination has run. Every test
that takes it runs once per combination: the same test code checks both frameworks.

The users sign in with an API token each (``user.auth``, issued once per served project);
the tests about HTTP Basic itself send ``user.basic``. Under production settings a Basic
request hashes the password: sent on every write, that was a third of the suite's time.

What the suite relies on besides docs/API.md (templates/includes/API.md), the same in
both starters: the settings ``LOGIN_FAILURE_LIMIT``, ``LOGIN_FAILURE_LIMIT_PER_ADDRESS``,
``LOGIN_FAILURE_WINDOW`` and ``API_TOKEN_LIFETIME`` (seconds) read from the environment;
``/login/``, ``/signup/``, ``/password-reset/`` and ``/password-change/`` as HTML forms
(found by their input types, posted with their hidden fields); the browser suite sends
mail through ``EMAIL_URL`` (``smtp://127.0.0.1:PORT``) from ``DEFAULT_FROM_EMAIL``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.procs import python_for
from tests.support.servers import (
    DEFAULT_USERS,
    PreparedProject,
    ServedProject,
    User,
    prepare_project,
)

from .checks import expect_json

# framework, database, Python, async_server: the SQLite projects run on Python 3.11
# (Django 5.2 LTS) with the threaded workers, the PostgreSQL ones on 3.12 (Django 6.x)
# with the async server (Django ASGI on uvicorn workers, Flask on gevent), so both
# supported lines and both servers meet the contract at no extra cost (the interpreter
# found first on PATH when 3.x is missing).
COMBINATIONS = [
    pytest.param(("django", "sqlite", "3.11", False), id="django-sqlite"),
    pytest.param(("django", "postgresql", "3.12", True), id="django-postgresql-async"),
    pytest.param(("flask", "sqlite", "3.11", False), id="flask-sqlite"),
    pytest.param(("flask", "postgresql", "3.12", True), id="flask-postgresql-async"),
]

# The login throttle of the served projects (contract v2, docs/API.md): the starters'
# defaults for a username, and room for a whole session's deliberate failures from
# 127.0.0.1, where every test's requests come from.
THROTTLE_ENV = {
    "LOGIN_FAILURE_LIMIT": "5",
    "LOGIN_FAILURE_LIMIT_PER_ADDRESS": "1000",
    "LOGIN_FAILURE_WINDOW": "900",
}


class TokenAuth(httpx.Auth):
    """``Authorization: Bearer`` with a token of one user, issued on first use and kept for
    the served project's lifetime (POST /api/auth/token/ checks the password once)."""

    def __init__(self, base_url: str, user: User) -> None:
        self.base_url, self.user = base_url, user
        self._header: str | None = None
        self._lock = threading.Lock()  # the race tests share one user across threads

    def header(self) -> str:
        with self._lock:
            if self._header is None:
                response = httpx.post(
                    f"{self.base_url}/api/auth/token/",
                    json={"username": self.user.username, "password": self.user.password},
                    timeout=30.0,
                    trust_env=False,
                )
                data = expect_json(response, 201, f"POST /api/auth/token/ as {self.user.username}")
                self._header = f"Bearer {data['token']}"
            return self._header

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.header()
        yield request


class ApiUser:
    """A user of a served project, as the suite authenticates.

    ``auth`` (for ``httpx``'s ``auth=``) sends the user's API token: under production
    settings every HTTP Basic request hashes the password (PBKDF2 or scrypt, 0.2-1 s on
    2 cores), which the suite would pay on every write. ``basic`` is the
    ``(username, password)`` pair, for the tests about HTTP Basic itself.
    """

    def __init__(self, base_url: str, user: User) -> None:
        self.user = user
        self.username, self.password, self.staff = user.username, user.password, user.staff
        self.basic: tuple[str, str] = user.auth
        self.auth = TokenAuth(base_url, user)

    def __repr__(self) -> str:
        return f"ApiUser({self.username!r})"


@dataclass
class LiveProject:
    """A starter served over HTTP for the whole session (one per combination)."""

    framework: str
    database: str
    python: str
    base_url: str
    project_dir: Path
    staff: ApiUser
    alice: ApiUser
    bob: ApiUser
    project: PreparedProject
    server: ServedProject

    @property
    def name(self) -> str:
        suffix = "-async" if self.project.async_server else ""
        return f"{self.framework}-{self.database}{suffix}"


@pytest.fixture(scope="session", params=COMBINATIONS)
def live_project(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[LiveProject]:
    framework, database, version, async_server = request.param
    python = python_for(version) or None
    database_url = None
    if database == "postgresql":
        server = request.getfixturevalue("postgres_server")
        database_url = server.create_database()  # a new one each time the fixture is built
    dest = tmp_path_factory.mktemp(f"contract-{framework}-{database}") / "site"
    project = prepare_project(
        dest, framework, database, database_url=database_url, python=python,
        answers={"async_server": async_server},
    )  # fmt: skip
    with project.serve(env=THROTTLE_ENV) as served:
        staff, alice, bob = (ApiUser(served.base_url, user) for user in DEFAULT_USERS)
        yield LiveProject(
            framework=framework,
            database=database,
            python=version if python else "default",
            base_url=served.base_url,
            project_dir=project.project_dir,
            staff=staff,
            alice=alice,
            bob=bob,
            project=project,
            server=served,
        )


@pytest.fixture
def api(live_project: LiveProject) -> Iterator[httpx.Client]:
    """An HTTP client for the served project (anonymous; pass ``auth=user.auth`` for a
    user's token, ``auth=user.basic`` for HTTP Basic)."""
    with httpx.Client(base_url=live_project.base_url, timeout=20.0, trust_env=False) as client:
        yield client


@pytest.fixture
def token() -> str:
    """A word no other test uses: put it in titles, then ``?search=`` for it."""
    return "tok" + uuid.uuid4().hex[:12]


@pytest.fixture
def issue_token(api: httpx.Client, live_project: LiveProject) -> Callable[[User | ApiUser], str]:
    """``issue_token(user)``: a new API token of ``user`` (POST /api/auth/token/)."""

    def issue(user: User | ApiUser) -> str:
        response = api.post(
            "/api/auth/token/", json={"username": user.username, "password": user.password}
        )
        data = expect_json(response, 201, "POST /api/auth/token/ -> 201 {token, expires_at}")
        return data["token"]

    return issue


@pytest.fixture
def bearer(live_project: LiveProject) -> dict[str, str]:
    """``{"Authorization": "Bearer ..."}`` of alice (her token of ``alice.auth``)."""
    return {"Authorization": live_project.alice.auth.header()}


@pytest.fixture
def create_article(api: httpx.Client, live_project: LiveProject) -> Callable[..., dict[str, Any]]:
    """``create_article(title, user=alice, **fields)`` POSTs (with the user's token) and
    returns the Article."""

    def create(title: str, user: ApiUser | None = None, **fields: Any) -> dict[str, Any]:
        user = user or live_project.alice
        response = api.post("/api/articles/", json={"title": title, **fields}, auth=user.auth)
        return expect_json(response, 201, "POST /api/articles/ -> 201 Article")

    return create


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """On a failure, show the end of the server's log (a 500's traceback is there)."""
    report = yield
    live = getattr(item, "funcargs", {}).get("live_project")
    if report.failed and call.when == "call" and isinstance(live, LiveProject):
        report.sections.append(("gunicorn log (end)", live.server.log_tail(3000)))
    return report
