"""Parallel writes over real HTTP (issue 16): gunicorn's 2 workers x 4 threads race.

50 creates with one title all succeed with distinct slugs (the unique constraint
refuses the loser, which takes the next free slug); parallel PATCHes of one article
end with one of the writes; a DELETE racing PATCHes gives 204 and 200/404, and the
article stays deleted. Never a 5xx."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .checks import describe, expect_json

pytestmark = pytest.mark.slow

PARALLEL = 16


def _parallel(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(lambda call: call(), calls))


@pytest.fixture
def client(live_project):
    """A pooled client shared by the threads (httpx.Client is thread-safe)."""
    limits = httpx.Limits(max_connections=PARALLEL)
    with httpx.Client(
        base_url=live_project.base_url, timeout=60, trust_env=False, limits=limits
    ) as shared:
        yield shared


def test_fifty_parallel_creates_with_one_title_get_distinct_slugs(client, bearer, token):
    row = "50 parallel POST /api/articles/ with one title -> 50 x 201, distinct slugs"
    title = f"{token} race"
    responses = _parallel(
        [
            lambda: client.post("/api/articles/", json={"title": title}, headers=bearer)
            for _ in range(50)
        ]
    )
    bad = [describe(r) for r in responses if r.status_code != 201]
    assert not bad, f"[{row}] " + "\n".join(bad[:5])
    slugs = [r.json()["slug"] for r in responses]
    assert len(set(slugs)) == 50, f"[{row}] duplicate slugs: {sorted(slugs)}"
    base = f"{token}-race"
    expected = {base} | {f"{base}-{n}" for n in range(2, 51)}
    assert set(slugs) == expected, f"[{row}] slugs are the title's, -2 ... -50"
    listed = expect_json(
        client.get("/api/articles/", params={"search": title, "page_size": 100}, headers=bearer),
        200,
        row,
    )
    assert listed["count"] == 50, f"[{row}] all 50 are stored: {listed['count']}"


def test_parallel_patches_end_with_one_of_the_writes(client, bearer, create_article, token):
    row = "12 parallel PATCH of one article -> 12 x 200, the article holds one of them"
    article = create_article(f"{token} patched in parallel")
    url = f"/api/articles/{article['id']}/"
    bodies = [f"write {n}" for n in range(12)]
    responses = _parallel(
        [lambda b=body: client.patch(url, json={"body": b}, headers=bearer) for body in bodies]
    )
    bad = [describe(r) for r in responses if r.status_code != 200]
    assert not bad, f"[{row}] " + "\n".join(bad[:5])
    final = expect_json(client.get(url, headers=bearer), 200, row)
    assert final["body"] in bodies, f"[{row}] {final!r}"


def test_delete_racing_patches(client, bearer, create_article, token):
    row = "DELETE racing PATCHes -> 204 and 200/404, never 5xx; the article stays deleted"
    for round_ in range(3):
        article = create_article(f"{token} deleted in round {round_}")
        url = f"/api/articles/{article['id']}/"
        calls: list[Callable[[], httpx.Response]] = [
            lambda u=url: client.patch(u, json={"body": "late"}, headers=bearer) for _ in range(4)
        ]
        calls.insert(2, lambda u=url: client.delete(u, headers=bearer))
        responses = _parallel(calls)
        deletes = [r for r in responses if r.request.method == "DELETE"]
        patches = [r for r in responses if r.request.method == "PATCH"]
        assert [r.status_code for r in deletes] == [204], f"[{row}] {describe(deletes[0])}"
        bad = [describe(r) for r in patches if r.status_code not in (200, 404)]
        assert not bad, f"[{row}] " + "\n".join(bad)
        gone = client.get(url, headers=bearer)
        assert gone.status_code == 404, f"[{row}] a PATCH brought it back: {describe(gone)}"
