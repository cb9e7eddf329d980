"""Writes with the session of a logged-in browser user (the contract's second way to
authenticate), CSRF-protected like every session write."""

from __future__ import annotations

from urllib.parse import urljoin

import httpx
import pytest

from .browsing import Browser
from .checks import check_article, describe, expect_detail, expect_json
from .htmltree import Node, parse_html

pytestmark = pytest.mark.slow

ROW = "POST /api/articles/ with a browser session"


def _login_form(page: Node) -> Node | None:
    for form in page.find_all("form"):
        if any(i.attrs.get("type") == "password" for i in form.find_all("input")):
            return form
    return None


def _csrf_token(page: Node) -> str | None:
    """The CSRF token a logged-in page carries (a hidden form field or a meta tag)."""
    for meta in page.find_all("meta"):
        if meta.attrs.get("name") in ("csrf-token", "csrf_token") and meta.attrs.get("content"):
            return meta.attrs["content"]
    for field in page.find_all("input"):
        name = field.attrs.get("name", "")
        if field.attrs.get("type") == "hidden" and "csrf" in name and field.attrs.get("value"):
            return field.attrs["value"]
    return None


@pytest.fixture
def browser(live_project):
    """A browser logged in as the staff user through the login page /admin/ sends
    anonymous visitors to."""
    browser = Browser(live_project.base_url)
    try:
        row = "GET /admin/ anonymous -> redirect to a login page"
        redirect = browser.request("GET", "/admin/")
        assert redirect.status_code in (301, 302, 303), f"[{row}] {describe(redirect)}"
        login_url = urljoin(f"{live_project.base_url}/admin/", redirect.headers["location"])
        page = browser.request("GET", login_url)
        form = _login_form(parse_html(page.text))
        assert page.status_code == 200 and form, f"[{row}] no login form: {describe(page)}"
        data = {
            i.attrs["name"]: i.attrs.get("value", "")
            for i in form.find_all("input")
            if i.attrs.get("name") and i.attrs.get("type") == "hidden"
        }
        staff = live_project.staff
        data.update(username=staff.username, password=staff.password)
        action = urljoin(login_url, form.attrs.get("action") or login_url)
        done = browser.request("POST", action, data=data, headers={"Referer": login_url})
        assert done.status_code in (302, 303), f"[log in with the login form] {describe(done)}"
        yield browser
    finally:
        browser.close()


def test_session_write_with_csrf_token_is_201(browser, live_project, token):
    page = browser.request("GET", "/")
    csrf = _csrf_token(parse_html(page.text))
    assert csrf, f"[{ROW}] a logged-in page carries a CSRF token: {describe(page)}"
    response = browser.request(
        "POST",
        "/api/articles/",
        json={"title": f"{token} from the browser"},
        headers={"X-CSRFToken": csrf, "Referer": f"{live_project.base_url}/"},
    )
    row = f"{ROW} and X-CSRFToken -> 201"
    article = check_article(expect_json(response, 201, row), row, fresh=True)
    assert article["author"] == live_project.staff.username, f"[{row}] {article!r}"


def test_session_write_without_csrf_token_is_403(browser, live_project, token):
    row = f'{ROW}, no CSRF token -> 403 {{"detail"}}'
    response = browser.request("POST", "/api/articles/", json={"title": f"{token} forged"})
    expect_detail(response, 403, row)
    found = httpx.get(
        f"{live_project.base_url}/api/articles/", params={"search": token}, trust_env=False
    )
    assert expect_json(found, 200, row)["count"] == 0, f"[{row}] nothing is created"
