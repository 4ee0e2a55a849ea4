"""The garbage collector's pauses, kept out of the answers' latency.

A process that serves the platform holds about 250,000 objects the collector tracks once its modules are
imported (LangChain, LangGraph, pydantic, SQLAlchemy, procrastinate...). CPython's full collection walks every
one of them: measured on this project's 2-core machine, 135-150 ms a time with the app imported (three
collections in a row, load average 3), and it happens every so often while runs stream, in the middle of
whatever the event loop was doing: a first token, a Stop, a follower's event. Those objects live as long as the
process; there is nothing to collect among them.

`freeze_startup_heap()` moves everything alive at start-up into the collector's permanent generation
(`gc.freeze`): later collections walk only what was allocated since. Called once the process has imported and
opened what it serves with (the web process's lifespan, the standalone worker), unless `GC_FREEZE_ON_START`
is off. Cost: cycles of garbage made before the call are never collected (start-up leaves little; it is
collected once just before freezing).
"""

from __future__ import annotations

import gc
import logging
import time

logger = logging.getLogger(__name__)


def freeze_startup_heap() -> int:
    """Collect once, then freeze every object alive now; the number of objects frozen in all."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.info(
        "start-up heap frozen", extra={"objects": frozen, "ms": round((time.perf_counter() - started) * 1000, 1)}
    )
    return frozen


__all__ = ["freeze_startup_heap"]
