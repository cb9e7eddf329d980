"""A visitor's account in a real browser, Django and Flask alike: sign up, log out,
forget the password, reset it through the mail that reaches a real SMTP server on
127.0.0.1, and log in with the new one (the link then works no more)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .pagelog import PageLog

pytestmark = pytest.mark.slow

FIRST_PASSWORD = "first-long-passphrase-42"
NEW_PASSWORD = "second-long-passphrase-77"


def account_form(page: Any) -> Any:
    return page.locator("main form:has(input[type=password])")


def logged_in_as(page: Any, username: str) -> None:
    expect(
        page.locator(".site-nav").get_by_role("button", name=f"Log out ({username})")
    ).to_be_visible()


def test_sign_up_log_out_reset_the_password_by_mail_and_log_in(
    page, page_log: PageLog, site, mailbox, token, keep_screenshot
):
    username, email = f"u{token}", f"{token}@example.com"

    # Sign up from the navigation.
    page.goto("/")
    page.locator(".site-nav").get_by_role("link", name="Sign up").click()
    form = account_form(page)
    form.locator("input[type=text]").first.fill(username)
    form.locator("input[type=email]").fill(email)
    passwords = form.locator("input[type=password]")
    expect(passwords).to_have_count(2)
    passwords.nth(0).fill(FIRST_PASSWORD)
    passwords.nth(1).fill(FIRST_PASSWORD)
    keep_screenshot(page, "signup")
    form.get_by_role("button").click()
    logged_in_as(page, username)

    # Log out.
    page.locator(".site-nav").get_by_role("button", name=f"Log out ({username})").click()
    expect(page.locator(".site-nav").get_by_role("link", name="Log in")).to_be_visible()

    # "Forgot your password?" on the login page.
    page.locator(".site-nav").get_by_role("link", name="Log in").click()
    page.get_by_role("link", name=re.compile("forgot", re.I)).click()
    reset = page.locator("main form:has(input[type=email])")
    reset.locator("input[type=email]").fill(email)
    reset.get_by_role("button").click()
    expect(page.locator("main h1")).to_have_text(re.compile("e-?mail", re.I))
    keep_screenshot(page, "reset-sent")

    # The mail reaches the SMTP server, from DEFAULT_FROM_EMAIL, with a link to this site.
    message = mailbox.wait_for(email)
    assert "site@example.com" in str(message["From"])
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(rf"{re.escape(site.base_url)}/\S+", body)
    assert len(links) == 1, f"one link to {site.base_url} in the mail:\n{body}"
    (link,) = links

    # The link's page sets a new password.
    page.goto(link)
    passwords = account_form(page).locator("input[type=password]")
    expect(passwords).to_have_count(2)
    passwords.nth(0).fill(NEW_PASSWORD)
    passwords.nth(1).fill(NEW_PASSWORD)
    keep_screenshot(page, "reset-new-password")
    account_form(page).get_by_role("button").click()
    expect(account_form(page)).to_have_count(0)

    # The link works once.
    page.goto(link)
    expect(page.locator("main input[type=password]")).to_have_count(0)

    # The old password no longer logs in; the new one does.
    for password, works in ((FIRST_PASSWORD, False), (NEW_PASSWORD, True)):
        page.goto("/login/")
        login = account_form(page)
        login.locator("input[type=text]").first.fill(username)
        login.locator("input[type=password]").fill(password)
        login.get_by_role("button", name="Log in").click()
        if works:
            logged_in_as(page, username)
        else:
            expect(page.locator(".form-error").first).to_be_visible()
    keep_screenshot(page, "logged-in-again")
    page_log.assert_clean()
