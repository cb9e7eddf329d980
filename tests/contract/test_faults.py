"""Faults an unlucky operator meets (issue 16), over real HTTP against the served starters.

- PostgreSQL stopped (one stop and start per framework): /api/health/ answers 503 in the
  contract's shape within a second, reads and writes answer 503 JSON with Retry-After
  (the home page a 503 page), and when the server is back the site recovers without a
  restart, with everything committed before still there.
- A read-only SQLite file: writes are 503 JSON (reads answer, or are a 503 too while a
  refused write's journal cannot be rolled back); writable again, the next writes succeed
  (no restart).
- A gunicorn worker killed with SIGKILL mid-request is replaced, and the next requests
  succeed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from .checks import describe, expect, expect_detail, expect_json

pytestmark = pytest.mark.slow

UNAVAILABLE = "503 JSON {'detail'} + Retry-After"


def _expect_503(response: httpx.Response, row: str) -> None:
    expect_detail(response, 503, row)
    assert response.headers.get("retry-after", "").isdigit(), (
        f"[{row}] a 503 carries Retry-After (seconds): {dict(response.headers)}"
    )


def _until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_postgresql_outage_is_503_then_recovers(
    request, api, live_project, bearer, create_article, token
):
    if live_project.database != "postgresql":
        pytest.skip("a database server to stop exists only for PostgreSQL")
    server = request.getfixturevalue("postgres_server")
    before = create_article(f"{token} committed before the outage", published=True)
    url = f"/api/articles/{before['id']}/"
    server.pause()
    try:
        row = "GET /api/health/ with PostgreSQL stopped -> 503 within a second"
        started = time.monotonic()
        response = api.get("/api/health/")
        elapsed = time.monotonic() - started
        data = expect_json(response, 503, row)
        assert data == {"status": "ok", "database": "error"}, f"[{row}] {data!r}"
        assert elapsed < 1.0, f"[{row}] took {elapsed:.2f} s"
        row = f"GET /api/articles/ database down -> {UNAVAILABLE}"
        _expect_503(api.get("/api/articles/"), row)
        _expect_503(api.get(url), f"GET {url} database down -> {UNAVAILABLE}")
        _expect_503(
            api.post("/api/articles/", json={"title": f"{token} lost"}, headers=bearer),
            f"POST /api/articles/ (token) database down -> {UNAVAILABLE}",
        )
        _expect_503(
            api.patch(url, json={"body": "lost"}, auth=live_project.alice.basic),
            f"PATCH {url} (Basic) database down -> {UNAVAILABLE}",
        )
        row = "GET / database down -> 503 page"
        expect(api.get("/"), 503, row)
    finally:
        server.resume()
    row = "PostgreSQL back -> the site recovers without a restart"
    assert _until(lambda: api.get("/api/health/").status_code == 200), f"[{row}]"
    assert expect_json(api.get(url), 200, row) == before, f"[{row}] the article is kept"
    created = api.post("/api/articles/", json={"title": f"{token} after"}, headers=bearer)
    expect_json(created, 201, row)
    found = expect_json(api.get("/api/articles/", params={"search": token}), 200, row)
    titles = {a["title"] for a in found["results"]}
    assert f"{token} lost" not in titles, f"[{row}] a write refused with 503 was not stored"


def _sqlite_file(live_project) -> Path:
    if live_project.framework == "django":
        return live_project.project_dir / "db.sqlite3"
    return live_project.project_dir / "instance" / f"{live_project.project.package_name}.db"


@contextmanager
def _read_only(path: Path) -> Iterator[None]:
    """``path`` read-only for the server's processes: immutable for root (which file
    modes do not stop), mode 0444 otherwise."""
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(path)]).returncode != 0:
            pytest.skip("chattr +i is not available here (root ignores file modes)")
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(mode)


def test_read_only_sqlite_is_503_on_writes_then_recovers(
    api, live_project, bearer, create_article, token
):
    if live_project.database != "sqlite":
        pytest.skip("a SQLite file only")
    path = _sqlite_file(live_project)
    assert path.exists(), f"no SQLite file at {path}"
    before = create_article(f"{token} before read-only", published=True)
    url = f"/api/articles/{before['id']}/"
    with _read_only(path):
        for attempt in range(3):  # each worker thread meets it on its own connection
            refused = {"title": f"{token} no {attempt}"}
            _expect_503(
                api.post("/api/articles/", json=refused, headers=bearer),
                f"POST /api/articles/ read-only SQLite -> {UNAVAILABLE}",
            )
        _expect_503(
            api.patch(url, json={"body": "refused"}, headers=bearer),
            f"PATCH {url} read-only SQLite -> {UNAVAILABLE}",
        )
        # Reads work, or are a 503 too while a write's journal waits to be rolled back.
        row = f"GET {url} read-only SQLite -> 200 or 503, never a 500"
        read = api.get(url)
        if read.status_code == 200:
            assert expect_json(read, 200, row) == before, f"[{row}]"
        else:
            _expect_503(read, row)
    row = "SQLite writable again -> writes succeed without a restart"
    statuses = []
    for _ in range(20):  # each worker thread's connection finds out once
        response = api.post("/api/articles/", json={"title": f"{token} after"}, headers=bearer)
        statuses.append(response.status_code)
        if response.status_code == 201:
            break
        expect(response, 503, row)
    assert statuses[-1] == 201, f"[{row}] {statuses}"
    assert expect_json(api.get(url), 200, row)["body"] == before["body"], f"[{row}]"


def test_a_worker_killed_mid_request_is_replaced(api, live_project, token):
    server = live_project.server
    workers = server.worker_pids()
    assert len(workers) == 2, f"gunicorn serves with 2 workers: {workers}"
    # A slow request in flight (HTTP Basic checks a password), then one worker dies.
    slow = threading.Thread(
        target=lambda: _ignore_errors(
            lambda: httpx.post(
                f"{live_project.base_url}/api/articles/",
                json={"title": f"{token} in flight"},
                auth=live_project.alice.basic,
                timeout=30,
                trust_env=False,
            )
        )
    )
    slow.start()
    time.sleep(0.05)
    os.kill(workers[0], signal.SIGKILL)
    slow.join(timeout=60)
    row = "after SIGKILL of a worker -> gunicorn starts another, requests succeed"
    assert _until(lambda: len(set(server.worker_pids()) - {workers[0]}) == 2), (
        f"[{row}] workers: {server.worker_pids()}"
    )
    responses = [api.get("/api/articles/", params={"page_size": 1}) for _ in range(10)]
    bad = [describe(r) for r in responses if r.status_code != 200]
    assert not bad, f"[{row}] " + "\n".join(bad)


def _ignore_errors(call) -> None:
    # The request may die with its worker: only the next ones must succeed.
    with contextlib.suppress(httpx.HTTPError):
        call()
