"""GET /api/openapi.json matches tests/contract/openapi.yaml; GET /api/docs/ is local."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from . import openapi_compare as oc
from .checks import describe, expect, media_type
from .htmltree import parse_html

pytestmark = pytest.mark.slow

SPEC = "GET /api/openapi.json"


@pytest.fixture
def served(api) -> dict:
    row = f"{SPEC} -> 200 OpenAPI 3 document (JSON)"
    response = api.get("/api/openapi.json")
    expect(response, 200, row)
    kind = media_type(response)
    assert kind == "application/json" or kind.endswith("+json"), (
        f"[{row}] the document is served as JSON: {describe(response)}"
    )
    doc = response.json()
    assert isinstance(doc, dict) and str(doc.get("openapi", "")).startswith("3."), (
        f'[{row}] an OpenAPI 3 document has "openapi": "3.x": {str(doc)[:300]}'
    )
    assert isinstance(doc.get("paths"), dict), f"[{row}] the document has paths"
    return doc


def test_operations_match_contract(served):
    row = f"{SPEC} describes exactly the contract's paths and methods"
    contract = oc.load_contract()
    allowed = set(oc.operations(contract))
    required = oc.required_operations(contract)
    present = set(oc.operations(served))
    missing = sorted(required - present)
    extra = sorted(present - allowed)
    assert not missing and not extra, (
        f"[{row}] missing operations {missing}; operations not in the contract {extra}"
    )


def test_status_codes_match_contract(served):
    row = f"{SPEC} documents the contract's status codes for each operation"
    contract = oc.load_contract()
    extras_ok = set(contract.get(oc.ALLOWED_EXTRA, []))
    served_ops = oc.operations(served)
    problems = []
    for key, op in oc.operations(contract).items():
        if key not in served_ops:
            continue  # reported by test_operations_match_contract
        want, got = oc.status_codes(op), oc.status_codes(served_ops[key])
        missing, extra = want - got, got - want - extras_ok
        if missing or extra:
            problems.append(
                f"{key[1]} {key[0]}: missing {sorted(missing)}, "
                f"not in the contract {sorted(extra)}"
            )
    assert not problems, f"[{row}]\n" + "\n".join(problems)


def test_article_schema_matches_contract(served):
    row = f"{SPEC} Article schema: property names, types, formats, readOnly"
    contract = oc.load_contract()
    want = oc.article_summary(contract, contract["components"]["schemas"]["Article"])
    schema = oc.article_schema(served)
    assert schema, f"[{row}] GET /api/articles/{{id}}/ 200 has no application/json schema"
    got = oc.article_summary(served, schema)
    assert got == want, (
        f"[{row}] (name: (type, readOnly[, format]))\n contract {want}\n served   {got}"
    )
    for key, code in (
        (("/api/articles/", "POST"), "201"),
        (("/api/articles/{id}/", "PUT"), "200"),
        (("/api/articles/{id}/", "PATCH"), "200"),
    ):
        op = oc.operations(served).get(key)
        other = oc.json_schema(served, op, code) if op else None
        assert other and oc.article_summary(served, other) == want, (
            f"[{row}] the {code} response of {key[1]} {key[0]} is the Article schema"
        )


def test_list_envelope_and_query_parameters(served):
    row = f"{SPEC} GET /api/articles/ documents the page envelope and its query parameters"
    contract = oc.load_contract()
    op = oc.operations(served).get(("/api/articles/", "GET"))
    assert op, f"[{row}] no GET /api/articles/"
    envelope = oc.json_schema(served, op, "200")
    assert envelope, f"[{row}] the 200 response has no application/json schema"
    want_env = contract["components"]["schemas"]["PaginatedArticleList"]["properties"]
    assert set(envelope.get("properties") or {}) == set(want_env), (
        f"[{row}] envelope properties must be {sorted(want_env)}: {envelope}"
    )
    items = oc.flatten(served, envelope["properties"]["results"]).get("items")
    want_article = oc.article_summary(contract, contract["components"]["schemas"]["Article"])
    assert items and oc.article_summary(served, oc.flatten(served, items)) == want_article, (
        f"[{row}] results is an array of Article"
    )
    served_path = next(p for p in served["paths"] if oc.normalise_path(p) == "/api/articles/")
    got = oc.query_parameters(served, served_path, op)
    want = oc.query_parameters(
        contract, "/api/articles/", contract["paths"]["/api/articles/"]["get"]
    )
    assert want <= got, (
        f"[{row}] query parameters {sorted(want)} must be documented, got {sorted(got)}"
    )


def test_docs_page_is_served_locally(api, live_project):
    row = "GET /api/docs/ -> 200 HTML, every asset served by the project (no CDN)"
    response = api.get("/api/docs/")
    expect(response, 200, row)
    assert media_type(response) == "text/html", f"[{row}] {describe(response)}"
    page = parse_html(response.text)
    assets = [n.attrs.get("src") for n in page.find_all("script") if n.attrs.get("src")]
    assets += [
        n.attrs.get("href")
        for n in page.find_all("link")
        if n.attrs.get("href") and "stylesheet" in (n.attrs.get("rel") or "")
    ]
    assert any(a.endswith(".js") or ".js?" in a for a in assets if a), (
        f"[{row}] the docs UI loads its JavaScript from files: {assets}"
    )
    base = str(response.request.url)
    for asset in assets:
        url = urljoin(base, asset)
        assert urlsplit(url).netloc == urlsplit(live_project.base_url).netloc, (
            f"[{row}] {asset!r} is loaded from another host"
        )
        loaded = api.get(url)
        expect(loaded, 200, f"{row}: {asset}")
