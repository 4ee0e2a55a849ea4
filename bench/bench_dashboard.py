"""The dashboard's data at 10,000 runs and 1,000 content items in the space, other spaces' rows beside them.

`make bench-dashboard`. One run, on generated data, in a throwaway embedded PostgreSQL (migrations applied):

  * the measured space: 10,000 agent runs over the last 120 days (statuses and stop reasons mixed), two model
    calls booked per run plus embedding calls outside runs, 1,000 content items in every review state with
    three scored versions each, 300 documents (some with quarantined chunks);
  * the same volumes again in a sibling space of the same organization and in two other organizations' spaces
    (row-level security and the space filters must skip 30,000 other runs, not just an empty table);
  * `backend.dashboard.service.get_dashboard` as the application role (row-level security on), exactly what
    the page and `GET /api/v1/dashboard` call: cold (the dashboard cache off: every panel queried) for the
    default 30-day range, a 7-day and a 120-day range; then cached (the in-process cache on: the aggregates
    come from the cache, the GA4 panel's status is still read). GA4 is not connected here: its reports come
    from Google through the analytics service's own cache, so their latency is Google's, not this code's;
  * the same loads with GA4 connected (a fake Google on 127.0.0.1, the one the tests use) and the space's
    published items linked to their addresses: every load then also reads the connection, the two traffic
    reports and the ranking of the linked items (its database query and its one report). The reports come from
    the analytics service's cache after the warm-up, so what is timed is this code, not Google's latency;
  * the same cold loads without migration 0014's covering indexes (`ix_agent_runs_space_created`, and
    `ix_model_usage_space_created` as 0003 made it), and the plans of the run and usage queries.

Results go to bench/results/dashboard.md and bench/results/dashboard.json and are printed. Medians and p95
come from one run of `--iterations` loads per scenario, after a warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from harness import ROOT, log, migrated_database, percentile, sandbox  # bench/: the script's own directory

_TMP = sandbox(
    "dashboard",
    {"EMBEDDING_PROVIDER": "fake", "CHAT_PROVIDER": "fake"},
    drop=("GOOGLE_OAUTH_CLIENT_ID", "GOOGLE_OAUTH_CLIENT_SECRET"),
)

import psycopg  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

from backend.analytics import service as analytics  # noqa: E402
from backend.core import cache as cache_module  # noqa: E402
from backend.core.config import get_settings  # noqa: E402
from backend.core.db import Database, create_engine, set_database  # noqa: E402
from backend.dashboard import service  # noqa: E402
from backend.tenancy.context import SpaceContext  # noqa: E402
from tests.support.fake_google import FakeGoogle, Grant, build_app, google_env  # noqa: E402
from tests.support.servers import serve_in_thread  # noqa: E402

SEED = 20261203
TARGET_P95_MS = 150.0
AGENTS = ("seo", "email", "brand", "strategy")
STATUS_MIX = (
    ("completed", "completed", 70),
    ("completed", "max_iterations", 8),
    ("completed", "contaminated", 2),
    ("failed", "error", 10),
    ("cancelled", "cancelled", 6),
    ("interrupted", None, 4),
)
STATES = ("draft", "in_review", "approved", "changes_requested", "published")
MODELS = (("vertex", "gemini-2.5-pro", "main"), ("vertex", "gemini-2.5-flash", "fast"))
DAYS = 120


def _space(conn: psycopg.Connection[Any], organization: uuid.UUID, name: str, new_org: bool) -> uuid.UUID:
    if new_org:
        conn.execute("INSERT INTO organizations (id, name) VALUES (%s, %s)", (organization, f"{name} Org"))
    space = uuid.uuid4()
    conn.execute("INSERT INTO spaces (id, organization_id, name) VALUES (%s, %s, %s)", (space, organization, name))
    return space


def load_space(
    conn: psycopg.Connection[Any], rng: random.Random, org: uuid.UUID, space: uuid.UUID, runs: int, items: int
) -> None:
    """One space's runs, usage, content and documents, by COPY as the owner."""
    now = datetime.now(UTC)
    weights = [w for *_, w in STATUS_MIX]
    conversations = [uuid.uuid4() for _ in range(runs // 4)]
    with conn.cursor() as cur:
        with cur.copy(
            "COPY conversations (id, organization_id, space_id, agent, title, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i, conversation in enumerate(conversations):
                copy.write_row((conversation, org, space, AGENTS[i % 4], f"Conversation {i}", now, now))
        run_rows, usage_rows = [], []
        for i in range(runs):
            created = now - timedelta(seconds=rng.uniform(0, (DAYS - 1) * 86400))
            status, reason, _ = rng.choices(STATUS_MIX, weights)[0]
            run = uuid.uuid4()
            agent = AGENTS[rng.randrange(4)]
            error = "The model timed out." if status == "failed" else None
            finished = created + timedelta(seconds=rng.uniform(5, 90))
            # Every run is finished (the one-active-run-per-conversation index allows several finished ones).
            run_rows.append(
                (
                    run,
                    org,
                    space,
                    conversations[i % len(conversations)],
                    agent,
                    status,
                    reason,
                    "Plan the launch",
                    created,
                    created,
                    finished,
                    error,
                )
            )
            for provider, model, role in MODELS:
                usage_rows.append(
                    (
                        uuid.uuid4(),
                        space,
                        org,
                        run,
                        provider,
                        model,
                        role,
                        rng.randint(500, 4000),
                        rng.randint(50, 800),
                        rng.randint(200, 4000),
                        created,
                    )
                )
        for _ in range(runs // 5):  # embeddings outside any run (ingestion, scoring, search)
            usage_rows.append(
                (
                    uuid.uuid4(),
                    space,
                    org,
                    None,
                    "vertex",
                    "gemini-embedding-001",
                    "embedding",
                    rng.randint(100, 2000),
                    0,
                    80,
                    now - timedelta(seconds=rng.uniform(0, (DAYS - 1) * 86400)),
                )
            )
        with cur.copy(
            "COPY agent_runs (id, organization_id, space_id, conversation_id, agent, status, stop_reason, "
            "message, created_at, started_at, finished_at, error) FROM STDIN"
        ) as copy:
            for row in run_rows:
                copy.write_row(row)
        with cur.copy(
            "COPY model_usage (id, space_id, organization_id, run_id, provider, model, role, tokens_in, "
            "tokens_out, latency_ms, created_at) FROM STDIN"
        ) as copy:
            for row in usage_rows:
                copy.write_row(row)
        with cur.copy(
            "COPY content_items (id, organization_id, space_id, title, type, state, current_version, "
            "created_at, updated_at) FROM STDIN"
        ) as item_copy:
            versions = []
            for i in range(items):
                item = uuid.uuid4()
                created = now - timedelta(seconds=rng.uniform(0, (DAYS - 1) * 86400))
                item_copy.write_row((item, org, space, f"Item {i}", "blog_post", STATES[i % 5], 3, created, created))
                for number in (1, 2, 3):
                    at = created + timedelta(hours=number * rng.uniform(1, 48))
                    score = rng.randint(40, 98)
                    versions.append(
                        (
                            uuid.uuid4(),
                            item,
                            org,
                            space,
                            number,
                            f"Body {i}.{number}",
                            f"{i:032x}{number:032x}",
                            Jsonb({"brand_voice": {"score": score}}),
                            score,
                            at,
                        )
                    )
        with cur.copy(
            "COPY content_versions (id, item_id, organization_id, space_id, number, body, content_hash, "
            "scores, voice_score, created_at) FROM STDIN"
        ) as copy:
            for row in versions:
                copy.write_row(row)
        with cur.copy(
            "COPY documents (id, organization_id, space_id, title, filename, kind, status, chunk_count, "
            "quarantined_count, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(300):
                status = "ready" if i % 10 else rng.choice(("failed", "queued", "embedding"))
                copy.write_row(
                    (
                        uuid.uuid4(),
                        org,
                        space,
                        f"Doc {i}",
                        f"doc-{i}.md",
                        "markdown",
                        status,
                        40,
                        1 if i % 25 == 0 else 0,
                        now,
                        now,
                    )
                )


def link_and_connect(owner_url: str, org: uuid.UUID, space: uuid.UUID) -> tuple[FakeGoogle, int]:
    """The space's published items linked to their addresses, its GA4 connected to property 111 (the grant as
    the OAuth callback stores it, sealed under the master key), and that property's traffic on the fake Google:
    30 days of every linked page and a few others. Returns the fake and the number of linked items."""
    now = datetime.now(UTC)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        linked = conn.execute(
            "UPDATE content_items SET published_at = created_at, published_url = "
            "'https://measured.example/blog/' || id::text WHERE space_id = %s AND state = 'published' "
            "RETURNING published_url",
            (space,),
        ).fetchall()
        conn.execute(
            "INSERT INTO ga4_connections (id, organization_id, space_id, refresh_token_encrypted, "
            "access_token_encrypted, access_expires_at, scope, property_id, property_name, status, created_at, "
            "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, '111', 'measured.example', 'connected', %s, %s)",
            (
                uuid.uuid4(),
                org,
                space,
                analytics._seal(space, "refresh", "bench-refresh-token"),
                analytics._seal(space, "access", "bench-access-token"),
                now + timedelta(hours=1),
                "https://www.googleapis.com/auth/analytics.readonly",
                now,
                now,
            ),
        )
    fake = FakeGoogle(accounts={"bench@example.com": [{"name": "Bench", "properties": [{"id": "111", "name": "m"}]}]})
    grant = Grant(account="bench@example.com", refresh_token="bench-refresh-token")
    fake.grants[grant.refresh_token] = grant
    fake.access["bench-access-token"] = grant
    pages = [str(url).removeprefix("https://measured.example") for (url,) in linked] + ["/", "/pricing", "/about"]
    rng = random.Random(SEED)
    for offset in range(1, 31):
        day = (now.date() - timedelta(days=offset)).strftime("%Y%m%d")
        fake.facts.setdefault("111", []).extend(
            {"date": day, "landingPage": page, "sessions": rng.randint(0, 60), "keyEvents": rng.randint(0, 4),
             "engagementRate": round(rng.random(), 2)}
            for page in pages
        )  # fmt: skip
    return fake, len(linked)


async def measure(call: Callable[[], Awaitable[Any]], iterations: int, warmup: int = 5) -> dict[str, float]:
    for _ in range(warmup):
        await call()
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
        "max_ms": max(times),
        "iterations": iterations,
    }


def explain(conn: psycopg.Connection[Any], space: uuid.UUID, start: datetime, end: datetime) -> dict[str, str]:
    """Plans of the run and usage queries (as the owner: the same filters the repository applies)."""
    plans = {}
    statements = {
        "runs by status": "SELECT status, stop_reason, count(*) FROM agent_runs WHERE space_id = %s AND "
        "created_at >= %s AND created_at < %s GROUP BY status, stop_reason",
        "recent runs": "SELECT id, agent, status FROM agent_runs WHERE space_id = %s AND created_at >= %s AND "
        "created_at < %s ORDER BY created_at DESC, id LIMIT 10",
        "usage by agent and model": "SELECT coalesce(r.agent, 'outside runs'), u.provider, u.model, count(*), "
        "sum(u.tokens_in), sum(u.tokens_out) FROM model_usage u LEFT JOIN agent_runs r ON r.id = u.run_id AND "
        "r.space_id = u.space_id WHERE u.space_id = %s AND u.created_at >= %s AND u.created_at < %s GROUP BY 1, 2, 3",
    }
    for name, sql in statements.items():
        rows = conn.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}", (space, start, end))
        plans[name] = "\n".join(r[0] for r in rows.fetchall())
    return plans


def _loader(ctx: SpaceContext, start: date, end: date) -> Callable[[], Awaitable[Any]]:
    return lambda: service.get_dashboard(ctx, start, end)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000, help="runs in each space")
    parser.add_argument("--items", type=int, default=1_000, help="content items in each space")
    parser.add_argument("--iterations", type=int, default=200, help="dashboard loads per scenario")
    args = parser.parse_args()
    wall = time.perf_counter()
    rng = random.Random(SEED)

    log("starting embedded PostgreSQL and applying migrations")
    owner_url = migrated_database(_TMP / "data")
    settings = get_settings()

    log(f"loading 4 spaces x ({args.runs:,} runs, {args.items:,} content items)")
    started = time.perf_counter()
    with psycopg.connect(owner_url, autocommit=False) as conn:
        org = uuid.uuid4()
        target = _space(conn, org, "Measured", new_org=True)
        sibling = _space(conn, org, "Sibling", new_org=False)
        others = [(o, _space(conn, o, f"Other {n}", new_org=True)) for n, o in enumerate((uuid.uuid4(), uuid.uuid4()))]
        for owner_org, space in ((org, target), (org, sibling), *others):
            load_space(conn, rng, owner_org, space, args.runs, args.items)
        conn.commit()
    with psycopg.connect(owner_url, autocommit=True) as conn:
        # The steady state autovacuum leaves behind: statistics, and the visibility map that lets the covering
        # indexes answer without visiting the table.
        conn.execute("VACUUM ANALYZE")
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM agent_runs), (SELECT count(*) FROM model_usage), "
            "(SELECT count(*) FROM content_items), (SELECT count(*) FROM content_versions), "
            "(SELECT count(*) FROM documents), current_setting('server_version')"
        ).fetchone()
    assert counts is not None
    load_s = time.perf_counter() - started

    engine = create_engine(settings.app_database_url(), pool_size=5, max_overflow=2)
    set_database(Database(engine))
    cache_module.set_cache_and_broker(cache_module.MemoryCache(), cache_module.MemoryBroker())
    ctx = SpaceContext(organization_id=org, space_id=target, user_id=uuid.uuid4(), role="viewer", space_name="Measured")
    today = datetime.now(UTC).date()
    ranges: dict[str, tuple[date, date]] = {
        "30 days (default)": (today - timedelta(days=29), today),
        "7 days": (today - timedelta(days=6), today),
        f"{DAYS} days": (today - timedelta(days=DAYS - 1), today),
    }
    sample = await service.get_dashboard(ctx, *ranges[f"{DAYS} days"])
    assert sample.runs.total == args.runs, sample.runs.total
    assert sample.pipeline.total == args.items and sample.documents.total == 300

    results: dict[str, dict[str, float]] = {}
    settings.dashboard_cache_seconds = 0
    for label, (start, end) in ranges.items():
        log(f"cold: {label}")
        results[f"cold, {label}"] = await measure(_loader(ctx, start, end), args.iterations)
    settings.dashboard_cache_seconds = 3600
    for label, (start, end) in ranges.items():
        log(f"cached: {label}")
        results[f"cached, {label}"] = await measure(_loader(ctx, start, end), args.iterations)

    fake, linked = link_and_connect(owner_url, org, target)
    with serve_in_thread(build_app(fake)) as google_url:
        os.environ.update(google_env(google_url))
        get_settings.cache_clear()
        settings = get_settings()
        connected = await service.get_dashboard(ctx, *ranges["30 days (default)"])
        assert connected.ga4.state == "ok", connected.ga4
        ranked = len(connected.ga4.content_ranking)  # the most recent ones whose days fit in one report
        assert connected.ga4.top_landing_pages and 0 < ranked <= linked, (ranked, linked)
        for cache_seconds, kind in ((0, "cold"), (3600, "cached")):
            settings.dashboard_cache_seconds = cache_seconds
            for label in ("30 days (default)", f"{DAYS} days"):
                log(f"GA4 connected, {kind}: {label}")
                start, end = ranges[label]
                results[f"GA4 connected, {kind}, {label}"] = await measure(_loader(ctx, start, end), args.iterations)
        google_calls = len(fake.report_calls)
    with psycopg.connect(owner_url, autocommit=True) as conn:  # the runs without the indexes compare with GA4 off
        conn.execute("DELETE FROM ga4_connections")

    window = (
        datetime.combine(ranges["30 days (default)"][0], datetime.min.time(), tzinfo=UTC),
        datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=UTC),
    )
    with psycopg.connect(owner_url, autocommit=True) as conn:
        plans_with = explain(conn, target, *window)
        conn.execute("DROP INDEX ix_agent_runs_space_created")
        conn.execute("DROP INDEX ix_model_usage_space_created")
        conn.execute("CREATE INDEX ix_model_usage_space_created ON model_usage (space_id, created_at)")
        conn.execute("VACUUM ANALYZE agent_runs, model_usage")
        plans_without = explain(conn, target, *window)
    settings.dashboard_cache_seconds = 0
    without: dict[str, dict[str, float]] = {}
    for label in ("30 days (default)", f"{DAYS} days"):
        log(f"cold: {label} without the covering indexes")
        start, end = ranges[label]
        without[label] = await measure(_loader(ctx, start, end), args.iterations)
    await engine.dispose()

    cold_default = results["cold, 30 days (default)"]
    worst_cold = max(v["p95_ms"] for k, v in results.items() if k.startswith("cold"))
    worst = max(v["p95_ms"] for v in results.values())
    payload = {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "postgres": counts[5]},
        "data": {
            "runs_per_space": args.runs,
            "content_items_per_space": args.items,
            "spaces": 4,
            "rows": {
                "agent_runs": counts[0],
                "model_usage": counts[1],
                "content_items": counts[2],
                "content_versions": counts[3],
                "documents": counts[4],
            },
            "load_seconds": round(load_s, 1),
        },
        "target_p95_ms": TARGET_P95_MS,
        "ga4": {"linked_items": linked, "ranked_items": ranked, "google_report_calls": google_calls},
        "scenarios": {k: {m: round(v, 2) for m, v in r.items()} for k, r in results.items()},
        "cold_without_covering_indexes": {k: {m: round(v, 2) for m, v in r.items()} for k, r in without.items()},
        "met": worst < TARGET_P95_MS,
    }
    lines = [
        "# Dashboard benchmark",
        "",
        f"Run {payload['run_at']} by `make bench-dashboard` (bench/bench_dashboard.py), {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, embedded PostgreSQL {counts[5]} over a unix socket.",
        "",
        f"- Data: 4 spaces (the measured one, a sibling space of the same organization, two other organizations' "
        f"spaces), each with {args.runs:,} finished agent runs over {DAYS} days, {args.runs * 2 + args.runs // 5:,} "
        f"model-usage rows, {args.items:,} content items with 3 scored versions each, 300 documents. Totals: "
        f"{counts[0]:,} runs, {counts[1]:,} usage rows, {counts[2]:,} items, {counts[3]:,} versions. Loaded by COPY "
        f"in {load_s:.1f} s, then VACUUM ANALYZE (the state autovacuum keeps).",
        "- Measured: `backend.dashboard.service.get_dashboard(ctx, start, end)` as the application role (row-level "
        "security on), a viewer of the measured space: the data the Dashboard page and `GET /api/v1/dashboard` "
        "serve. Cold: the dashboard cache off, every panel queried. Cached: the in-process cache on; the GA4 "
        "panel is read on every load (it is never cached by the dashboard). First without GA4 (its status is "
        f"still read), then with GA4 connected and the space's {linked} published items linked to their "
        f"addresses ({ranked} ranked: the most recently published whose days fit in one report): each load "
        "also reads the connection, the traffic by day, the top landing pages and the ranking of the linked "
        "items (its query, and its one filtered report or the ranking kept beside it); the reports come from the "
        f"analytics service's cache after the warm-up ({google_calls} calls reached the fake Google in all), so "
        "the figures are this code's, not Google's latency.",
        f"- {args.iterations} loads per scenario after 5 warm-up loads, one after another, in one run; "
        "median and p95 of that run.",
        "",
        "| scenario | median ms | p95 ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['max_ms']:.1f} |")
    for label, r in without.items():
        lines.append(
            f"| cold, {label}, without 0014's covering indexes | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | "
            f"{r['max_ms']:.1f} |"
        )
    lines += [
        "",
        f"Target: p95 under {TARGET_P95_MS:.0f} ms with {args.runs:,} runs and {args.items:,} content items in the "
        f"space: **{'met' if payload['met'] else 'NOT met'}** (worst p95 {worst:.1f} ms; cold worst {worst_cold:.1f} "
        f"ms; cold default range p95 {cold_default['p95_ms']:.1f} ms).",
        "",
        "## Plans of the run and usage queries (30-day range)",
        "",
        "With `ix_agent_runs_space_created` (migration 0014_dashboard, covering):",
        "",
        *[f"{name}:\n\n```\n{plan}\n```\n" for name, plan in plans_with.items()],
        "Without 0014's indexes:",
        "",
        *[f"{name}:\n\n```\n{plan}\n```\n" for name, plan in plans_without.items()],
        f"Wall time of the benchmark: {time.perf_counter() - wall:.0f} s.",
        "",
    ]
    report = "\n".join(lines)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "dashboard.md").write_text(report)
    (out / "dashboard.json").write_text(
        json.dumps({**payload, "plans": {"with_index": plans_with, "without_index": plans_without}}, indent=2) + "\n"
    )
    print(report)


if __name__ == "__main__":
    asyncio.run(main())
