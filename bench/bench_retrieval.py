"""`POST /api/v1/search` end to end, against the bare hybrid SQL statement measured in the same run.

`make bench-retrieval`. One run in a throwaway embedded PostgreSQL (every migration applied), the real local
embedder (MiniLM-L6 int8), the real ASGI app called in-process with httpx (no network hop, no frontend):

  * data: a generated marketing corpus (`retrieval_corpus.py`: product sheets, FAQs, case studies, briefs,
    blog posts; one chunk per section) embedded with the local model and loaded with COPY into one signed-up
    space, plus a second organization's space of a quarter of the size in the same tables;
  * `POST /search` (enhancement off, top_k 8) with one client and with four concurrent clients: p50/p95 as
    the client sees it, and the per-step breakdown the response carries (`timings_ms`);
  * the bare hybrid SQL: one hand-written statement (pgvector HNSW + full-text, fused by reciprocal rank),
    as the table owner, with the query vectors computed beforehand; the query embedding alone; and the ratio
    of the API's medians to both;
  * the retriever's real streams (referenced documents, hybrid search, business context) run one after the
    other vs at once, on the same queries;
  * nDCG@10 of the results on the corpus's graded judgments.

Results go to bench/results/retrieval.md (and .json). `--chunks`/`--queries` for a quick run.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from harness import (  # bench/: the script's own directory
    ROOT,
    load_average,
    log,
    migrated_database,
    percentile,
    sandbox,
)

_TMP = sandbox(
    "retrieval",
    {
        "CHAT_PROVIDER": "fake",
        "QUERY_ENHANCEMENT": "false",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ENVIRONMENT": "test",
        "REFLEX_TELEMETRY_ENABLED": "false",
    },
    defaults={"EMBEDDING_PROVIDER": "local"},
)

import psycopg  # noqa: E402
from pgvector.psycopg import register_vector, register_vector_async  # noqa: E402
from retrieval_corpus import Document, LabelledQuery, Section, copy_space, corpus, grade, queries, sections  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "retrieval.md"
TOP_K = 8
WARMUP = 20
RRF_K = 60
BARE_DEPTH = 40


# --- data ------------------------------------------------------------------------------------------------


def embed_text(document: Document, section: Section) -> str:
    return f"{document.title} > {section.heading}\n{section.content}"


async def embed_corpus(embedder: Any, documents: list[Document]) -> np.ndarray:
    """The sections' vectors, cached on disk by content (the embedding is the slow part of preparing a run)."""
    texts = [embed_text(d, s) for d, _, s in sections(documents)]
    digest = hashlib.sha256(("\n".join(texts) + embedder.model_id).encode()).hexdigest()[:16]
    cached = Path(tempfile.gettempdir()) / f"obelisk-bench-retrieval-{digest}.npy"
    if cached.exists():
        return np.load(cached)
    vectors: list[list[float]] = []
    started = time.perf_counter()
    for start in range(0, len(texts), 64):
        vectors.extend(await embedder.embed_documents(texts[start : start + 64]))
        if start % 640 == 0:
            log(f"embedded {start + 64:,} of {len(texts):,} chunks")
    log(f"embedded {len(texts):,} chunks in {time.perf_counter() - started:.0f} s")
    array = np.asarray(vectors, dtype=np.float32)
    np.save(cached, array)
    return array


# --- the bare hybrid statement ---------------------------------------------------------------------------

BARE_SQL = f"""
WITH v AS (
  SELECT id, row_number() OVER () AS r FROM (
    SELECT id FROM chunks WHERE space_id = %(space)s ORDER BY embedding <=> %(q)s LIMIT {BARE_DEPTH}
  ) n
), k AS (
  SELECT id, row_number() OVER (ORDER BY rank DESC) AS r FROM (
    SELECT id, ts_rank_cd(tsv, query) AS rank
    FROM chunks, websearch_to_tsquery('english', %(text)s) query
    WHERE space_id = %(space)s AND tsv @@ query
    ORDER BY rank DESC LIMIT {BARE_DEPTH}
  ) m
), fused AS (
  SELECT id, sum(1.0 / ({RRF_K} + r)) AS score FROM (SELECT * FROM v UNION ALL SELECT * FROM k) u
  GROUP BY id ORDER BY score DESC LIMIT {TOP_K}
)
SELECT c.id, c.document_id, c.content, c.heading_path, f.score
FROM fused f JOIN chunks c ON c.id = f.id ORDER BY f.score DESC
"""


async def bare_sql(owner_url: str, space: uuid.UUID, batch: list[tuple[str, np.ndarray]]) -> list[float]:
    """Milliseconds of the hand-written hybrid statement (query vectors computed beforehand), one connection."""
    times = []
    async with await psycopg.AsyncConnection.connect(owner_url, autocommit=True) as conn:
        await register_vector_async(conn)
        await conn.execute("SET hnsw.ef_search = 100")
        await conn.execute("SET hnsw.iterative_scan = relaxed_order")
        for text, vector in batch:
            started = time.perf_counter()
            await (await conn.execute(BARE_SQL, {"space": space, "q": vector, "text": text})).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return times


# --- the API ---------------------------------------------------------------------------------------------


async def api_searches(
    http: Any, headers: dict[str, str], batch: list[LabelledQuery], clients: int, **extra: Any
) -> tuple[list[float], dict[str, list[float]], list[dict[str, Any]], float]:
    """Client-side ms, the server's timings by step, the bodies (in query order) and the wall time."""
    client_ms: list[float] = [0.0] * len(batch)
    steps: dict[str, list[float]] = {}
    bodies: list[dict[str, Any]] = [{}] * len(batch)

    async def worker(offset: int) -> None:
        for i in range(offset, len(batch), clients):
            started = time.perf_counter()
            response = await http.post(
                "/api/v1/search",
                json={"query": batch[i].text, "top_k": TOP_K, "enhance": False, **extra},
                headers=headers,
            )
            client_ms[i] = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.text
            body = response.json()
            bodies[i] = body
            for name, ms in body["timings_ms"].items():
                steps.setdefault(name, []).append(ms)

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in range(clients)))
    return client_ms, steps, bodies, time.perf_counter() - started


async def load_searches(
    http: Any, headers: dict[str, str], batch: list[LabelledQuery], clients: int, cpu: dict[str, float]
) -> tuple[list[float], int, float]:
    """`clients` concurrent clients sending the batch's searches: client ms of the answered ones, how many
    failed (any status but 200, or an exception) and the wall time; failures are counted, not raised. `cpu`
    gets the CPU ms per search of this process and of PostgreSQL during the run."""
    client_ms: list[float] = []
    errors = 0

    async def worker(offset: int) -> None:
        nonlocal errors
        for i in range(offset, len(batch), clients):
            started = time.perf_counter()
            try:
                response = await http.post(
                    "/api/v1/search", json={"query": batch[i].text, "top_k": TOP_K, "enhance": False}, headers=headers
                )
            except Exception:
                errors += 1
                continue
            if response.status_code != 200:
                errors += 1
                continue
            client_ms.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    app_before, server_before = cpu_seconds()
    await asyncio.gather(*(worker(c) for c in range(clients)))
    wall = time.perf_counter() - started
    app_after, server_after = cpu_seconds()
    cpu["app_ms_per_search"] = (app_after - app_before) * 1000 / max(1, len(batch))
    server = sum(t - server_before.get(pid, 0.0) for pid, t in server_after.items())
    cpu["postgres_ms_per_search"] = server * 1000 / max(1, len(batch))
    return client_ms, errors, wall


def cpu_seconds() -> tuple[float, dict[int, float]]:
    """CPU seconds so far of this process (all threads: the app, the embedder) and of each process of the
    embedded PostgreSQL server (the postmaster and its backends), to attribute a load run's CPU."""
    import psutil

    own = psutil.Process().cpu_times()
    server: dict[int, float] = {}
    pid_file = next((_TMP / "pg").rglob("postmaster.pid"), None)
    if pid_file is not None:
        postmaster = psutil.Process(int(pid_file.read_text().split()[0]))
        for process in (postmaster, *postmaster.children(recursive=True)):
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            server[process.pid] = times.user + times.system
    return own.user + own.system, server


def rebuild_vector_index(conn: psycopg.Connection[Any]) -> None:
    """Drop the chunks' HNSW index and build it again over what was loaded (one build, as after a bulk import:
    much faster than maintaining it row by row during COPY)."""
    found = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_chunks_embedding_hnsw'").fetchone()
    if found is None:
        return
    conn.execute("DROP INDEX ix_chunks_embedding_hnsw")
    conn.execute("SET maintenance_work_mem = '512MB'")
    conn.execute(found[0])


def other_space_vectors(vectors: np.ndarray, seed: int) -> np.ndarray:
    """The measured space's vectors slightly moved (unit length kept): another space's copy of the corpus is
    not the same points, so the HNSW graph is not built over exact duplicates."""
    rng = np.random.default_rng(seed)
    moved = vectors + rng.normal(0.0, 0.02, vectors.shape).astype(np.float32)
    return (moved / np.linalg.norm(moved, axis=1, keepdims=True)).astype(np.float32)


def ndcg_at_10(
    batch: list[LabelledQuery],
    bodies: list[dict[str, Any]],
    by_chunk: dict[tuple[uuid.UUID, int], Section],
    chunk_keys: dict[str, tuple[uuid.UUID, int]],
    all_sections: list[Section],
) -> float:
    scores = []
    for query, body in zip(batch, bodies, strict=True):
        gains = []
        for result in [r for r in body["results"] if r["stream"] != "business_context"][:10]:
            key = chunk_keys.get(result["chunk_id"])
            gains.append(grade(query, by_chunk[key]) if key else 0)
        ideal = sorted((grade(query, s) for s in all_sections if s.product == query.product), reverse=True)[:10]
        dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
        idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        scores.append(dcg / idcg if idcg else 0.0)
    return statistics.fmean(scores)


# --- streams one after another vs at once ----------------------------------------------------------------


async def streams_sequential_vs_parallel(
    scope: Any, embedder: Any, batch: list[LabelledQuery], document_ids: list[uuid.UUID]
) -> tuple[list[float], list[float]]:
    """The retriever's real streams (referenced, general, business context) on the same queries."""
    from backend.core.cache import get_cache
    from backend.core.config import get_settings
    from backend.core.db import get_database
    from backend.retrieval.context import SearchContext
    from backend.retrieval.retriever import ParallelRetriever, normalize_request
    from backend.retrieval.types import RetrievalRequest, StreamReport

    retriever = ParallelRetriever(scope, embedder=embedder)
    applicable = [s for s in retriever.streams if s.name in ("referenced", "general", "business_context")]
    modes: dict[str, list[float]] = {"sequential": [], "parallel": []}
    for query in batch:
        for mode in ("sequential", "parallel"):
            request = normalize_request(
                RetrievalRequest(query=query.text, document_ids=tuple(document_ids), top_k=TOP_K, enhance=False)
            )
            ctx = SearchContext(
                scope, request, database=get_database(), embedder=embedder, cache=get_cache(), settings=get_settings()
            )
            await ctx.query_vector()  # the shared embedding is not what this compares
            started = time.perf_counter()
            if mode == "parallel":
                await asyncio.gather(*(retriever._run(s, ctx, StreamReport()) for s in applicable))
            else:
                for stream in applicable:
                    await retriever._run(stream, ctx, StreamReport())
            modes[mode].append((time.perf_counter() - started) * 1000)
            ctx.close()
    return modes["sequential"], modes["parallel"]


# --- the run ---------------------------------------------------------------------------------------------


def row(label: str, values: Sequence[float]) -> str:
    return f"| {label} | {statistics.median(values):.2f} | {percentile(values, 0.95):.2f} |"


async def main(args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    owner_url = migrated_database(_TMP / "pg")

    from backend.models.registry import get_embedder
    from backend.tenancy.context import SpaceContext

    embedder = get_embedder()
    await embedder.warm_up()
    documents, catalogue = corpus(args.chunks)
    vectors = await embed_corpus(embedder, documents)
    if args.spaces > 2:  # equal spaces: each another one's copy of the corpus
        other_documents, other_vectors = documents, other_space_vectors(vectors, 1)
    else:
        other_documents, _ = corpus(max(50, args.chunks // 4), seed=99)
        other_vectors = await embed_corpus(embedder, other_documents)

    os.environ["__REFLEX_SKIP_COMPILE"] = "true"
    from obelisk_app.obelisk_app import app

    asgi = app()
    transport = httpx.ASGITransport(app=asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as http:
        tenants = []
        extra = [f"org{n}" for n in range(2, args.spaces)]
        for who in ("ada", "bob", *extra):
            form = {
                "email": f"{who}@example.com",
                "password": f"{who}-correct-horse-battery",
                "name": who.title(),
                "organization_name": f"{who.title()} Marketing",
            }
            response = await http.post("/api/v1/auth/signup", json=form)
            assert response.status_code == 201, response.text
            tenants.append(response.json())
        ada, bob = tenants[:2]
        headers = {"Authorization": f"Bearer {ada['access_token']}", "X-Space-Id": ada["space_id"]}
        space = uuid.UUID(ada["space_id"])
        with psycopg.connect(owner_url, autocommit=True) as conn:
            register_vector(conn)
            by_chunk = copy_space(conn, uuid.UUID(ada["organization_id"]), space, documents, vectors, embedder.model_id)
            copy_space(
                conn,
                uuid.UUID(bob["organization_id"]),
                uuid.UUID(bob["space_id"]),
                other_documents,
                other_vectors,
                embedder.model_id,
            )
            for n, tenant in enumerate(tenants[2:], start=2):
                # More spaces: each a copy of the measured space's corpus (vectors slightly moved), so that the
                # measured space holds 1/spaces of the tables, as with equal tenants.
                copy_space(
                    conn,
                    uuid.UUID(tenant["organization_id"]),
                    uuid.UUID(tenant["space_id"]),
                    documents,
                    other_space_vectors(vectors, n),
                    embedder.model_id,
                )
            if len(tenants) > 2:
                rebuild_vector_index(conn)
            conn.execute("VACUUM ANALYZE chunks")
            conn.execute("VACUUM ANALYZE documents")
            conn.execute("ANALYZE chunk_terms")
            chunk_keys = {
                str(i): (d, n)
                for i, d, n in conn.execute(
                    "SELECT id, document_id, chunk_index FROM chunks WHERE space_id = %s", (space,)
                ).fetchall()
            }
            referenced = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM documents WHERE space_id = %s ORDER BY title LIMIT 3", (space,)
                ).fetchall()
            ]
            for fact in ("Prices on the website include VAT.", "Our fiscal year starts in April."):
                conn.execute(
                    "INSERT INTO key_facts (id, organization_id, space_id, text, created_by) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    (uuid.uuid4(), ada["organization_id"], space, fact, ada["user_id"]),
                )
        chunks = len(by_chunk)
        others = sum(len(d.sections) for d in other_documents) + (len(tenants) - 2) * chunks
        log(f"loaded {chunks:,} chunks (+{others:,} in {len(tenants) - 1} other spaces)")

        batch = queries(catalogue, args.queries)
        warm = queries(catalogue, WARMUP, seed=1)
        await api_searches(http, headers, warm, 1)
        query_vectors = [np.asarray(await embedder.embed_query(q.text), dtype=np.float32) for q in batch]

        results: dict[str, Any] = {"load_average_start": load_average(), "chunks": chunks}
        embed_ms = []
        for q in batch:
            started = time.perf_counter()
            await embedder.embed_query(q.text)
            embed_ms.append((time.perf_counter() - started) * 1000)
        await bare_sql(owner_url, space, [(q.text, v) for q, v in zip(warm, query_vectors, strict=False)])
        bare_ms = await bare_sql(owner_url, space, [(q.text, v) for q, v in zip(batch, query_vectors, strict=True)])
        one_ms, one_steps, bodies, _ = await api_searches(http, headers, batch, 1)
        four_ms, _, _, four_wall = await api_searches(http, headers, batch, 4)
        many_ms: list[float] = []
        many_errors, many_wall, many_cpu = 0, 0.0, {}
        if args.many_clients:
            many_ms, many_errors, many_wall = await load_searches(http, headers, batch * 2, args.many_clients, many_cpu)
        bare_again = await bare_sql(owner_url, space, [(q.text, v) for q, v in zip(batch, query_vectors, strict=True)])
        quality = ndcg_at_10(batch, bodies, by_chunk, chunk_keys, [s for _, _, s in sections(documents)])
        ctx = SpaceContext(
            organization_id=uuid.UUID(ada["organization_id"]),
            space_id=space,
            user_id=uuid.UUID(ada["user_id"]),
            role="owner",
            space_name="General",
        )
        sequential, parallel = await streams_sequential_vs_parallel(
            ctx.scope, embedder, batch[: min(len(batch), 100)], referenced
        )
        results["load_average_end"] = load_average()

    bare_all = bare_ms + bare_again
    bare_p50 = statistics.median(bare_all)
    bare_embed_p50 = bare_p50 + statistics.median(embed_ms)
    one_p50, four_p50 = statistics.median(one_ms), statistics.median(four_ms)
    results.update(
        queries=len(batch),
        bare_sql_ms={"p50": bare_p50, "p95": percentile(bare_all, 0.95)},
        embed_ms={"p50": statistics.median(embed_ms), "p95": percentile(embed_ms, 0.95)},
        api_1_client_ms={"p50": one_p50, "p95": percentile(one_ms, 0.95)},
        api_4_clients_ms={"p50": four_p50, "p95": percentile(four_ms, 0.95), "per_second": len(batch) / four_wall},
        other_chunks=others,
        spaces=len(tenants),
        steps_1_client_p50={k: statistics.median(v) for k, v in one_steps.items()},
        ratio_1_client_to_bare_sql=one_p50 / bare_p50,
        ratio_1_client_to_bare_sql_plus_embed=one_p50 / bare_embed_p50,
        streams_ms={"sequential_p50": statistics.median(sequential), "parallel_p50": statistics.median(parallel)},
        ndcg_at_10=quality,
    )
    if args.many_clients:
        results[f"api_{args.many_clients}_clients_ms"] = {
            "p50": statistics.median(many_ms) if many_ms else float("nan"),
            "p95": percentile(many_ms, 0.95),
            "per_second": len(many_ms) / many_wall if many_wall else 0.0,
            "searches": len(many_ms) + many_errors,
            "errors": many_errors,
            **many_cpu,
        }
    outside = [c - s for c, s in zip(one_ms, one_steps["total"], strict=True)]
    many_lines = []
    if args.many_clients:
        many = results[f"api_{args.many_clients}_clients_ms"]
        many_lines = [
            f"{args.many_clients} concurrent clients ({many['searches']} searches: the batch twice): "
            f"{many['per_second']:.0f} searches/s, p50 {many['p50']:.1f} ms, p95 {many['p95']:.1f} ms, "
            f"{many['errors']} errors. CPU per search during that run: {many['app_ms_per_search']:.1f} ms in this "
            f"process (app and embedder), {many['postgres_ms_per_search']:.1f} ms in PostgreSQL.",
            "",
        ]

    lines = [
        "# Retrieval benchmark: `POST /api/v1/search` against the bare hybrid SQL",
        "",
        f"Generated by `make bench-retrieval` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {os.cpu_count()} cores "
        f"(shared: load average {results['load_average_start']} at the start, {results['load_average_end']} at "
        f"the end), Python {platform.python_version()}, embedder {embedder.describe()}.",
        "",
        f"Data: {chunks:,} chunks in the measured space ({len(documents):,} generated marketing documents, one "
        f"chunk per section) and {others:,} in {len(tenants) - 1} other organizations' spaces "
        f"in the same tables. {len(batch)} queries after {WARMUP} warm-up; enhancement off; top_k {TOP_K}; "
        "in-process cache (no Redis); the ASGI app called in-process through httpx.",
        "",
        "## Latency (ms)",
        "",
        "| what | p50 | p95 |",
        "|---|---|---|",
        row("bare hybrid SQL (HNSW + full-text, RRF; one statement, owner, vector given)", bare_all),
        row("query embedding alone", embed_ms),
        row("`POST /search`, 1 client", one_ms),
        row("`POST /search`, 4 concurrent clients", four_ms),
        "",
        f"Ratio of `POST /search` (1 client) to the bare SQL: {one_p50 / bare_p50:.1f}x; to the bare SQL plus the "
        f"query embedding: {one_p50 / bare_embed_p50:.1f}x (medians). 4 clients: "
        f"{len(batch) / four_wall:.0f} searches/s.",
        "",
        *many_lines,
        "## Where a search's time goes (1 client, p50 ms, from the response's `timings_ms`)",
        "",
        "| step | p50 | p95 |",
        "|---|---|---|",
        *[row(name, values) for name, values in one_steps.items()],
        row("outside the retriever (HTTP, auth, space context, metering, serialisation)", outside),
        "",
        "Streams run at once, so `total` is about the slowest stream plus rerank, not their sum. `general` includes "
        "the query embedding (`embed`), which the legs wait for.",
        "",
        "## The real streams one after another vs at once",
        "",
        f"Referenced documents (3), hybrid search and business context on {len(sequential)} queries, query vector "
        "computed beforehand:",
        "",
        "| mode | p50 | p95 |",
        "|---|---|---|",
        row("sequential", sequential),
        row("parallel", parallel),
        "",
        f"Parallel is {statistics.median(sequential) / statistics.median(parallel):.2f}x faster (medians) on this "
        "2-core machine, where the streams' SQL competes for the same cores.",
        "",
        "## Quality",
        "",
        f"nDCG@10 on the corpus's graded judgments (`bench/retrieval_corpus.py`): {quality:.3f}.",
        "",
    ]
    report = "\n".join(lines)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(report)
        RESULTS.with_suffix(".json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(report)
    return results


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--chunks", type=int, default=3600, help="chunks in the measured space (default 3600)")
    parser.add_argument("--queries", type=int, default=200, help="measured queries (default 200)")
    parser.add_argument(
        "--spaces",
        type=int,
        default=2,
        help="spaces in the tables (default 2: another organization's space of a quarter of the size; more: each a "
        "copy of the measured space's corpus, e.g. --chunks 10000 --spaces 10 for 100k chunks in 10 spaces)",
    )
    parser.add_argument(
        "--many-clients", type=int, default=20, help="concurrent clients of the load run (default 20; 0: none)"
    )
    parser.add_argument("--no-write", action="store_true", help="print the report, write nothing")
    parser.add_argument("--json-out", type=Path, help="also write the figures to this JSON file")
    return parser.parse_args(argv)


def run(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    results = asyncio.run(main(args))
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    run()
