"""GET /api/health/: served by an async view; 503 when the database is unreachable."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.postgres import free_port

from .checks import expect_json

pytestmark = pytest.mark.slow

HEALTH = "GET /api/health/"


def test_health_ok(api):
    row = f'{HEALTH} -> 200 {{"status": "ok", "database": "ok"}}'
    data = expect_json(api.get("/api/health/"), 200, row)
    assert data == {"status": "ok", "database": "ok"}, f"[{row}] {data!r}"


def test_health_answers_concurrent_requests(live_project):
    row = f"{HEALTH} concurrent requests -> all 200"

    def probe(_: int) -> int:
        return httpx.get(
            f"{live_project.base_url}/api/health/", timeout=20, trust_env=False
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(probe, range(24)))
    assert statuses == [200] * 24, f"[{row}] {statuses}"


def test_health_view_is_async(live_project):
    """Not observable over HTTP: read the generated source for the async view."""
    row = f"{HEALTH} is served by an async view"
    pattern = re.compile(r"^\s*async def \w*health\w*\(", re.MULTILINE)
    skip = {".venv", "tests", "migrations", "node_modules"}
    found = [
        path.relative_to(live_project.project_dir)
        for path in live_project.project_dir.rglob("*.py")
        if not skip & set(path.relative_to(live_project.project_dir).parts)
        and pattern.search(path.read_text(errors="replace"))
    ]
    assert found, f"[{row}] no `async def ...health...(` view in {live_project.project_dir}"


def test_health_503_when_database_unreachable(live_project):
    row = f'{HEALTH} database unreachable -> 503 {{"database": "error"}}'
    if live_project.database != "postgresql":
        pytest.skip("an unreachable database server exists only for PostgreSQL")
    closed = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    with live_project.project.serve(env={"DATABASE_URL": closed}, workers=1) as broken:
        response = httpx.get(f"{broken.base_url}/api/health/", timeout=30, trust_env=False)
        data = expect_json(response, 503, row)
        assert isinstance(data, dict) and data.get("database") == "error" and "status" in data, (
            f"[{row}] {data!r}\n--- server log ---\n{broken.log_tail()}"
        )
