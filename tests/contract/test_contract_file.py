"""tests/contract/openapi.yaml itself: a sound OpenAPI 3 document that says what
API-CONTRACT.md says. Fast: no project, no server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from . import openapi_compare as oc

SERVED_NOT_DESCRIBED = {("/api/openapi.json", "GET"), ("/api/docs/", "GET")}


def _contract_markdown() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    for candidate in (
        root.parent / "shared" / "API-CONTRACT.md",
        root / "shared" / "API-CONTRACT.md",
    ):
        if candidate.exists():
            return candidate
    return None


def _walk_refs(node, found: list[str]) -> list[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            found.append(node["$ref"])
        for value in node.values():
            _walk_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk_refs(value, found)
    return found


def test_contract_is_openapi_3_with_resolvable_refs():
    doc = oc.load_contract()
    assert str(doc["openapi"]).startswith("3.")
    for ref in _walk_refs(doc, []):
        assert oc.resolve(doc, {"$ref": ref}) is not None, ref
    for (path, method), op in oc.operations(doc).items():
        codes = oc.status_codes(op)
        assert any(code.startswith("2") for code in codes), f"{method} {path} has no success"
        for param in re.findall(r"\{([^}]+)\}", path):
            assert param == "id", f"{path}: path parameters are named id"


def test_contract_has_every_endpoint_of_api_contract_md():
    source = _contract_markdown()
    if source is None:
        pytest.skip("shared/API-CONTRACT.md is not beside this checkout")
    rows = re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) (/api/\S*) \|", source.read_text(), re.M)
    endpoints = {(oc.normalise_path(path), method) for method, path in rows}
    assert len(endpoints) >= 9, f"could not read the endpoint table of {source}"
    described = set(oc.operations(oc.load_contract()))
    assert endpoints - SERVED_NOT_DESCRIBED == described


def test_contract_article_fields_match_api_contract_md():
    source = _contract_markdown()
    if source is None:
        pytest.skip("shared/API-CONTRACT.md is not beside this checkout")
    table = source.read_text().split("## Resource: Article", 1)[1].split("##", 1)[0]
    fields: dict[str, tuple[bool, str]] = {}
    for names, kind, rules in re.findall(r"^\| ([a-z_, ]+) \| (\w+) \| (.*) \|$", table, re.M):
        if names == "field":  # the header row
            continue
        for name in names.split(","):
            fields[name.strip()] = ("read-only" in rules, kind)
    article = oc.load_contract()["components"]["schemas"]["Article"]["properties"]
    described = {name: (bool(p.get("readOnly")), p["type"]) for name, p in article.items()}
    assert described == fields
