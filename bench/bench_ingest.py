"""Ingestion benchmark, end to end through the HTTP API: many small Markdown documents, and a 100-page PDF.

An Obelisk process (the ASGI app served by uvicorn, its job worker inside, like `make run`) runs on an embedded
PostgreSQL of its own with the local MiniLM embedder. This process is the client: it signs up, uploads with a
few concurrent uploaders and polls `GET /documents` until every document is `ready`. Figures:

- small documents: documents/s from the first upload sent to the last document seen ready;
- the 100-page PDF: seconds from upload to ready;
- the embedder alone on the same documents' chunks (same chunking, batches of 32, in this process while the
  app is idle): the ceiling end-to-end ingestion can approach on this machine. The ratio of the two is the
  figure that survives a shared, noisy machine; the load average is reported next to it.

Medians of RUNS runs with their spread (min-max). Writes bench/results/ingest.md and ingest.json.

Run: `make bench-ingest` (or `.venv/bin/python bench/bench_ingest.py --docs 600 --runs 3`).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_TMP = Path(tempfile.mkdtemp(prefix="obelisk-bench-ingest-"))
ENV = {
    "DATA_DIR": str(_TMP / "data"),
    "LOG_LEVEL": "WARNING",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "CHAT_PROVIDER": "fake",
    "EMBEDDING_PROVIDER": os.environ.get("EMBEDDING_PROVIDER", "local"),
    "ENVIRONMENT": "test",
    "WARM_MODELS_ON_START": "false",
    "RUN_WORKER_IN_APP": "true",
}
os.environ.update(ENV)
for name in ("DATABASE_URL", "DATABASE_APP_URL", "REDIS_URL"):
    os.environ.pop(name, None)

UPLOADERS = 4
POLL_SECONDS = 0.25
_VOCABULARY = (
    "brand voice audience campaign pricing launch customer segment channel message positioning benefit feature "
    "onboarding retention growth partner analytics conversion newsletter webinar story proof renewal trial "
    "landing page headline offer testimonial budget quarter region retail enterprise startup agency email "
    "social search video event loyalty referral upsell churn persona journey funnel awareness consideration"
)
WORDS = _VOCABULARY.split()

APP = """
import os, sys
import uvicorn
os.environ["__REFLEX_SKIP_COMPILE"] = "true"
from obelisk_app.obelisk_app import app
uvicorn.run(app(), host="127.0.0.1", port=int(sys.argv[1]), lifespan="on", log_level="warning", access_log=False)
"""


def small_document(run: str, number: int) -> bytes:
    """A Markdown note of about 300 words: a title, three sections of prose (unique bytes per run)."""
    rng = random.Random(f"{run}-{number}")
    lines = [f"# {rng.choice(WORDS).title()} {rng.choice(WORDS)} note {number} ({run})", ""]
    for section in range(3):
        lines += [f"## {rng.choice(WORDS).title()} {rng.choice(WORDS)} {section + 1}", ""]
        for _ in range(2):
            sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))) for _ in range(4)]
            lines += [" ".join(sentence.capitalize() + "." for sentence in sentences), ""]
    return "\n".join(lines).encode()


def build_pdf(pages: int, salt: str) -> bytes:
    """Dense text pages: a numbered heading and about 45 lines of body text on each."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    for page in range(1, pages + 1):
        pdf.setFont("Helvetica-Bold", 15)
        pdf.drawString(72, height - 80, f"{page} Chapter {page}: campaign planning notes")
        pdf.setFont("Helvetica", 10)
        y = height - 110
        text = " ".join(WORDS[(page * 7 + i) % 23] for i in range(520)) + "."
        for paragraph in textwrap.wrap(text, 600):
            for line in textwrap.wrap(paragraph, 100):
                pdf.drawString(72, y, line)
                y -= 13
            y -= 10
            if y < 80:
                break
        pdf.drawString(width / 2 - 15, 30, f"Page {page} {salt}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spread(values: list[float]) -> dict[str, float]:
    if not values:
        return {"median": float("nan"), "min": float("nan"), "max": float("nan")}
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


class App:
    """The Obelisk process under test."""

    def __init__(self, database_url: str, concurrency: int | None) -> None:
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(self.port)}
        if concurrency is not None:
            env["WORKER_CONCURRENCY"] = str(concurrency)
        self.process = subprocess.Popen(
            [sys.executable, "-c", APP, str(self.port)], cwd=ROOT, env=env, start_new_session=True
        )
        self.base = f"http://127.0.0.1:{self.port}/api/v1"

    async def wait_ready(self, client: httpx.AsyncClient) -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the app process exited")
            try:
                response = await client.get(f"{self.base}/health")
                if response.status_code == 200:  # the worker starts with the app (its jobs wait in the queue)
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
        raise RuntimeError("the app did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def tenant(client: httpx.AsyncClient, base: str) -> dict[str, str]:
    who = uuid.uuid4().hex[:10]
    form = {"email": f"{who}@example.com", "password": f"{who}-correct-horse", "name": "Bench"}
    form["organization_name"] = who
    response = await client.post(f"{base}/auth/signup", json=form)
    response.raise_for_status()
    body = response.json()
    return {"Authorization": f"Bearer {body['access_token']}", "X-Space-Id": body["space_id"]}


async def count(client: httpx.AsyncClient, base: str, headers: dict[str, str], status: str) -> int:
    response = await client.get(f"{base}/documents", params={"status": status, "limit": 1}, headers=headers)
    response.raise_for_status()
    return int(response.headers["X-Total-Count"])


async def ingest_many(client: httpx.AsyncClient, base: str, documents: list[bytes]) -> dict[str, float]:
    """Upload `documents` into a new space; seconds until all are ready (and until all were uploaded)."""
    headers = await tenant(client, base)
    queue = list(enumerate(documents))
    started = time.perf_counter()

    async def uploader() -> None:
        while queue:
            number, data = queue.pop(0)
            files = {"file": (f"note-{number}.md", data, "text/markdown")}
            response = await client.post(f"{base}/documents", files=files, headers=headers)
            response.raise_for_status()

    uploads = asyncio.gather(*(uploader() for _ in range(UPLOADERS)))
    uploaded_at: float | None = None
    while True:
        await asyncio.sleep(POLL_SECONDS)
        if uploaded_at is None and uploads.done():
            await uploads
            uploaded_at = time.perf_counter() - started
        if await count(client, base, headers, "failed"):
            raise RuntimeError("a document failed")
        if uploaded_at is not None and await count(client, base, headers, "ready") == len(documents):
            break
    elapsed = time.perf_counter() - started
    assert uploaded_at is not None
    return {"seconds": elapsed, "docs_per_second": len(documents) / elapsed, "upload_seconds": uploaded_at}


async def ingest_pdf(client: httpx.AsyncClient, base: str, data: bytes) -> float:
    headers = await tenant(client, base)
    started = time.perf_counter()
    response = await client.post(
        f"{base}/documents", files={"file": ("long.pdf", data, "application/pdf")}, headers=headers
    )
    response.raise_for_status()
    document_id = response.json()["id"]
    while True:
        await asyncio.sleep(0.1)
        body = (await client.get(f"{base}/documents/{document_id}", headers=headers)).json()
        if body["status"] == "ready":
            return time.perf_counter() - started
        if body["status"] == "failed":
            raise RuntimeError(body["error"])


def embedder_alone(documents: list[bytes]) -> dict[str, float]:
    """The local embedder on the documents' chunks (chunked as ingestion does), batches of 32: docs/s."""
    from backend.documents.chunking import chunk_document
    from backend.documents.convert import convert_bytes
    from backend.models.registry import get_embedder

    embedder: Any = get_embedder()
    texts: list[str] = []
    for number, data in enumerate(documents):
        converted = convert_bytes(data, "markdown", f"note-{number}.md")
        chunks = chunk_document(converted, max_tokens=embedder.max_input_tokens, count_tokens=embedder.count_tokens)
        texts += [chunk.embed_text for chunk in chunks]
    embedder.embed_sync(["warm up"])
    started = time.perf_counter()
    for start in range(0, len(texts), 32):
        embedder.embed_sync(texts[start : start + 32])
    elapsed = time.perf_counter() - started
    return {"docs_per_second": len(documents) / elapsed, "chunks": len(texts)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=600, help="small documents per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pdf-runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=None, help="WORKER_CONCURRENCY (default: the setting)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "ingest"))
    args = parser.parse_args()

    from backend.cli import run_migrations
    from backend.core.config import get_settings
    from backend.core.embedded_pg import embedded_url

    url = embedded_url(_TMP / "pg-owner", cleanup_mode="delete")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    run_migrations(url)
    concurrency = args.concurrency or get_settings().worker_concurrency

    app = App(url, args.concurrency)
    runs: list[dict[str, Any]] = []
    pdf_seconds: list[float] = []
    try:
        async with httpx.AsyncClient(timeout=120) as client:
            await app.wait_ready(client)
            # One small batch first: the app's first uploads load Docling and the embedder.
            await ingest_many(client, app.base, [small_document("warm", i) for i in range(8)])
            for run in range(args.runs):
                documents = [small_document(f"r{run}-{uuid.uuid4().hex[:6]}", i) for i in range(args.docs)]
                alone = await asyncio.to_thread(embedder_alone, documents)
                load_before = os.getloadavg()[0]
                result = await ingest_many(client, app.base, documents)
                result.update(
                    embedder_docs_per_second=alone["docs_per_second"],
                    chunks=alone["chunks"],
                    ratio=result["docs_per_second"] / alone["docs_per_second"],
                    load_before=load_before,
                    load_after=os.getloadavg()[0],
                )
                runs.append(result)
                print(json.dumps(result), flush=True)
            pdf = build_pdf(100, "")
            for run in range(args.pdf_runs):
                pdf_seconds.append(await ingest_pdf(client, app.base, build_pdf(100, f"r{run}") if run else pdf))
                print(f"100-page PDF: {pdf_seconds[-1]:.2f} s (load {os.getloadavg()[0]:.2f})", flush=True)
    finally:
        app.stop()

    summary = {
        "documents_per_run": args.docs,
        "worker_concurrency": concurrency,
        "uploaders": UPLOADERS,
        "cpus": os.cpu_count(),
        "end_to_end_docs_per_second": spread([r["docs_per_second"] for r in runs]),
        "embedder_alone_docs_per_second": spread([r["embedder_docs_per_second"] for r in runs]),
        "ratio": spread([r["ratio"] for r in runs]),
        "load_average": spread([(r["load_before"] + r["load_after"]) / 2 for r in runs]),
        "chunks_per_document": runs[0]["chunks"] / args.docs,
        "pdf_100_pages_seconds": spread(pdf_seconds),
        "runs": runs,
    }
    Path(args.out + ".json").write_text(json.dumps(summary, indent=2) + "\n")
    report = render(summary)
    Path(args.out + ".md").write_text(report)
    print(report)


def render(s: dict[str, Any]) -> str:
    def fmt(d: dict[str, float], digits: int = 1) -> str:
        return f"{d['median']:.{digits}f} ({d['min']:.{digits}f}-{d['max']:.{digits}f})"

    pdf = s["pdf_100_pages_seconds"]["median"]
    return "\n".join(
        [
            "# Ingestion benchmark (end to end through the HTTP API)",
            "",
            f"One Obelisk process (uvicorn, job worker inside, WORKER_CONCURRENCY={s['worker_concurrency']}), embedded "
            f"PostgreSQL, local MiniLM embedder, {s['cpus']} cores shared with other work (load average below). "
            f"{s['documents_per_run']} generated Markdown notes of about 300 words "
            f"({s['chunks_per_document']:.1f} chunks each) per run, uploaded by {s['uploaders']} concurrent clients; "
            f"timed from the first upload to the last document seen `ready`. Medians of {len(s['runs'])} runs "
            "(min-max).",
            "",
            "| figure | median (min-max) |",
            "|---|---:|",
            f"| small documents end to end, documents/s | {fmt(s['end_to_end_docs_per_second'])} |",
            f"| embedder alone on the same chunks, documents/s | {fmt(s['embedder_alone_docs_per_second'])} |",
            f"| ratio end to end / embedder alone | {fmt(s['ratio'], 2)} |",
            f"| load average (1 min) during the runs | {fmt(s['load_average'], 2)} |",
            f"| 100-page text PDF, seconds upload to ready | {fmt(s['pdf_100_pages_seconds'], 2)} |",
            "",
            f"Target: the 100-page PDF ready in under 20 s: {'met' if pdf < 20 else 'NOT met'} ({pdf:.2f} s).",
            "",
        ]
    )


if __name__ == "__main__":
    asyncio.run(main())
