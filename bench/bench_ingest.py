"""Ingestion benchmark: a generated 100-page text PDF and a 50-slide PPTX through the real pipeline.

Embedded PostgreSQL with every migration, the local MiniLM embedder (EMBEDDING_PROVIDER=local unless set),
the same code path as the durable job (`run_ingestion`). Reports seconds to ready, pages (slides) per second
converted, chunks per second embedded and peak memory, and writes bench/results/ingest.md.

Run: `make bench-ingest` (or `.venv/bin/python bench/bench_ingest.py`).
"""

from __future__ import annotations

import asyncio
import io
import os
import resource
import statistics
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_TMP = Path(tempfile.mkdtemp(prefix="obelisk-bench-ingest-"))
os.environ.setdefault("EMBEDDING_PROVIDER", "local")
os.environ.update(
    {
        "DATA_DIR": str(_TMP / "data"),
        "LOG_LEVEL": "WARNING",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "CHAT_PROVIDER": "fake",
        "ENVIRONMENT": "test",
    }
)
for name in ("DATABASE_URL", "DATABASE_APP_URL", "REDIS_URL"):
    os.environ.pop(name, None)

RUNS = 3
WORDS = [
    "brand",
    "voice",
    "audience",
    "campaign",
    "pricing",
    "launch",
    "customer",
    "segment",
    "channel",
    "message",
    "positioning",
    "benefit",
    "feature",
    "onboarding",
    "retention",
    "growth",
    "partner",
    "analytics",
    "conversion",
    "newsletter",
    "webinar",
    "story",
    "proof",
]


def build_pdf(pages: int) -> bytes:
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
        text = " ".join(WORDS[(page * 7 + i) % len(WORDS)] for i in range(520)) + "."
        for paragraph in textwrap.wrap(text, 600):
            for line in textwrap.wrap(paragraph, 100):
                pdf.drawString(72, y, line)
                y -= 13
            y -= 10
            if y < 80:
                break
        pdf.drawString(width / 2 - 15, 30, f"Page {page}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def build_pptx(slides: int) -> bytes:
    from pptx import Presentation

    deck = Presentation()
    for number in range(1, slides + 1):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = f"Slide {number}: quarterly campaign {number}"
        frame = slide.placeholders[1].text_frame
        frame.text = f"Audience for campaign {number}: marketing leads in mid-size companies"
        for bullet in range(4):
            frame.add_paragraph().text = " ".join(WORDS[(number + bullet * 3 + i) % len(WORDS)] for i in range(14))
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    from backend.cli import run_migrations
    from backend.core.config import get_settings
    from backend.core.embedded_pg import embedded_url

    url = embedded_url(_TMP / "pg-owner", cleanup_mode="delete")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    run_migrations(url)

    from sqlalchemy import text

    from backend.core.db import get_database
    from backend.documents import ingest, service
    from backend.documents.convert import convert_bytes
    from backend.models.accounting import counted
    from backend.models.registry import get_embedder
    from backend.tenancy.context import SpaceContext

    async def no_job(document: object) -> None:
        return None

    ingest.defer_ingestion = no_job  # type: ignore[assignment]  # the benchmark runs the job body itself
    ingest.metered = counted  # type: ignore[assignment]
    database = get_database()
    embedder = get_embedder()
    started = time.perf_counter()
    await embedder.warm_up()
    await embedder.embed_documents(["warm up the embedding model"])
    embedder_load = time.perf_counter() - started
    rss_before = peak_rss_mb()

    inputs = {"100-page text PDF": ("pdf", build_pdf(100), 100), "50-slide PPTX": ("pptx", build_pptx(50), 50)}
    rows = []
    for label, (kind, data, units) in inputs.items():
        to_ready, convert_s, embed_rates, chunk_counts = [], [], [], []
        for run in range(RUNS):
            org, space = uuid.uuid4(), uuid.uuid4()
            async with database.session(organization_id=org) as session:
                await session.execute(text("INSERT INTO organizations (id, name) VALUES (:i, 'bench')"), {"i": org})
                await session.execute(
                    text("INSERT INTO spaces (id, organization_id, name) VALUES (:i, :o, 'bench')"),
                    {"i": space, "o": org},
                )
            ctx = SpaceContext(organization_id=org, space_id=space, user_id=uuid.uuid4(), role="admin", space_name="b")
            t0 = time.perf_counter()
            document = (await service.add_upload(ctx, data=data, filename=f"bench-{run}.{kind}")).document
            await ingest.run_ingestion(ctx.scope, document.id, embedder=embedder)
            to_ready.append(time.perf_counter() - t0)
            final = await service.get_document(ctx, document.id)
            assert final.status == "ready", final.error
            chunk_counts.append(final.chunk_count)
            t1 = time.perf_counter()
            await asyncio.to_thread(convert_bytes, data, kind, f"bench.{kind}")
            convert_s.append(time.perf_counter() - t1)
            chunks, _ = await service.list_chunks(ctx, document.id, limit=1000)
            t2 = time.perf_counter()
            await embedder.embed_documents([c.content for c in chunks])
            embed_rates.append(len(chunks) / (time.perf_counter() - t2))
        rows.append(
            {
                "input": label,
                "units": units,
                "seconds_to_ready": statistics.median(to_ready),
                "units_per_second_converted": units / statistics.median(convert_s),
                "chunks": int(statistics.median(chunk_counts)),
                "chunks_per_second_embedded": statistics.median(embed_rates),
            }
        )
    peak = peak_rss_mb()

    lines = [
        "# Ingestion benchmark",
        "",
        f"Embedder: {embedder.describe()} (loaded and warmed in {embedder_load:.2f} s). Median of {RUNS} runs each; "
        f"2-core machine; embedded PostgreSQL; the same code path as the ingestion job.",
        "",
        "| input | seconds to ready | pages or slides/s converted | chunks | chunks/s embedded |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['input']} | {r['seconds_to_ready']:.2f} | {r['units_per_second_converted']:.1f} | {r['chunks']} | "
            f"{r['chunks_per_second_embedded']:.1f} |"
        )
    pdf = rows[0]["seconds_to_ready"]
    lines += [
        "",
        f"Peak memory (max RSS of the process): {peak:.0f} MB (after loading the embedder: {rss_before:.0f} MB).",
        f"Target: the 100-page PDF ready in under 20 s: {'met' if pdf < 20 else 'NOT met'} ({pdf:.2f} s).",
        "",
    ]
    report = "\n".join(lines)
    out = ROOT / "bench" / "results" / "ingest.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(report)


if __name__ == "__main__":
    asyncio.run(main())
