"""The server-rendered pages: / and /articles/<slug>/, and the HTML 404 page."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from .checks import describe, expect, media_type, parse_datetime
from .htmltree import Node, parse_html

pytestmark = pytest.mark.slow

HOME = "GET /"
DETAIL = "GET /articles/<slug>/"


def _html(response, status: int, row: str) -> Node:
    expect(response, status, row)
    assert media_type(response) == "text/html", f"[{row}] an HTML page: {describe(response)}"
    return parse_html(response.text)


def _expect_404_page(response, row: str) -> None:
    page = _html(response, 404, row)
    headings = [h.text for h in page.find_all("h1")]
    assert "Page not found" in headings, (
        f"[{row}] the 404 page has <h1>Page not found</h1>, got headings {headings}"
    )
    assert page.find("header", "site-header") and page.find("main", "container"), (
        f"[{row}] the 404 page uses the base layout (header.site-header, main.container)"
    )


def test_home_lists_published_newest_first(api, create_article, token):
    row = f"{HOME} -> published articles only, newest first, linking to /articles/<slug>/"
    older = create_article(f"{token} older", published=True)
    draft = create_article(f"{token} draft", published=False)
    newer = create_article(f"{token} newer", published=True)
    page = _html(api.get("/"), 200, row)
    listing = page.find("ul", "article-list")
    assert listing, f'[{row}] no <ul class="article-list">'
    items = []
    for item in listing.find_all("li", "article-item"):
        link = item.find("a")
        if link and token in link.text:
            items.append((link.text, link.attrs.get("href")))
            stamp = item.find("time")
            assert stamp is not None and stamp.attrs.get("datetime"), (
                f"[{row}] each item shows <time datetime=...>"
            )
            parse_datetime(stamp.attrs["datetime"], row, "<time datetime>")
    expected = [
        (newer["title"], f"/articles/{newer['slug']}/"),
        (older["title"], f"/articles/{older['slug']}/"),
    ]
    assert items == expected, f"[{row}] expected {expected}, listed {items}"
    assert draft["title"] not in page.text, f"[{row}] the draft must not be listed"


def test_home_assets_are_local(api, live_project):
    row = f"{HOME} stylesheets and scripts are served by the project (no CDN)"
    response = api.get("/")
    page = _html(response, 200, row)
    assets = [
        n.attrs["href"]
        for n in page.find_all("link")
        if "stylesheet" in n.attrs.get("rel", "") and n.attrs.get("href")
    ]
    assets += [n.attrs["src"] for n in page.find_all("script") if n.attrs.get("src")]
    assert assets, f"[{row}] the page links its stylesheet"
    for asset in assets:
        url = urljoin(str(response.request.url), asset)
        assert urlsplit(url).netloc == urlsplit(live_project.base_url).netloc, (
            f"[{row}] {asset!r} is loaded from another host"
        )
        expect(api.get(url), 200, f"{row}: {asset}")


def test_detail_shows_published_article_escaped(api, live_project, create_article, token):
    row = f"{DETAIL} published -> 200 page, title and body escaped"
    title = f'{token} <b>bold</b> & "quotes"'
    body = "First line <script>alert(1)</script>\nSecond line"
    article = create_article(title, body=body, published=True)
    response = api.get(f"/articles/{article['slug']}/")
    page = _html(response, 200, row)
    node = page.find("article", "article")
    assert node, f'[{row}] the page has <article class="article">'
    heading = node.find("h1")
    assert heading and heading.text == " ".join(title.split()), (
        f"[{row}] <h1> shows the title as text: {heading.text if heading else None!r}"
    )
    meta = node.find("p", "meta")
    assert meta and live_project.alice.username in meta.text, f"[{row}] meta names the author"
    content = node.find("div", "article-body")
    assert content and "First line <script>alert(1)</script>" in content.text, (
        f"[{row}] the body is shown as text"
    )
    assert "Second line" in content.text, f"[{row}] all lines of the body are shown"
    assert "<script>alert(1)</script>" not in response.text, f"[{row}] the body is escaped"
    assert "<b>bold</b>" not in response.text, f"[{row}] the title is escaped"


def test_detail_of_draft_is_404_page(api, create_article, token):
    draft = create_article(f"{token} secret draft", published=False)
    _expect_404_page(api.get(f"/articles/{draft['slug']}/"), f"{DETAIL} draft -> 404 page")


def test_detail_of_unknown_slug_is_404_page(api, token):
    _expect_404_page(api.get(f"/articles/{token}-missing/"), f"{DETAIL} unknown slug -> 404 page")


def test_unknown_page_is_html_404(api, token):
    _expect_404_page(api.get(f"/{token}/nowhere/"), "GET unknown page -> 404 HTML page")
