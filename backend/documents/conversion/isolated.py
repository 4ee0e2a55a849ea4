"""Conversion of the kinds whose parser can hold the interpreter: in a child process, with a time limit.

Markdown goes through Docling's Markdown backend (marko). Some of its patterns are quadratic in one C call
of the `re` module, which keeps the GIL for the whole call: 64 KB of `_a` held it for 18 s, so a worker
thread froze every request of the process. Others are slow in Python (64 KB of `[a](`: over two minutes of
CPU). Here such a file is converted in a separate process: the web process's event loop never waits on it,
and a conversion over CONVERSION_TIMEOUT_SECONDS is stopped (its process killed) with a clear error. Other
kinds convert in a worker thread as before (their parsers release the GIL or are linear).

Small Markdown files stay isolated too. Measured on notes of 2-4 KB: a pathological one still holds the GIL for
0.1-0.5 s in one call (4 KB of `[a](` about 0.5 s of CPU) and a few KB of nested quotes or list markers exhaust the
recursion limit, while the hop to the child process costs about 0.65 ms of CPU on an ordinary 300-word note
(8.6 against 7.95 ms converted in a thread): no size is small enough to be safe in-thread, and the saving would be
under a tenth of the conversion itself. Plain text (`txt`) has no parser to speak of and converts in a thread.

The process pool is started on first use (spawned, not forked: the parent runs threads) and reused; a pool
whose process was killed or died is replaced. A conversion process ends itself when the process that started
it is gone (killed, crashed, stopped without shutting the pool down): it would otherwise wait on its queue for
ever, and every restart of a worker would leave two more behind.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any
from urllib.parse import urlsplit

from backend.core.config import Settings, get_settings
from backend.core.errors import ServiceUnavailable, ValidationFailed
from backend.documents.conversion.types import ConvertedDocument

ISOLATED_KINDS = frozenset({"markdown"})
_WORKERS = 2

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _convert(data: bytes, kind: str, name: str, settings: Settings) -> ConvertedDocument:
    from backend.documents.convert import convert_bytes

    return convert_bytes(data, kind, name, settings=settings)


_ORPHAN_CHECK_SECONDS = 1.0


def _end_with_parent(parent: int) -> None:
    """In a conversion process: exit as soon as `parent` is no longer its parent (it died; the process was
    re-parented). A daemon thread, so it never keeps the process alive; a conversion holding the GIL delays
    it by at most that conversion's time limit, after which nothing is waiting for the result anyway."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_ORPHAN_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def _current_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=_WORKERS,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_end_with_parent,
                initargs=(os.getpid(),),
            )
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's processes (a running conversion cannot be cancelled otherwise) and forget the pool."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop the conversion processes (at process exit, and between tests)."""
    with _lock:
        pool = _pool
    if pool is not None:
        _discard(pool)


async def convert_file(data: bytes, kind: str, name: str, *, settings: Settings | None = None) -> ConvertedDocument:
    """`convert_bytes` off the event loop: in a child process with a time limit for `ISOLATED_KINDS`, in a
    worker thread otherwise. Raises the same typed errors, and `conversion_timeout` when the limit passes."""
    settings = settings or get_settings()
    if kind not in ISOLATED_KINDS:
        return await asyncio.to_thread(_convert, data, kind, name, settings)
    limit = settings.conversion_timeout_seconds
    for attempt in (1, 2):
        pool = _current_pool()
        future = asyncio.get_running_loop().run_in_executor(pool, _convert, data, kind, name, settings)
        try:
            return await asyncio.wait_for(future, limit)
        except TimeoutError:
            _discard(pool)
            raise ValidationFailed(
                f"This file took longer than {limit:g} seconds to convert and was stopped; its structure is "
                "unusually complex. Simplify it or save it as plain text, then upload it again.",
                code="conversion_timeout",
            ) from None
        except BrokenProcessPool:
            # Another conversion's time limit killed the shared pool (or its process died): once more, anew.
            _discard(pool)
            if attempt == 2:
                message = "The conversion process stopped; try again."
                raise ServiceUnavailable(message, code="conversion_failed") from None
    raise AssertionError("unreachable")


def _detect_and_convert_html(fetched: Any, name: str, settings: Settings) -> tuple[str, ConvertedDocument | None]:
    from backend.documents.convert import convert_html
    from backend.documents.detect import DocumentKind, detect_file

    detected = detect_file(fetched.data, name, settings=settings)
    if detected.kind == DocumentKind.HTML:
        return detected.kind.value, convert_html(fetched.text(), fetched.final_url or fetched.url, settings=settings)
    return detected.kind.value, None


async def convert_fetched(fetched: Any, *, settings: Settings | None = None) -> ConvertedDocument:
    """A fetched page (a `FetchedPage`: HTML, or a linked Markdown, PDF or Office file) converted as ingestion
    converts an upload, off the event loop (Markdown in the child process)."""
    settings = settings or get_settings()
    name = urlsplit(fetched.final_url or fetched.url).path.rsplit("/", 1)[-1] or "page.html"
    kind, page = await asyncio.to_thread(_detect_and_convert_html, fetched, name, settings)
    return page if page is not None else await convert_file(fetched.data, kind, name, settings=settings)


__all__ = ["ISOLATED_KINDS", "convert_fetched", "convert_file", "shutdown"]
