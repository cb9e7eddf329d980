"""Fixtures of the browser suite: headless Chromium against each served starter.

``browser`` (session): Debian's Chromium (``/usr/bin/chromium``, or ``$SCAFFOLD_CHROMIUM``)
driven by Playwright, started with the flags these machines need (see
``/work/shared/ENVIRONMENT.md``) and a fresh profile. Without Chromium the tests skip
locally and fail in CI (``CI`` set).

``mailbox`` (session): a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it
receives; the served starters send their mail there (``EMAIL_URL``).

``site`` (session, parametrized ``django`` / ``flask``): the starter generated with
SQLite and the async server (``async_server``: Django's ASGI app on uvicorn workers,
Flask on gevent workers; the contract suite serves the threaded workers), installed,
migrated, with one staff user, served by gunicorn with the project's own
gunicorn.conf.py on 127.0.0.1 until the last test of that framework has run.

``page`` (function): a new browser context (own cookies) and page on ``site``. Every
request, console error, page error and failed request is recorded in ``page_log``. When
the test fails, a full-page screenshot of every page of the context is saved in the
test's ``tmp_path`` (its path is printed in the report).

``SCAFFOLD_SCREENSHOT_DIR=/some/dir``: tests that call ``keep_screenshot`` also save
their screenshots there, for looking at the pages (``<framework>-<name>.png``).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.support.mail import Mailbox, smtp_server
from tests.support.servers import DEFAULT_USERS, ServedProject, User, prepare_project

from .pagelog import PageLog

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
# As root on these machines (ENVIRONMENT.md); Playwright adds --headless and a fresh
# temporary --user-data-dir for every launch.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# The project name the header shows (with a character HTML must escape).
SITE_NAME = "Field Notes & Drafts"
# The served starters' answers: async workers, which (like the threaded ones) wait for
# the idle spare connections Chromium opens without blocking (gunicorn's plain sync
# workers would each sit on one, and the next page would hang).
SITE_ANSWERS = {"project_name": SITE_NAME, "async_server": True}
DESKTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000

expect.set_options(timeout=TIMEOUT_MS)

FRAMEWORKS = [pytest.param("django", id="django"), pytest.param("flask", id="flask")]


def _unavailable(message: str) -> None:
    """Skip locally; fail in CI, where the browser tests must run."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def find_chromium() -> str | None:
    configured = os.environ.get("SCAFFOLD_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


# --- the browser -------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = find_chromium()
    if executable is None:
        _unavailable(
            "Chromium not found: install Debian's package (apt-get install chromium, "
            "gives /usr/bin/chromium) or set SCAFFOLD_CHROMIUM to its path"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            yield launched
        finally:
            launched.close()


# --- the mail server ----------------------------------------------------------------


LOOPBACK = "127.0.0.1"
MAIL_FROM = "site@example.com"


# --- the served starter --------------------------------------------------------------


@dataclass
class Site:
    """A starter served by gunicorn on 127.0.0.1 for the whole session."""

    framework: str
    name: str
    base_url: str
    staff: User
    server: ServedProject
    articles: list[dict[str, Any]] = field(default_factory=list)

    def create_article(self, title: str, body: str = "", *, published: bool = True) -> dict:
        """Create an article through the REST API as the staff user (test data for
        the page checks; the admin itself is exercised in the lifecycle test)."""
        response = httpx.post(
            f"{self.base_url}/api/articles/",
            json={"title": title, "body": body, "published": published},
            auth=self.staff.auth,
            timeout=20,
        )
        assert response.status_code == 201, (
            f"POST /api/articles/ as {self.staff.username}: {response.status_code} "
            f"{response.text[:500]}\n--- gunicorn log ---\n{self.server.log_tail()}"
        )
        article = response.json()
        self.articles.append(article)
        return article


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every mail it receives."""
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="session", params=FRAMEWORKS)
def site(request: pytest.FixtureRequest, tmp_path_factory, mailbox: Mailbox) -> Iterator[Site]:
    framework = request.param
    staff = next(user for user in DEFAULT_USERS if user.staff)
    dest = tmp_path_factory.mktemp(f"browser-{framework}") / "site"
    project = prepare_project(dest, framework, "sqlite", users=[staff], answers=SITE_ANSWERS)
    env = {
        # Production mail settings (the READMEs): the local SMTP server, no TLS.
        "EMAIL_URL": f"smtp://{LOOPBACK}:{mailbox.port}",
        "DEFAULT_FROM_EMAIL": MAIL_FROM,
    }
    with project.serve(env=env) as server:
        yield Site(
            framework=framework,
            name=SITE_NAME,
            base_url=server.base_url,
            staff=staff,
            server=server,
        )


@pytest.fixture(scope="session")
def sample_article(site: Site) -> dict[str, Any]:
    """One published article with a realistic title and a multi-paragraph body."""
    return site.create_article(
        "Getting started with the generated project",
        "This starter ships a blog: articles, an admin, a REST API and its docs.\n\n"
        "Read the setup notes at https://docs.example.org/getting-started/installation"
        "-and-configuration-of-the-development-environment before you deploy.\n\n"
        "Edit this article in the admin, or delete it once you have written your own.",
    )


@pytest.fixture
def token() -> str:
    """A word no other test uses, for titles and searches."""
    return "brw" + uuid.uuid4().hex[:10]


# --- one page per test, everything it does recorded ----------------------------------


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture
def context(browser: Any, site: Site, request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh browser context on ``site``; screenshots of its pages on failure."""
    ctx = browser.new_context(base_url=site.base_url, viewport=DESKTOP)
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        yield ctx
    finally:
        reports = request.node.stash.get(_REPORTS, {})
        if any(report.failed for report in reports.values()):
            for number, open_page in enumerate(ctx.pages, start=1):
                shot = tmp_path / f"failure-page-{number}.png"
                try:
                    open_page.screenshot(path=str(shot), full_page=True)
                    print(f"screenshot of {open_page.url}: {shot}")
                except Exception as exc:  # a crashed page must not hide the failure
                    print(f"no screenshot of {open_page.url}: {exc}")
            print(f"--- gunicorn log ---\n{site.server.log_tail(3000)}")
        ctx.close()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(context: Any, page_log: PageLog) -> Any:
    new_page = context.new_page()
    page_log.attach(new_page)
    return new_page


@pytest.fixture
def keep_screenshot(site: Site) -> Callable[[Any, str], None]:
    """``keep_screenshot(page, name)``: with SCAFFOLD_SCREENSHOT_DIR set, save a
    full-page screenshot there as ``<framework>-<name>.png``; else do nothing."""
    directory = os.environ.get("SCAFFOLD_SCREENSHOT_DIR")

    def keep(page: Any, name: str) -> None:
        if directory:
            Path(directory).mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(Path(directory) / f"{site.framework}-{name}.png"), full_page=True
            )

    return keep
