"""Search quality on a harder labelled set: nDCG@10 and recall@10 of the real search, before and after tuning.

`make bench-quality`. One run in a throwaway embedded PostgreSQL (every migration applied), the real local
embedder, and the service function the API calls (`retrieval.service.search`, enhancement off, top_k 10):

  * data: `quality_corpus.py` (product sheets, FAQs, superseded sheets, press releases, case studies,
    battlecards, briefs, newsletters, brand books; one chunk per section, heading path = [title, heading]),
    embedded as ingestion embeds (heading path, blank line, text) and loaded with COPY into one space, plus
    another organization's space holding a second copy of the corpus (other seed) in the same tables;
  * queries: the held-out half only (`quality_corpus.split`); the tuning half is what the settings were
    chosen on (`--tune` prints the tuning half's figures for a grid of settings instead);
  * configurations measured query by query, interleaved (same load for each; each change alone as well):
      - "before": the ranking as it was (no heading weight in BM25, the previous reranker weights);
      - "after": the current settings;
      - "baseline": plain BM25 (in memory, the whole text: title, heading and body) and exact dense cosine
        over the same vectors, fused by reciprocal rank (k 60), no reranking: what a hand-rolled hybrid does;
  * p50/p95 of the service call (query embedding included) for before and after.

Results go to bench/results/quality.md (and .json).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import itertools
import json
import math
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from harness import ROOT, log, migrated_database, percentile, sandbox  # bench/: the script's own directory

_TMP = sandbox(
    "quality",
    {
        "CHAT_PROVIDER": "fake",
        "QUERY_ENHANCEMENT": "false",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ENVIRONMENT": "test",
        "SEARCH_USAGE_DELAY_MS": "0",
    },
    defaults={"EMBEDDING_PROVIDER": "local"},
)

import psycopg  # noqa: E402
from pgvector.psycopg import register_vector  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402
from quality_corpus import Document, Query, Section, corpus, grade, queries, sections, split  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "quality.md"
TOP_K = 10
BASELINE_DEPTH = 100
RRF_K = 60


# --- data ------------------------------------------------------------------------------------------------


def heading_path(document: Document, section: Section) -> list[str]:
    return [document.title, section.heading]


def embed_text(document: Document, section: Section) -> str:
    """As ingestion embeds a chunk: the heading path, a blank line, the content."""
    return " > ".join(heading_path(document, section)) + "\n\n" + section.content


async def embed_corpus(embedder: Any, documents: list[Document]) -> np.ndarray:
    texts = [embed_text(d, s) for d, _, s in sections(documents)]
    digest = hashlib.sha256(("\n".join(texts) + embedder.model_id).encode()).hexdigest()[:16]
    cached = Path(tempfile.gettempdir()) / f"obelisk-bench-quality-{digest}.npy"
    if cached.exists():
        return np.load(cached)
    vectors: list[list[float]] = []
    for start in range(0, len(texts), 64):
        vectors.extend(await embedder.embed_documents(texts[start : start + 64]))
    array = np.asarray(vectors, dtype=np.float32)
    np.save(cached, array)
    return array


def copy_space(
    conn: psycopg.Connection[Any],
    org: uuid.UUID,
    space: uuid.UUID,
    documents: list[Document],
    vectors: np.ndarray,
    model_id: str,
) -> dict[uuid.UUID, tuple[Document, Section]]:
    """Documents and chunks by COPY as the owner (the triggers keep the BM25 statistics); chunk id -> section."""
    ids = {id(d): uuid.uuid4() for d in documents}
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY documents (id, organization_id, space_id, title, filename, kind, status, progress, chunk_count, "
            "quarantined_count, tags, embedding_model, created_at, updated_at) FROM STDIN"
        ) as copy,
    ):
        for d in documents:
            copy.write_row(
                (ids[id(d)], org, space, d.title, d.filename, "markdown", "ready", 100, len(d.sections), 0,
                 [d.kind], model_id, d.updated_at, d.updated_at)
            )  # fmt: skip
    found: dict[uuid.UUID, tuple[Document, Section]] = {}
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY chunks (id, organization_id, space_id, document_id, chunk_index, content, heading_path, page, kind, "
            "content_hash, token_count, metadata, embedding, embedding_model, quarantined) FROM STDIN"
        ) as copy,
    ):
        for row, (d, index, s) in enumerate(sections(documents)):
            chunk_id = uuid.uuid4()
            found[chunk_id] = (d, s)
            text = embed_text(d, s)
            copy.write_row(
                (chunk_id, org, space, ids[id(d)], index, s.content, heading_path(d, s), None, "text",
                 hashlib.sha256(s.content.encode()).hexdigest(), len(text.split()) + 2, Jsonb({}), vectors[row],
                 model_id, False)
            )  # fmt: skip
    return found


# --- the plain baseline ----------------------------------------------------------------------------------


class PlainHybrid:
    """BM25 over each chunk's whole text plus exact cosine over its vector, fused by RRF: no field weights, no
    space statistics beyond the chunks themselves, no reranking."""

    def __init__(self, chunk_ids: list[uuid.UUID], texts: list[str], vectors: np.ndarray) -> None:
        from backend.retrieval.text import terms

        self.terms = terms
        self.ids = chunk_ids
        self.docs = [Counter(terms(t)) for t in texts]
        self.lengths = np.asarray([sum(d.values()) for d in self.docs], dtype=np.float64)
        self.avg = float(self.lengths.mean())
        self.df: Counter[str] = Counter(t for d in self.docs for t in d)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.vectors = vectors / np.maximum(norms, 1e-9)

    def bm25(self, query: str) -> np.ndarray:
        n, k1, b = len(self.docs), 1.2, 0.75
        scores = np.zeros(n)
        for term in set(self.terms(query)):
            df = self.df.get(term, 0)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = np.asarray([d.get(term, 0) for d in self.docs], dtype=np.float64)
            scores += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * self.lengths / self.avg))
        return scores

    def search(self, query: str, vector: Sequence[float]) -> list[uuid.UUID]:
        keyword = self.bm25(query)
        dense = self.vectors @ np.asarray(vector, dtype=np.float32)
        fused: dict[int, float] = {}
        keyword_order = [i for i in np.argsort(-keyword)[:BASELINE_DEPTH] if keyword[i] > 0]
        for ranking in (keyword_order, list(np.argsort(-dense)[:BASELINE_DEPTH])):
            for rank, i in enumerate(ranking, start=1):
                fused[int(i)] = fused.get(int(i), 0.0) + 1.0 / (RRF_K + rank)
        best = sorted(fused, key=lambda i: -fused[i])[:TOP_K]
        return [self.ids[i] for i in best]


# --- scoring ---------------------------------------------------------------------------------------------


def ndcg_recall(query: Query, ranked: Sequence[Section | None], all_sections: Sequence[Section]) -> tuple[float, float]:
    """nDCG@10 (gain 2^g - 1) and recall@10 of the sections graded 2 or 3."""
    gains = [grade(query, s) if s is not None else 0 for s in ranked[:TOP_K]]
    ideal = sorted((grade(query, s) for s in all_sections), reverse=True)[:TOP_K]
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    relevant = sum(1 for s in all_sections if grade(query, s) >= 2)
    found = sum(1 for g in gains if g >= 2)
    return (dcg / idcg if idcg else 0.0), (found / relevant if relevant else 0.0)


def answerable(labelled: list[Query], all_sections: Sequence[Section]) -> list[Query]:
    """Queries with at least one section graded 2 or more (a product without a case study has no results)."""
    return [q for q in labelled if any(grade(q, s) >= 2 for s in all_sections)]


# --- configurations --------------------------------------------------------------------------------------


BEFORE: dict[str, Any] = {"retrieval_heading_weight": 1.0, "retrieval_candidates_per_result": 3}
"""The settings of the ranking as it was before this benchmark's tuning (and its reranker weights below)."""
BEFORE_WEIGHTS = {"vector": 0.45, "keyword": 0.25, "heading": 0.10, "freshness": 0.10, "referenced": 0.10}


def ranking(base: Any, settings: dict[str, Any] | None = None, weights: dict[str, float] | None = None) -> Any:
    """(settings, reranker) of one configuration: `base` settings updated, default or given reranker weights."""
    from backend.retrieval.fusion import RerankWeights, WeightedReranker

    return base.model_copy(update=settings or {}), WeightedReranker(RerankWeights(**weights) if weights else None)


async def run_config(ctx: Any, embedder: Any, config: Any, query: Query) -> tuple[list[uuid.UUID], float]:
    """The result chunk ids of one search through the service function, and its milliseconds."""
    from backend.retrieval.retriever import ParallelRetriever
    from backend.retrieval.service import search

    settings, reranker = config
    retriever = ParallelRetriever(ctx, embedder=embedder, settings=settings, reranker=reranker)
    started = time.perf_counter()
    response = await search(ctx, query.text, top_k=TOP_K, enhance=False, retriever=retriever)
    ms = (time.perf_counter() - started) * 1000
    return [uuid.UUID(r.candidate.chunk_id) for r in response.results if r.candidate.stream != "business_context"], ms


def tuning_grid(base: Any) -> list[tuple[str, Any]]:
    """Configurations tried on the tuning half with `--tune`: the sweeps that chose the current defaults, each
    around the best point of the one before (BM25 heading weight and depth, then the reranker's weights)."""
    grid = [("before", ranking(base, BEFORE, BEFORE_WEIGHTS)), ("current", ranking(base))]
    sweeps: list[list[tuple[dict[str, Any], dict[str, float]]]] = [
        [({"retrieval_heading_weight": h, "retrieval_candidates_per_result": d}, {})
         for h, d in itertools.product((1.0, 2.0, 3.0), (3, 5))],
        [({"retrieval_heading_weight": h}, {"heading": o, "keyword": k})
         for h, o, k in itertools.product((3.0, 4.0, 6.0), (0.1, 0.2), (0.25, 0.35))],
        [({"retrieval_heading_weight": 3.0}, {"keyword": k, "vector": v, "freshness": f})
         for k, v, f in itertools.product((0.25, 0.15, 0.08), (0.45, 0.6), (0.1, 0.2))],
        [({"retrieval_heading_weight": 3.0}, {"keyword": k, "heading": o})
         for k, o in itertools.product((0.0, 0.04, 0.08), (0.1, 0.2, 0.3))],
    ]  # fmt: skip
    for sweep in sweeps:
        for settings, weights in sweep:
            label = " ".join(f"{k.removeprefix('retrieval_')} {v}" for k, v in {**settings, **weights}.items())
            grid.append((label, ranking(base, settings, {**BEFORE_WEIGHTS, **weights})))
    return grid


async def keyword_sql_ms(scope: Any, texts: Sequence[str], weights: Sequence[float]) -> dict[float, list[float]]:
    """Milliseconds of the keyword leg's statement alone for each BM25 heading weight, interleaved per query."""
    from backend.core.db import get_database
    from backend.retrieval import keyword, queries

    times: dict[float, list[float]] = {w: [] for w in weights}
    async with get_database().tenant(scope) as session:
        elig = await queries.eligibility(session, scope.space_id)
        for index, text in enumerate(texts):
            stats = await keyword.term_stats(session, scope.space_id, text)
            for weight in weights if index % 2 else weights[::-1]:
                started = time.perf_counter()
                await keyword.keyword_search(
                    session, scope.space_id, stats=stats, compare=None, elig=elig, limit=30, heading_weight=weight
                )
                times[weight].append((time.perf_counter() - started) * 1000)
    return times


# --- the run ---------------------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> dict[str, Any]:
    owner_url = migrated_database(_TMP / "pg")

    from backend.core.config import get_settings
    from backend.models.registry import get_embedder
    from backend.tenancy import accounts
    from backend.tenancy.context import SpaceContext

    embedder = get_embedder()
    await embedder.warm_up()
    documents, catalogue = corpus(args.products)
    other_documents, _ = corpus(args.products, seed=99)
    vectors = await embed_corpus(embedder, documents)
    other_vectors = await embed_corpus(embedder, other_documents)

    tenants = []
    for who in ("ada", "bob"):
        tenants.append(
            await accounts.sign_up(
                email=f"{who}@example.com", password=f"{who}-correct-horse-battery", name=who.title(),
                organization_name=f"{who.title()} Marketing",
            )
        )  # fmt: skip
    ada, bob = tenants
    assert ada.space_id is not None and bob.space_id is not None
    with psycopg.connect(owner_url, autocommit=True) as conn:
        register_vector(conn)
        by_chunk = copy_space(conn, ada.organization_id, ada.space_id, documents, vectors, embedder.model_id)
        copy_space(conn, bob.organization_id, bob.space_id, other_documents, other_vectors, embedder.model_id)
        for table in ("chunks", "documents", "chunk_terms"):
            conn.execute(f"VACUUM ANALYZE {table}")
    ctx = SpaceContext(
        organization_id=ada.organization_id, space_id=ada.space_id, user_id=ada.user_id, role="admin",
        space_name="General",
    )  # fmt: skip
    all_sections = [s for _, _, s in sections(documents)]
    labelled = answerable(queries(catalogue), all_sections)
    tuning, held_out = split(labelled)
    log(f"loaded {len(by_chunk):,} chunks; {len(tuning)} tuning and {len(held_out)} held-out queries")

    chunk_ids = list(by_chunk)
    plain = PlainHybrid(chunk_ids, [embed_text(*by_chunk[c]) for c in chunk_ids], vectors)
    base = get_settings()

    def sections_of(ids: Sequence[uuid.UUID]) -> list[Section | None]:
        return [by_chunk[i][1] if i in by_chunk else None for i in ids]

    for q in tuning[:20]:  # warm-up: models, pools, plans
        await run_config(ctx, embedder, ranking(base), q)

    if args.tune:
        grid = tuning_grid(base)
        for label, config in grid:
            scores = []
            for q in tuning:
                ids, _ = await run_config(ctx, embedder, config, q)
                scores.append(ndcg_recall(q, sections_of(ids), all_sections))
            print(f"{statistics.fmean(s[0] for s in scores):.4f} {statistics.fmean(s[1] for s in scores):.4f} {label}",
                  flush=True)  # fmt: skip
        return {}

    before, after = ranking(base, BEFORE, BEFORE_WEIGHTS), ranking(base)
    after_weights = dataclasses.asdict(after[1].weights)
    # Each change alone (held-out half only): which of them the gain comes from.
    ablations = {
        "heading weight only": ranking(base, None, BEFORE_WEIGHTS),
        "reranker weights only": ranking(base, BEFORE, after_weights),
    }
    measured: dict[str, dict[str, list[float]]] = {
        name: {"ndcg": [], "recall": [], "ms": []} for name in ("before", "after", "baseline", *ablations)
    }
    per_intent: dict[str, dict[str, list[float]]] = {}
    for half, batch in (("tuning", tuning), ("held_out", held_out)):
        for index, q in enumerate(batch):
            vector = await embedder.embed_query(q.text)
            # Rotating which goes first, so none gains from the others' warm caches.
            order = [("before", before), ("after", after)]
            if half == "held_out":
                order += list(ablations.items())
            for name, config in order[index % len(order) :] + order[: index % len(order)]:
                ids, ms = await run_config(ctx, embedder, config, q)
                ndcg, recall = ndcg_recall(q, sections_of(ids), all_sections)
                if half == "held_out":
                    measured[name]["ndcg"].append(ndcg)
                    measured[name]["recall"].append(recall)
                    measured[name]["ms"].append(ms)
                    per_intent.setdefault(f"{name} {q.intent}", {"ndcg": []})["ndcg"].append(ndcg)
                else:
                    per_intent.setdefault(f"{name} tuning", {"ndcg": []})["ndcg"].append(ndcg)
            ndcg, recall = ndcg_recall(q, sections_of(plain.search(q.text, vector)), all_sections)
            if half == "held_out":
                measured["baseline"]["ndcg"].append(ndcg)
                measured["baseline"]["recall"].append(recall)
            else:
                per_intent.setdefault("baseline tuning", {"ndcg": []})["ndcg"].append(ndcg)

    sql_ms = await keyword_sql_ms(ctx.scope, [q.text for q in held_out], (1.0, base.retrieval_heading_weight))
    figures = {
        name: {
            "ndcg_at_10": statistics.fmean(m["ndcg"]),
            "recall_at_10": statistics.fmean(m["recall"]),
            **({"p50_ms": statistics.median(m["ms"]), "p95_ms": percentile(m["ms"], 0.95)} if m["ms"] else {}),
        }
        for name, m in measured.items()
    }
    tuning_figures = {
        name: statistics.fmean(per_intent[f"{name} tuning"]["ndcg"]) for name in ("before", "after", "baseline")
    }
    intents = sorted({q.intent for q in held_out})
    by_intent = {
        f"{name} {intent}": statistics.fmean(per_intent[f"{name} {intent}"]["ndcg"])
        for name in ("before", "after")
        for intent in intents
    }
    results = {
        "chunks": len(by_chunk),
        "documents": len(documents),
        "queries": {"tuning": len(tuning), "held_out": len(held_out)},
        "held_out": figures,
        "tuning_ndcg_at_10": tuning_figures,
        "held_out_ndcg_by_intent": by_intent,
        "keyword_sql_p50_ms": {str(w): statistics.median(v) for w, v in sql_ms.items()},
        "after_settings": {k: getattr(base, k) for k in BEFORE},
        "before_settings": BEFORE,
        "after_rerank_weights": after_weights,
        "before_rerank_weights": BEFORE_WEIGHTS,
    }

    def line(label: str, name: str) -> str:
        f = figures[name]
        timing = f"{f['p50_ms']:.1f} | {f['p95_ms']:.1f}" if "p50_ms" in f else "- | -"
        return f"| {label} | {f['ndcg_at_10']:.3f} | {f['recall_at_10']:.3f} | {timing} |"

    lines = [
        "# Search quality: nDCG@10 on a harder labelled set of marketing material",
        "",
        f"Generated by `make bench-quality` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {os.cpu_count()} cores "
        f"(shared), Python {platform.python_version()}, embedder {embedder.describe()}.",
        "",
        f"Data (`bench/quality_corpus.py`, generated, no download): {len(documents)} documents, {len(by_chunk):,} "
        f"chunks in the measured space and as many in another organization's space. {len(labelled)} answerable "
        f"queries with graded judgments (0-3): {len(tuning)} for tuning, {len(held_out)} held out. The figures below "
        "are the held-out half's; the settings were chosen on the tuning half. `retrieval.service.search` (what "
        f"`POST /search` calls), enhancement off, top_k {TOP_K}, one query at a time, the configurations "
        "interleaved query by query.",
        "",
        "| search | nDCG@10 | recall@10 (grades 2-3) | p50 ms | p95 ms |",
        "|---|---|---|---|---|",
        line("before (the ranking as it was)", "before"),
        line("after (current settings)", "after"),
        line(f"baseline: plain BM25 + exact dense, RRF k {RRF_K}, no rerank (in memory)", "baseline"),
        line("ablation: BM25 heading weight only (reranker weights as before)", "heading weight only"),
        line("ablation: reranker weights only (no BM25 heading weight)", "reranker weights only"),
        "",
        f"Tuning half, nDCG@10: before {tuning_figures['before']:.3f}, after {tuning_figures['after']:.3f}, "
        f"baseline {tuning_figures['baseline']:.3f}.",
        "",
        "The keyword leg's statement alone (held-out queries, 30 rows, interleaved), p50: "
        + ", ".join(f"{statistics.median(v):.2f} ms with heading weight {w:g}" for w, v in sql_ms.items())
        + ".",
        "",
        "Held-out nDCG@10 by kind of query:",
        "",
        "| kind | before | after |",
        "|---|---|---|",
        *[
            f"| {intent} ({sum(1 for q in held_out if q.intent == intent)}) | {by_intent[f'before {intent}']:.3f} | "
            f"{by_intent[f'after {intent}']:.3f} |"
            for intent in intents
        ],
        "",
        "Settings before → after: "
        + ", ".join(f"`{k.upper()}` {v} → {getattr(base, k)}" for k, v in BEFORE.items())
        + f"; reranker weights {BEFORE_WEIGHTS} → {after_weights}. Timings are the "
        "service call as the API makes it (query embedding included), this machine shared.",
        "",
    ]
    report = "\n".join(lines)
    if not args.no_write:
        RESULTS.write_text(report)
        RESULTS.with_suffix(".json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(report)
    return results


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--products", type=int, default=56, help="products in the generated corpus (default 56)")
    parser.add_argument("--tune", action="store_true", help="print the tuning half's figures for a settings grid")
    parser.add_argument("--no-write", action="store_true", help="print the report, write nothing")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
