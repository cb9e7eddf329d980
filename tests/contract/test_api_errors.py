"""Error rows of the contract: 400, 401, 403, 404, 405 and their JSON bodies."""

from __future__ import annotations

import pytest

from .checks import describe, expect, expect_detail, expect_json, media_type

pytestmark = pytest.mark.slow

ITEM = "/api/articles/{id}/"
NO_CREDENTIALS = "Authentication credentials were not provided."
FORBIDDEN = "You do not have permission to perform this action."
NOT_FOUND = ("No Article matches the given query.", "Not found.")


def test_malformed_json_is_400_detail(api, live_project):
    row = 'POST /api/articles/ malformed JSON -> 400 {"detail"}'
    response = api.post(
        "/api/articles/",
        content=b'{"title": "broken",',
        headers={"Content-Type": "application/json"},
        auth=live_project.alice.auth,
    )
    expect_detail(response, 400, row)


def test_malformed_json_on_patch_is_400_detail(api, live_project, create_article, token):
    row = f'PATCH {ITEM} malformed JSON -> 400 {{"detail"}}'
    article = create_article(f"{token} malformed patch")
    response = api.patch(
        f"/api/articles/{article['id']}/",
        content=b"{not json}",
        headers={"Content-Type": "application/json"},
        auth=live_project.alice.auth,
    )
    expect_detail(response, 400, row)


def test_wrong_content_type_is_400_or_415(api, live_project, token):
    row = 'POST /api/articles/ wrong content type -> 400 or 415 {"detail"}'
    response = api.post(
        "/api/articles/",
        content=f'{{"title": "{token}"}}'.encode(),
        headers={"Content-Type": "text/plain"},
        auth=live_project.alice.auth,
    )
    expect_detail(response, {400, 415}, row)
    found = expect_json(api.get("/api/articles/", params={"search": token}), 200, row)
    assert found["count"] == 0, f"[{row}] nothing is created: {found!r}"


def _expect_401(response, row: str, messages: tuple[str, ...] = ()) -> None:
    expect_detail(response, 401, row, messages)
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.lower().startswith("basic"), (
        f"[{row}] a 401 carries a WWW-Authenticate: Basic header: {describe(response)} "
        f"headers={dict(response.headers)}"
    )
    assert challenge == 'Basic realm="api"', (
        f'[{row}] WWW-Authenticate must be exactly Basic realm="api", got {challenge!r}'
    )


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_without_credentials_are_401(api, create_article, token, method):
    row = f"{method} without credentials -> 401 + WWW-Authenticate"
    article = create_article(f"{token} anon {method}", published=True)
    url = "/api/articles/" if method == "POST" else f"/api/articles/{article['id']}/"
    response = api.request(method, url, json={"title": f"{token} by nobody"})
    _expect_401(response, row, (NO_CREDENTIALS,))
    after = expect_json(api.get(f"/api/articles/{article['id']}/"), 200, row)
    assert after == article, f"[{row}] the article is unchanged"


@pytest.mark.parametrize(
    "credentials",
    [("alice", "wrong-password"), ("nobody-such", "whatever")],
    ids=["bad-password", "unknown-user"],
)
def test_bad_credentials_are_401(api, live_project, token, credentials):
    row = "POST /api/articles/ bad credentials -> 401 + WWW-Authenticate"
    response = api.post("/api/articles/", json={"title": token}, auth=credentials)
    _expect_401(response, row)
    found = expect_json(api.get("/api/articles/", params={"search": token}), 200, row)
    assert found["count"] == 0, f"[{row}] nothing is created: {found!r}"


def test_other_users_article_is_403(api, live_project, create_article, token):
    # Published: bob sees it, so he is refused (403); a draft would be a 404 for him.
    article = create_article(f"{token} alice owns this", user=live_project.alice, published=True)
    url = f"/api/articles/{article['id']}/"
    bob = live_project.bob.auth
    for method, payload in (
        ("PUT", {"title": "taken over"}),
        ("PATCH", {"title": "taken over"}),
        ("DELETE", None),
    ):
        row = f"{method} {ITEM} by another (non-staff) user -> 403"
        response = api.request(method, url, json=payload, auth=bob)
        expect_detail(response, 403, row, (FORBIDDEN,))
    row = f"{ITEM} after refused writes -> unchanged"
    assert expect_json(api.get(url), 200, row) == article, f"[{row}]"


def test_staff_may_change_and_delete_any_article(api, live_project, create_article, token):
    article = create_article(f"{token} staff edits", user=live_project.alice)
    url = f"/api/articles/{article['id']}/"
    staff = live_project.staff.auth
    row = f"PATCH {ITEM} by staff -> 200"
    patched = expect_json(api.patch(url, json={"published": True}, auth=staff), 200, row)
    assert patched["published"] is True, f"[{row}] {patched!r}"
    assert patched["author"] == live_project.alice.username, f"[{row}] the author stays"
    row = f"PUT {ITEM} by staff -> 200"
    put = expect_json(api.put(url, json={"title": f"{token} staff"}, auth=staff), 200, row)
    assert put["title"] == f"{token} staff", f"[{row}] {put!r}"
    row = f"DELETE {ITEM} by staff -> 204"
    response = api.delete(url, auth=staff)
    expect(response, 204, row)
    assert response.content == b"", f"[{row}] empty body"


def test_author_may_change_own_article(api, live_project, create_article, token):
    row = f"PATCH {ITEM} by its author (non-staff) -> 200"
    article = create_article(f"{token} bob's own", user=live_project.bob)
    patched = expect_json(
        api.patch(
            f"/api/articles/{article['id']}/", json={"body": "mine"}, auth=live_project.bob.auth
        ),
        200,
        row,
    )
    assert patched["body"] == "mine", f"[{row}] {patched!r}"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_unknown_article_is_404(api, live_project, method):
    row = f'{method} {ITEM} unknown id -> 404 {{"detail"}}'
    payload = {"title": "ghost"} if method in {"PUT", "PATCH"} else None
    response = api.request(
        method, "/api/articles/987654321/", json=payload, auth=live_project.staff.auth
    )
    expect_detail(response, 404, row, NOT_FOUND)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/no-such-thing/"),
        ("GET", "/api/articles/not-a-number/"),
        ("GET", "/api/articles/1/comments/"),
        ("POST", "/api/no-such-thing/"),
        ("DELETE", "/api/no-such-thing/"),
    ],
    ids=["unknown-route", "non-integer-id", "nested-unknown", "post-unknown", "delete-unknown"],
)
def test_unknown_api_route_is_404_json(api, method, path):
    row = f'{method} {path} unknown route under /api/ -> 404 JSON {{"detail"}}'
    payload = {"title": "x"} if method == "POST" else None
    expect_detail(api.request(method, path, json=payload), 404, row)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/articles/", {"GET", "POST"}),
        ("PUT", "/api/articles/", {"GET", "POST"}),
        ("PATCH", "/api/articles/", {"GET", "POST"}),
        ("POST", "/api/articles/{id}/", {"GET", "PUT", "PATCH", "DELETE"}),
        ("POST", "/api/health/", {"GET"}),
    ],
    ids=["delete-list", "put-list", "patch-list", "post-item", "post-health"],
)
def test_method_not_allowed_is_405_with_allow(
    api, live_project, create_article, token, method, path, allowed
):
    row = f'{method} {path} -> 405 {{"detail"}} + Allow'
    if "{id}" in path:
        path = path.format(id=create_article(f"{token} 405")["id"])
    response = api.request(method, path, json={"title": "x"}, auth=live_project.staff.auth)
    expect_detail(response, 405, row, (f'Method "{method}" not allowed.',))
    header = response.headers.get("allow", "")
    methods = {m.strip().upper() for m in header.split(",") if m.strip()}
    assert allowed <= methods, (
        f"[{row}] Allow must list {sorted(allowed)}, got {header!r}: {describe(response)}"
    )
    assert method not in methods, f"[{row}] Allow must not list {method}: {header!r}"


def test_every_api_response_is_json(api, live_project, create_article, token):
    """One sweep over the kinds of /api responses: each is application/json."""
    article = create_article(f"{token} sweep")
    url = f"/api/articles/{article['id']}/"
    alice, bob = live_project.alice.auth, live_project.bob.auth
    requests = [
        ("GET", "/api/articles/", None, None),
        ("GET", url, None, None),
        ("POST", "/api/articles/", {"title": f"{token} more"}, alice),
        ("POST", "/api/articles/", {"title": ""}, alice),
        ("POST", "/api/articles/", {"title": "x"}, None),
        ("PATCH", url, {"title": "y"}, bob),
        ("GET", "/api/articles/987654321/", None, None),
        ("GET", "/api/nowhere/", None, None),
        ("POST", "/api/nowhere/", {"title": "x"}, None),
        ("POST", "/api/health/", None, None),
        ("DELETE", "/api/articles/", None, alice),
        ("GET", "/api/articles/?page=9999", None, None),
        ("GET", "/api/health/", None, None),
    ]
    problems = []
    for method, path, payload, auth in requests:
        response = api.request(method, path, json=payload, auth=auth)
        if media_type(response) != "application/json":
            problems.append(describe(response))
    assert not problems, (
        "[every /api response -> Content-Type: application/json, errors included] "
        + "\n".join(problems)
    )
