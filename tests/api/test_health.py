"""GET /api/v1/health, the error envelope, correlation ids and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.tenants import auth_headers


async def test_health_tells_anonymous_callers_the_status_only(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/health")).json()
    assert body["status"] == "ok"
    assert {k for k, v in body.items() if v is not None} == {"status"}
    bad = await client.get("/api/v1/health", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


async def test_health_reports_database_pgvector_cache_jobs_and_models(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    response = await client.get("/api/v1/health", headers=auth_headers(ada.token))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["connected"] is True
    assert body["database"]["role"] == "obelisk_app"
    assert tuple(int(p) for p in body["pgvector"].split(".")[:2]) >= (0, 8)
    assert body["redis"] == "in-process"
    assert {"worker", "live_workers", "queue"} <= set(body["jobs"])
    assert body["models"]["chat"] and body["models"]["embeddings"]
    assert body["version"]


async def test_health_says_redis_when_redis_is_configured(
    client: httpx.AsyncClient, redis_url: str, signup: Any
) -> None:
    from backend.core import cache

    ada = await signup("ada")
    cache.set_cache_and_broker(cache.RedisCache(redis_url, "health"), cache.RedisBroker(redis_url, "health"))
    body = (await client.get("/api/v1/health", headers=auth_headers(ada.token))).json()
    assert body["redis"] == "redis" and body["cache"]["ok"] is True


async def test_correlation_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    given = await client.get("/api/v1/health", headers={"X-Correlation-Id": "trace-abc"})
    assert given.headers["x-correlation-id"] == "trace-abc"
    generated = await client.get("/api/v1/health")
    assert len(generated.headers["x-correlation-id"]) == 32
    missing = await client.get("/api/v1/nope", headers={"X-Correlation-Id": "trace-404"})
    assert missing.headers["x-correlation-id"] == "trace-404"


async def test_unknown_api_route_answers_the_json_error_envelope(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "does-not-exist" in response.json()["error"]["message"]


async def test_openapi_document_is_served_under_the_api_prefix(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "Obelisk API"
    assert "/api/v1/health" in spec["paths"]


async def test_every_response_forbids_framing_and_sniffing(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/health", "/api/v1/does-not-exist", "/ping"):
        response = await client.get(path)
        assert response.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        assert response.headers["x-content-type-options"] == "nosniff", path


async def test_a_failed_statement_does_not_carry_its_parameters(db: Any) -> None:
    """A database error is logged with its message: the bound values (password hashes) must not be in it."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from backend.core.config import get_settings
    from backend.core.db import create_engine

    engine = create_engine(get_settings().app_database_url())
    try:
        async with engine.connect() as conn:
            try:
                await conn.execute(text("SELECT CAST(:hash AS text), 1 / 0"), {"hash": "$argon2id$v=19$secret"})
            except DBAPIError as exc:
                assert "argon2id" not in str(exc)
            else:
                raise AssertionError("the division must fail")
    finally:
        await engine.dispose()
