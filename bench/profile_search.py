"""Where one `POST /api/v1/search` spends its time: round trips to PostgreSQL, per-step timers and cProfile.

`python bench/profile_search.py [--chunks 3600] [--queries 100] [--profile out.prof]`. The same throwaway
database, corpus and in-process ASGI app as `bench_retrieval.py` (which it imports); nothing is written to
bench/results/. A debugging aid, not production code: it counts round trips by wrapping psycopg's `execute`
generator (one message batch sent and its results read: BEGIN, COMMIT and ROLLBACK from the connection, each
statement and the pool's ping from a cursor), names each by the statement that caused it, and prints the
median timeline of a search (statements and the query embedding), each statement's planning and execution
time alone, and a cProfile of the searches.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_retrieval as br  # sets the environment before the app is imported
import numpy as np
import psycopg

_ROUND_TRIPS: Counter[str] = Counter()
_COUNTING = False
_TIMELINE: list[tuple[float, str]] = []
"""(perf_counter, event) of the searches being counted: statements' and the embedding's start and end."""


def _install_counter() -> None:
    """Count every exchange with the server: psycopg's `execute` generator sends one message batch and reads its
    results (one round trip); the connection uses it for BEGIN/COMMIT/ROLLBACK, cursors for statements."""
    import psycopg._connection_base as connection_base
    import psycopg._cursor_base as cursor_base

    original_execute = psycopg.AsyncCursor.execute
    command_gen, statement_gen = connection_base.generators.execute, cursor_base.execute
    current: dict[int, str] = {}

    def counted_command(pgconn: Any) -> Any:
        if _COUNTING:
            _ROUND_TRIPS["BEGIN / COMMIT / ROLLBACK"] += 1
        return (yield from command_gen(pgconn))

    def counted_statement(pgconn: Any) -> Any:
        if _COUNTING:
            _ROUND_TRIPS[current.get(id(pgconn), "?")] += 1
        return (yield from statement_gen(pgconn))

    async def execute(self: psycopg.AsyncCursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        text = query if isinstance(query, str) else repr(query)
        label = " ".join(text.split())[:70]
        current[id(self.connection.pgconn)] = label
        if _COUNTING:
            _TIMELINE.append((time.perf_counter(), f"start {label[:40]}"))
        try:
            return await original_execute(self, query, *args, **kwargs)
        finally:
            if _COUNTING:
                _TIMELINE.append((time.perf_counter(), f"end   {label[:40]}"))

    from backend.models.registry import get_embedder

    embedder = get_embedder()
    original_embed = embedder.embed_query

    async def embed_query(text: str, *args: Any, **kwargs: Any) -> Any:
        if _COUNTING:
            _TIMELINE.append((time.perf_counter(), "start embed_query"))
        try:
            return await original_embed(text, *args, **kwargs)
        finally:
            if _COUNTING:
                _TIMELINE.append((time.perf_counter(), "end   embed_query"))

    embedder.embed_query = embed_query  # type: ignore[method-assign]

    import psycopg._pipeline_base as pipeline_base

    exit_gen = pipeline_base.BasePipeline._exit_gen

    def counted_exit(self: Any) -> Any:
        # A pipeline sends its queued statements with a Sync and waits for all their results: one round trip.
        if _COUNTING:
            _ROUND_TRIPS["pipeline: BEGIN + set-up statement"] += 1
        return (yield from exit_gen(self))

    pipeline_base.BasePipeline._exit_gen = counted_exit  # type: ignore[method-assign]
    connection_base.generators.execute = counted_command  # type: ignore[assignment]
    cursor_base.execute = counted_statement  # type: ignore[assignment]
    psycopg.AsyncCursor.execute = execute  # type: ignore[method-assign]


async def statements_alone(space: uuid.UUID, org: uuid.UUID, batch: list[Any], vectors: list[Any]) -> None:
    """Each statement of the search alone, one after another on one transaction: client ms, and the server's
    planning and execution ms (EXPLAIN ANALYZE)."""
    import json

    from backend.core.config import get_settings
    from backend.core.db import TenantScope, get_database
    from backend.models.registry import get_embedder
    from backend.retrieval import keyword, queries

    settings = get_settings()
    scope = TenantScope(org, space)
    wall: dict[str, list[float]] = {}
    plan: dict[str, list[float]] = {}
    execute: dict[str, list[float]] = {}
    hnsw = queries.hnsw_settings(ef_search=settings.retrieval_hnsw_ef_search, limit=24)
    for q, v in zip(batch, vectors, strict=True):
        vector = [float(x) for x in v]
        async with get_database().tenant(scope, local=hnsw) as session:
            started = time.perf_counter()
            elig = await queries.eligibility(session, space)
            wall.setdefault("eligibility", []).append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            stats = await keyword.term_stats(session, space, q.text)
            wall.setdefault("term_stats", []).append((time.perf_counter() - started) * 1000)
            model_id, weight = get_embedder().model_id, settings.retrieval_heading_weight
            statements = {
                "vector": queries.vector_statement(
                    space, vector=vector, compare=vector, model_id=model_id, elig=elig, limit=24, exact=False
                ),
                "keyword": keyword.keyword_statement(
                    space, stats=stats, compare=vector, elig=elig, limit=24, heading_weight=weight
                ),
            }
            for name, (sql, params) in statements.items():
                started = time.perf_counter()
                await queries.fetch_all(session, sql, params)
                wall.setdefault(name, []).append((time.perf_counter() - started) * 1000)
                explained = await queries.fetch_all(session, "EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                doc = explained[0]["QUERY PLAN"]
                doc = doc if isinstance(doc, list) else json.loads(doc)
                plan.setdefault(name, []).append(doc[0]["Planning Time"])
                execute.setdefault(name, []).append(doc[0]["Execution Time"])
    print("\neach statement alone (p50 ms): client wall / server planning / server execution")
    for name, values in wall.items():
        p, e = plan.get(name), execute.get(name)
        extra = f" / {statistics.median(p):.2f} / {statistics.median(e):.2f}" if p and e else ""
        print(f"  {name}: {statistics.median(values):.2f}{extra}")


async def main(args: argparse.Namespace) -> None:
    import httpx

    from backend.cli import run_migrations
    from backend.core.config import get_settings
    from backend.core.embedded_pg import embedded_url

    owner_url = embedded_url(br._TMP / "pg", cleanup_mode="delete")
    os.environ["DATABASE_URL"] = owner_url
    get_settings.cache_clear()
    run_migrations(owner_url)
    from backend.models.registry import get_embedder

    embedder = get_embedder()
    await embedder.warm_up()
    documents, catalogue = br.corpus(args.chunks)
    vectors = await br.embed_corpus(embedder, documents)
    os.environ["__REFLEX_SKIP_COMPILE"] = "true"
    from obelisk_app.obelisk_app import app

    _install_counter()
    global _COUNTING
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as http:
        form = {"email": "ada@example.com", "password": "ada-correct-horse-battery", "name": "Ada",
                "organization_name": "Ada Marketing"}  # fmt: skip
        ada = (await http.post("/api/v1/auth/signup", json=form)).json()
        headers = {"Authorization": f"Bearer {ada['access_token']}", "X-Space-Id": ada["space_id"]}
        space = uuid.UUID(ada["space_id"])
        with psycopg.connect(owner_url, autocommit=True) as conn:
            br.register_vector(conn)
            br.copy_space(conn, uuid.UUID(ada["organization_id"]), space, documents, vectors, embedder.model_id)
            conn.execute("VACUUM ANALYZE chunks")
            conn.execute("VACUUM ANALYZE documents")
            conn.execute("ANALYZE chunk_terms")
        batch = br.queries(catalogue, args.queries)
        warm = br.queries(catalogue, br.WARMUP, seed=1)
        await br.api_searches(http, headers, warm, 1)
        for q in batch:  # the embedder's own cache (if any) warm for these texts, as in the bench
            await embedder.embed_query(q.text)
        qv = [np.asarray(await embedder.embed_query(q.text), dtype=np.float32) for q in batch]
        bare = await br.bare_sql(owner_url, space, [(q.text, v) for q, v in zip(batch, qv, strict=True)])

        original_post = http.post

        async def post(*a: Any, **k: Any) -> Any:
            _TIMELINE.append((time.perf_counter(), "REQUEST"))
            response = await original_post(*a, **k)
            _TIMELINE.append((time.perf_counter(), "RESPONSE"))
            return response

        http.post = post  # type: ignore[method-assign]
        _COUNTING = True
        cpu_started = time.process_time()
        client_ms, steps, _, _ = await br.api_searches(http, headers, batch, 1)
        cpu_ms = (time.process_time() - cpu_started) * 1000 / len(batch)
        _COUNTING = False
        http.post = original_post  # type: ignore[method-assign]
        profiler = cProfile.Profile()
        profiler.enable()
        await br.api_searches(http, headers, batch, 1)
        profiler.disable()

    await statements_alone(space, uuid.UUID(ada["organization_id"]), batch[:30], qv[:30])
    print(f"\n{len(batch)} searches, {args.chunks} chunks, load {br.load_average()}")
    print(f"client p50 {statistics.median(client_ms):.2f} ms, p95 {br.percentile(client_ms, 95):.2f} ms; "
          f"bare SQL p50 {statistics.median(bare):.2f} ms")  # fmt: skip
    for name, values in steps.items():
        print(f"  step {name}: p50 {statistics.median(values):.2f} ms")
    outside = [c - t for c, t in zip(client_ms, steps["total"], strict=True)]
    print(f"  outside the retriever: p50 {statistics.median(outside):.2f} ms")
    print(f"  CPU of this process (all threads, the embedder's included) per search: {cpu_ms:.2f} ms")
    total = sum(_ROUND_TRIPS.values())
    print(f"\nround trips per search: {total / len(batch):.2f}")
    for label, count in _ROUND_TRIPS.most_common():
        print(f"  {count / len(batch):5.2f}  {label}")
    # The median offset (ms from the request) of each event, over the searches (the n-th occurrence per search).
    offsets: dict[str, list[float]] = {}
    begun = 0.0
    seen: Counter[str] = Counter()
    for at, name in _TIMELINE:
        if name == "REQUEST":
            begun, seen = at, Counter()
            continue
        seen[name] += 1
        offsets.setdefault(f"{name} #{seen[name]}", []).append((at - begun) * 1000)
    print("\ntimeline of a search (median ms after the request was sent):")
    for name, values in sorted(offsets.items(), key=lambda kv: statistics.median(kv[1])):
        if len(values) >= len(batch) // 2:
            print(f"  {statistics.median(values):7.2f}  {name}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    print(out.getvalue())
    if args.profile:
        stats.dump_stats(args.profile)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--chunks", type=int, default=3600)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--profile", type=Path)
    started = time.perf_counter()
    asyncio.run(main(parser.parse_args()))
    br.log(f"done in {time.perf_counter() - started:.0f} s")
