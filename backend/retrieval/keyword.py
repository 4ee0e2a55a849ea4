"""The SQL of the BM25 keyword leg: the query's term statistics in the space and the scored chunks.

The same rules as `queries.py`: a session opened with `database.tenant(scope)` AND a `space_id` filter in
every statement; statements run unprepared (`queries.fetch_all`), so each is planned with its values.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.retrieval.queries import (
    CHUNK_COLUMNS,
    Eligibility,
    eligibility_from_row,
    eligibility_statement,
    fetch_all,
    vector_cast,
    vector_literal,
)

BM25_K1 = 1.2
BM25_B = 0.75
KEYWORD_CANDIDATE_BUDGET = 300
"""Chunks the keyword leg scores by default (`RETRIEVAL_KEYWORD_CANDIDATES`): the summed document frequencies
of the terms that select candidates, and at most this many chunks when the rarest term alone is in more."""
KEYWORD_CANDIDATE_SHARE = 0.1
"""In a larger space the budget grows to this share of its chunks: at 10,000 chunks per space (100k in 10 spaces)
a fixed 300 cost 0.02 nDCG@10 on bench_retrieval's judgments (0.687; 1,000: 0.707; 2,000: 0.703; before: 0.708),
at 1,258 chunks (bench_quality) none measurable."""
KEYWORD_CANDIDATE_CAP = 4000
"""Chunks matched at most before the cheap pre-ranking, when the query's rarest term is in more than the budget."""
ZETA2 = 1.6449340668482264
"""π²/6, the limit of Σ 1/j², which `ts_rank` divides by (see `_TF`)."""

# ts_rank over a single lexeme with all weights 1 returns (Σ_{j=1..tf} 1/j²) / (π²/6) (tsrank.c,
# calc_rank_or). Since π²/6 - Σ_{j≤n} 1/j² ≈ 1/(n + ½), the term's frequency in the chunk is recovered exactly
# (checked up to tsvector's cap of 255 positions) from one cheap C call: BM25 needs tf, not a ts_rank score.
_TF = f"round(1.0 / greatest(1e-9, {ZETA2} * (1.0 - ts_rank('{{1,1,1,1}}', m.tsv, t.q))) - 0.5)"
# The same with only weight A counted: the occurrences in the heading path. Headings come first in `tsv`
# (heading || content, and `||` shifts the right side's positions past the left's), so A positions are the
# first ones of each lexeme and the same recovery holds (with weights 0 elsewhere, ts_rank sums 1/j² over them).
_TF_HEADING = f"round(1.0 / greatest(1e-9, {ZETA2} * (1.0 - ts_rank('{{0,0,0,1}}', m.tsv, t.q))) - 0.5)"


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

    def budget(self, floor: int = KEYWORD_CANDIDATE_BUDGET) -> int:
        """Chunks to score for this query: `floor`, or KEYWORD_CANDIDATE_SHARE of the space if that is more."""
        return max(floor, min(KEYWORD_CANDIDATE_CAP, int(self.chunks * KEYWORD_CANDIDATE_SHARE)))

    def selecting_terms(self, budget: int = KEYWORD_CANDIDATE_BUDGET) -> list[str]:
        """The rarest terms, while their chunks add up to at most `budget` (always at least one).

        Scoring is the keyword leg's main cost (about 3 µs per candidate chunk at the server, with two `ts_rank`
        calls per term), so the budget bounds its time: 300 chunks score in under 1 ms.

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


# One round trip: the space's totals, and the query's lexemes (English stemming and stop words, as the
# chunks' `tsv`) with their document frequencies. No row: the space has no chunks.
_TERM_STATS = """
SELECT s.chunks, s.tokens, t.term, t.df
FROM chunk_space_stats s
LEFT JOIN LATERAL (
  SELECT ct.term, ct.df
  FROM (SELECT DISTINCT l.lexeme FROM unnest(to_tsvector('english', %(text)s)) l) q
  JOIN chunk_terms ct ON ct.space_id = s.space_id AND ct.term = q.lexeme
) t ON true
WHERE s.space_id = %(space)s
"""


async def term_stats(session: AsyncSession, space_id: uuid.UUID, text: str) -> TermStats:
    """The query's lexemes (English stemming and stop words, as the chunks' `tsv`) with their frequencies."""
    rows = await fetch_all(session, _TERM_STATS, {"space": space_id, "text": text})
    if not rows:
        return _term_stats(None, None, [])
    return _term_stats(rows[0]["chunks"], rows[0]["tokens"], [(r["term"], r["df"]) for r in rows])


def _term_stats(chunks: int | None, tokens: int | None, pairs: Sequence[tuple[str | None, int | None]]) -> TermStats:
    if not chunks:
        return TermStats(0, 1.0, [])
    found = [(term, int(df)) for term, df in pairs if term is not None and df and df > 0]
    return TermStats(int(chunks), max(1.0, int(tokens or 0) / int(chunks)), found)


# The eligibility read (one row) with the space's totals and the query's lexemes beside it: the keyword leg's
# two reads in one round trip.
_ELIGIBILITY_AND_TERMS = """
WITH e AS ({eligibility}),
t AS (
  SELECT array_agg(ct.term) AS terms, array_agg(ct.df) AS dfs
  FROM (SELECT DISTINCT l.lexeme FROM unnest(to_tsvector('english', %(text)s)) l) q
  JOIN chunk_terms ct ON ct.space_id = %(space)s AND ct.term = q.lexeme
)
SELECT e.*, s.chunks AS space_chunks, s.tokens AS space_tokens, t.terms, t.dfs
FROM e
LEFT JOIN chunk_space_stats s ON s.space_id = %(space)s
CROSS JOIN t
"""


async def eligibility_and_term_stats(
    session: AsyncSession,
    space_id: uuid.UUID,
    text: str,
    *,
    document_ids: Sequence[uuid.UUID] | None = None,
    tags: Sequence[str] | None = None,
) -> tuple[Eligibility, TermStats]:
    """`queries.eligibility` and `term_stats` in one statement."""
    sql, params = eligibility_statement(space_id, document_ids=document_ids, tags=tags)
    params["text"] = text
    row = (await fetch_all(session, _ELIGIBILITY_AND_TERMS.format(eligibility=sql), params))[0]
    elig = eligibility_from_row(row, filtered=document_ids is not None or tags is not None)
    pairs = list(zip(row["terms"] or [], row["dfs"] or [], strict=True))
    return elig, _term_stats(row["space_chunks"], row["space_tokens"], pairs)


def tsquery_or(terms: Sequence[str]) -> str:
    """`'a' | 'b'` with each lexeme quoted as tsquery input requires (quotes and backslashes doubled)."""
    return " | ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)


# `terms` is MATERIALIZED so each term's tsquery is parsed once per statement: inlined, `quote_literal(term)::tsquery`
# was evaluated for every (candidate, term) pair and in each `ts_rank` call (31 → 23 ms for 3,360 candidates).
# `b` is a float8 so the length normalisation is float arithmetic, not numeric (the same values: 0.75 × an integer
# is exact in both).
_KEYWORD = """
WITH terms AS MATERIALIZED (
  SELECT t.term, t.idf, quote_literal(t.term)::tsquery AS q
  FROM unnest(%(terms)s::text[], %(idf)s::float8[]) AS t(term, idf)
), matched AS MATERIALIZED (
  SELECT m.id, m.tsv, m.token_count
  FROM obelisk_keyword_candidates(%(match)s::tsquery, %(excluded)s::uuid[], %(allowed)s::uuid[], %(cap)s) m
  WHERE m.space_id = %(space)s{prefilter}
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
    heading_weight: float = 1.0,
    budget: int = KEYWORD_CANDIDATE_BUDGET,
) -> tuple[str, dict[str, Any]]:
    """The keyword leg's SQL and parameters (`keyword_search` runs it; the benchmark EXPLAINs it).

    `heading_weight`: how many times an occurrence in the heading path (document title, section headings)
    counts against one in the text (BM25F with two fields: the weighted frequencies are summed before
    saturation, so a title match cannot be outscored by repeating the word in a long body).
    `budget`: the most chunks scored (see `TermStats.selecting_terms`). When even the rarest term is in more
    chunks, its matches are first ranked by one `ts_rank` call each (heading occurrences weighted as in the
    score, no IDF: with a single selecting term it has none to apply) and the best `budget` are scored.
    """
    selecting = stats.selecting_terms(budget)
    df = dict(stats.terms)
    matched = sum(df[t] for t in selecting)
    params: dict[str, Any] = {
        "space": space_id,
        "terms": [t for t, _ in stats.terms],
        "idf": [stats.idf(df) for _, df in stats.terms],
        "match": tsquery_or(selecting),
        "avg": stats.avg_length,
        "limit": limit,
    }
    params["excluded"], params["allowed"], params["cap"] = elig.excluded, elig.allowed, KEYWORD_CANDIDATE_CAP
    if compare is None:
        similarity_cast, params["compare"] = "vector", None
    else:
        similarity_cast, params["compare"] = vector_cast(len(compare)), vector_literal(compare)
    tf = _TF
    if heading_weight != 1.0:
        tf = f"({_TF} + {float(heading_weight) - 1.0!r} * {_TF_HEADING})"
    prefilter = ""
    if matched > budget:
        # ts_rank's weights are at most 1: the text's occurrences count 1/heading_weight of a heading's.
        text_weight = 1.0 / max(1.0, float(heading_weight))
        params["pre_weights"] = [text_weight, text_weight, text_weight, 1.0]
        params["budget"] = max(1, budget)
        prefilter = " ORDER BY ts_rank(%(pre_weights)s::float4[], m.tsv, %(match)s::tsquery) DESC LIMIT %(budget)s"
    sql = _KEYWORD.format(
        prefilter=prefilter,
        columns=CHUNK_COLUMNS,
        cast=similarity_cast,
        tf=tf,
        k1=BM25_K1,
        k1_plus_1=BM25_K1 + 1,
        b=f"{BM25_B!r}::float8",
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
    heading_weight: float = 1.0,
    budget: int = KEYWORD_CANDIDATE_BUDGET,
) -> list[dict[str, Any]]:
    """The `limit` chunks with the highest BM25 score for the query's terms.

    IDF and average length come from the space's own statistics (`chunk_terms`, `chunk_space_stats`);
    each chunk's term frequencies from its `tsv`, an occurrence in the heading path counting `heading_weight`
    times. `similarity` is the chunk's cosine similarity to `compare` (the query's vector), for the reranker.
    """
    if elig.empty or not stats.terms or limit <= 0:
        return []
    sql, params = keyword_statement(
        space_id,
        stats=stats,
        compare=compare,
        elig=elig,
        limit=limit,
        heading_weight=heading_weight,
        budget=budget,
    )
    return await fetch_all(session, sql, params)


__all__ = [
    "BM25_B",
    "BM25_K1",
    "KEYWORD_CANDIDATE_BUDGET",
    "KEYWORD_CANDIDATE_CAP",
    "KEYWORD_CANDIDATE_SHARE",
    "TermStats",
    "eligibility_and_term_stats",
    "keyword_search",
    "keyword_statement",
    "term_stats",
    "tsquery_or",
]
