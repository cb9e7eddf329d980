"""Private drafts (contract v2): who sees which article, in the list, the detail, search,
``?published=false``, writes, and the article pages."""

from __future__ import annotations

from typing import Any

import pytest

from .browsing import Browser
from .checks import expect, expect_detail, expect_json
from .htmltree import parse_html

pytestmark = pytest.mark.slow

LIST = "GET /api/articles/"
ITEM = "/api/articles/{id}/"
VIEWERS = ["anonymous", "author", "other-user", "staff"]
# What each viewer sees of: a published article of alice, a draft of alice, a draft of bob.
SEES = {
    "anonymous": {"published"},
    "author": {"published", "alice-draft"},
    "other-user": {"published", "bob-draft"},
    "staff": {"published", "alice-draft", "bob-draft"},
}


@pytest.fixture
def articles(live_project, create_article, token) -> dict[str, dict[str, Any]]:
    return {
        "published": create_article(f"{token} published", published=True),
        "alice-draft": create_article(f"{token} alice draft", user=live_project.alice),
        "bob-draft": create_article(f"{token} bob draft", user=live_project.bob),
    }


def _auth(live_project, viewer: str):
    users = {"author": live_project.alice, "other-user": live_project.bob}
    users["staff"] = live_project.staff
    return users[viewer].auth if viewer in users else None


@pytest.mark.parametrize("viewer", VIEWERS)
def test_list_search_and_published_filter_show_only_what_the_caller_may_see(
    api, live_project, articles, token, viewer
):
    auth = _auth(live_project, viewer)
    ids = {key: article["id"] for key, article in articles.items()}
    seen = {ids[key] for key in SEES[viewer]}
    for params, expected, name in (
        ({"search": token}, seen, "?search="),
        ({"search": token, "published": "false"}, seen - {ids["published"]}, "?published=false"),
        ({"search": token, "published": "true"}, {ids["published"]}, "?published=true"),
    ):
        row = f"{LIST}{name} as {viewer} -> only the articles the caller may see"
        data = expect_json(api.get("/api/articles/", params=params, auth=auth), 200, row)
        listed = {a["id"] for a in data["results"]}
        assert listed == expected and data["count"] == len(expected), (
            f"[{row}] expected ids {sorted(expected)}, got {data!r}"
        )


def test_anonymous_published_false_is_an_empty_page(api, articles, token):
    row = f"{LIST}?published=false anonymous -> an empty page"
    data = expect_json(
        api.get("/api/articles/", params={"search": token, "published": "false"}), 200, row
    )
    assert data == {"count": 0, "next": None, "previous": None, "results": []}, f"[{row}] {data}"


@pytest.mark.parametrize("viewer", VIEWERS)
def test_detail_of_an_unseen_draft_is_404(api, live_project, articles, viewer):
    auth = _auth(live_project, viewer)
    for key, article in articles.items():
        url = f"/api/articles/{article['id']}/"
        if key in SEES[viewer]:
            row = f"GET {ITEM} {key} as {viewer} -> 200 Article"
            assert expect_json(api.get(url, auth=auth), 200, row)["id"] == article["id"]
        else:
            row = f"GET {ITEM} {key} as {viewer} -> 404 (its existence is not revealed)"
            expect_detail(api.get(url, auth=auth), 404, row)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_writes_to_an_unseen_draft_are_404(api, live_project, articles, method):
    row = f"{method} {ITEM} another user's draft -> 404, unchanged"
    draft = articles["alice-draft"]
    url = f"/api/articles/{draft['id']}/"
    payload = {"title": "taken over"} if method != "DELETE" else None
    expect_detail(api.request(method, url, json=payload, auth=live_project.bob.auth), 404, row)
    after = expect_json(api.get(url, auth=live_project.alice.auth), 200, row)
    assert after == draft, f"[{row}] the draft is unchanged: {after!r}"


def test_staff_may_change_any_draft(api, live_project, articles):
    row = f"PATCH {ITEM} another user's draft as staff -> 200"
    url = f"/api/articles/{articles['bob-draft']['id']}/"
    patched = expect_json(
        api.patch(url, json={"body": "reviewed"}, auth=live_project.staff.auth), 200, row
    )
    assert patched["body"] == "reviewed" and patched["author"] == live_project.bob.username


def test_publishing_a_draft_shows_it_to_everyone(api, live_project, articles):
    row = f"PATCH {ITEM} published=true -> anonymous GET 200"
    url = f"/api/articles/{articles['alice-draft']['id']}/"
    expect_detail(api.get(url), 404, f"GET {ITEM} draft anonymous -> 404")
    expect_json(api.patch(url, json={"published": True}, auth=live_project.alice.auth), 200, row)
    assert expect_json(api.get(url), 200, row)["published"] is True


def _log_in(live_project, user) -> Browser:
    browser = Browser(live_project.base_url)
    page = browser.get("/login/")
    expect(page, 200, "GET /login/ -> 200 the login form")
    done = browser.submit(page, {"text": user.username, "password": user.password})
    expect(done, {302, 303}, f"POST /login/ as {user.username} -> redirect")
    return browser


def test_the_author_previews_a_draft_at_its_page(live_project, articles):
    draft = articles["alice-draft"]
    path = f"/articles/{draft['slug']}/"
    author = _log_in(live_project, live_project.alice)
    other = _log_in(live_project, live_project.bob)
    try:
        row = "GET /articles/<slug>/ draft as its author -> 200 preview"
        page = author.get(path)
        expect(page, 200, row)
        headings = [h.text for h in parse_html(page.text).find_all("h1")]
        assert draft["title"] in headings, f"[{row}] the page shows the draft: {headings}"
        expect(other.get(path), 404, "GET /articles/<slug>/ draft as another user -> 404")
        home = author.get("/")
        assert draft["title"] not in home.text, (
            "[GET / -> published articles only] even its author"
        )
    finally:
        author.close()
        other.close()
