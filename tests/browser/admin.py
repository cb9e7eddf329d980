"""Driving each starter's admin like a staff user does, one small class per admin
(Django admin, Flask-Admin), so that the tests themselves are written once.

Every method works through the visible pages: it follows links, fills the forms and
presses the buttons, then waits for the admin's own confirmation message.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

from playwright.sync_api import expect


def log_in(page: Any, username: str, password: str) -> None:
    """Open /admin/ anonymously, get sent to a login page, log in there and land
    back on /admin/ (both starters: a form with ``username`` and a password field)."""
    page.goto("/admin/")
    password_field = page.locator("input[type=password]")
    expect(password_field).to_be_visible()
    page.locator("input[name=username]").fill(username)
    password_field.fill(password)
    password_field.press("Enter")
    page.wait_for_url(lambda url: _is_admin_page(url) and "login" not in url)


def _is_admin_page(url: str) -> bool:
    return urlsplit(url).path.startswith("/admin/")


class Admin:
    """The admin of one framework, as a staff user who is logged in sees it."""

    # Substring of the success message shown after each action.
    saved: ClassVar[str]
    deleted: ClassVar[str]

    def __init__(self, page: Any) -> None:
        self.page = page

    def create_article(self, title: str, body: str) -> None:
        """Create a draft through the admin's add form."""
        raise NotImplementedError

    def publish(self, title: str) -> None:
        """Open the article's edit form, tick "published", save."""
        raise NotImplementedError

    def delete(self, title: str) -> None:
        """Delete the article through the admin, confirming when asked."""
        raise NotImplementedError

    def expect_message(self, text: str) -> None:
        raise NotImplementedError


class DjangoAdmin(Admin):
    """django.contrib.admin: /admin/articles/article/..."""

    saved = "was added successfully"
    changed = "was changed successfully"
    deleted = "was deleted successfully"

    def expect_message(self, text: str) -> None:
        expect(self.page.locator("ul.messagelist li.success").first).to_contain_text(text)

    def _open_change_form(self, title: str) -> None:
        page = self.page
        page.goto("/admin/")
        page.locator("a[href='/admin/articles/article/']").first.click()
        search = page.locator("#changelist-search input[name=q]")
        search.fill(title)
        search.press("Enter")
        page.wait_for_url(re.compile(r"[?&]q="))  # and its scripts loaded
        page.locator("#result_list").get_by_role("link", name=title, exact=True).click()
        expect(page.locator("#id_title")).to_have_value(title)

    def create_article(self, title: str, body: str) -> None:
        page = self.page
        page.goto("/admin/")
        page.locator("a[href='/admin/articles/article/add/']").first.click()
        page.locator("#id_title").fill(title)
        page.locator("#id_body").fill(body)
        expect(page.locator("#id_published")).not_to_be_checked()
        page.locator("input[name=_save]").click()
        self.expect_message(self.saved)

    def publish(self, title: str) -> None:
        self._open_change_form(title)
        self.page.locator("#id_published").check()
        self.page.locator("input[name=_save]").click()
        self.expect_message(self.changed)

    def delete(self, title: str) -> None:
        page = self.page
        self._open_change_form(title)
        page.locator("a.deletelink").click()
        # The confirmation page: "Are you sure?" ... "Yes, I'm sure".
        page.locator("form input[type=submit]").click()
        self.expect_message(self.deleted)


class FlaskAdmin(Admin):
    """Flask-Admin (Bootstrap 4 theme): /admin/article/..."""

    saved = "successfully created"
    changed = "successfully saved"
    deleted = "successfully deleted"

    def expect_message(self, text: str) -> None:
        expect(self.page.locator(".alert-success").first).to_contain_text(
            re.compile(re.escape(text), re.IGNORECASE)
        )

    def _open_list(self, title: str) -> Any:
        """The article list searched for ``title``; returns the row of the article."""
        page = self.page
        page.goto("/admin/")
        page.get_by_role("link", name=re.compile(r"^\s*Articles?\s*$")).first.click()
        search = page.locator("input[name=search]")
        search.fill(title)
        search.press("Enter")
        # Waits for "load": the row buttons call Flask-Admin's scripts.
        page.wait_for_url(re.compile(r"[?&]search="))
        row = page.locator("table.model-list tbody tr", has_text=title)
        expect(row).to_have_count(1)
        return row

    def create_article(self, title: str, body: str) -> None:
        page = self.page
        page.goto("/admin/")
        page.get_by_role("link", name=re.compile(r"^\s*Articles?\s*$")).first.click()
        page.get_by_role("link", name=re.compile(r"^\s*Create\s*$")).first.click()
        page.locator("#title").fill(title)
        page.locator("#body").fill(body)
        expect(page.locator("#published")).not_to_be_checked()
        page.locator("input[type=submit][value=Save]").click()
        self.expect_message(self.saved)

    def publish(self, title: str) -> None:
        page = self.page
        row = self._open_list(title)
        row.locator("a[title='Edit Record' i]").click()
        expect(page.locator("#title")).to_have_value(title)
        page.locator("#published").check()
        page.locator("input[type=submit][value=Save]").click()
        self.expect_message(self.changed)

    def delete(self, title: str) -> None:
        page = self.page
        row = self._open_list(title)
        page.once("dialog", lambda dialog: dialog.accept())  # "Are you sure ...?"
        row.locator("button[title='Delete Record' i]").click()
        self.expect_message(self.deleted)


ADMINS: dict[str, type[Admin]] = {"django": DjangoAdmin, "flask": FlaskAdmin}
