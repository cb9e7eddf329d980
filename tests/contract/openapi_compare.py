"""Normalise OpenAPI 3 documents so a served one can be compared with openapi.yaml.

Cosmetic differences are dropped: descriptions, summaries, operation ids, tags,
security scheme and component names (every ``$ref`` is resolved), path parameter names
(``{pk}`` and ``{article_id}`` become ``{id}``). What remains: paths, methods, status
codes, query parameter names and the property names, types, formats and readOnly
flags of schemas."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTRACT_FILE = Path(__file__).with_name("openapi.yaml")
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
OPTIONAL = "x-scaffold-optional"
ALLOWED_EXTRA = "x-scaffold-allowed-extra-responses"

Operation = tuple[str, str]  # (normalised path, METHOD)


@cache
def _contract_text() -> str:
    return CONTRACT_FILE.read_text()


def load_contract() -> dict[str, Any]:
    return yaml.safe_load(_contract_text())


def normalise_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{id}", path)


def resolve(doc: dict[str, Any], node: Any, _depth: int = 0) -> Any:
    """Follow local ``$ref`` chains (``#/components/...``)."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or _depth > 50:
            raise ValueError(f"cannot resolve $ref {ref!r}")
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        _depth += 1
    return node


def operations(doc: dict[str, Any]) -> dict[Operation, dict[str, Any]]:
    found: dict[Operation, dict[str, Any]] = {}
    for path, item in (doc.get("paths") or {}).items():
        item = resolve(doc, item)
        for method in HTTP_METHODS:
            if method in item:
                found[(normalise_path(path), method.upper())] = item[method]
    return found


def required_operations(contract: dict[str, Any]) -> set[Operation]:
    return {key for key, op in operations(contract).items() if not op.get(OPTIONAL)}


def status_codes(op: dict[str, Any]) -> set[str]:
    return {str(code) for code in (op.get("responses") or {})}


def query_parameters(doc: dict[str, Any], path: str, op: dict[str, Any]) -> set[str]:
    item = resolve(doc, doc["paths"][path])
    names = set()
    for param in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
        param = resolve(doc, param)
        if param.get("in") == "query":
            names.add(param["name"])
    return names


def json_schema(doc: dict[str, Any], op: dict[str, Any], code: str) -> dict[str, Any] | None:
    """The application/json schema of response ``code`` of ``op``, resolved."""
    response = resolve(doc, (op.get("responses") or {}).get(code))
    if not isinstance(response, dict):
        return None
    content = response.get("content") or {}
    media = content.get("application/json")
    if media is None:  # e.g. application/vnd.api+json; take any JSON type
        media = next((v for k, v in content.items() if k.endswith("json")), None)
    if not media or "schema" not in media:
        return None
    return flatten(doc, media["schema"])


def flatten(doc: dict[str, Any], schema: Any) -> dict[str, Any]:
    """Resolve ``$ref`` and merge ``allOf`` parts (how generators add readOnly etc.)."""
    schema = resolve(doc, schema)
    if not isinstance(schema, dict):
        return {}
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            part = flatten(doc, part)
            props = {**merged.get("properties", {}), **part.get("properties", {})}
            merged.update(part)
            if props:
                merged["properties"] = props
        merged.update({k: v for k, v in schema.items() if k != "allOf"})
        return merged
    return schema


def schema_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1: ["string", "null"]
        kinds = sorted(k for k in kind if k != "null")
        kind = kinds[0] if len(kinds) == 1 else "|".join(kinds)
    if kind is None:
        for key in ("anyOf", "oneOf"):  # nullable in 3.1 style: anyOf [X, {type: null}]
            options = [s for s in schema.get(key, []) if s.get("type") != "null"]
            # One option, or options of one type (a pattern, or an empty string).
            kinds = {schema_type(option) for option in options}
            if len(kinds) == 1:
                return kinds.pop()
    return kind


def properties(
    doc: dict[str, Any], schema: dict[str, Any], with_format: set[str] = frozenset()
) -> dict[str, tuple[Any, ...]]:
    """``{name: (type, readOnly[, format])}`` of an object schema."""
    summary = {}
    for name, prop in (schema.get("properties") or {}).items():
        prop = flatten(doc, prop)
        entry: tuple[Any, ...] = (schema_type(prop), bool(prop.get("readOnly")))
        if name in with_format:
            entry += (prop.get("format"),)
        summary[name] = entry
    return summary


def article_schema(doc: dict[str, Any]) -> dict[str, Any] | None:
    op = operations(doc).get(("/api/articles/{id}/", "GET"))
    return json_schema(doc, op, "200") if op else None


def article_summary(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    contract = load_contract()
    contract_article = contract["components"]["schemas"]["Article"]
    with_format = {n for n, p in contract_article["properties"].items() if "format" in p}
    return properties(doc, schema, with_format)
