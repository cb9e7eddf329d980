"""The generated starters in a real browser (headless Chromium), Django and Flask alike.

Each test runs once per framework against the starter served by gunicorn on 127.0.0.1
(see conftest.py). Every test also checks that the pages it visited loaded nothing from
another host and logged no console or script error.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from .admin import ADMINS, log_in
from .pagelog import PageLog

pytestmark = pytest.mark.slow

PHONE = {"width": 375, "height": 740}
MISSING_SLUG = "no-such-article-here"
ARTICLE_OPERATIONS = {
    ("GET", "/api/articles/"),
    ("POST", "/api/articles/"),
    ("GET", "/api/articles/{id}/"),
    ("PUT", "/api/articles/{id}/"),
    ("PATCH", "/api/articles/{id}/"),
    ("DELETE", "/api/articles/{id}/"),
}


def _not_found_logged(url_part: str):
    """Chromium logs "Failed to load resource: ... 404" for a page that answers 404:
    expected (only) for the page the test opens on purpose."""

    def allowed(error: str) -> bool:
        return "status of 404" in error and url_part in error

    return allowed


def open_named_page(page: Any, name: str, article: dict[str, Any]) -> Any:
    """Open one of the site's pages the way a visitor reaches it; return the response
    of the last navigation (None when it came from a click)."""
    if name == "home":
        return page.goto("/")
    if name == "detail":
        return page.goto(f"/articles/{article['slug']}/")
    if name == "login":
        page.goto("/")
        page.locator(".site-nav").get_by_role("link", name="Log in").click()
        expect(page.locator("input[type=password]")).to_be_visible()
        return None
    if name == "not-found":
        return page.goto(f"/articles/{MISSING_SLUG}/")
    raise ValueError(name)


def api_articles(page: Any, search: str) -> dict[str, Any]:
    """GET /api/articles/?search=... in the browser; the JSON it shows."""
    response = page.goto(f"/api/articles/?search={search}")
    assert response is not None and response.status == 200, (
        f"GET /api/articles/?search={search}: {response and response.status}"
    )
    return response.json()


def expect_base_layout(page: Any, site_name: str) -> None:
    header = page.locator("header.site-header")
    expect(header.locator("a.brand")).to_have_text(site_name)
    expect(header.locator("a.brand")).to_have_attribute("href", "/")
    nav = header.locator("nav.site-nav")
    for label in ("Articles", "API", "Admin"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(page.locator("main.container")).to_be_visible()
    expect(page.locator("footer.site-footer")).to_be_visible()
    expect(page).to_have_title(re.compile(re.escape(site_name)))


# --- the public pages ----------------------------------------------------------------


def test_home_lists_published_articles(page, page_log, site, sample_article, keep_screenshot):
    response = page.goto("/")
    assert response.status == 200
    expect_base_layout(page, site.name)
    expect(page.locator(".site-nav").get_by_role("link", name="Log in")).to_be_visible()
    expect(page.locator("main h1")).to_have_text("Articles")
    link = page.locator("ul.article-list li.article-item a", has_text=sample_article["title"])
    expect(link).to_have_attribute("href", f"/articles/{sample_article['slug']}/")
    keep_screenshot(page, "home")
    page_log.assert_clean()


def test_site_has_an_icon(page, page_log):
    """Browsers ask every site for an icon: without one, each visit logs a 404 in the
    console and the server log. The icon is the one the page declares (``<link
    rel="icon">``), else /favicon.ico."""
    page.goto("/")
    declared = page.locator("link[rel~=icon]")
    href = declared.first.get_attribute("href") if declared.count() else "/favicon.ico"
    if href.startswith("data:"):
        return  # an inline icon: nothing to fetch
    response = page.request.get(urljoin(page.url, href))
    assert response.status == 200, (
        f"the site icon {href} answers {response.status}: add a static icon and "
        '<link rel="icon" href="..."> to the base template'
    )
    assert response.headers.get("content-type", "").startswith("image/"), response.headers
    page_log.assert_clean()


def test_detail_page_reached_from_the_list(page, page_log, site, sample_article, keep_screenshot):
    page.goto("/")
    page.locator("ul.article-list a", has_text=sample_article["title"]).click()
    page.wait_for_url(f"**/articles/{sample_article['slug']}/")
    expect_base_layout(page, site.name)
    article = page.locator("article.article")
    expect(article.locator("h1")).to_have_text(sample_article["title"])
    expect(article).to_contain_text(site.staff.username)
    for paragraph in sample_article["body"].split("\n\n"):
        expect(article).to_contain_text(paragraph)
    keep_screenshot(page, "detail")
    page_log.assert_clean()


def test_login_page_reached_from_the_nav(page, page_log, site, keep_screenshot):
    page.goto("/")
    page.locator(".site-nav").get_by_role("link", name="Log in").click()
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("input[type=password]")).to_be_visible()
    expect_base_layout(page, site.name)
    expect(page.locator("main h1")).to_have_text(re.compile("log in", re.IGNORECASE))
    keep_screenshot(page, "login")
    page_log.assert_clean()


def test_unknown_article_shows_the_404_page(page, page_log, site, keep_screenshot):
    response = page.goto(f"/articles/{MISSING_SLUG}/")
    assert response.status == 404
    expect(page.locator("main h1")).to_have_text("Page not found")
    expect_base_layout(page, site.name)
    keep_screenshot(page, "not-found")
    page_log.assert_clean(allow_console=_not_found_logged(MISSING_SLUG))


# --- admin -----------------------------------------------------------------------------


def test_anonymous_admin_visitor_lands_on_a_login_page(page, page_log, keep_screenshot):
    response = page.goto("/admin/")
    assert response.status == 200, f"/admin/ ended on {page.url} with {response.status}"
    assert "login" in urlsplit(page.url).path, f"/admin/ showed {page.url}, not a login page"
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("input[type=password]")).to_be_visible()
    keep_screenshot(page, "admin-login")
    page_log.assert_clean()


def test_staff_user_publishes_and_deletes_an_article_in_the_admin(
    page, page_log, site, token, keep_screenshot
):
    title = f"Notes from the admin {token}"
    body = "Written in the admin form by a browser."
    admin = ADMINS[site.framework](page)

    log_in(page, site.staff.username, site.staff.password)
    keep_screenshot(page, "admin-index")
    admin.create_article(title, body)
    [draft] = api_articles(page, token)["results"]
    assert (draft["title"], draft["published"]) == (title, False), draft
    assert draft["author"] == site.staff.username, draft
    page.goto("/")
    expect(page.locator("main")).not_to_contain_text(token)  # a draft is not listed

    admin.publish(title)
    page.goto("/")
    page.locator("ul.article-list a", has_text=title).click()
    page.wait_for_url(f"**/articles/{draft['slug']}/")
    expect(page.locator("article.article h1")).to_have_text(title)
    expect(page.locator("article.article")).to_contain_text(body)
    [published] = api_articles(page, token)["results"]
    assert (published["id"], published["published"]) == (draft["id"], True), published

    admin.delete(title)
    page.goto("/")
    expect(page.locator("main h1")).to_have_text("Articles")
    expect(page.locator("main")).not_to_contain_text(token)
    response = page.goto(f"/articles/{draft['slug']}/")
    assert response.status == 404
    expect(page.locator("main h1")).to_have_text("Page not found")
    assert api_articles(page, token)["count"] == 0
    page_log.assert_clean(allow_console=_not_found_logged(draft["slug"]))


# --- API docs --------------------------------------------------------------------------


def test_api_docs_show_the_article_operations(page, page_log, keep_screenshot):
    response = page.goto("/api/docs/")
    assert response.status == 200
    page.wait_for_selector(".swagger-ui .opblock-summary-path")
    operations = set()
    for summary in page.locator(".swagger-ui .opblock-summary").all():
        method = summary.locator(".opblock-summary-method").inner_text().strip().upper()
        path = summary.locator(".opblock-summary-path").get_attribute("data-path")
        operations.add((method, path))
    missing = ARTICLE_OPERATIONS - operations
    assert not missing, f"Swagger UI does not show {sorted(missing)}; it shows {operations}"
    keep_screenshot(page, "api-docs")
    page_log.assert_clean()


# --- layout ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "detail", "login", "not-found"])
def test_layout_fits_a_phone(page, page_log, sample_article, name, keep_screenshot):
    page.set_viewport_size(PHONE)
    open_named_page(page, name, sample_article)
    nav = page.locator("header.site-header nav.site-nav")
    expect(nav).to_be_visible()
    for item in nav.locator("a, button").all():
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            f"nav item {item.inner_text()!r} is outside the {PHONE['width']}px viewport: {box}"
        )
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width, (
        f"{page.url} scrolls sideways at {PHONE['width']}px: content is {scroll_width}px wide"
    )
    keep_screenshot(page, f"{name}-phone")
    page_log.assert_clean(allow_console=_not_found_logged(MISSING_SLUG))


# --- the checks themselves ------------------------------------------------------------


def test_page_log_reports_outside_requests_and_script_errors(browser):
    """The recorder behind every assert_clean() above sees what it must refuse."""
    context = browser.new_context()
    try:
        page = context.new_page()
        log = PageLog()
        log.attach(page)
        page.route("**/*", lambda route: route.abort())  # nothing leaves the machine
        page.set_content(
            '<img src="https://cdn.example.com/logo.png">'
            '<script>console.error("boom"); undefinedFunction();</script>'
        )
        page.wait_for_load_state()
        assert log.outside_requests() == ["https://cdn.example.com/logo.png"]
        assert any("boom" in error for error in log.console_errors), log.console_errors
        assert any("undefinedFunction" in error for error in log.page_errors), log.page_errors
        with pytest.raises(AssertionError, match="other hosts"):
            log.assert_clean()
    finally:
        context.close()
