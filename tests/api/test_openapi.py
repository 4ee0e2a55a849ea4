"""The OpenAPI document describes the API well enough for a generated client to be useful.

Every 2xx answer has a named schema (not an untyped object), every operation has a short, chosen id (not
FastAPI's `<function>_api_v1_<path>_<method>`), and the bearer token and the space header are declared once
as security schemes, so a generator's authenticated client carries them instead of two loose string
parameters on every operation.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.api.app import create_api

NO_BODY = {"204", "301", "302", "303", "307", "308"}


@pytest.fixture(scope="module")
async def spec() -> dict[str, Any]:
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    name = ref.rsplit("/", 1)[-1]
    return dict(spec["components"]["schemas"][name])


def _is_described(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A named model, or an array of them; never an empty or free-form object."""
    if not schema:
        return False
    if schema.get("type") == "array":
        return _is_described(spec, schema.get("items", {}))
    if "$ref" in schema:
        resolved = _resolve(spec, schema)
        return bool(resolved.get("properties")) or "enum" in resolved
    return False


def test_every_success_answer_has_a_named_schema(spec: dict[str, Any]) -> None:
    operations = _operations(spec)
    assert len(operations) >= 20, "the OpenAPI document lists the routes"
    untyped = []
    for method, path, operation in operations:
        for status, answer in operation.get("responses", {}).items():
            if not status.startswith("2") or status in NO_BODY:
                continue
            content = answer.get("content", {})
            if "application/json" not in content:
                # A download answers raw bytes: it must say so, with a non-JSON media type.
                if not content:
                    untyped.append((method, path, status, "no content"))
                continue
            if not _is_described(spec, content["application/json"].get("schema", {})):
                untyped.append((method, path, status, content["application/json"].get("schema")))
    assert not untyped, f"2xx answers without a named schema: {untyped}"


def test_operation_ids_are_short_and_unique(spec: dict[str, Any]) -> None:
    ids = [operation.get("operationId", "") for _, _, operation in _operations(spec)]
    assert all(ids), "every operation has an id"
    assert len(ids) == len(set(ids)), "operation ids are unique"
    default_style = [i for i in ids if "_api_v1_" in i]
    assert not default_style, f"FastAPI's generated ids leak into the client: {default_style}"
    assert {"search", "upload_document", "list_documents", "get_document", "signup", "login"} <= set(ids)


def test_schema_names_say_what_they_are(spec: dict[str, Any]) -> None:
    names = set(spec["components"]["schemas"])
    generated = [n for n in names if n.startswith(("Response_", "Body_")) or "_api_v1_" in n]
    assert not generated, f"generated schema names: {generated}"
    assert {"DocumentPublic", "SearchResponse", "SignInPublic"} <= names


def test_bearer_and_space_header_are_security_schemes(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["BearerAuth"] == {**schemes["BearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["SpaceId"] == {**schemes["SpaceId"], "type": "apiKey", "in": "header", "name": "X-Space-Id"}
    by_route = {(method, path): operation for method, path, operation in _operations(spec)}
    search = by_route[("POST", "/api/v1/search")]
    required = {name for requirement in search.get("security", []) for name in requirement}
    assert required == {"BearerAuth", "SpaceId"}
    assert ("POST", "/api/v1/auth/signup") in by_route and not by_route[("POST", "/api/v1/auth/signup")].get("security")
    loose = [
        (method, path, parameter["name"])
        for method, path, operation in _operations(spec)
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "header" and parameter["name"].lower() in ("authorization", "x-space-id")
    ]
    assert not loose, f"auth headers as loose parameters: {loose}"


def test_errors_are_documented_as_the_envelope(spec: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in spec["components"]["schemas"], "422 is our envelope, not FastAPI's"
    for method, path, operation in _operations(spec):
        for status in ("401", "422"):
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (method, path, status)
    envelope = spec["components"]["schemas"]["ErrorResponse"]
    assert envelope["required"] == ["error"]
