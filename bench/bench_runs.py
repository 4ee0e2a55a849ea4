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
and in-process; (4) time to first token of a run (start request → first token at a WebSocket client, the
whole graph with a scripted model that waits a fixed delay before its first token) minus the same model's
time to first token when called directly. Results: bench/results/runs.{md,json}.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
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

import httpx  # noqa: E402
import orjson  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

from backend.agents import service as agents  # noqa: E402
from backend.agents.schemas import ConversationCreate  # noqa: E402
from backend.agents.tools.base import DocumentInfo, PageInfo, Passage, ToolEnv  # noqa: E402
from backend.cli import run_migrations  # noqa: E402
from backend.core.config import get_settings  # noqa: E402
from backend.core.db import Database, TenantScope, create_engine, set_database  # noqa: E402
from backend.core.embedded_pg import embedded_url  # noqa: E402
from backend.models.chat_fake import make_fake_chat  # noqa: E402
from backend.runs import executor, fanout, service, tasks  # noqa: E402
from backend.runs.coalesce import WINDOW_SECONDS, get_event_writer  # noqa: E402
from backend.tenancy import accounts  # noqa: E402
from backend.tenancy.access import authenticate, resolve_space_context  # noqa: E402
from backend.tenancy.context import SpaceContext  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SINGLE_EVENTS = 2000
CONCURRENT_RUNS, TOKENS_PER_SECOND, STREAM_SECONDS = 50, 20, 15
REPLAY_EVENTS = 10_000
FIRST_TOKEN_ROUNDS, MODEL_DELAY = 15, 0.3
FACT = Passage("c1", "d1", "Annual report", ("Results",), 3, "Acme grew revenue by 40% in 2025 across Europe.")
PLAN = [{"action": "write_answer", "tool": "none"}, {"complete": True}]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _executed_here(scope: TenantScope, run_id: uuid.UUID) -> None:
    """This process executes (or produces) every run itself: nothing goes to the job queue."""


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[bench-runs] {message}", flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


class Server:
    """The API in its own process (the WebSocket door), on the bench's database and Redis."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "backend.api.app:create_api", "--factory", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "--no-access-log", "--lifespan", "off"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
        )  # fmt: skip

    async def ready(self) -> None:
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(600):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(self.url + "/api/v1/health")).status_code in (200, 503):
                        return
                if self.process.poll() is not None:
                    raise RuntimeError("the API process exited")
                await asyncio.sleep(0.1)
        raise RuntimeError("the API process did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


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
                    self.first_token = self.first_token or now
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


class _Env:
    @staticmethod
    def tool_env(scope: TenantScope) -> ToolEnv:
        async def search(query: str, tags: tuple[str, ...], top_k: int) -> list[Passage]:
            return []

        async def fetch_page(url: str) -> PageInfo:
            raise RuntimeError("no fetching in the benchmark")

        async def documents() -> list[DocumentInfo]:
            return []

        async def subjects() -> list[str]:
            return []

        return ToolEnv(scope, {}, search, fetch_page, documents, subjects)


async def first_token(server: Server, tenant: Tenant) -> dict[str, Any]:
    answer = "Acme grew revenue by 40% in 2025 across Europe [S1]. " * 4

    async def retriever(scope: TenantScope, query: str, **_: Any) -> list[Passage]:
        return [FACT]

    direct, through_runs = [], []
    for _ in range(FIRST_TOKEN_ROUNDS):
        llm = make_fake_chat([answer], delay=MODEL_DELAY)
        started = time.perf_counter()
        async for _chunk in llm.astream("Benchmark"):
            direct.append((time.perf_counter() - started) * 1000)
            break
        socket = await open_socket(server, tenant)
        conversation = await agents.create_conversation(tenant.ctx, ConversationCreate(agent="seo"))  # type: ignore[arg-type]
        started = time.perf_counter()
        run = await service.start_run(tenant.ctx, conversation.id, "How did Acme grow?")
        receiver = Receiver(socket, run.id)
        following = asyncio.create_task(receiver.follow())
        options = {"llm": make_fake_chat([answer], delay=MODEL_DELAY), "fast_llm": make_fake_chat(PLAN, role="fast"),
                   "retriever": retriever, "tools": {}, "tool_env": _Env.tool_env(tenant.ctx.scope)}  # fmt: skip
        await executor.execute_run(tenant.ctx.scope, run.id, **options)
        await following
        assert receiver.first_token is not None
        through_runs.append((receiver.first_token - started) * 1000)
        await socket.close()
    overhead = [r - statistics.median(direct) for r in through_runs]
    return {
        "rounds": FIRST_TOKEN_ROUNDS,
        "model_delay_ms": MODEL_DELAY * 1000,
        "direct_ttft_ms_median": statistics.median(direct),
        "run_ttft_ms_median": statistics.median(through_runs),
        "overhead_ms": {"p50": statistics.median(overhead), "p95": pct(overhead, 0.95)},
        "ratio_median": statistics.median(through_runs) / statistics.median(direct),
    }


def write(results: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "runs.json").write_text(json.dumps(results, indent=2) + "\n")
    one, many, rep, ft = results["single_run"], results["concurrent"], results["replay"], results["first_token"]
    lat = many["latency_ms"]
    lines = [
        "# Runs: events persisted and delivered, replay, first-token overhead",
        "",
        f"`make bench-runs`, {results['date']}, {results['machine']}. One run of each scenario (no repeats) on",
        f"a machine shared with other work: {results['load']}; with 2 cores, a load above 2 means every",
        "process waits for a core, so latencies here are upper bounds of what an idle machine gives.",
        "Worker and clients in one process, the API (WebSocket) in another; embedded PostgreSQL and the local",
        "Redis. Latency is per token, from the producer handing it to the run's event stream to a WebSocket",
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
        f"| time to first token, model delay {ft['model_delay_ms']:.0f} ms, {ft['rounds']} runs | direct "
        f"{ft['direct_ttft_ms_median']:.0f} ms, through a run {ft['run_ttft_ms_median']:.0f} ms (median, ratio "
        f"{ft['ratio_median']:.2f}); overhead p50 {ft['overhead_ms']['p50']:.0f} ms, "
        f"**p95 {ft['overhead_ms']['p95']:.0f} ms** (target < 150 ms) |",
        "",
        "The first-token path: start request (run row + first event), the executor claiming the run, the",
        "conversation's checkpointer connection, the graph's retrieve (a fixed passage: the 100k-chunk retrieval",
        "is measured by `make bench-retrieval`) and think (scripted fast model) steps with their checkpoints,",
        "then the write step's first token through the event writer, PostgreSQL, Redis and the API process. The",
        "job queue's pick-up is not included (the executor is called directly).",
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
