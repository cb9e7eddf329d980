"""Create, read, update (PUT), patch and delete; slugs; validation; ignored fields."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from .checks import (
    check_article,
    describe,
    expect,
    expect_detail,
    expect_field_errors,
    expect_json,
    parse_datetime,
)

pytestmark = pytest.mark.slow

CREATE = "POST /api/articles/"
ITEM = "/api/articles/{id}/"
REQUIRED = "This field is required."


def test_create_returns_201_article_and_location(api, live_project, token):
    """With HTTP Basic, as contract v1 writes it (the other tests send alice's token)."""
    row = f"{CREATE} -> 201 Article + Location"
    alice = live_project.alice
    response = api.post(
        "/api/articles/", json={"title": f"{token} First post", "body": "Hello"}, auth=alice.basic
    )
    article = check_article(expect_json(response, 201, row), row, fresh=True)
    assert article["title"] == f"{token} First post" and article["body"] == "Hello", f"[{row}]"
    assert article["published"] is False, f"[{row}] published defaults to false: {article!r}"
    assert article["author"] == alice.username, f"[{row}] author is the user's name: {article!r}"
    location = response.headers.get("location")
    assert location, f"[{row}] a Location header is required: {describe(response)}"
    target = urljoin(str(response.request.url), location)
    assert urlsplit(target).path == f"/api/articles/{article['id']}/", (
        f"[{row}] Location must point to /api/articles/{article['id']}/, got {location!r}"
    )
    # A draft: only its author (and staff) may read it.
    fetched = expect_json(api.get(target, auth=alice.basic), 200, f"GET {ITEM} -> 200 Article")
    assert fetched == article, f"[GET {ITEM} -> 200 Article] must equal the created article"


def test_create_defaults(api, live_project, token):
    row = f'{CREATE} defaults -> body "", published false'
    response = api.post("/api/articles/", json={"title": token}, auth=live_project.bob.auth)
    article = check_article(expect_json(response, 201, row), row, fresh=True)
    assert article["body"] == "" and article["published"] is False, f"[{row}] {article!r}"
    assert article["author"] == live_project.bob.username, f"[{row}] {article!r}"


def test_retrieve(api, create_article, token):
    row = f"GET {ITEM} -> 200 Article"
    created = create_article(f"{token} read me", body="Line 1\nLine 2", published=True)
    fetched = check_article(expect_json(api.get(f"/api/articles/{created['id']}/"), 200, row), row)
    assert fetched == created, f"[{row}] {fetched!r} != {created!r}"


def test_put_replaces_writable_fields(api, live_project, create_article, token):
    row = f"PUT {ITEM} -> 200 Article (full update)"
    created = create_article(f"{token} before put", body="old")
    url = f"/api/articles/{created['id']}/"
    payload = {"title": f"{token} after put", "body": "new body", "published": True}
    updated = check_article(
        expect_json(api.put(url, json=payload, auth=live_project.alice.auth), 200, row), row
    )
    for key, value in payload.items():
        assert updated[key] == value, f"[{row}] {key} must be {value!r}: {updated!r}"
    assert updated["id"] == created["id"] and updated["author"] == created["author"], f"[{row}]"
    assert updated["slug"] == created["slug"], (
        f"[{row}] the slug is made on create and kept: {created['slug']!r} -> {updated['slug']!r}"
    )
    assert updated["created_at"] == created["created_at"], f"[{row}] created_at is kept"
    assert parse_datetime(updated["updated_at"], row, "updated_at") >= parse_datetime(
        created["updated_at"], row, "updated_at"
    ), f"[{row}] updated_at moves forward"
    assert expect_json(api.get(url), 200, row) == updated, f"[{row}] the change is stored"


def test_put_requires_title(api, live_project, create_article, token):
    row = f'PUT {ITEM} without title -> 400 {{"title": [...]}}'
    created = create_article(f"{token} put no title")
    response = api.put(
        f"/api/articles/{created['id']}/", json={"body": "x"}, auth=live_project.alice.auth
    )
    expect_field_errors(response, {"title"}, row, REQUIRED)


def test_patch_changes_only_given_fields(api, live_project, create_article, token):
    row = f"PATCH {ITEM} -> 200 Article (partial update)"
    created = create_article(f"{token} patch me", body="keep")
    url = f"/api/articles/{created['id']}/"
    patched = check_article(
        expect_json(
            api.patch(url, json={"published": True}, auth=live_project.alice.auth), 200, row
        ),
        row,
    )
    assert patched["published"] is True, f"[{row}] {patched!r}"
    for key in ("title", "body", "slug", "author", "created_at"):
        assert patched[key] == created[key], f"[{row}] {key} must be unchanged: {patched!r}"
    patched = expect_json(
        api.patch(url, json={"body": "changed"}, auth=live_project.alice.auth), 200, row
    )
    assert patched["body"] == "changed" and patched["published"] is True, f"[{row}] {patched!r}"


def test_delete_returns_204_empty_then_404(api, live_project, create_article, token):
    row = f"DELETE {ITEM} -> 204 empty body"
    created = create_article(f"{token} delete me")
    url = f"/api/articles/{created['id']}/"
    response = api.delete(url, auth=live_project.alice.auth)
    expect(response, 204, row)
    assert response.content == b"", f"[{row}] a 204 has an empty body: {describe(response)}"
    expect_detail(
        api.get(url, auth=live_project.alice.auth), 404, f"GET {ITEM} after DELETE -> 404"
    )


def test_slug_from_title_and_unique(api, create_article, token):
    row = f"{CREATE} slug -> slugified title, -2, -3 on collision"
    title = f"Hello, World! {token.upper()}"
    first, second, third = (create_article(title) for _ in range(3))
    base = f"hello-world-{token}"
    assert first["slug"] == base, f"[{row}] {title!r} -> {base!r}, got {first['slug']!r}"
    assert second["slug"] == f"{base}-2", f"[{row}] second copy -> -2, got {second['slug']!r}"
    assert third["slug"] == f"{base}-3", f"[{row}] third copy -> -3, got {third['slug']!r}"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Crème brûlée: déjà vu! {token}", "creme-brulee-deja-vu-{token}"),
        ("  Many   spaces -- and_underscores {token} ", "many-spaces-and_underscores-{token}"),
        ("日本語 {token} 2026", "{token}-2026"),
    ],
    ids=["accents", "spaces-and-underscores", "non-latin"],
)
def test_slug_like_django_slugify(create_article, token, title, slug):
    row = f"{CREATE} slug -> the title slugified (ASCII, lowercase, hyphens)"
    article = create_article(title.format(token=token))
    assert article["slug"] == slug.format(token=token), (
        f"[{row}] {article['title']!r} -> {slug.format(token=token)!r}, got {article['slug']!r}"
    )


def test_slug_suffix_skips_taken_slugs(create_article, token):
    row = f"{CREATE} slug -> unique even when a suffixed slug is taken"
    first = create_article(f"{token} post")
    second = create_article(f"{token} post 2")  # slugified to the same as a -2 suffix
    third = create_article(f"{token} post")
    slugs = [first["slug"], second["slug"], third["slug"]]
    assert slugs[:2] == [f"{token}-post", f"{token}-post-2"], f"[{row}] {slugs}"
    assert third["slug"] == f"{token}-post-3", f"[{row}] the next free suffix is -3: {slugs}"


def test_symbols_only_title_slug_is_article(api, create_article, live_project):
    row = f'{CREATE} slug of a symbols-only title -> "article"'
    # The served project is shared with other modules (schemathesis creates articles
    # with symbols-only titles too): "article" may be taken, then the next free -N.
    first = create_article("!!! ??? ***")
    second = create_article("%%% &&&")
    assert re.fullmatch(r"article(-[2-9]|-[1-9]\d+)?", first["slug"]), f"[{row}] {first!r}"
    assert re.fullmatch(r"article-([2-9]|[1-9]\d+)", second["slug"]), f"[{row}] {second!r}"
    assert second["slug"] != first["slug"], f"[{row}] a collision takes the next free -N"


def test_title_is_trimmed_and_200_characters_allowed(api, create_article):
    row = f"{CREATE} title 1..200 characters after trimming -> 201"
    title = "T" * 200
    article = create_article(f"   {title}  ")
    assert article["title"] == title, f"[{row}] stored trimmed, got {article['title']!r}"
    assert create_article("x")["title"] == "x", f"[{row}] one character is enough"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, REQUIRED),
        ({"body": "no title"}, REQUIRED),
        ({"title": ""}, None),
        ({"title": "   "}, None),
        ({"title": "T" * 201}, None),
        ({"title": None}, None),
    ],
    ids=["empty-body", "missing-title", "blank", "whitespace", "too-long", "null"],
)
def test_create_validation_errors(api, live_project, payload, message):
    row = f"{CREATE} validation -> 400 field errors"
    response = api.post("/api/articles/", json=payload, auth=live_project.alice.auth)
    expect_field_errors(response, {"title"}, row, message)


def test_several_bad_fields_one_key_each(api, live_project):
    row = f"{CREATE} validation -> 400, one key per bad field"
    response = api.post(
        "/api/articles/",
        json={"title": "", "published": "not-a-boolean"},
        auth=live_project.alice.auth,
    )
    expect_field_errors(response, {"title", "published"}, row)


def test_patch_validation_error(api, live_project, create_article, token):
    row = f"PATCH {ITEM} validation -> 400 field errors"
    created = create_article(f"{token} patch invalid")
    url = f"/api/articles/{created['id']}/"
    response = api.patch(url, json={"title": "T" * 201}, auth=live_project.alice.auth)
    expect_field_errors(response, {"title"}, row)
    stored = api.get(url, auth=live_project.alice.auth)
    assert expect_json(stored, 200, row)["title"] == created["title"], (
        f"[{row}] a rejected change is not stored"
    )


def test_unknown_and_read_only_fields_ignored(api, live_project, token):
    row = f"{CREATE} unknown and read-only fields -> ignored"
    alice = live_project.alice
    payload = {
        "title": f"{token} ignore extras",
        "id": 987654321,
        "slug": "chosen-by-client",
        "author": live_project.bob.username,
        "created_at": "2001-01-01T00:00:00Z",
        "updated_at": "2001-01-01T00:00:00Z",
        "colour": "blue",
    }
    response = api.post("/api/articles/", json=payload, auth=alice.auth)
    article = check_article(expect_json(response, 201, row), row, fresh=True)
    assert article["id"] != 987654321, f"[{row}] id is read-only: {article!r}"
    assert article["slug"] == f"{token}-ignore-extras", f"[{row}] slug is read-only: {article!r}"
    assert article["author"] == alice.username, f"[{row}] author is read-only: {article!r}"
    assert not article["created_at"].startswith("2001"), f"[{row}] created_at is read-only"
    assert "colour" not in article, f"[{row}] unknown fields are ignored: {article!r}"

    row = f"PATCH {ITEM} read-only fields -> ignored"
    url = f"/api/articles/{article['id']}/"
    patch = {
        "slug": "other",
        "author": live_project.bob.username,
        "id": 1,
        "colour": "red",
        "body": "patched",
    }
    patched = expect_json(api.patch(url, json=patch, auth=alice.auth), 200, row)
    assert patched["body"] == "patched", f"[{row}] writable fields still apply: {patched!r}"
    for key in ("id", "slug", "author", "created_at"):
        assert patched[key] == article[key], f"[{row}] {key} must be unchanged: {patched!r}"
