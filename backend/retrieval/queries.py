"""The SQL of retrieval: which documents are searchable, the vector leg (HNSW or exact) and the visual leg.

The BM25 keyword leg is in `keyword.py`.

Every function takes a session opened with `database.tenant(scope)` (row-level security confines it to the
space) AND filters by `space_id` itself: two walls, so a mistake in either still leaks nothing.

These statements run on the psycopg connection underneath SQLAlchemy with `prepare=False`. psycopg prepares a
statement after five executions, and PostgreSQL may then switch to a generic plan made without the actual
values: with a LIMIT or a vector it cannot see, that plan can be a sequential scan and a sort instead of the
HNSW index. Unprepared, every statement is planned with its values, and the `SET LOCAL`s before it apply.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.rows import dict_row
from sqlalchemy.ext.asyncio import AsyncSession

from backend.documents.models import HALFVEC_ABOVE

HNSW_MAX_SCAN_TUPLES = 20_000
"""pgvector's iterative scan gives up after this many index tuples (set explicitly, so the choice below holds)."""


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
    """Ready documents matching the search's document ids or tags; None when it has neither, or when they match
    every ready document (all ready ones)."""
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


# `allowed` is NULL when the filter keeps every ready document of the space (an agent's collections that every
# document carries): the list would restrict nothing, and a list of tens of thousands of ids, sent back here and
# then into every statement of the search, tripled a search over 100,000 chunks (bench/results/runs.md).
# The list is only built when it restricts something: an aggregate inside the CASE would be computed for every
# row anyway, while the scalar subquery runs only in that branch. `OFFSET 0` keeps the per-document flags in
# their own subquery, so the filter is evaluated once per document rather than once per reference to it.
# Together: 29 → 16 ms at 100k chunks in 31,250 documents (bench_runs' corpus, tagged filter).
_ELIGIBILITY = """
SELECT
  coalesce(array_agg(e.id) FILTER (WHERE NOT e.ready), '{{}}') AS excluded,
  CASE WHEN count(*) FILTER (WHERE e.ready AND e.selected) = count(*) FILTER (WHERE e.ready)
    THEN NULL
    ELSE (
      SELECT coalesce(array_agg(d.id), '{{}}') FROM documents d
      WHERE d.space_id = %(space)s AND d.status = 'ready' AND {selected}
    )
  END AS allowed,
  coalesce(sum(e.chunks) FILTER (WHERE e.ready AND e.selected), 0) AS chunks,
  (SELECT reltuples FROM pg_class WHERE oid = 'chunks'::regclass) AS table_rows
FROM (
  SELECT d.id, d.status = 'ready' AS ready, {selected} AS selected, d.chunk_count - d.quarantined_count AS chunks
  FROM documents d
  WHERE d.space_id = %(space)s
  OFFSET 0
) e
"""


def eligibility_statement(
    space_id: uuid.UUID,
    *,
    document_ids: Sequence[uuid.UUID] | None = None,
    tags: Sequence[str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The eligibility read's SQL (one row) and parameters (`eligibility` runs it; the keyword leg embeds it)."""
    conditions = ["true"]
    params: dict[str, Any] = {"space": space_id}
    if document_ids is not None:
        conditions.append("d.id = ANY(%(ids)s::uuid[])")
        params["ids"] = list(document_ids)
    if tags is not None:
        conditions.append("d.tags && %(tags)s::varchar[]")
        params["tags"] = list(tags)
    return _ELIGIBILITY.format(selected=" AND ".join(conditions)), params


def eligibility_from_row(row: dict[str, Any], *, filtered: bool) -> Eligibility:
    """`Eligibility` from the eligibility read's row (`filtered`: the search named documents or tags)."""
    return Eligibility(
        allowed=list(row["allowed"]) if filtered and row["allowed"] is not None else None,
        excluded=list(row["excluded"]),
        chunks=int(row["chunks"]),
        table_rows=float(row["table_rows"] or 0),
    )


async def eligibility(
    session: AsyncSession,
    space_id: uuid.UUID,
    *,
    document_ids: Sequence[uuid.UUID] | None = None,
    tags: Sequence[str] | None = None,
) -> Eligibility:
    """The searchable documents of the space, restricted to `document_ids` and/or `tags` when given (`allowed`
    stays None when that restriction keeps every ready document)."""
    sql, params = eligibility_statement(space_id, document_ids=document_ids, tags=tags)
    row = (await fetch_all(session, sql, params))[0]
    return eligibility_from_row(row, filtered=document_ids is not None or tags is not None)


def document_filter(elig: Eligibility, params: dict[str, Any]) -> str:
    params["excluded"] = elig.excluded
    sql = " AND c.document_id <> ALL(%(excluded)s::uuid[])"
    if elig.allowed is not None:
        params["allowed"] = elig.allowed
        sql += " AND c.document_id = ANY(%(allowed)s::uuid[])"
    return sql


# `scan_version` and `released`: the chunk's stored injection verdict (by which detector, and whether an admin
# released it from quarantine), so the agents need not scan again what ingestion judged (`Candidate`).
CHUNK_COLUMNS = (
    "c.id, c.document_id, c.content, c.content_hash, c.heading_path, c.page, c.kind, "
    "c.scan_version, c.released_by IS NOT NULL AS released, "
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
SELECT {columns}, {similarity} AS similarity
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
SELECT {columns}, {similarity} AS similarity
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
    query = vector_literal(vector)
    params: dict[str, Any] = {"space": space_id, "query": query, "model": model_id, "limit": limit}
    cast = vector_cast(len(vector))
    # Searching with the compared vector itself (the user's query): its distance is the similarity, and the
    # vectors are not read a second time (out of line, in TOAST).
    compared = vector_literal(compare)
    if compared == query:
        similarity = "1 - n.distance"
    else:
        similarity, params["compare"] = f"1 - (c.embedding <=> %(compare)s::{cast})", compared
    documents = document_filter(elig, params)
    template = _VECTOR_EXACT if exact else _VECTOR_HNSW
    return template.format(cast=cast, columns=CHUNK_COLUMNS, documents=documents, similarity=similarity), params


_SIMILARITY = """
SELECT c.id, 1 - (c.embedding <=> %(compare)s::{cast}) AS similarity
FROM chunks c
WHERE c.space_id = %(space)s AND c.id = ANY(%(ids)s::uuid[])
"""


async def similarities(
    session: AsyncSession, space_id: uuid.UUID, *, ids: Sequence[Any], compare: Sequence[float]
) -> dict[Any, float | None]:
    """Cosine similarity of each of the space's chunks `ids` to `compare` (None for a chunk without a vector)."""
    if not ids:
        return {}
    params = {"space": space_id, "ids": list(ids), "compare": vector_literal(compare)}
    rows = await fetch_all(session, _SIMILARITY.format(cast=vector_cast(len(compare))), params)
    return {r["id"]: r["similarity"] for r in rows}


def hnsw_settings(*, ef_search: int, limit: int) -> dict[str, str]:
    """Iterative HNSW scan: filtered scans keep walking the graph until `limit` rows pass (transaction-local)."""
    return {
        "hnsw.ef_search": str(max(ef_search, limit)),
        "hnsw.iterative_scan": "relaxed_order",
        "hnsw.max_scan_tuples": str(HNSW_MAX_SCAN_TUPLES),
    }


async def set_hnsw_scan(session: AsyncSession, *, ef_search: int, limit: int) -> None:
    """`hnsw_settings` for this transaction, for a session that was not opened with them."""
    values = hnsw_settings(ef_search=ef_search, limit=limit)
    calls = ", ".join(f"set_config(%(n{i})s, %(v{i})s, true)" for i in range(len(values)))
    params = {p: x for i, (n, v) in enumerate(values.items()) for p, x in ((f"n{i}", n), (f"v{i}", v))}
    await fetch_all(session, f"SELECT {calls}", params)


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
    hnsw_set: bool = False,
) -> list[dict[str, Any]]:
    """The `limit` chunks nearest to `vector` (cosine), each with its similarity to `compare`.

    HNSW with an iterative scan (relaxed order, re-sorted here) so the space and document filters still
    yield `limit` rows; or an exact comparison when `exact`. `hnsw_set`: the session was opened with
    `hnsw_settings` already.
    """
    if elig.empty or limit <= 0:
        return []
    sql, params = vector_statement(
        space_id, vector=vector, compare=compare, model_id=model_id, elig=elig, limit=limit, exact=exact
    )
    if not exact and not hnsw_set:
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
        columns=CHUNK_COLUMNS,
        documents=document_filter(elig, params),
    )
    if not exact:
        await set_hnsw_scan(session, ef_search=ef_search, limit=limit)
    return await fetch_all(session, sql, params)


__all__ = [
    "CHUNK_COLUMNS",
    "HNSW_MAX_SCAN_TUPLES",
    "Eligibility",
    "document_filter",
    "eligibility",
    "eligibility_from_row",
    "eligibility_statement",
    "fetch_all",
    "hnsw_settings",
    "set_hnsw_scan",
    "similarities",
    "vector_cast",
    "vector_literal",
    "vector_search",
    "vector_statement",
    "visual_search",
]
