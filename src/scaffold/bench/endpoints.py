"""What ``scaffold bench`` measures: the endpoints, the request each one sends, and
the check that every endpoint answers as the API contract says before any load."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from ..errors import BenchError
from . import baselines
from .load import Request
from .server import http_request


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    method: str = "GET"


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("list", "GET /api/articles/"),
    Endpoint("detail", "GET /api/articles/{id}/"),
    Endpoint("create_token", "POST /api/articles/ (Bearer token)", "POST"),
    Endpoint("create", "POST /api/articles/ (HTTP Basic)", "POST"),
    Endpoint("home", "GET / (HTML)"),
    Endpoint("health", "GET /api/health/ (async)"),
    Endpoint("bare_rest_list", "bare REST-library list"),
    Endpoint("bare_framework_list", "bare framework list"),
)
# The writes: the same POST authenticated with an API token and with HTTP Basic (whose
# deliberately slow password hash a token write does not pay).
WRITES = ("create_token", "create")
# Loaded in this order: the writes come last, so the reads see the seeded rows only.
LOAD_ORDER = (
    "health",
    "home",
    "detail",
    "list",
    "bare_rest_list",
    "bare_framework_list",
    *WRITES,
)


def obtain_token(base_url: str, username: str, password: str) -> str:
    """An API token for the bench user (``POST /api/auth/token/``, contract v2)."""
    status, _, body = http_request(
        base_url,
        "POST",
        "/api/auth/token/",
        body=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    if status != 201:
        raise BenchError(f"POST /api/auth/token/ answered {status}: {body[:300]!r}")
    return str(json.loads(body)["token"])


def build_requests(
    detail_id: int, username: str, password: str, api_token: str
) -> dict[str, Request]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    json_headers = (("Accept", "application/json"),)
    article = ('{"title": "Bench article ', '", "body": "Written by scaffold bench."}')
    return {
        "create_token": Request(
            "POST",
            "/api/articles/",
            (
                *json_headers,
                ("Content-Type", "application/json"),
                ("Authorization", f"Bearer {api_token}"),
            ),
            body_parts=article,
        ),
        "list": Request("GET", "/api/articles/?page_size=20", json_headers),
        "detail": Request("GET", f"/api/articles/{detail_id}/", json_headers),
        "create": Request(
            "POST",
            "/api/articles/",
            (
                *json_headers,
                ("Content-Type", "application/json"),
                ("Authorization", f"Basic {token}"),
            ),
            body_parts=article,
        ),
        "home": Request("GET", "/", (("Accept", "text/html"),)),
        "health": Request("GET", "/api/health/", json_headers),
        "bare_rest_list": Request("GET", baselines.BARE_REST_PATH, json_headers),
        "bare_framework_list": Request("GET", baselines.BARE_FRAMEWORK_PATH, json_headers),
    }


def check_endpoints(base_url: str, requests: dict[str, Request], framework: str) -> None:
    """Each endpoint answers as expected once, before any load (else the numbers lie)."""
    expected = dict.fromkeys(WRITES, 201)
    for key, req in requests.items():
        status, _, body = http_request(
            base_url, req.method, req.path, body=req.body("check"), headers=dict(req.headers)
        )
        want = expected.get(key, 200)
        if status != want:
            raise BenchError(
                f"{framework}: {req.method} {req.path} answered {status}, expected {want}: "
                f"{body[:300].decode(errors='replace')}"
            )
        if key.endswith("list"):
            data = json.loads(body)
            results = data.get("results", []) if isinstance(data, dict) else data
            if len(results) != 20:
                raise BenchError(
                    f"{framework}: {req.path} returned {len(results)} articles, expected 20"
                )


def first_article_id(base_url: str) -> int:
    status, _, body = http_request(base_url, "GET", "/api/articles/?page_size=20")
    if status != 200:
        raise BenchError(f"GET /api/articles/ answered {status}: {body[:300]!r}")
    results = json.loads(body).get("results") or []
    if not results:
        raise BenchError("GET /api/articles/ returned no articles after seeding")
    return int(results[len(results) // 2]["id"])
