"""Runs: persisting and delivering run events, replay, and the run machinery's cost before the first token.

`make bench-runs`. One run of each scenario on a throwaway embedded PostgreSQL (migrations applied) and the
local Redis (BENCH_REDIS_URL, default database 15, in its own namespace). Two processes, as deployed:
  * this process is the worker: it produces events through the executor's own pipeline (the process's
    event writer: every run's pending events in one transaction per window, then Redis), and it holds the
    clients;
  * a second process serves the API (`uvicorn backend.api.app:create_api`): the clients follow runs over
    `WS /api/v1/ws`, which authenticates, replays from PostgreSQL and relays Redis messages.
Delivery latency is measured per token: from the moment the producer hands the token to the writer to
the moment a WebSocket client has the frame that carries it (both in this process, one clock), so it
includes the writer's 20 ms window, the database write, Redis and the server's relay.

Scenarios: (1) one run, 2,000 events produced back to back; (2) 50 concurrent runs streaming 20 tokens/s
each for 15 s, one WebSocket client per run; (3) replay of a finished 10,000-event run over the WebSocket
and in-process; (4) the overhead before the first token on the real path (`first_token`): the start request
to a third process (the API with its lifespan and in-app job worker), the job queue, the agent graph with
the hybrid search over 100,000 chunks (BENCH_RUNS_CHUNKS), the OpenAI-compatible provider against a local fake
server (`openai_fake.py`) that waits a fixed delay before the first token of every call, and the first token
at a WebSocket client; with its breakdown. Results: bench/results/runs.{md,json}.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_TMP = Path(tempfile.mkdtemp(prefix="obelisk-bench-runs-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
os.environ["DATA_DIR"] = str(_TMP / "data")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.update({"CHAT_PROVIDER": "fake", "EMBEDDING_PROVIDER": "fake", "RUN_WORKER_IN_APP": "false"})
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ["CACHE_NAMESPACE"] = f"bench-runs-{uuid.uuid4().hex[:8]}"

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
import orjson  # noqa: E402
from app_process import Server, free_port, pct  # noqa: E402
from openai_fake import Call, FakeOpenAIChat  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

from backend.agents import service as agents  # noqa: E402
from backend.agents.schemas import ConversationCreate  # noqa: E402
from backend.cli import run_migrations  # noqa: E402
from backend.core.config import get_settings  # noqa: E402
from backend.core.db import Database, TenantScope, create_engine, set_database  # noqa: E402
from backend.core.embedded_pg import embedded_url  # noqa: E402
from backend.runs import executor, fanout, service, tasks  # noqa: E402
from backend.runs.coalesce import WINDOW_SECONDS, get_event_writer  # noqa: E402
from backend.tenancy import accounts  # noqa: E402
from backend.tenancy.access import authenticate, resolve_space_context  # noqa: E402
from backend.tenancy.context import SpaceContext  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SINGLE_EVENTS = 2000
CONCURRENT_RUNS, TOKENS_PER_SECOND, STREAM_SECONDS = 50, 20, 15
REPLAY_EVENTS = 10_000
FIRST_TOKEN_ROUNDS = int(os.environ.get("BENCH_RUNS_FIRST_TOKEN_ROUNDS", "20"))
FIRST_TOKEN_WARMUP, MODEL_DELAY = 3, 0.3
FIRST_TOKEN_CHUNKS = int(os.environ.get("BENCH_RUNS_CHUNKS", "100000"))
BREAKDOWN = [
    ("ttft", "request → first token at the client"),
    ("overhead", "the same minus the writing call's own first-token delay (the issue's overhead)"),
    ("model_time_before_writing", "of which model calls before the writing call (at the fake server)"),
    ("platform_only", "**platform alone** (no model call in progress)"),
    ("accepted", "`POST` answered (202)"),
    ("stored", "run stored (its `queued` event)"),
    ("queue_pickup", "queue pick-up: `queued` → `running` (deferred, taken by the worker, claimed)"),
    ("before_retrieval", "`running` → retrieval starts (member context, conversation, checkpointer)"),
    ("retrieval", "retrieval step (query rewrite call beside the hybrid search)"),
    ("retrieval_model", "of which the rewrite call at the fake server"),
    ("think", "retrieval done → decision done (`think`)"),
    ("think_model", "of which the decision call at the fake server"),
    ("to_writing_call", "decision answered → the writing call reaches the model (both at the fake server; "
     "negative: the writing call started beside the decision)"),
    ("decision_after_first_token", "the decision call still running after the writing call's first token"),
    ("model_ttft_of_writing_call", "the writing call's own first-token delay"),
    ("first_token_stored_after_model", "model sent its first token → token event stored"),
    ("delivery", "model sent its first token → client has it (provider, event writer, PostgreSQL, Redis, WebSocket)"),
]
FIRST_TOKEN_ANSWER = "Lumen CRM suits independent retailers: set-up takes a day and plans start at 19 EUR [S1]. " * 3


async def _executed_here(scope: TenantScope, run_id: uuid.UUID) -> None:
    """This process executes (or produces) every run itself: nothing goes to the job queue."""


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[bench-runs] {message}", flush=True)


class Tenant:
    def __init__(self, token: str, ctx: SpaceContext) -> None:
        self.token, self.ctx = token, ctx


async def new_tenant(name: str) -> Tenant:
    body = await accounts.sign_up(
        email=f"{name}@example.com", password=f"{name}-correct-horse", name=name, organization_name=name
    )
    token, space = body.access_token, str(body.space_id)
    return Tenant(token, await resolve_space_context(await authenticate(token), space))


async def open_socket(server: Server, tenant: Tenant) -> ClientConnection:
    socket = await connect(server.url.replace("http://", "ws://") + "/api/v1/ws", max_size=None)
    await socket.send(json.dumps({"type": "auth", "token": tenant.token, "space_id": str(tenant.ctx.space_id)}))
    assert json.loads(await socket.recv())["type"] == "ready"
    return socket


async def new_run(tenant: Tenant) -> uuid.UUID:
    conversation = await agents.create_conversation(tenant.ctx, ConversationCreate(agent="seo"))  # type: ignore[arg-type]
    run = await service.start_run(tenant.ctx, conversation.id, "Benchmark")
    return run.id


class Receiver:
    """One WebSocket client following one run: when each token text arrived, and how many events."""

    def __init__(self, socket: ClientConnection, run_id: uuid.UUID) -> None:
        self.socket, self.run_id = socket, str(run_id)
        self.arrivals: dict[str, float] = {}
        self.events = 0
        self.first_token: float | None = None
        self.first_token_wall: float | None = None
        """`time.time()` of the first token (comparable with other processes' timestamps)."""
        self.done = asyncio.Event()

    async def follow(self, after: int = 0, batch: bool = False) -> None:
        request = {"type": "subscribe", "run_id": self.run_id, "after": after, "batch": batch}
        await self.socket.send(json.dumps(request))
        async for raw in self.socket:
            now = time.perf_counter()
            frame = orjson.loads(raw)
            for event in frame["events"] if frame["type"] == "events" else [frame]:
                if "sequence" not in event:
                    continue
                self.events += 1
                if event["type"] == "token":
                    if self.first_token is None:
                        self.first_token, self.first_token_wall = now, time.time()
                    for word in event["payload"]["text"].split():
                        self.arrivals[word] = now
                if event["type"] == "complete":
                    self.done.set()
                    return


async def produce(scope: TenantScope, run_id: uuid.UUID, tokens: int, rate: float | None,
                  produced: dict[str, float]) -> int:  # fmt: skip
    """Stream `tokens` tokens (at `rate` per second, or back to back as steps) through the executor's
    pipeline (the process's event writer), then finish the run; how many events were persisted."""
    writer = executor.RunWriter(scope, run_id, attempt=0)
    stream = writer.stream
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(tokens):
        word = f"r{run_id.hex[:6]}t{i}"
        if rate:
            await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
        produced[word] = time.perf_counter()
        if rate:
            stream.add("token", {"text": word + " "})
        else:
            stream.add("step", {"name": "bench", "status": "done", "i": i})
            if i % 100 == 99:
                await asyncio.sleep(0)  # a graph yields to the loop now and then
    await stream.drain()
    complete = {"stop_reason": "completed", "message": "done", "citations": [], "unsupported_claims": []}
    await writer.finish([("complete", complete)], status="completed", stop_reason="completed", error=None)
    return stream.added + 1


def latencies(produced: dict[str, float], receivers: list[Receiver]) -> list[float]:
    out = []
    for receiver in receivers:
        for word, arrived in receiver.arrivals.items():
            if word in produced:
                out.append((arrived - produced[word]) * 1000)
    return out


async def single_run(server: Server, tenant: Tenant) -> dict[str, Any]:
    run_id = await new_run(tenant)
    receiver = Receiver(await open_socket(server, tenant), run_id)
    following = asyncio.create_task(receiver.follow())
    await asyncio.sleep(0.2)  # subscribed before production starts (the replay would deliver it anyway)
    produced: dict[str, float] = {}
    started = time.perf_counter()
    stored = await produce(tenant.ctx.scope, run_id, SINGLE_EVENTS, None, produced)
    persisted = time.perf_counter() - started
    await following
    delivered = time.perf_counter() - started
    await receiver.socket.close()
    # One append = one transaction (allocate sequences, insert, commit) + one publish: its latency bounds
    # how many batches a run, and the whole worker, can write per second.
    solo = await new_run(tenant)
    writer = executor.RunWriter(tenant.ctx.scope, solo)
    appends = []
    for i in range(50):
        begun = time.perf_counter()
        await writer.append([("step", {"name": "bench", "status": "done", "i": i})])
        appends.append((time.perf_counter() - begun) * 1000)
    return {
        "append_ms": {"p50": statistics.median(appends), "p95": pct(appends, 0.95)},
        "events": stored,
        "persisted_per_s": stored / persisted,
        "delivered_per_s": receiver.events / delivered,
        "seconds": delivered,
    }


async def concurrent_runs(server: Server, tenant: Tenant) -> dict[str, Any]:
    runs = [await new_run(tenant) for _ in range(CONCURRENT_RUNS)]
    receivers = [Receiver(await open_socket(server, tenant), run_id) for run_id in runs]
    following = [asyncio.create_task(r.follow()) for r in receivers]
    await asyncio.sleep(0.5)
    produced: dict[str, float] = {}
    tokens = TOKENS_PER_SECOND * STREAM_SECONDS
    cpu_worker, cpu_api = cpu_seconds(), cpu_seconds(server.process.pid)
    transactions = get_event_writer().transactions
    started = time.perf_counter()
    stored = await asyncio.gather(
        *(produce(tenant.ctx.scope, run_id, tokens, TOKENS_PER_SECOND, produced) for run_id in runs)
    )
    await asyncio.gather(*following)
    elapsed = time.perf_counter() - started
    cpu_worker, cpu_api = cpu_seconds() - cpu_worker, cpu_seconds(server.process.pid) - cpu_api
    lat = latencies(produced, receivers)
    for r in receivers:
        await r.socket.close()
    return {
        "window_ms": WINDOW_SECONDS * 1000,
        "transactions_per_s": (get_event_writer().transactions - transactions) / elapsed,
        "runs": CONCURRENT_RUNS,
        "tokens": tokens * CONCURRENT_RUNS,
        "tokens_received": len(lat),
        "events_persisted": sum(stored),
        "events_persisted_per_s": sum(stored) / elapsed,
        "events_delivered_per_s": sum(r.events for r in receivers) / elapsed,
        "latency_ms": {"p50": pct(lat, 0.5), "p95": pct(lat, 0.95), "p99": pct(lat, 0.99), "max": max(lat)},
        "seconds": elapsed,
        "cpu_share": {"worker_and_clients": cpu_worker / elapsed, "api": cpu_api / elapsed},
    }


async def replay(server: Server, tenant: Tenant) -> dict[str, Any]:
    run_id = await new_run(tenant)
    await produce(tenant.ctx.scope, run_id, REPLAY_EVENTS - 2, None, {})  # + the queued status + complete
    total = (await service.get_run(tenant.ctx, run_id)).last_sequence
    over_ws = {}
    for batch in (False, True):
        socket = await open_socket(server, tenant)
        receiver = Receiver(socket, run_id)
        started = time.perf_counter()
        await receiver.follow(batch=batch)
        over_ws[batch] = time.perf_counter() - started
        await socket.close()
        assert receiver.events == total, (receiver.events, total)
    started = time.perf_counter()
    count = 0
    async for _ in fanout.follow(tenant.ctx.scope, run_id, 0):
        count += 1
    in_process = time.perf_counter() - started
    assert count == total, (count, total)
    return {"events": total, "websocket_ms": over_ws[False] * 1000, "websocket_batch_ms": over_ws[True] * 1000,
            "in_process_ms": in_process * 1000}  # fmt: skip


async def load_corpus(tenant: Tenant, chunks: int) -> dict[str, Any]:
    """`chunks` generated marketing chunks (`retrieval_corpus`) with their vectors (this process's embedder, the
    one the app embeds queries with), by COPY as the owner into the tenant's space, tagged for the SEO agent's
    collection so its filtered search covers all of them. Each chunk carries a clean verdict of this process's
    detector, as ingestion stores it (the generated marketing text passes the detector: none of 1,500 sampled
    chunks was flagged), so the agents trust it as they trust an ingested library's."""
    import psycopg
    from pgvector.psycopg import register_vector
    from retrieval_corpus import copy_space, corpus, sections

    from backend.models.registry import get_embedder
    from backend.safety.contamination import DETECTOR_VERSION

    started = time.perf_counter()
    documents, catalogue = corpus(chunks)
    embedder = get_embedder()
    texts = [f"{d.title} > {s.heading}\n{s.content}" for d, _, s in sections(documents)]
    vectors = np.asarray(await embedder.embed_documents(texts), dtype=np.float32)
    embedded = time.perf_counter() - started
    scope = tenant.ctx.scope
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        register_vector(conn)
        model = embedder.model_id
        tags = ("seo_guidelines",)
        copy_space(conn, scope.organization_id, scope.space_id, documents, vectors, model, tags, DETECTOR_VERSION)
        conn.execute("VACUUM ANALYZE chunks")
        conn.execute("VACUUM ANALYZE documents")
        conn.execute("ANALYZE chunk_terms")
        count = conn.execute("SELECT count(*) FROM chunks WHERE space_id = %s", (scope.space_id,)).fetchone()
    loaded = time.perf_counter() - started
    log(f"corpus: {count[0] if count else 0:,} chunks, embedded in {embedded:.0f} s, loaded in {loaded:.0f} s")
    return {"chunks": count[0] if count else 0, "documents": len(documents), "embedder": embedder.model_id,
            "catalogue": catalogue}  # fmt: skip


def _union(intervals: list[tuple[float, float]], start: float, end: float) -> float:
    """Seconds of [start, end] covered by at least one interval."""
    covered, last = 0.0, start
    for a, b in sorted((max(a, start), min(b, end)) for a, b in intervals):
        if b > max(a, last):
            covered += b - max(a, last)
            last = b
    return covered


def _epoch(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def _round_figures(t0: float, accepted: float, client_first: float, events: list[dict[str, Any]],
                   calls: list[Call]) -> dict[str, Any]:  # fmt: skip
    """One run's first-token figures (ms): the total, the model's share and where the rest went."""

    def at(kind: str, **match: Any) -> float:
        for event in events:
            if event["type"] == kind and all(event["payload"].get(k) == v for k, v in match.items()):
                return _epoch(event["created_at"])
        raise LookupError(f"no {kind} event {match}")

    writing = next(c for c in calls if c.kind == "text")
    # The calls in progress before the first token: with the speculative write the decision call runs beside
    # the writing call and may reach the server after it.
    before = [c for c in calls if c is not writing and c.arrived < writing.first_token]
    model_ttft = writing.first_token - writing.arrived
    busy = _union([(c.arrived, c.ended) for c in before] + [(writing.arrived, writing.first_token)], t0, client_first)
    queued, running = at("status", status="queued"), at("status", status="running")
    retrieve_started = at("step", name="retrieve", status="started")
    retrieve_done = at("step", name="retrieve", status="done")
    think_done = at("step", name="think", status="done")
    first_stored = at("token")
    ms = 1000.0
    return {
        "ttft": (client_first - t0) * ms,
        "model_ttft_of_writing_call": model_ttft * ms,
        "overhead": (client_first - t0 - model_ttft) * ms,
        "model_calls_before_writing": [c.kind for c in before],
        "model_time_before_writing": (busy - model_ttft) * ms,
        "platform_only": (client_first - t0 - busy) * ms,
        "accepted": (accepted - t0) * ms,
        "stored": (queued - t0) * ms,
        "queue_pickup": (running - queued) * ms,
        "before_retrieval": (retrieve_started - running) * ms,
        "retrieval": (retrieve_done - retrieve_started) * ms,
        "retrieval_model": sum(c.ended - c.arrived for c in before if c.kind == "rewrite") * ms,
        "think": (think_done - retrieve_done) * ms,
        "think_model": sum(c.ended - c.arrived for c in before if c.kind == "decision") * ms,
        "to_writing_call": (writing.arrived - max((c.ended for c in before), default=think_done)) * ms,
        "decision_after_first_token": max(
            (0.0, *((c.ended - writing.first_token) for c in before if c.kind == "decision"))
        ) * ms,
        "delivery": (client_first - writing.first_token) * ms,
        "first_token_stored_after_model": (first_stored - writing.first_token) * ms,
    }


async def direct_ttft(base_url: str, rounds: int) -> list[float]:
    """The writing model's time to first token called directly through the same provider (no run)."""
    from backend.models.chat_openai import build_openai_chat

    settings = get_settings().model_copy(update={"openai_base_url": base_url, "openai_chat_model": "bench-main"})
    llm = build_openai_chat("main", settings)
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        async for chunk in llm.astream("How did Acme grow?"):
            if chunk.content:
                out.append((time.perf_counter() - started) * 1000)
                break
    return out


async def search_alone(tenant: Tenant, questions: list[str]) -> list[float]:
    """The space's hybrid search alone (no query rewrite), in this process, on the same corpus."""
    from backend.retrieval.retriever import ParallelRetriever

    retriever = ParallelRetriever(tenant.ctx)
    out = []
    for question in questions:
        started = time.perf_counter()
        await retriever.retrieve(question, tags=("seo_guidelines",), top_k=5, enhance=False)
        out.append((time.perf_counter() - started) * 1000)
    return out


async def first_token(server: Server, tenant: Tenant) -> dict[str, Any]:
    """Request → first token at a WebSocket client, on the real path: `POST /conversations/{id}/runs` to an app
    process with its in-app job worker; the job queue; the agent graph with the space's hybrid search over
    FIRST_TOKEN_CHUNKS chunks (query rewrite on, as with any remote fast model); the OpenAI-compatible provider
    against a local fake server whose every call waits MODEL_DELAY before its first token."""
    from retrieval_corpus import queries

    corpus_info = await load_corpus(tenant, FIRST_TOKEN_CHUNKS)
    wanted = FIRST_TOKEN_ROUNDS + FIRST_TOKEN_WARMUP * max(1, 2 * COMPARE_BLOCKS) + 20
    questions = [q.text for q in queries(corpus_info.pop("catalogue"), wanted)]
    search_ms = await search_alone(tenant, questions[-20:])
    fake = FakeOpenAIChat(delay=MODEL_DELAY, answer=FIRST_TOKEN_ANSWER)
    with fake.serve() as base_url:
        direct = await direct_ttft(base_url, 10)
        if COMPARE_BLOCKS:
            return await _compare(tenant, fake, base_url, questions, corpus_info, direct, search_ms)
        rounds = await _first_token_rounds(tenant, fake, base_url, questions, FIRST_TOKEN_ROUNDS, {})
    return _first_token_stats(rounds, corpus_info, direct, search_ms)


async def _first_token_rounds(tenant: Tenant, fake: FakeOpenAIChat, base_url: str, questions: list[str],
                              count: int, extra_env: dict[str, str]) -> list[dict[str, Any]]:  # fmt: skip
    """`count` runs (after FIRST_TOKEN_WARMUP not counted) through a new app process started with `extra_env`
    (`BENCH_ROOT` in it: the app runs from that checkout of the project instead of this one)."""
    extra_env = dict(extra_env)
    root = Path(extra_env.pop("BENCH_ROOT", ROOT))
    env = {"RUN_WORKER_IN_APP": "true", "CHAT_PROVIDER": "openai_compatible", "OPENAI_BASE_URL": base_url,
           "OPENAI_CHAT_MODEL": "bench-main", "OPENAI_FAST_MODEL": "bench-fast",
           "WARM_MODELS_ON_START": "false", **extra_env}  # fmt: skip
    app = Server(free_port(), "runs_app:create", env, root=root)
    rounds: list[dict[str, Any]] = []
    try:
        await app.ready()
        headers = {"Authorization": f"Bearer {tenant.token}", "X-Space-Id": str(tenant.ctx.space_id)}
        async with httpx.AsyncClient(base_url=app.url, timeout=60, headers=headers) as http:
            for index, question in enumerate(questions[: count + FIRST_TOKEN_WARMUP]):
                made = await http.post("/api/v1/conversations", json={"agent": "seo"})
                conversation = made.json()["id"]
                socket = await open_socket(app, tenant)
                t0 = time.time()
                started = await http.post(f"/api/v1/conversations/{conversation}/runs", json={"message": question})
                accepted = time.time()
                assert started.status_code == 202, started.text
                run_id = started.json()["run_id"]
                receiver = Receiver(socket, uuid.UUID(run_id))
                await receiver.follow()
                await socket.close()
                events = (await http.get(f"/api/v1/runs/{run_id}/events")).json()
                assert receiver.first_token_wall is not None
                if index < FIRST_TOKEN_WARMUP:
                    continue  # the app process's first runs (connections, imports) are not counted
                calls = fake.calls_between(t0, time.time())
                rounds.append(_round_figures(t0, accepted, receiver.first_token_wall, events, calls))
    finally:
        app.stop()
    return rounds


COMPARE_BLOCKS = int(os.environ.get("BENCH_RUNS_COMPARE", "0"))
"""With N > 0 the first-token scenario alternates N blocks of FIRST_TOKEN_ROUNDS // N runs without and with
the speculative write and the pooled checkpoint connections (each block a new app process), at the same moment."""
_BEFORE_ROOT = os.environ.get("BENCH_RUNS_BEFORE_ROOT")
"""A checkout of the previous version: the "before" app runs from it (else: this version, its new parts off)."""
VARIANTS = {
    "before": {"BENCH_ROOT": _BEFORE_ROOT, "PYTHONDONTWRITEBYTECODE": "1"} if _BEFORE_ROOT
    else {"AGENT_SPECULATIVE_WRITE": "false", "CHECKPOINT_POOL_SIZE": "0"},
    "after": {"AGENT_SPECULATIVE_WRITE": "true", "CHECKPOINT_POOL_SIZE": "4"},
    # More variants of this version, each its app's environment, e.g. '{"no_early": {"RUN_EARLY_SEARCH": "false"}}'.
    **json.loads(os.environ.get("BENCH_RUNS_MORE_VARIANTS", "{}")),
}  # fmt: skip


async def _compare(tenant: Tenant, fake: FakeOpenAIChat, base_url: str, questions: list[str],
                   corpus_info: dict[str, Any], direct: list[float],
                   search_ms: list[float]) -> dict[str, Any]:  # fmt: skip
    per_block = max(1, FIRST_TOKEN_ROUNDS // COMPARE_BLOCKS)
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in VARIANTS}
    loads: list[float] = []
    used = 0
    for block in range(COMPARE_BLOCKS):
        order = list(VARIANTS) if block % 2 == 0 else list(reversed(list(VARIANTS)))
        for name in order:
            loads.append(os.getloadavg()[0])
            chunk = [questions[(used + i) % len(questions)] for i in range(per_block + FIRST_TOKEN_WARMUP)]
            used += len(chunk)
            rounds[name] += await _first_token_rounds(tenant, fake, base_url, chunk, per_block, VARIANTS[name])
            log(f"block {block + 1} {name}: {len(rounds[name])} rounds, load {loads[-1]:.1f}")
    loads.append(os.getloadavg()[0])
    return {
        "compare": {name: _first_token_stats(r, corpus_info, direct, search_ms) for name, r in rounds.items()},
        "variants": VARIANTS,
        "blocks": COMPARE_BLOCKS,
        "load_1min": {"min": min(loads), "max": max(loads), "each_block": loads},
    }


def _first_token_stats(rounds: list[dict[str, Any]], corpus_info: dict[str, Any], direct: list[float],
                       search_ms: list[float]) -> dict[str, Any]:  # fmt: skip
    def stats(key: str) -> dict[str, float]:
        values = [r[key] for r in rounds]
        return {"p50": statistics.median(values), "p95": pct(values, 0.95)}

    keys = [k for k in rounds[0] if k != "model_calls_before_writing"]
    return {
        "rounds": len(rounds),
        "model_delay_ms": MODEL_DELAY * 1000,
        "corpus": corpus_info,
        "model_calls_before_writing": rounds[0]["model_calls_before_writing"],
        "direct_ttft_ms": {"p50": statistics.median(direct), "p95": pct(direct, 0.95)},
        "search_alone_ms": {"p50": statistics.median(search_ms), "p95": pct(search_ms, 0.95)},
        "ms": {key: stats(key) for key in keys},
    }


def write(results: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "runs.json").write_text(json.dumps(results, indent=2) + "\n")
    one, many, rep, ft = results["single_run"], results["concurrent"], results["replay"], results["first_token"]
    lat, m = many["latency_ms"], ft["ms"]
    calls = ", ".join(ft["model_calls_before_writing"]) or "none"
    lines = [
        "# Runs: events persisted and delivered, replay, first-token overhead",
        "",
        f"`make bench-runs`, {results['date']}, {results['machine']}. One run of each scenario (no repeats) on",
        f"a machine shared with other work: {results['load']}; with 2 cores, a load above 2 means every",
        "process waits for a core, so latencies here are upper bounds of what an idle machine gives.",
        "Scenarios 1-3: worker and clients in one process, the API (WebSocket) in another; embedded PostgreSQL and",
        "the local Redis. Latency is per token, from the producer handing it to the run's event stream to a WebSocket",
        f"client holding the frame (includes the event writer's {many['window_ms']:.0f} ms window).",
        "",
        "| scenario | figure |",
        "|---|---|",
        f"| one run, {one['events']:,} events back to back | {one['persisted_per_s']:,.0f} events/s persisted, "
        f"{one['delivered_per_s']:,.0f} events/s delivered to 1 client |",
        f"| {many['runs']} runs × {TOKENS_PER_SECOND} tokens/s for {STREAM_SECONDS} s ({many['tokens']:,} tokens) | "
        f"{many['events_persisted_per_s']:,.0f} events/s persisted in {many['transactions_per_s']:.0f} "
        f"transactions/s, {many['events_delivered_per_s']:,.0f} events/s delivered; {many['tokens_received']:,} "
        f"tokens received in {many['seconds']:.0f} s; CPU used: worker and clients "
        f"{many['cpu_share']['worker_and_clients']:.2f} cores, API {many['cpu_share']['api']:.2f} cores |",
        f"| delivery latency at {many['runs']} runs (target p95 < 50 ms) | p50 {lat['p50']:.1f} ms, "
        f"**p95 {lat['p95']:.1f} ms**, p99 {lat['p99']:.1f} ms, max {lat['max']:.1f} ms |",
        f"| one append through the event writer (one transaction + publish), 50 in a row | p50 "
        f"{one['append_ms']['p50']:.1f} ms, p95 {one['append_ms']['p95']:.1f} ms |",
        f"| replay of a finished {rep['events']:,}-event run (target < 300 ms) | over the WebSocket in batch "
        f"frames (`\"batch\": true`) **{rep['websocket_batch_ms']:.0f} ms**, one frame per event "
        f"{rep['websocket_ms']:.0f} ms; `fanout.follow` in-process {rep['in_process_ms']:.0f} ms |",
        f"| overhead before the first token, {ft['rounds']} runs over {ft['corpus']['chunks']:,} chunks, model delay "
        f"{ft['model_delay_ms']:.0f} ms per call (target p95 < 150 ms) | request → first token at the client "
        f"p50 {m['ttft']['p50']:.0f} ms, p95 {m['ttft']['p95']:.0f} ms; minus the writing call's own first-token "
        f"delay: p50 {m['overhead']['p50']:.0f} ms, p95 {m['overhead']['p95']:.0f} ms, of which "
        f"{len(ft['model_calls_before_writing'])} model calls before writing ({calls}) p50 "
        f"{m['model_time_before_writing']['p50']:.0f} ms; **platform alone p50 {m['platform_only']['p50']:.0f} ms, "
        f"p95 {m['platform_only']['p95']:.0f} ms** |",
        "",
        "## Before the first token, on the real path",
        "",
        "`POST /api/v1/conversations/{id}/runs` to an app process serving the API with the platform's lifespan",
        "and its in-app job worker (`RUN_WORKER_IN_APP=true`, as `make run`); the run deferred to the durable job",
        "queue (procrastinate on PostgreSQL) and picked up by that worker; the SEO agent's graph with the space's",
        f"hybrid search (HNSW + full text) over {ft['corpus']['chunks']:,} chunks of generated marketing documents",
        f"(vectors of `{ft['corpus']['embedder']}`, the query embedded the same way); the OpenAI-compatible chat",
        "provider (`CHAT_PROVIDER=openai_compatible`) against a local fake server speaking the Chat Completions",
        "protocol (`bench/openai_fake.py`: SSE chunks, `[DONE]`), which waits",
        f"{ft['model_delay_ms']:.0f} ms before the first token of **every** call; the first token through the",
        "event writer, PostgreSQL, Redis and the WebSocket of the same process to this client.",
        f"{ft['rounds']} runs (after {FIRST_TOKEN_WARMUP} not counted), one at a time, each in a new conversation",
        "with a new question.",
        "",
        f"The graph calls the model {len(ft['model_calls_before_writing'])} times before the call that writes: "
        f"{calls}. The query rewrite (on by default with a remote fast model) runs beside the search and the "
        "search waits for it; the decision (`think`) is a structured call of the fast model. With a fixed delay per "
        "call, these calls cost at least 2 × the delay before the writing call starts. So two figures: the issue's "
        "*overhead* (first token at the client minus the writing call's own first-token delay) includes those "
        "calls; *platform alone* is the time during which no model call was in progress at the fake server (the "
        "union of the calls' intervals taken out), which is what the platform itself adds.",
        "",
        "| what | ms, p50 / p95 |",
        "|---|---|",
        *(f"| {label} | {m[key]['p50']:.0f} / {m[key]['p95']:.0f} |" for key, label in BREAKDOWN),
        f"| writing model called directly through the provider (no run), to its first token | "
        f"{ft['direct_ttft_ms']['p50']:.0f} / {ft['direct_ttft_ms']['p95']:.0f} |",
        f"| the space's hybrid search alone (no rewrite), in the bench process | "
        f"{ft['search_alone_ms']['p50']:.0f} / {ft['search_alone_ms']['p95']:.0f} |",
        "",
        "Step times come from the run's own events (`created_at`, stamped when the event writer stores them: up to",
        f"its {WINDOW_SECONDS * 1000:.0f} ms window after the step happened), model times from the fake server's",
        "clock, the client's from this process: one machine, one wall clock. Percentiles are per row (the rows of",
        "one percentile do not add up to its total).",
        "",
    ]
    (RESULTS / "runs.md").write_text("\n".join(lines))


async def main() -> None:
    log("starting embedded PostgreSQL and applying migrations")
    owner_url = embedded_url(_TMP / "data" / "pg", cleanup_mode="delete")
    os.environ["DATABASE_URL"] = owner_url
    get_settings.cache_clear()
    run_migrations(owner_url)
    engine = create_engine(get_settings().app_database_url(), pool_size=20, max_overflow=20)
    set_database(Database(engine))
    tasks.defer_run = _executed_here  # type: ignore[assignment]
    tenant = await new_tenant("bench")
    server = Server(free_port())
    try:
        await server.ready()
        load = os.getloadavg()
        results: dict[str, Any] = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "load": f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) at the start",
        }
        only = set(filter(None, os.environ.get("BENCH_RUNS_ONLY", "").split(",")))
        scenarios = {"single_run": single_run, "concurrent": concurrent_runs, "replay": replay,
                     "first_token": first_token}  # fmt: skip
        for name, scenario in scenarios.items():
            if not only or name in only:
                log(name)
                results[name] = await scenario(server, tenant)
                log(json.dumps(results[name]))
        end = os.getloadavg()
        results["load"] += f", {end[0]:.1f} / {end[1]:.1f} / {end[2]:.1f} at the end"
        if not only:
            write(results)
        print((RESULTS / "runs.md").read_text())
    finally:
        server.stop()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
