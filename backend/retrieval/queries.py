"""The SQL of retrieval: which documents are searchable, the vector leg (HNSW or exact) and the BM25 keyword leg.

Every function takes a session opened with `database.tenant(scope)` (row-level security confines it to the
space) AND filters by `space_id` itself: two walls, so a mistake in either still leaks nothing.

These statements run on the psycopg connection underneath SQLAlchemy with `prepare=False`. psycopg prepares a
statement after five executions, and PostgreSQL may then switch to a generic plan made without the actual
values: with a LIMIT or a vector it cannot see, that plan can be a sequential scan and a sort instead of the
HNSW index. Unprepared, every statement is planned with its values, and the `SET LOCAL`s before it apply.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.rows import dict_row
from sqlalchemy.ext.asyncio import AsyncSession

from backend.documents.models import HALFVEC_ABOVE

HNSW_MAX_SCAN_TUPLES = 20_000
"""pgvector's iterative scan gives up after this many index tuples (set explicitly, so the choice below holds)."""
BM25_K1 = 1.2
BM25_B = 0.75
KEYWORD_CANDIDATE_BUDGET = 2000
"""Chunks the keyword leg aims to score: the summed document frequencies of the terms that select candidates."""
KEYWORD_CANDIDATE_CAP = 4000
"""Chunks it scores at most, even when the query's rarest term is in more chunks than the budget."""
ZETA2 = 1.6449340668482264
"""π²/6, the limit of Σ 1/j², which `ts_rank` divides by (see `_TF`)."""

# ts_rank over a single lexeme with all weights 1 returns (Σ_{j=1..tf} 1/j²) / (π²/6) (tsrank.c,
# calc_rank_or). Since π²/6 - Σ_{j≤n} 1/j² ≈ 1/(n + ½), the term's frequency in the chunk is recovered exactly
# (checked up to tsvector's cap of 255 positions) from one cheap C call: BM25 needs tf, not a ts_rank score.
_TF = f"round(1.0 / greatest(1e-9, {ZETA2} * (1.0 - ts_rank('{{1,1,1,1}}', m.tsv, t.q))) - 0.5)"


async def fetch_all(session: AsyncSession, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Run `sql` unprepared on the session's connection (inside its transaction) and return dict rows."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    async with driver.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(sql, params, prepare=False)
        return list(await cursor.fetchall()) if cursor.description else []


def vector_literal(vector: Sequence[float]) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector) + "]"


def vector_cast(dimension: int) -> str:
    return "halfvec" if dimension > HALFVEC_ABOVE else "vector"


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Which documents of the space a search may return, and how many chunks that is."""

    allowed: list[uuid.UUID] | None
    """Ready documents matching the search's document ids or tags; None when it has neither (all ready ones)."""
    excluded: list[uuid.UUID]
    """Documents of the space that are not ready (being re-indexed, failed): their old chunks are skipped."""
    chunks: int
    """Searchable chunks, from the documents' counters."""
    table_rows: float
    """Chunks in the whole table, all spaces (planner statistics): how selective the space filter is."""

    @property
    def empty(self) -> bool:
        return self.chunks <= 0 or (self.allowed is not None and not self.allowed)

    def use_exact_scan(self, limit: int, exact_max: int) -> bool:
        """Compare every vector instead of walking the HNSW graph?

        Yes for small sets (exact and as fast), and when the filter is so selective that an iterative index
        scan would visit more than HNSW_MAX_SCAN_TUPLES before finding `limit` rows (it would return fewer).
        """
        if self.chunks <= exact_max:
            return True
        selectivity = self.chunks / max(self.table_rows, float(self.chunks))
        return limit / selectivity > HNSW_MAX_SCAN_TUPLES / 2


_ELIGIBILITY = """
SELECT
  coalesce(array_agg(d.id) FILTER (WHERE d.status <> 'ready'), '{{}}') AS excluded,
  coalesce(array_agg(d.id) FILTER (WHERE d.status = 'ready' AND {selected}), '{{}}') AS allowed,
  coalesce(sum(d.chunk_count - d.quarantined_count) FILTER (WHERE d.status = 'ready' AND {selected}), 0) AS chunks,
  (SELECT reltuples FROM pg_class WHERE oid = 'chunks'::regclass) AS table_rows
FROM documents d
WHERE d.space_id = %(space)s
"""


async def eligibility(
    session: AsyncSession,
    space_id: uuid.UUID,
    *,
    document_ids: Sequence[uuid.UUID] | None = None,
    tags: Sequence[str] | None = None,
) -> Eligibility:
    """The searchable documents of the space, restricted to `document_ids` and/or `tags` when given."""
    conditions = ["true"]
    params: dict[str, Any] = {"space": space_id}
    if document_ids is not None:
        conditions.append("d.id = ANY(%(ids)s::uuid[])")
        params["ids"] = list(document_ids)
    if tags is not None:
        conditions.append("d.tags && %(tags)s::varchar[]")
        params["tags"] = list(tags)
    selected = " AND ".join(conditions)
    row = (await fetch_all(session, _ELIGIBILITY.format(selected=selected), params))[0]
    filtered = document_ids is not None or tags is not None
    return Eligibility(
        allowed=list(row["allowed"]) if filtered else None,
        excluded=list(row["excluded"]),
        chunks=int(row["chunks"]),
        table_rows=float(row["table_rows"] or 0),
    )


def _document_filter(elig: Eligibility, params: dict[str, Any]) -> str:
    params["excluded"] = elig.excluded
    sql = " AND c.document_id <> ALL(%(excluded)s::uuid[])"
    if elig.allowed is not None:
        params["allowed"] = elig.allowed
        sql += " AND c.document_id = ANY(%(allowed)s::uuid[])"
    return sql


_CHUNK_COLUMNS = (
    "c.id, c.document_id, c.content, c.content_hash, c.heading_path, c.page, c.kind, "
    "d.title AS document_title, d.valid_until, d.updated_at, d.source_url"
)

_VECTOR_HNSW = """
WITH nearest AS MATERIALIZED (
  SELECT c.id, c.embedding <=> %(query)s::{cast} AS distance
  FROM chunks c
  WHERE c.space_id = %(space)s AND NOT c.quarantined AND c.embedding_model = %(model)s{documents}
  ORDER BY c.embedding <=> %(query)s::{cast}
  LIMIT %(limit)s
)
SELECT {columns}, 1 - (c.embedding <=> %(compare)s::{cast}) AS similarity
FROM nearest n
JOIN chunks c ON c.id = n.id
JOIN documents d ON d.id = c.document_id AND d.space_id = %(space)s AND d.status = 'ready'
ORDER BY n.distance
"""

# MATERIALIZED keeps the planner from serving the ORDER BY with the HNSW index: every eligible vector is compared.
_VECTOR_EXACT = """
WITH scored AS MATERIALIZED (
  SELECT c.id, c.embedding <=> %(query)s::{cast} AS distance
  FROM chunks c
  WHERE c.space_id = %(space)s AND NOT c.quarantined AND c.embedding_model = %(model)s{documents}
), nearest AS (
  SELECT id, distance FROM scored ORDER BY distance LIMIT %(limit)s
)
SELECT {columns}, 1 - (c.embedding <=> %(compare)s::{cast}) AS similarity
FROM nearest n
JOIN chunks c ON c.id = n.id
JOIN documents d ON d.id = c.document_id AND d.space_id = %(space)s AND d.status = 'ready'
ORDER BY n.distance
"""


def vector_statement(
    space_id: uuid.UUID,
    *,
    vector: Sequence[float],
    compare: Sequence[float],
    model_id: str,
    elig: Eligibility,
    limit: int,
    exact: bool,
) -> tuple[str, dict[str, Any]]:
    """The vector leg's SQL and parameters (`vector_search` runs it; the benchmark EXPLAINs it)."""
    params: dict[str, Any] = {
        "space": space_id,
        "query": vector_literal(vector),
        "compare": vector_literal(compare),
        "model": model_id,
        "limit": limit,
    }
    documents = _document_filter(elig, params)
    template = _VECTOR_EXACT if exact else _VECTOR_HNSW
    return template.format(cast=vector_cast(len(vector)), columns=_CHUNK_COLUMNS, documents=documents), params


async def set_hnsw_scan(session: AsyncSession, *, ef_search: int, limit: int) -> None:
    """Iterative HNSW scan for this transaction: filtered scans keep walking the graph until `limit` rows pass."""
    await fetch_all(
        session,
        "SELECT set_config('hnsw.ef_search', %(ef)s, true), "
        "set_config('hnsw.iterative_scan', 'relaxed_order', true), "
        "set_config('hnsw.max_scan_tuples', %(max_scan)s, true)",
        {"ef": str(max(ef_search, limit)), "max_scan": str(HNSW_MAX_SCAN_TUPLES)},
    )


async def vector_search(
    session: AsyncSession,
    space_id: uuid.UUID,
    *,
    vector: Sequence[float],
    compare: Sequence[float],
    model_id: str,
    elig: Eligibility,
    limit: int,
    ef_search: int,
    exact: bool,
) -> list[dict[str, Any]]:
    """The `limit` chunks nearest to `vector` (cosine), each with its similarity to `compare`.

    HNSW with an iterative scan (relaxed order, re-sorted here) so the space and document filters still
    yield `limit` rows; or an exact comparison when `exact`.
    """
    if elig.empty or limit <= 0:
        return []
    sql, params = vector_statement(
        space_id, vector=vector, compare=compare, model_id=model_id, elig=elig, limit=limit, exact=exact
    )
    if not exact:
        await set_hnsw_scan(session, ef_search=ef_search, limit=limit)
    return await fetch_all(session, sql, params)


_VISUAL_WHERE = (
    "FROM chunks c WHERE c.space_id = %(space)s AND NOT c.quarantined AND c.image_embedding IS NOT NULL{documents}"
)
_VISUAL_HNSW = f"""
WITH nearest AS MATERIALIZED (
  SELECT c.id, c.image_embedding <=> %(query)s::{{cast}} AS distance
  {_VISUAL_WHERE}
  ORDER BY c.image_embedding <=> %(query)s::{{cast}}
  LIMIT %(limit)s
)"""
# As in the vector leg, MATERIALIZED keeps the planner from using the HNSW index: every picture is compared.
_VISUAL_EXACT = f"""
WITH scored AS MATERIALIZED (
  SELECT c.id, c.image_embedding <=> %(query)s::{{cast}} AS distance
  {_VISUAL_WHERE}
), nearest AS (
  SELECT id, distance FROM scored ORDER BY distance LIMIT %(limit)s
)"""
_VISUAL_ROWS = """
SELECT {columns}, 1 - n.distance AS visual_similarity, 1 - (c.embedding <=> %(compare)s::{compare_cast}) AS similarity
FROM nearest n
JOIN chunks c ON c.id = n.id
JOIN documents d ON d.id = c.document_id AND d.space_id = %(space)s AND d.status = 'ready'
ORDER BY n.distance
"""


async def visual_search(
    session: AsyncSession,
    space_id: uuid.UUID,
    *,
    vector: Sequence[float],
    compare: Sequence[float],
    elig: Eligibility,
    limit: int,
    ef_search: int,
    exact: bool,
) -> list[dict[str, Any]]:
    """The `limit` pictures whose multimodal vector is nearest to `vector` (the query text in the same model).

    Same walls as the vector leg (space, not quarantined, ready eligible documents). `similarity` is the
    chunk's text vector against `compare` (the query's text vector), so the reranker weighs it like any other.
    """
    if elig.empty or limit <= 0:
        return []
    params: dict[str, Any] = {
        "space": space_id,
        "query": vector_literal(vector),
        "compare": vector_literal(compare),
        "limit": limit,
    }
    sql = ((_VISUAL_EXACT if exact else _VISUAL_HNSW) + _VISUAL_ROWS).format(
        cast=vector_cast(len(vector)),
        compare_cast=vector_cast(len(compare)),
        columns=_CHUNK_COLUMNS,
        documents=_document_filter(elig, params),
    )
    if not exact:
        await set_hnsw_scan(session, ef_search=ef_search, limit=limit)
    return await fetch_all(session, sql, params)


@dataclass(frozen=True, slots=True)
class TermStats:
    """A query's terms as the space's chunks index them, with how many chunks contain each."""

    chunks: int
    avg_length: float
    terms: list[tuple[str, int]]
    """(lexeme, document frequency) for each distinct lexeme of the query that occurs in the space."""

    def idf(self, df: int) -> float:
        """BM25's inverse document frequency (the +1 keeps it positive for very common terms)."""
        return math.log(1 + (self.chunks - df + 0.5) / (df + 0.5))

    def selecting_terms(self, budget: int = KEYWORD_CANDIDATE_BUDGET) -> list[str]:
        """The rarest terms, while their chunks add up to at most `budget` (always at least one).

        A chunk that contains none of these shares only very common terms with the query and cannot
        outscore the chunks that do, except in a near tie; leaving the common terms out of candidate
        selection bounds the work per query (they still count in the score of every candidate).
        """
        chosen: list[str] = []
        total = 0
        for term, df in sorted(self.terms, key=lambda t: t[1]):
            if chosen and total + df > budget:
                break
            chosen.append(term)
            total += df
        return chosen


_QUERY_TERMS = """
SELECT s.term, s.df
FROM (SELECT DISTINCT l.lexeme FROM unnest(to_tsvector('english', %(text)s)) l) q
JOIN chunk_terms s ON s.space_id = %(space)s AND s.term = q.lexeme
"""
_SPACE_STATS = "SELECT chunks, tokens FROM chunk_space_stats WHERE space_id = %(space)s"


async def term_stats(session: AsyncSession, space_id: uuid.UUID, text: str) -> TermStats:
    """The query's lexemes (English stemming and stop words, as the chunks' `tsv`) with their frequencies."""
    space = await fetch_all(session, _SPACE_STATS, {"space": space_id})
    if not space or not space[0]["chunks"]:
        return TermStats(0, 1.0, [])
    chunks, tokens = int(space[0]["chunks"]), int(space[0]["tokens"] or 0)
    rows = await fetch_all(session, _QUERY_TERMS, {"space": space_id, "text": text})
    return TermStats(chunks, max(1.0, tokens / chunks), [(r["term"], int(r["df"])) for r in rows if r["df"] > 0])


def tsquery_or(terms: Sequence[str]) -> str:
    """`'a' | 'b'` with each lexeme quoted as tsquery input requires (quotes and backslashes doubled)."""
    return " | ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)


_KEYWORD = """
WITH terms AS (
  SELECT t.term, t.idf, quote_literal(t.term)::tsquery AS q
  FROM unnest(%(terms)s::text[], %(idf)s::float8[]) AS t(term, idf)
), matched AS MATERIALIZED (
  SELECT m.id, m.tsv, m.token_count
  FROM obelisk_keyword_candidates(%(match)s::tsquery, %(excluded)s::uuid[], %(allowed)s::uuid[], %(cap)s) m
  WHERE m.space_id = %(space)s
), scored AS (
  SELECT m.id, sum(s.idf * s.tf * {k1_plus_1} / (s.tf + {k1} * (1 - {b} + {b} * greatest(m.token_count, 1) / %(avg)s)))
         AS score
  FROM matched m
  CROSS JOIN LATERAL (SELECT t.idf, {tf} AS tf FROM terms t WHERE m.tsv @@ t.q) s
  GROUP BY m.id
  ORDER BY score DESC
  LIMIT %(limit)s
)
SELECT {columns}, sc.score AS keyword_score, 1 - (c.embedding <=> %(compare)s::{cast}) AS similarity
FROM scored sc
JOIN chunks c ON c.id = sc.id AND c.space_id = %(space)s
JOIN documents d ON d.id = c.document_id AND d.space_id = %(space)s AND d.status = 'ready'
ORDER BY sc.score DESC
"""


def keyword_statement(
    space_id: uuid.UUID,
    *,
    stats: TermStats,
    compare: Sequence[float] | None,
    elig: Eligibility,
    limit: int,
) -> tuple[str, dict[str, Any]]:
    """The keyword leg's SQL and parameters (`keyword_search` runs it; the benchmark EXPLAINs it)."""
    params: dict[str, Any] = {
        "space": space_id,
        "terms": [t for t, _ in stats.terms],
        "idf": [stats.idf(df) for _, df in stats.terms],
        "match": tsquery_or(stats.selecting_terms()),
        "avg": stats.avg_length,
        "limit": limit,
    }
    params["excluded"], params["allowed"], params["cap"] = elig.excluded, elig.allowed, KEYWORD_CANDIDATE_CAP
    if compare is None:
        similarity_cast, params["compare"] = "vector", None
    else:
        similarity_cast, params["compare"] = vector_cast(len(compare)), vector_literal(compare)
    sql = _KEYWORD.format(
        columns=_CHUNK_COLUMNS,
        cast=similarity_cast,
        tf=_TF,
        k1=BM25_K1,
        k1_plus_1=BM25_K1 + 1,
        b=BM25_B,
    )
    return sql, params


async def keyword_search(
    session: AsyncSession,
    space_id: uuid.UUID,
    *,
    stats: TermStats,
    compare: Sequence[float] | None,
    elig: Eligibility,
    limit: int,
) -> list[dict[str, Any]]:
    """The `limit` chunks with the highest BM25 score for the query's terms.

    IDF and average length come from the space's own statistics (`chunk_terms`, `chunk_space_stats`);
    each chunk's term frequencies from its `tsv` (headings count as occurrences too). `similarity` is the
    chunk's cosine similarity to `compare` (the query's vector), for the reranker.
    """
    if elig.empty or not stats.terms or limit <= 0:
        return []
    sql, params = keyword_statement(space_id, stats=stats, compare=compare, elig=elig, limit=limit)
    return await fetch_all(session, sql, params)


__all__ = [
    "HNSW_MAX_SCAN_TUPLES",
    "KEYWORD_CANDIDATE_BUDGET",
    "Eligibility",
    "TermStats",
    "eligibility",
    "fetch_all",
    "keyword_search",
    "keyword_statement",
    "set_hnsw_scan",
    "term_stats",
    "tsquery_or",
    "vector_cast",
    "vector_literal",
    "vector_search",
    "vector_statement",
    "visual_search",
]
