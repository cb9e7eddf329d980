"""Throttled logins (contract v2) under gunicorn with 2 workers: the counters are
shared (the database or the framework's cache), so the limit is exact whichever
worker answers."""

from __future__ import annotations

import secrets

import pytest

from tests.support.servers import User

from .browsing import Browser
from .checks import describe, expect, expect_detail, expect_json
from .conftest import THROTTLE_ENV

pytestmark = pytest.mark.slow

ISSUE = "POST /api/auth/token/"
LIMIT = int(THROTTLE_ENV["LOGIN_FAILURE_LIMIT"])
WINDOW = int(THROTTLE_ENV["LOGIN_FAILURE_WINDOW"])
ATTEMPTS = 20


@pytest.fixture
def victim(live_project, token) -> User:
    """A user of its own: throttling it leaves the other tests' users alone."""
    user = User(f"v{token}", "pw-" + secrets.token_urlsafe(12))
    live_project.project.create_user(user)
    return user


def _retry_after(response, row: str) -> int:
    value = response.headers.get("retry-after", "")
    assert value.isdigit() and 0 < int(value) <= WINDOW, (
        f"[{row}] Retry-After must be the seconds to wait (1 to {WINDOW}): {describe(response)}"
    )
    return int(value)


def test_twenty_wrong_passwords_are_throttled(api, live_project, victim):
    statuses = []
    for _ in range(ATTEMPTS):
        response = api.post(
            "/api/auth/token/", json={"username": victim.username, "password": "wrong"}
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            row = f"{ISSUE} after {LIMIT} failures -> 429 + Retry-After, JSON detail"
            expect_detail(response, 429, row)
            _retry_after(response, row)
    row = (
        f"{ISSUE} {ATTEMPTS} wrong passwords -> 400 for the first {LIMIT} "
        f"(LOGIN_FAILURE_LIMIT, counted across both workers), then 429"
    )
    assert statuses == [400] * LIMIT + [429] * (ATTEMPTS - LIMIT), f"[{row}] got {statuses}"

    row = f"{ISSUE} throttled -> the right password is refused too"
    response = api.post(
        "/api/auth/token/", json={"username": victim.username, "password": victim.password}
    )
    expect_detail(response, 429, row)
    row = f"{ISSUE} throttled username -> another user from the same address is not"
    alice = live_project.alice
    response = api.post(
        "/api/auth/token/", json={"username": alice.username, "password": alice.password}
    )
    expect_json(response, 201, row)


def test_the_login_form_is_throttled(live_project, victim):
    browser = Browser(live_project.base_url)
    try:
        statuses = []
        for _ in range(LIMIT + 2):
            page = browser.get("/login/")
            expect(page, 200, "GET /login/ -> 200 the login form")
            response = browser.submit(page, {"text": victim.username, "password": "wrong"})
            statuses.append(response.status_code)
        row = f"POST /login/ wrong passwords -> a page again, then 429 after {LIMIT} failures"
        assert all(s in (200, 400, 401) for s in statuses[:LIMIT]), f"[{row}] {statuses}"
        assert statuses[LIMIT:] == [429, 429], f"[{row}] {statuses}"
        _retry_after(response, row)
        page = browser.get("/login/")
        response = browser.submit(page, {"text": victim.username, "password": victim.password})
        expect(response, 429, "POST /login/ throttled -> the right password is refused too")
    finally:
        browser.close()
