"""GET /api/articles/: envelope, pagination, filters, search, ordering."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from .checks import check_article, expect_detail, expect_json, parse_datetime

pytestmark = pytest.mark.slow

LIST = "GET /api/articles/"
# The articles below are alice's, drafts among them: she lists them (an author sees her
# drafts); what others see is checked in test_drafts.py.


def test_list_envelope(api, create_article, token):
    row = f"{LIST} -> 200 {{count, next, previous, results}}"
    created = create_article(f"{token} envelope", published=True)
    data = expect_json(api.get("/api/articles/", params={"search": token}), 200, row)
    assert isinstance(data, dict) and set(data) == {"count", "next", "previous", "results"}, (
        f"[{row}] the list envelope must have exactly count/next/previous/results: {data!r}"
    )
    assert data["count"] == 1 and data["next"] is None and data["previous"] is None, (
        f"[{row}] one match: count 1, next and previous null: {data!r}"
    )
    assert isinstance(data["results"], list) and len(data["results"]) == 1, f"[{row}] {data!r}"
    item = check_article(data["results"][0], row)
    assert item == created, f"[{row}] the listed article must equal the created one"


def test_list_empty_first_page(api, token):
    row = f"{LIST} no match -> 200 empty page"
    data = expect_json(api.get("/api/articles/", params={"search": token}), 200, row)
    assert data == {"count": 0, "next": None, "previous": None, "results": []}, f"[{row}] {data!r}"


def test_pagination_default_size_and_absolute_links(api, live_project, create_article, token):
    alice = live_project.alice.auth
    row = f"{LIST} pagination -> default page_size 20, absolute next/previous"
    for n in range(25):
        create_article(f"{token} page {n}", published=n % 2 == 0)
    first = expect_json(api.get("/api/articles/", params={"search": token}, auth=alice), 200, row)
    assert first["count"] == 25, f"[{row}] count is the total of all pages: {first['count']}"
    assert len(first["results"]) == 20, f"[{row}] default page size is 20"
    assert first["previous"] is None, f"[{row}] page 1 has previous null"
    next_url = first["next"]
    assert isinstance(next_url, str) and next_url.startswith(
        f"{live_project.base_url}/api/articles/"
    ), f"[{row}] next must be an absolute URL on {live_project.base_url}: {next_url!r}"
    query = parse_qs(urlsplit(next_url).query)
    assert query.get("page") == ["2"] and query.get("search") == [token], (
        f"[{row}] next must keep the query and ask for page 2: {next_url!r}"
    )

    second = expect_json(api.get(next_url, auth=alice), 200, row)
    assert second["count"] == 25 and len(second["results"]) == 5, f"[{row}] last page: 5 left"
    assert second["next"] is None, f"[{row}] the last page has next null"
    prev_url = second["previous"]
    assert isinstance(prev_url, str) and prev_url.startswith(
        f"{live_project.base_url}/api/articles/"
    ), f"[{row}] previous must be an absolute URL: {prev_url!r}"
    back = expect_json(api.get(prev_url, auth=alice), 200, row)
    assert back["results"] == first["results"], f"[{row}] previous leads back to page 1"

    ids = [a["id"] for a in first["results"] + second["results"]]
    assert len(set(ids)) == 25, f"[{row}] the pages together hold each article once"

    sized = expect_json(
        api.get(
            "/api/articles/", params={"search": token, "page_size": 10, "page": 3}, auth=alice
        ),
        200,
        row,
    )
    assert len(sized["results"]) == 5 and sized["next"] is None, (
        f"[{LIST}?page_size=10&page=3 -> the last 5] {sized!r}"
    )
    previous = parse_qs(urlsplit(sized["previous"] or "").query)
    assert previous.get("page") == ["2"] and previous.get("page_size") == ["10"], (
        f"[{LIST}?page_size=M -> next/previous keep page_size] {sized['previous']!r}"
    )
    assert [a["id"] for a in sized["results"]] == ids[20:], (
        f"[{LIST}?page_size=M -> pages of M] page 3 of 10 holds articles 21-25"
    )


def test_page_size_capped_at_100(api, live_project):
    row = f"{LIST}?page_size=1000 -> capped at 100"
    total = expect_json(api.get("/api/articles/"), 200, row)["count"]
    if total <= 100:
        live_project.project.seed_articles(101 - total, live_project.bob.username, published=True)
    data = expect_json(api.get("/api/articles/", params={"page_size": 1000}), 200, row)
    assert data["count"] > 100, f"[{row}] setup: more than 100 articles exist"
    assert len(data["results"]) == 100, (
        f"[{row}] page_size above 100 gives 100 results, got {len(data['results'])}"
    )
    exact = expect_json(api.get("/api/articles/", params={"page_size": 100}), 200, row)
    assert len(exact["results"]) == 100, f"[{LIST}?page_size=100 -> 100 results]"
    default = expect_json(api.get("/api/articles/"), 200, row)
    assert len(default["results"]) == 20, f"[{LIST} -> default page_size 20]"


@pytest.mark.parametrize("page", ["999", "0"], ids=["beyond-last", "zero"])
def test_page_out_of_range_is_404(api, create_article, token, page):
    row = f"{LIST}?page={page} out of range -> 404"
    create_article(f"{token} only")
    response = api.get("/api/articles/", params={"search": token, "page": page})
    expect_detail(response, 404, row, ("Invalid page.",))


def test_filter_published(api, live_project, create_article, token):
    alice = live_project.alice.auth
    published = [create_article(f"{token} pub {n}", published=True)["id"] for n in range(2)]
    drafts = [create_article(f"{token} draft {n}")["id"] for n in range(3)]
    for value, expected, flag in (("true", published, True), ("false", drafts, False)):
        row = f"{LIST}?published={value} -> only {'published' if flag else 'draft'} articles"
        data = expect_json(
            api.get("/api/articles/", params={"search": token, "published": value}, auth=alice),
            200,
            row,
        )
        assert data["count"] == len(expected), f"[{row}] {data!r}"
        assert sorted(a["id"] for a in data["results"]) == sorted(expected), f"[{row}] {data!r}"
        assert all(a["published"] is flag for a in data["results"]), f"[{row}] {data!r}"
    row = f"{LIST} without ?published -> both"
    data = expect_json(api.get("/api/articles/", params={"search": token}, auth=alice), 200, row)
    assert data["count"] == 5, f"[{row}] {data!r}"


def test_search_is_case_insensitive_and_in_title(api, live_project, create_article, token):
    row = f"{LIST}?search= -> case-insensitive match in the title"
    alice = live_project.alice.auth
    upper = token.upper()
    hit = create_article(f"Gardening with {upper} Tomatoes")
    lower = create_article(f"{token} notes on tomatoes")
    create_article("Unrelated title", body=f"mentions {token} only in the body")
    for query in (token, upper, token.capitalize()):
        data = expect_json(
            api.get("/api/articles/", params={"search": query}, auth=alice), 200, row
        )
        found = sorted(a["id"] for a in data["results"])
        assert found == sorted([hit["id"], lower["id"]]), (
            f"[{row}] ?search={query} must find exactly the two titles containing it "
            f"(any case, not the body match), got {data!r}"
        )
    data = expect_json(
        api.get("/api/articles/", params={"search": f"{token[3:9].upper()}"}, auth=alice), 200, row
    )
    assert {a["id"] for a in data["results"]} >= {hit["id"], lower["id"]}, (
        f"[{row}] part of a word matches too: {data!r}"
    )


def test_newest_first(api, live_project, create_article, token):
    row = f"{LIST} ordering -> newest first (created_at, then id, descending)"
    made = [create_article(f"{token} order {n}", published=n == 1)["id"] for n in range(4)]
    data = expect_json(
        api.get("/api/articles/", params={"search": token}, auth=live_project.alice.auth), 200, row
    )
    listed = [a["id"] for a in data["results"]]
    assert listed == list(reversed(made)), f"[{row}] created {made}, listed {listed}"
    stamps = [parse_datetime(a["created_at"], row, "created_at") for a in data["results"]]
    assert stamps == sorted(stamps, reverse=True), f"[{row}] created_at descending: {stamps}"
