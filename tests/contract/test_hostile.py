"""Hostile input over real HTTP (issue 16): what an attacker sends gets a 4xx in the
contract's shape, never a 5xx, and nothing is stored.

Ids past any integer column, page numbers past any offset, JSON nested 5,000 deep,
numbers of 5,000 digits, NaN, NUL characters and lone surrogates, a body over the
2.5 MB limit, NUL in ?search=, in a page's slug and in a Basic user name, a forged Host
header, and look-alike user names (NFKC, any case). Each starter x database, served by
gunicorn with production settings (tests/contract/conftest.py)."""

from __future__ import annotations

import base64
import re

import httpx
import pytest

from tests.support.servers import CommandFailed

from .checks import describe, expect, expect_detail, expect_field_errors, expect_json

pytestmark = pytest.mark.slow

NOT_FOUND = ("No Article matches the given query.", "Not found.")
HUGE_IDS = ["2147483648", "9223372036854775808", str(10**25)]
NUL = "Null characters are not allowed."


def _no_article_with(api: httpx.Client, text: str, row: str) -> None:
    found = expect_json(api.get("/api/articles/", params={"search": text}), 200, row)
    assert found["count"] == 0, f"[{row}] nothing is stored: {found!r}"


@pytest.mark.parametrize("article_id", HUGE_IDS, ids=["2^31", "2^63", "10^25"])
def test_ids_past_any_integer_column_are_404(api, bearer, article_id):
    for method in ("GET", "PATCH", "DELETE"):
        row = f"{method} /api/articles/{article_id}/ -> 404 {{'detail'}}"
        payload = {"title": "ghost"} if method == "PATCH" else None
        response = api.request(
            method, f"/api/articles/{article_id}/", json=payload, headers=bearer
        )
        expect_detail(response, 404, row, NOT_FOUND)


@pytest.mark.parametrize("page", [str(10**20), "0", "-1", "9" * 400, "", "one"])
def test_api_pages_out_of_range_are_404(api, page):
    row = f"GET /api/articles/?page={page[:12]} -> 404 {{'detail'}}"
    expect_detail(api.get("/api/articles/", params={"page": page}), 404, row)


def test_huge_page_size_is_capped(api):
    row = "GET /api/articles/?page_size=10^20 -> 200, at most 100 results"
    data = expect_json(api.get("/api/articles/", params={"page_size": str(10**20)}), 200, row)
    assert len(data["results"]) <= 100, f"[{row}]"


@pytest.mark.parametrize("size", ["0", "-1", "abc", "1.5", "null"])
def test_page_size_that_is_no_positive_integer_is_400(api, size):
    row = f"GET /api/articles/?page_size={size} -> 400 page_size"
    response = api.get("/api/articles/", params={"page_size": size})
    expect_field_errors(response, {"page_size"}, row)


@pytest.mark.parametrize("page", [str(10**20), "99999"])
def test_home_page_past_the_end_is_the_404_page(api, page):
    row = f"GET /?page={page} -> the 404 page (HTML)"
    response = api.get("/", params={"page": page})
    expect(response, 404, row)
    assert "text/html" in response.headers.get("content-type", ""), f"[{row}] {describe(response)}"


def _deep(depth: int) -> bytes:
    return b'{"title": "deep", "body": ' + b"[" * depth + b"]" * depth + b"}"


BAD_BODIES = [
    pytest.param(_deep(5000), None, id="nested-5000"),
    pytest.param(_deep(101), None, id="nested-101"),
    pytest.param(b"[" * 100_000, None, id="unclosed-100000"),
    pytest.param(b'{"title": ' + b"7" * 5000 + b"}", None, id="number-5000-digits"),
    pytest.param(b'{"title": "x", "published": 1e999}', None, id="number-1e999"),
    pytest.param(b'{"title": NaN}', None, id="nan"),
    pytest.param(b'{"title": "x", "body": -Infinity}', None, id="infinity"),
    pytest.param(b'{"title": "lone \\ud800 surrogate"}', "title", id="lone-surrogate"),
    pytest.param(b'{"title": "nul \\u0000 char"}', "title", id="nul-title"),
    pytest.param(b'{"title": "fine", "body": "nul \\u0000"}', "body", id="nul-body"),
    pytest.param(b'{"title": "not utf-8 \xff"}', None, id="not-utf8"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_hostile_json_is_400_in_the_contract_shape(api, bearer, body, field):
    row = "POST /api/articles/ hostile JSON -> 400 (detail, or the field to blame)"
    headers = {**bearer, "Content-Type": "application/json"}
    response = api.post("/api/articles/", content=body, headers=headers)
    if field is None:
        expect_detail(response, 400, row)
    else:
        expect_field_errors(response, {field}, row)


def test_a_nul_outside_the_fields_is_ignored_like_any_unknown_field(api, bearer, token):
    row = "POST /api/articles/ NUL in an unknown field and key -> 201"
    body = f'{{"title": "{token} beside a NUL", "": "\\u0000", "x\\u0000": 1}}'.encode()
    headers = {**bearer, "Content-Type": "application/json"}
    created = expect_json(api.post("/api/articles/", content=body, headers=headers), 201, row)
    assert created["title"] == f"{token} beside a NUL", f"[{row}] {created}"


def test_the_published_schema_refuses_what_the_fields_refuse(api):
    # The OpenAPI document says a NUL and a blank title are refused (as patterns), so
    # clients and schema-driven tools generate only what the API accepts.
    response = api.get("/api/openapi.json")
    assert response.status_code == 200, response.text[:300]
    schema = response.json()
    found: dict[str, set[str]] = {}
    for component in schema["components"]["schemas"].values():
        for field in ("title", "body"):
            prop = component.get("properties", {}).get(field, {})
            # Django publishes a text that may be blank as oneOf [pattern, empty string].
            for option in [prop, *prop.get("oneOf", []), *prop.get("anyOf", [])]:
                if "pattern" in option:
                    found.setdefault(field, set()).add(option["pattern"])
    assert set(found) == {"title", "body"}, found
    for field, patterns in found.items():
        assert len(patterns) == 1, (field, patterns)
        pattern = next(iter(patterns))
        assert not re.search(pattern, "a\x00b"), (field, pattern)
        assert re.search(pattern, " Hello, world "), (field, pattern)
        assert bool(re.search(pattern, " \t")) is (field == "body"), (field, pattern)
    search = next(
        parameter
        for parameter in schema["paths"]["/api/articles/"]["get"]["parameters"]
        if parameter["name"] == "search"
    )
    assert not re.search(search["schema"]["pattern"], "a\x00b"), search


def test_hostile_json_on_patch_and_token_endpoints(api, bearer, create_article, token):
    article = create_article(f"{token} patched by hostile JSON")
    url = f"/api/articles/{article['id']}/"
    headers = {**bearer, "Content-Type": "application/json"}
    row = f"PATCH {url} nested 5000 deep -> 400 {{'detail'}}"
    expect_detail(api.patch(url, content=_deep(5000), headers=headers), 400, row)
    row = f"PATCH {url} NUL in the title -> 400 title"
    response = api.patch(url, content=b'{"title": "a\\u0000"}', headers=headers)
    expect_field_errors(response, {"title"}, row, NUL)
    row = "POST /api/auth/token/ NUL in the username -> 400 username"
    response = api.post(
        "/api/auth/token/",
        content=b'{"username": "alice\\u0000", "password": "x"}',
        headers={"Content-Type": "application/json"},
    )
    expect_field_errors(response, {"username"}, row, NUL)
    assert expect_json(api.get(url, headers=bearer), 200, row) == article, f"[{row}] unchanged"


def test_body_over_the_limit_is_413_json(api, bearer, token):
    row = "POST /api/articles/ with a 3 MB body -> 413 {'detail'}"
    body = b'{"title": "' + token.encode() + b'", "body": "' + b"x" * 3_000_000 + b'"}'
    response = api.post(
        "/api/articles/", content=body, headers={**bearer, "Content-Type": "application/json"}
    )
    expect_detail(response, 413, row)
    _no_article_with(api, token, row)


def test_body_just_under_the_limit_is_stored(api, bearer, token):
    row = "POST /api/articles/ with a 2 MB body -> 201"
    response = api.post(
        "/api/articles/", json={"title": token, "body": "y" * 2_000_000}, headers=bearer
    )
    article = expect_json(response, 201, row)
    assert len(article["body"]) == 2_000_000, f"[{row}]"


def test_nul_in_search_is_400_search(api):
    row = "GET /api/articles/?search=<NUL> -> 400 search"
    response = api.get("/api/articles/", params={"search": "a\x00b"})
    expect_field_errors(response, {"search"}, row, NUL)


def test_nul_in_a_page_slug_is_the_404_page(api):
    row = "GET /articles/a%00b/ -> 404 page"
    expect(api.get("/articles/a%00b/"), 404, row)


def test_nul_in_a_basic_user_name_is_401(api, live_project):
    row = "POST /api/articles/ Basic user name with NUL -> 401"
    raw = base64.b64encode(f"{live_project.alice.username}\x00:x".encode()).decode()
    response = api.post(
        "/api/articles/", json={"title": "nul user"}, headers={"Authorization": f"Basic {raw}"}
    )
    expect_detail(response, 401, row)


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "a b<c>"])
def test_a_forged_host_is_refused(live_project, host):
    row = f"GET /api/articles/ with Host: {host} -> 400 JSON, no link to that host"
    with httpx.Client(base_url=live_project.base_url, trust_env=False, timeout=20) as client:
        response = client.get("/api/articles/?page_size=1", headers={"Host": host})
    expect_detail(response, 400, row)
    assert host not in response.text, f"[{row}] {describe(response)}"


def test_links_carry_the_served_host(api, create_article, token):
    for n in range(2):
        create_article(f"{token} link {n}", published=True)
    row = "GET /api/articles/ -> next is an absolute URL of the served host"
    response = api.get("/api/articles/", params={"search": token, "page_size": 1})
    data = expect_json(response, 200, row)
    served = str(api.base_url).rstrip("/")
    assert data["next"] and data["next"].startswith(served), f"[{row}] {data}"


def test_look_alike_user_names_are_one_account(api, live_project, token):
    """NFKC and case: a fullwidth or upper-case spelling of alice logs in as alice, and
    the project's own command refuses a look-alike of an existing name."""
    alice = live_project.alice
    row = "POST /api/articles/ Basic with alice in fullwidth capitals -> 201 by alice"
    look_alike = "".join(chr(ord(c) + 0xFEE0) for c in alice.username.upper())  # fullwidth
    raw = base64.b64encode(f"{look_alike}:{alice.password}".encode()).decode()
    response = api.post(
        "/api/articles/", json={"title": token}, headers={"Authorization": f"Basic {raw}"}
    )
    assert expect_json(response, 201, row)["author"] == alice.username, f"[{row}]"
    row = "the project's create-user command refuses NFD José beside NFC José"
    project = live_project.project
    first = f"Jos\u00e9{token[-6:]}"
    project.command(*project.starter.create_user_args(first, "pw-" + token))
    second = f"jose\u0301{token[-6:]}"  # decomposed, and another case
    with pytest.raises(CommandFailed) as refused:
        project.command(*project.starter.create_user_args(second, "pw-" + token))
    assert "already exists" in str(refused.value), f"[{row}] {refused.value}"


def test_gunicorn_refuses_an_oversized_request_line_and_header(api, live_project):
    """gunicorn.conf.py's limits: gunicorn answers these itself, before the app."""
    if live_project.project.async_server and live_project.project.framework == "django":
        # uvicorn workers parse HTTP themselves: gunicorn's limit_request_* do not apply
        # (the README's async-server trade-offs say so).
        pytest.skip("uvicorn workers do not apply gunicorn's request-line and header limits")
    row = "GET with a 5,000-byte request line -> 414 (gunicorn, limit_request_line 4094)"
    response = api.get("/api/articles/", params={"search": "x" * 5000})
    expect(response, {400, 414}, row)
    row = "GET with a 9,000-byte header -> 431 (gunicorn, limit_request_field_size 8190)"
    response = api.get("/api/articles/", headers={"X-Padding": "y" * 9000})
    expect(response, {400, 431}, row)
    row = "GET with 101 headers -> 431 (gunicorn, limit_request_fields 100)"
    response = api.get("/api/articles/", headers={f"X-Many-{n}": "z" for n in range(101)})
    expect(response, {400, 431}, row)
    row = "GET within the limits -> 200"
    headers = {"X-Padding": "y" * 8000}
    expect(api.get("/api/articles/", params={"search": "x" * 3000}, headers=headers), 200, row)
