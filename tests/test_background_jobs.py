"""Background jobs for real (``background_jobs=true``, both starters).

Each starter is generated with background jobs, installed, migrated and served by
gunicorn with 2 workers, beside a real Redis (``tests/support/redis.py``), the project's
own Celery worker (``--pool=solo``) and beat, and a local SMTP server (aiosmtpd). The
session's Redis (``redis_server``, tests/conftest.py) and one SMTP server serve them;
each framework's site is built once.

- a password-reset request is answered while the worker is stopped: the mail waits in
  Redis, and reaches the SMTP server when the worker starts;
- beat's upkeep deletes an expired API token (``CLEANUP_INTERVAL=1``) and keeps a live one;
- the login throttle counts in Redis, across both web workers;
- with Redis stopped, ``/api/health/`` answers 503 (``"broker": "error"``) and logins
  still work, unthrottled; with Redis back, health is 200 again.

The last test turns background jobs on, then off again, in a generated project with
``scaffold update -d background_jobs=...``; its own test suite passes each time (Django
only: the update machinery is the same for both, and the Flask starter's jobs code runs
its own tests in tests/templates/test_starters.py's installs).
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from scaffold.bench.procs import ManagedProcess
from scaffold.bench.project import StarterProject
from tests.contract.browsing import Browser
from tests.support.mail import Mailbox, smtp_server
from tests.support.procs import run
from tests.support.servers import DEFAULT_USERS, FRAMEWORKS, GunicornServer, prepare_project

pytestmark = pytest.mark.slow

MAIL_FROM = "jobs@example.com"
ATTEMPTS = 5  # throttled attempts after the limit
TRIES = 10  # users tried until one's failures reach both workers
LIMIT = 3  # LOGIN_FAILURE_LIMIT of the served sites
ACCESS_LOG = "worker=%(p)s %(m)s %(U)s %(s)s %({x-victim}i)s"
# The SQLite database of each starter, and its table of API tokens.
DATABASE_FILE = {"django": "db.sqlite3", "flask": "instance/{package}.db"}
TOKENS_TABLE = {"django": "api_tokens_apitoken", "flask": "api_tokens"}


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@dataclass
class JobsSite:
    """A served starter with its worker and beat (started and stopped by the tests)."""

    project: StarterProject
    server: GunicornServer
    env: dict[str, str]
    db: int  # the Redis database of this site (its queue, its cache)
    processes: dict[str, ManagedProcess] = field(default_factory=dict)

    @property
    def framework(self) -> str:
        return self.project.framework

    def start(self, process: str) -> None:
        """Start ``worker`` (one process: ``--pool=solo``) or ``beat``."""
        args = self.project.starter.celery_args(process, self.project.package_name)
        args += ["--loglevel=INFO"]
        if process == "worker":
            args += ["--pool=solo", "--without-gossip", "--without-mingle"]
        else:
            args += ["--schedule", str(self.project.path / "celerybeat-schedule")]
        cmd = [str(self.project.bin / args[0]), *args[1:]]
        log = self.project.path / f"celery-{process}.log"
        self.processes[process] = ManagedProcess(
            cmd, cwd=self.project.path, env=self.env, log_path=log
        ).start()

    def stop(self, process: str) -> None:
        self.processes.pop(process).stop()

    def logs(self) -> str:
        texts = [f"--- {name} ---\n{p.log_tail()}" for name, p in self.processes.items()]
        return "\n".join([*texts, f"--- gunicorn ---\n{self.server.log_tail()}"])

    def database(self) -> sqlite3.Connection:
        name = DATABASE_FILE[self.framework].format(package=self.project.package_name)
        return sqlite3.connect(self.project.path / name)


@pytest.fixture(scope="module", params=FRAMEWORKS)
def jobs_site(request, tmp_path_factory, redis_server, mailbox) -> Iterator[JobsSite]:
    framework = request.param
    db = FRAMEWORKS.index(framework)  # leftovers of the other site's beat stay apart
    dest = tmp_path_factory.mktemp(f"jobs-{framework}") / "site"
    project = prepare_project(
        dest, framework, "sqlite", users=DEFAULT_USERS, answers={"background_jobs": True}
    )
    env = {
        **project.env,
        "REDIS_URL": redis_server.url(db),
        "EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "DEFAULT_FROM_EMAIL": MAIL_FROM,
        "CLEANUP_INTERVAL": "1",
        "LOGIN_FAILURE_LIMIT": str(LIMIT),
        # gunicorn's own access log too, with the pid of the worker that answered.
        "GUNICORN_CMD_ARGS": f"--access-logfile - --access-logformat '{ACCESS_LOG}'",
    }
    with project.serve(env=env, workers=2) as server:
        jobs = JobsSite(project, server, env, db)
        try:
            yield jobs
        finally:
            for process in list(jobs.processes):
                jobs.stop(process)


def wait_until(check, timeout: float = 30.0, what: str = "", logs=None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}\n{logs() if logs else ''}")
        time.sleep(0.2)


def sign_up(jobs_site: JobsSite) -> tuple[str, str]:
    """A new account through /signup/; its e-mail address and password."""
    name = f"u{secrets.token_hex(4)}"
    password = "pw-" + secrets.token_urlsafe(12)
    browser = Browser(jobs_site.server.base_url)
    page = browser.get("/signup/")
    values = {"text": name, "email": f"{name}@example.com"}
    response = browser.submit(page, values, passwords=[password, password])
    assert response.status_code in (302, 303), response.text[:2000]
    return f"{name}@example.com", password


def request_reset(jobs_site: JobsSite, email: str) -> httpx.Response:
    browser = Browser(jobs_site.server.base_url)
    page = browser.get("/password-reset/")
    return browser.submit(page, {"email": email}, input_type="email")


def test_the_reset_mail_waits_for_the_worker_then_arrives(jobs_site, mailbox, redis_server):
    email, _ = sign_up(jobs_site)
    response = request_reset(jobs_site, email)  # no worker running yet
    assert response.status_code in (302, 303), response.text[:2000]
    assert int(redis_server.cli("llen", "celery", db=jobs_site.db)) == 1  # the job waits in Redis
    time.sleep(1)
    assert mailbox.to(email) == []

    jobs_site.start("worker")
    message = mailbox.wait_for(email, timeout=60)
    assert message["From"] == MAIL_FROM
    assert re.search(r"/password-reset/\S+/", message.get_content()), message.get_content()
    assert int(redis_server.cli("llen", "celery", db=jobs_site.db)) == 0


def test_the_upkeep_deletes_an_expired_token(jobs_site):
    user = next(user for user in DEFAULT_USERS if not user.staff)
    url = f"{jobs_site.server.base_url}/api/auth/token/"
    tokens = [
        httpx.post(url, json={"username": user.username, "password": user.password})
        for _ in range(2)
    ]
    assert [t.status_code for t in tokens] == [201, 201], tokens[0].text
    table = TOKENS_TABLE[jobs_site.framework]
    with jobs_site.database() as db:
        ids = [row[0] for row in db.execute(f"SELECT id FROM {table} ORDER BY id")]  # noqa: S608
        db.execute(f"UPDATE {table} SET expires_at = '2001-01-01 00:00:00' WHERE id = ?", ids[:1])  # noqa: S608

    jobs_site.start("beat")
    if "worker" not in jobs_site.processes:
        jobs_site.start("worker")

    def only_the_live_token_is_left() -> bool:
        with jobs_site.database() as db:
            left = [row[0] for row in db.execute(f"SELECT id FROM {table}")]  # noqa: S608
        return left == ids[1:]

    wait_until(only_the_live_token_is_left, 60, "the expired token deleted", jobs_site.logs)
    live = httpx.get(
        f"{jobs_site.server.base_url}/api/articles/",
        headers={"Authorization": f"Bearer {tokens[1].json()['token']}"},
    )
    assert live.status_code == 200


def test_the_throttle_counts_across_both_web_workers(jobs_site, redis_server):
    """A worker refuses a user whose failures it did not all see itself: the other
    worker counted the rest, in Redis. Which worker takes a new connection is the
    kernel's choice (often the same one, one request at a time), so a few users are
    tried until one's failures were split between the workers."""
    assert len(set(jobs_site.server.worker_pids())) == 2
    url = f"{jobs_site.server.base_url}/api/auth/token/"
    for _ in range(TRIES):
        victim = f"victim-{secrets.token_hex(4)}"
        statuses = []
        for _ in range(LIMIT + ATTEMPTS):  # a new connection each: either worker may answer
            body = {"username": victim, "password": "x"}
            statuses.append(httpx.post(url, json=body, headers={"X-Victim": victim}).status_code)
        assert statuses == [400] * LIMIT + [429] * ATTEMPTS
        wait_until(
            lambda victim=victim: len(answered_by(jobs_site, victim)) == LIMIT + ATTEMPTS,
            10,
            "every request in the access log",
            jobs_site.server.log_tail,
        )
        answers = answered_by(jobs_site, victim)
        own_failures = Counter(pid for pid, status in answers if status == 400)
        if any(status == 429 and own_failures[pid] < LIMIT for pid, status in answers):
            break
    else:
        pytest.fail(
            f"{TRIES} users' failures all went to one worker:\n{jobs_site.server.log_tail()}"
        )
    # Where both workers read and write the counts.
    assert redis_server.cli("--scan", "--pattern", "*login-failures*", db=jobs_site.db)


def answered_by(jobs_site: JobsSite, victim: str) -> list[tuple[int, int]]:
    """(worker pid, status) of each request for ``victim``, from gunicorn's access log."""
    log = jobs_site.server.log_path.read_text("utf-8", "replace")
    pattern = rf"^worker=<(\d+)> POST /api/auth/token/ (\d+) {re.escape(victim)}$"
    return [(int(pid), int(status)) for pid, status in re.findall(pattern, log, re.M)]


def test_with_redis_down_health_is_503_and_logins_still_work(jobs_site, redis_server):
    user = next(user for user in DEFAULT_USERS if not user.staff)
    base = jobs_site.server.base_url
    redis_server.stop()
    try:
        health = httpx.get(f"{base}/api/health/")
        assert health.status_code == 503, health.text
        assert health.json()["broker"] == "error" and health.json()["database"] == "ok"
        for _ in range(LIMIT + 1):  # unthrottled: the counts are out of reach
            wrong = httpx.post(
                f"{base}/api/auth/token/", json={"username": user.username, "password": "x"}
            )
            assert wrong.status_code == 400, wrong.text
        right = httpx.post(
            f"{base}/api/auth/token/", json={"username": user.username, "password": user.password}
        )
        assert right.status_code == 201, right.text
    finally:
        redis_server.start()
    wait_until(lambda: httpx.get(f"{base}/api/health/").status_code == 200, 30, "health 200 again")
    assert httpx.get(f"{base}/api/health/").json()["broker"] == "ok"


# --- updates: turning background jobs on and off -----------------------------------


# The Celery application of each starter (the package is my_site).
CELERY_APP = {"django": "config/celery.py", "flask": "my_site/jobs.py"}


@pytest.mark.parametrize("framework", ["django", "flask"])
def test_update_turns_background_jobs_on_and_off(template_repo, tmp_path, framework):
    from tests.test_update import IDENTITY, SCAFFOLD, generate

    project = generate(template_repo, tmp_path / "project", framework, ref="v2")
    install = StarterProject.from_folder(project)

    def commit(message: str) -> None:
        run(["git", "add", "--all"], cwd=project)
        run(["git", "commit", "--quiet", "--no-verify", "-m", message], cwd=project, env=IDENTITY)

    def own_tests_pass() -> None:
        pytest_bin = str(install.bin / "pytest")
        proc = run([pytest_bin, "-q", "-p", "no:cacheprovider"], cwd=project,
                   env=install.base_env(), timeout=600)  # fmt: skip
        assert re.search(r"\d+ passed", proc.stdout), proc.stdout[-3000:]

    install.install()  # with uv: uv.lock, committed as the README says
    commit("installed")
    for on in (True, False):
        value = "true" if on else "false"
        run([*SCAFFOLD, "update", str(project), "--to", "v2", "-d", f"background_jobs={value}"],
            env={**IDENTITY, "CI": "true"}, timeout=300)  # fmt: skip
        assert (project / CELERY_APP[framework]).is_file() is on
        install.install()  # the dependencies the update added or dropped
        commit(f"background_jobs={value}")
        own_tests_pass()
    tracked = run(["git", "grep", "-il", "celery"], cwd=project, check=False)
    assert tracked.stdout == ""
