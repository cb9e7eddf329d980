"""API tokens (contract v2): POST /api/auth/token/ issues, ``Authorization: Bearer``
authenticates, DELETE revokes; tokens expire and are stored hashed."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.postgres import find_bindir

from .checks import check_article, expect, expect_detail, expect_json, parse_datetime
from .conftest import THROTTLE_ENV

pytestmark = pytest.mark.slow

ISSUE = "POST /api/auth/token/"
REVOKE = "DELETE /api/auth/token/"
SHORT_LIFETIME = 3  # seconds, for the expiry check


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_issue_returns_201_token_and_expiry(api, live_project):
    row = f"{ISSUE} -> 201 {{token, expires_at}} (default lifetime 30 days)"
    alice = live_project.alice
    response = api.post(
        "/api/auth/token/", json={"username": alice.username, "password": alice.password}
    )
    data = expect_json(response, 201, row)
    assert isinstance(data, dict) and set(data) == {"token", "expires_at"}, f"[{row}] {data!r}"
    assert isinstance(data["token"], str) and len(data["token"]) >= 20, f"[{row}] {data!r}"
    expires = parse_datetime(data["expires_at"], row, "expires_at")
    expected = datetime.now(UTC) + timedelta(days=30)
    assert abs(expires - expected) < timedelta(minutes=10), (
        f"[{row}] expires_at must be about 30 days ahead, got {data['expires_at']!r}"
    )


def test_a_token_authenticates_writes_and_reads(api, live_project, issue_token, token):
    row = "POST /api/articles/ with Authorization: Bearer -> 201, the token's user is the author"
    raw = issue_token(live_project.alice)
    response = api.post("/api/articles/", json={"title": f"{token} by token"}, headers=bearer(raw))
    article = check_article(expect_json(response, 201, row), row, fresh=True)
    assert article["author"] == live_project.alice.username, f"[{row}] {article!r}"
    row = "GET /api/articles/{id}/ own draft with Bearer -> 200"
    url = f"/api/articles/{article['id']}/"
    assert expect_json(api.get(url, headers=bearer(raw)), 200, row) == article
    row = "PATCH /api/articles/{id}/ with Bearer -> 200"
    patched = expect_json(api.patch(url, json={"body": "b"}, headers=bearer(raw)), 200, row)
    assert patched["body"] == "b", f"[{row}] {patched!r}"


def test_a_user_may_hold_several_tokens(api, live_project, issue_token, token):
    first, second = issue_token(live_project.bob), issue_token(live_project.bob)
    assert first != second, f"[{ISSUE} twice -> two different tokens]"
    for n, raw in enumerate((first, second)):
        row = f"POST /api/articles/ with token {n + 1} of 2 -> 201"
        response = api.post("/api/articles/", json={"title": f"{token} {n}"}, headers=bearer(raw))
        expect_json(response, 201, row)


def test_revoking_a_token(api, live_project, issue_token, token):
    kept, revoked = issue_token(live_project.alice), issue_token(live_project.alice)
    row = f"{REVOKE} with the token -> 204, empty body"
    response = api.delete("/api/auth/token/", headers=bearer(revoked))
    expect(response, 204, row)
    assert response.content == b"", f"[{row}] {response.content!r}"
    row = "POST /api/articles/ with a revoked token -> 401"
    response = api.post("/api/articles/", json={"title": token}, headers=bearer(revoked))
    expect_detail(response, 401, row)
    row = f"{REVOKE} revokes only the token sent: the user's other token still works"
    response = api.post("/api/articles/", json={"title": token}, headers=bearer(kept))
    expect_json(response, 201, row)
    expect_detail(
        api.delete("/api/auth/token/", headers=bearer(revoked)),
        401,
        f"{REVOKE} with a revoked token -> 401",
    )


def test_revoking_needs_a_token(api, live_project):
    expect_detail(api.delete("/api/auth/token/"), 401, f"{REVOKE} without a token -> 401")


@pytest.mark.parametrize(
    "header", ["Bearer not-a-real-token", "Bearer"], ids=["unknown-token", "empty-token"]
)
def test_bad_tokens_are_401(api, token, header):
    row = "POST /api/articles/ with a bad Bearer token -> 401 + WWW-Authenticate: Basic"
    response = api.post("/api/articles/", json={"title": token}, headers={"Authorization": header})
    expect_detail(response, 401, row)
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.lower().startswith("basic"), f"[{row}] got {challenge!r}"
    found = expect_json(api.get("/api/articles/", params={"search": token}), 200, row)
    assert found["count"] == 0, f"[{row}] nothing is created"


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong-password"), ("nobody-such", "whatever")],
    ids=["wrong-password", "unknown-user"],
)
def test_wrong_credentials_are_400(api, username, password):
    row = f'{ISSUE} wrong username or password -> 400 {{"detail"}}'
    response = api.post("/api/auth/token/", json={"username": username, "password": password})
    expect_detail(response, 400, row)


def test_tokens_expire(live_project, api, token):
    """A token issued by a server configured with a lifetime of a few seconds stops
    working when it ends, on every server of the project (the expiry is stored)."""
    env = {**THROTTLE_ENV, "API_TOKEN_LIFETIME": str(SHORT_LIFETIME)}
    with live_project.project.serve(env=env) as short:
        alice = live_project.alice
        response = api.post(
            f"{short.base_url}/api/auth/token/",
            json={"username": alice.username, "password": alice.password},
        )
    row = f"{ISSUE} with API_TOKEN_LIFETIME={SHORT_LIFETIME} -> expires_at that far ahead"
    data = expect_json(response, 201, row)
    expires = parse_datetime(data["expires_at"], row, "expires_at")
    assert expires - datetime.now(UTC) < timedelta(seconds=SHORT_LIFETIME + 30), f"[{row}] {data}"
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 1.5)
    row = "POST /api/articles/ with an expired token -> 401"
    response = api.post("/api/articles/", json={"title": token}, headers=bearer(data["token"]))
    expect_detail(response, 401, row)


def _database_dump(live_project) -> str:
    """Every value in the project's database, as text."""
    url = live_project.project.env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        bindir = find_bindir()
        pg_dump = shutil.which("pg_dump") or str(bindir / "pg_dump" if bindir else "pg_dump")
        return subprocess.run(
            [pg_dump, "--data-only", url], capture_output=True, text=True, check=True, timeout=60
        ).stdout
    files = [
        path
        for pattern in ("*.sqlite3", "*.sqlite", "*.db")
        for path in Path(live_project.project_dir).rglob(pattern)
        if ".venv" not in path.parts
    ]
    assert files, f"no SQLite database under {live_project.project_dir}"
    dump = []
    for path in files:
        with sqlite3.connect(path) as connection:
            dump.extend(connection.iterdump())
    return "\n".join(dump)


def test_tokens_are_stored_hashed(live_project, issue_token):
    raw = issue_token(live_project.alice)
    assert raw not in _database_dump(live_project), (
        f"[{ISSUE} tokens are stored hashed] the token is in the database as issued"
    )
