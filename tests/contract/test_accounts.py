"""The account pages (contract v2): sign-up with the password rules, password reset
that reveals nothing, password change; and the contract carried in the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from .browsing import Browser, form_with
from .checks import describe, expect
from .htmltree import parse_html

pytestmark = pytest.mark.slow

PROJECT_DOC = Path(__file__).resolve().parents[2] / "templates" / "includes" / "API.md"
GOOD_PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture
def browser(live_project):
    browser = Browser(live_project.base_url)
    yield browser
    browser.close()


def _token_status(api, username: str, password: str) -> int:
    return api.post(
        "/api/auth/token/", json={"username": username, "password": password}
    ).status_code


def _sign_up(browser, username: str, password: str):
    page = browser.get("/signup/")
    expect(page, 200, "GET /signup/ -> 200 the sign-up form")
    return browser.submit(
        page, {"text": username, "email": f"{username}@example.com"}, passwords=[password]
    )


def test_signup_makes_an_account(api, browser, token):
    row = "POST /signup/ username, e-mail, password twice -> redirect, the account works"
    page = browser.get("/signup/")
    form = form_with(parse_html(page.text), "password")
    assert form is not None, f"[{row}] no form: {describe(page)}"
    kinds = [i.attrs.get("type", "text") for i in form.find_all("input")]
    assert kinds.count("password") == 2 and "email" in kinds, f"[{row}] fields: {kinds}"
    response = _sign_up(browser, f"u{token}", GOOD_PASSWORD)
    expect(response, {302, 303}, row)
    assert _token_status(api, f"u{token}", GOOD_PASSWORD) == 201, f"[{row}] log in with it"


@pytest.mark.parametrize(
    "password", ["short", "password", "12345678901"], ids=["short", "common", "numeric"]
)
def test_signup_applies_the_password_rules(api, browser, token, password):
    row = f"POST /signup/ password {password!r} -> refused, no account (Django's validators)"
    response = _sign_up(browser, f"w{token}", password)
    assert response.status_code not in (301, 302, 303), f"[{row}] {describe(response)}"
    assert _token_status(api, f"w{token}", password) == 400, f"[{row}] the account exists"


def test_password_reset_answers_the_same_whatever_the_address(browser, live_project, token):
    row = "POST /password-reset/ -> the same answer for a known and an unknown address"
    _sign_up(browser, f"r{token}", GOOD_PASSWORD)
    answers = []
    for email in (f"r{token}@example.com", f"nobody-{token}@example.com"):
        anonymous = Browser(live_project.base_url)
        try:
            page = anonymous.get("/password-reset/")
            expect(page, 200, "GET /password-reset/ -> 200 a form asking for the e-mail")
            response = anonymous.submit(page, {"email": email}, input_type="email")
            final = (
                anonymous.get(response.headers["location"]) if response.is_redirect else response
            )
            answers.append((response.status_code, final.status_code, final.text))
        finally:
            anonymous.close()
    assert answers[0] == answers[1], f"[{row}] {answers[0][:2]} != {answers[1][:2]}"


def test_password_change(api, browser, token):
    row = "POST /password-change/ logged in -> the new password works, the old no more"
    username = f"c{token}"
    expect(_sign_up(browser, username, GOOD_PASSWORD), {302, 303}, "sign up")
    page = browser.get("/password-change/")
    expect(page, 200, "GET /password-change/ logged in -> 200 the form")
    new = GOOD_PASSWORD + "-changed"
    response = browser.submit(page, {}, passwords=[GOOD_PASSWORD, new])
    expect(response, {302, 303}, row)
    assert _token_status(api, username, new) == 201, f"[{row}] the new password"
    assert _token_status(api, username, GOOD_PASSWORD) == 400, f"[{row}] the old password"


def test_password_change_needs_a_login(api):
    row = "GET /password-change/ anonymous -> sent to the login page"
    response = api.get("/password-change/")
    expect(response, {301, 302, 303}, row)
    assert "login" in response.headers.get("location", ""), f"[{row}] {describe(response)}"


def test_the_project_carries_the_contract(live_project):
    row = "docs/API.md in the generated project is the contract"
    doc = Path(live_project.project_dir) / "docs" / "API.md"
    assert doc.is_file(), f"[{row}] no {doc}"
    assert doc.read_text().strip() == PROJECT_DOC.read_text().strip(), f"[{row}]"
