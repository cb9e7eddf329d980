"""Assertions of the contract suite. Every message starts with the contract row in
brackets, e.g. ``[POST /api/articles/ validation -> 400 field errors]``, so a failure
says which promise of API-CONTRACT.md a starter broke."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

ARTICLE_FIELDS = {"id", "title", "slug", "body", "published", "author", "created_at", "updated_at"}
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")


def describe(response: httpx.Response) -> str:
    request = response.request
    body = response.text[:800]
    return (
        f"{request.method} {request.url} -> {response.status_code} "
        f"content-type={response.headers.get('content-type')!r} body={body!r}"
    )


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def expect(response: httpx.Response, status: int | set[int], row: str) -> None:
    allowed = {status} if isinstance(status, int) else status
    assert response.status_code in allowed, (
        f"[{row}] expected status {' or '.join(map(str, sorted(allowed)))}: {describe(response)}"
    )


def expect_json(response: httpx.Response, status: int | set[int], row: str) -> Any:
    """Status as expected, ``Content-Type: application/json``, a JSON body: return it."""
    expect(response, status, row)
    assert media_type(response) == "application/json", (
        f"[{row}] every /api response is Content-Type: application/json: {describe(response)}"
    )
    try:
        return response.json()
    except ValueError as exc:
        raise AssertionError(f"[{row}] body is not JSON: {describe(response)}") from exc


def expect_detail(
    response: httpx.Response,
    status: int | set[int],
    row: str,
    messages: tuple[str, ...] = (),
) -> str:
    """An error ``{"detail": "message"}`` (only that key); with ``messages``, the
    message must be one of them (DRF's default wording). Return the message."""
    data = expect_json(response, status, row)
    assert isinstance(data, dict) and set(data) == {"detail"}, (
        f'[{row}] error body must be {{"detail": "message"}}: {describe(response)}'
    )
    detail = data["detail"]
    assert isinstance(detail, str) and detail.strip(), (
        f"[{row}] detail must be a non-empty message: {describe(response)}"
    )
    if messages:
        assert detail in messages, (
            f"[{row}] detail must read {' or '.join(map(repr, messages))}: {describe(response)}"
        )
    return detail


def expect_field_errors(
    response: httpx.Response, fields: set[str], row: str, message: str | None = None
) -> dict[str, list[str]]:
    """A 400 ``{"field": ["message", ...], ...}`` with exactly ``fields`` as keys."""
    data = expect_json(response, 400, row)
    assert isinstance(data, dict) and set(data) == fields, (
        f"[{row}] expected field errors for exactly {sorted(fields)}: {describe(response)}"
    )
    for name, errors in data.items():
        assert isinstance(errors, list) and errors, (
            f"[{row}] {name!r} must map to a non-empty list of messages: {describe(response)}"
        )
        assert all(isinstance(e, str) and e.strip() for e in errors), (
            f"[{row}] each message of {name!r} must be a non-empty string: {describe(response)}"
        )
    if message is not None:
        (field,) = fields
        assert message in data[field], (
            f"[{row}] expected the message {message!r} for {field!r}: {describe(response)}"
        )
    return data


def parse_datetime(value: object, row: str, field: str) -> datetime:
    """ISO 8601 with an explicit UTC offset ("Z" or "+00:00" style)."""
    assert isinstance(value, str) and ISO_DATETIME.match(value), (
        f"[{row}] {field} must be ISO 8601 with a UTC offset "
        f"(like 2026-11-24T10:00:00.123456Z), got {value!r}"
    )
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, f"[{row}] {field} has no UTC offset: {value!r}"
    return parsed


def check_article(data: object, row: str, *, fresh: bool = False) -> dict[str, Any]:
    """The Article representation: exactly its fields, each of its type; ``fresh``:
    just created, so created_at is the current UTC time."""
    assert isinstance(data, dict), f"[{row}] an Article is a JSON object, got {data!r}"
    assert set(data) == ARTICLE_FIELDS, (
        f"[{row}] Article fields must be exactly {sorted(ARTICLE_FIELDS)}, got {sorted(data)}"
    )
    types = {
        "id": int,
        "title": str,
        "slug": str,
        "body": str,
        "published": bool,
        "author": str,
    }
    for name, kind in types.items():
        value = data[name]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        assert ok, f"[{row}] Article.{name} must be {kind.__name__}, got {value!r}"
    created = parse_datetime(data["created_at"], row, "created_at")
    updated = parse_datetime(data["updated_at"], row, "updated_at")
    now = datetime.now(UTC)
    assert not fresh or abs(now - created) < timedelta(minutes=30), (
        f"[{row}] created_at {data['created_at']!r} is not the real UTC time (now {now})"
    )
    assert updated >= created, f"[{row}] updated_at is before created_at: {data!r}"
    return data
