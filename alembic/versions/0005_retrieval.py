"""Retrieval: pinned key facts, per-space keyword statistics for BM25, a space-first full-text index.

Revision ID: 0005_retrieval
Revises: 0004_documents
Create Date: 2026-12-04

Why keyword statistics live in tables
-------------------------------------
PostgreSQL's `ts_rank`/`ts_rank_cd` score a chunk by itself: they cannot know that "pricing" is in half the
space's chunks and "Halcyon" in three, so the keyword leg of a hybrid search adds little (measured: RRF with
`ts_rank_cd` barely beats vectors alone; RRF with BM25 does). BM25 needs, per space, the number of chunks
containing each term (`chunk_terms.df`) and the number and total length of chunks (`chunk_space_stats`).
A statement-level trigger on `chunks` maintains both from the transition tables in the same transaction
that adds, changes or removes chunks: an ingestion of 300 chunks is one aggregate, not 300 updates, and
the statistics are never behind the chunks they describe. Concurrent writers of one space queue on a
transaction-level advisory lock instead of deadlocking on term rows.

The trigger runs with the caller's rights, so row-level security applies to it as to everything else: it
can only touch the statistics of the space the transaction is confined to. Decrements are plain UPDATEs,
which match nothing (rather than fail) if a space's rows are invisible.

Why the keyword leg goes through a SECURITY DEFINER function
------------------------------------------------------------
Under row-level security PostgreSQL only uses a WHERE clause as an index condition when its operator is
LEAKPROOF (else the clause could see rows the policy hides). `@@` (ts_match_vq) is not, so for the
application role the GIN index on `tsv` is never used: a keyword query reads and detoasts every chunk of the
space (measured: 540 ms at 100k chunks, against 12 ms through the index). `obelisk_keyword_candidates` runs
the full-text match with its owner's rights and applies the policy's own condition itself: it returns only
chunks of the transaction's space (`app.space_id`), and nothing when no space is set, so it cannot widen
what the caller sees. It takes no space argument on purpose: there is nothing to get wrong. EXECUTE re-plans
with the actual query each time. Where the owner is subject to FORCEd RLS itself (a managed database whose
migration role is neither superuser nor BYPASSRLS) the function stays correct but the match falls back to
a filter; give that role BYPASSRLS to keep the index path.

Why a (space_id, tsv) GIN index
-------------------------------
Every keyword query filters by space. A GIN index on `tsv` alone returns matches from every space, and
each must be fetched from the heap just to be dropped by the space filter (about 10x the work with ten
equal spaces). With btree_gin the space is one more key of the same index, intersected inside it. The
tsv-only index of 0004 becomes redundant (GIN serves queries on any subset of its columns) and is
replaced, so ingestion maintains one full-text index, not two.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from backend.core.config import APP_DB_ROLE
from backend.core.rls import SPACE_SETTING, disable_rls, enable_space_rls

revision: str = "0005_retrieval"
down_revision: str | None = "0004_documents"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
_TABLES = ("key_facts", "chunk_terms", "chunk_space_stats")

# Rows of the transition tables with +1 for added and -1 for removed chunks; an UPDATE contributes both,
# so a chunk whose text did not change nets to zero and costs nothing further.
_STATS_FUNCTION = r"""
CREATE FUNCTION obelisk_chunk_stats() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    delta text;
    gone_spaces uuid[];
    gone_terms text[];
BEGIN
    delta := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT space_id, organization_id, tsv, token_count, 1 AS sign FROM obelisk_new'
        WHEN 'DELETE' THEN 'SELECT space_id, organization_id, tsv, token_count, -1 AS sign FROM obelisk_old'
        ELSE 'SELECT space_id, organization_id, tsv, token_count, 1 AS sign FROM obelisk_new '
             || 'UNION ALL SELECT space_id, organization_id, tsv, token_count, -1 FROM obelisk_old'
    END;
    EXECUTE format(
        'SELECT count(pg_advisory_xact_lock(hashtext(''obelisk.chunk_terms''), hashtext(s::text))) '
        'FROM (SELECT DISTINCT space_id AS s FROM (%s) r ORDER BY 1) x', delta);

    EXECUTE format($q$
        INSERT INTO chunk_terms AS t (space_id, organization_id, term, df)
        SELECT r.space_id, r.organization_id, l.lexeme, sum(r.sign)
        FROM (%s) r CROSS JOIN LATERAL unnest(r.tsv) l
        GROUP BY r.space_id, r.organization_id, l.lexeme
        HAVING sum(r.sign) > 0
        ORDER BY 1, 3
        ON CONFLICT (space_id, term) DO UPDATE SET df = t.df + EXCLUDED.df
    $q$, delta);

    IF TG_OP <> 'INSERT' THEN
        EXECUTE format($q$
            WITH d AS (
                SELECT r.space_id, l.lexeme AS term, sum(r.sign) AS n
                FROM (%s) r CROSS JOIN LATERAL unnest(r.tsv) l
                GROUP BY 1, 2 HAVING sum(r.sign) < 0
            ), u AS (
                UPDATE chunk_terms t SET df = t.df + d.n FROM d
                WHERE t.space_id = d.space_id AND t.term = d.term
                RETURNING t.space_id, t.term, t.df
            )
            SELECT coalesce(array_agg(space_id), '{}'), coalesce(array_agg(term), '{}') FROM u WHERE df <= 0
        $q$, delta) INTO gone_spaces, gone_terms;
        IF cardinality(gone_terms) > 0 THEN
            DELETE FROM chunk_terms t USING unnest(gone_spaces, gone_terms) AS g(space_id, term)
            WHERE t.space_id = g.space_id AND t.term = g.term;
        END IF;
    END IF;

    IF TG_OP = 'INSERT' THEN
        EXECUTE format($q$
            INSERT INTO chunk_space_stats AS s (space_id, organization_id, chunks, tokens)
            SELECT space_id, organization_id, count(*), sum(token_count) FROM (%s) r GROUP BY 1, 2
            ON CONFLICT (space_id) DO UPDATE
            SET chunks = s.chunks + EXCLUDED.chunks, tokens = s.tokens + EXCLUDED.tokens
        $q$, delta);
    ELSE
        EXECUTE format($q$
            UPDATE chunk_space_stats s SET chunks = s.chunks + d.n, tokens = s.tokens + d.t
            FROM (SELECT space_id, sum(sign) AS n, sum(sign * token_count) AS t FROM (%s) r GROUP BY 1) d
            WHERE s.space_id = d.space_id AND (d.n <> 0 OR d.t <> 0)
        $q$, delta);
    END IF;
    RETURN NULL;
END
$fn$
"""

_KEYWORD_FUNCTION = f"""
CREATE FUNCTION obelisk_keyword_candidates(p_query tsquery, p_excluded uuid[], p_allowed uuid[], p_limit integer)
RETURNS TABLE (id uuid, space_id uuid, tsv tsvector, token_count integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 1000 SET search_path = pg_catalog, public, pg_temp AS $fn$
DECLARE
    current_space uuid := {SPACE_SETTING};
BEGIN
    IF current_space IS NULL THEN
        RETURN;
    END IF;
    -- `tsv || ''` hands back an in-memory copy: the caller reads each tsvector several times, the TOAST once.
    RETURN QUERY EXECUTE
        'SELECT c.id, c.space_id, c.tsv || ''''::tsvector, c.token_count FROM chunks c '
        'WHERE c.space_id = $1 AND c.tsv @@ $2 AND NOT c.quarantined '
        'AND c.document_id <> ALL($3) AND ($4 IS NULL OR c.document_id = ANY($4)) LIMIT $5'
        USING current_space, p_query, p_excluded, p_allowed, p_limit;
END
$fn$
"""
_KEYWORD_SIGNATURE = "obelisk_keyword_candidates(tsquery, uuid[], uuid[], integer)"


def _space_fk(*, primary_key: bool = False) -> sa.Column:
    return sa.Column(
        "space_id", sa.Uuid, sa.ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=primary_key, nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "key_facts",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("organization_id", sa.Uuid, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
        _space_fk(),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_by", sa.Uuid, nullable=True),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("char_length(text) BETWEEN 1 AND 500", name="ck_key_facts_text_length"),
    )
    op.create_index("ix_key_facts_space_created", "key_facts", ["space_id", "created_at"])
    op.create_table(
        "chunk_terms",
        _space_fk(primary_key=True),
        sa.Column("term", sa.Text, primary_key=True),
        sa.Column("organization_id", sa.Uuid, nullable=False),
        sa.Column("df", sa.Integer, nullable=False),
    )
    op.create_table(
        "chunk_space_stats",
        _space_fk(primary_key=True),
        sa.Column("organization_id", sa.Uuid, nullable=False),
        sa.Column("chunks", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("tokens", sa.BigInteger, nullable=False, server_default="0"),
    )

    # Statistics of the chunks that exist already. FORCEd RLS would hide them from the owner: lifted for
    # this one statement pair, inside the migration's transaction.
    op.execute("ALTER TABLE chunks NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "INSERT INTO chunk_terms (space_id, organization_id, term, df) "
        "SELECT c.space_id, c.organization_id, l.lexeme, count(*) FROM chunks c CROSS JOIN LATERAL unnest(c.tsv) l "
        "GROUP BY 1, 2, 3"
    )
    op.execute(
        "INSERT INTO chunk_space_stats (space_id, organization_id, chunks, tokens) "
        "SELECT space_id, organization_id, count(*), sum(token_count) FROM chunks GROUP BY 1, 2"
    )
    op.execute("ALTER TABLE chunks FORCE ROW LEVEL SECURITY")

    op.execute(_STATS_FUNCTION)
    for event, tables in (
        ("INSERT", "NEW TABLE AS obelisk_new"),
        ("DELETE", "OLD TABLE AS obelisk_old"),
        ("UPDATE", "OLD TABLE AS obelisk_old NEW TABLE AS obelisk_new"),
    ):
        op.execute(
            f"CREATE TRIGGER chunks_stats_{event.lower()} AFTER {event} ON chunks "
            f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION obelisk_chunk_stats()"
        )

    op.execute(_KEYWORD_FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {_KEYWORD_SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {_KEYWORD_SIGNATURE} TO {APP_DB_ROLE}")

    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.create_index("ix_chunks_space_tsv", "chunks", ["space_id", "tsv"], postgresql_using="gin")
    op.drop_index("ix_chunks_tsv", table_name="chunks")

    for table in _TABLES:
        for statement in enable_space_rls(table):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(_TABLES):
        for statement in disable_rls(table):
            op.execute(statement)
    op.create_index("ix_chunks_tsv", "chunks", ["tsv"], postgresql_using="gin")
    op.drop_index("ix_chunks_space_tsv", table_name="chunks")
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS chunks_stats_{event} ON chunks")
    op.execute("DROP FUNCTION IF EXISTS obelisk_chunk_stats()")
    op.execute(f"DROP FUNCTION IF EXISTS {_KEYWORD_SIGNATURE}")
    for table in reversed(_TABLES):
        op.drop_table(table)
