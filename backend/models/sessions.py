"""Pre-warmed model sessions: what start-up warms, and what shutdown releases.

Local provider: warming does real work ahead of time. The GGUF models are loaded, and llama.cpp slots are
prefilled with the stable prompt prefixes registered here (an agent's system prompt, brand voice and tool
list, as `StablePrefix`), so the first real request with that prefix pays prefill only for its new tokens
(see `local_engine.SlotPool`). The number of slots is fixed when the model loads (each holds a KV cache in
memory): when every slot holds another prefix, the least recently used one is re-used and its prefix moves
to llama.cpp's host-RAM prompt cache, from which it is restored instead of recomputed.

Remote providers: warming builds the clients and resolves credentials (and, for an OpenAI-compatible
embedding server, opens the connection with one tiny request), so the first user does not pay for it.

Warming runs in a background task: the app serves at once, and a request that arrives before warming
finished simply loads what it needs itself (loading is idempotent and locked).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from backend.core.config import Settings, get_settings
from backend.models.base import ModelRole
from backend.models.chat_local import LocalChatModel
from backend.models.local_engine import close_engines
from backend.models.local_prompt import StablePrefix
from backend.models.registry import ROLES, cached_models, get_chat_model, get_embedder, reset_models

logger = logging.getLogger(__name__)

MAX_REGISTERED_PREFIXES = 16

_prefixes: dict[ModelRole, dict[str, StablePrefix]] = {"main": {}, "fast": {}}
_prefixes_lock = threading.Lock()


def register_stable_prefix(prefix: StablePrefix, *, role: ModelRole = "main") -> None:
    """Ask for `prefix` to be warmed into a local slot at start-up (agents call this for their prompts).

    The most recently registered prefixes win when there are more than slots; registering one again moves
    it to the front.
    """
    key = prefix.name or prefix.system
    with _prefixes_lock:
        table = _prefixes[role]
        table.pop(key, None)
        table[key] = prefix
        while len(table) > MAX_REGISTERED_PREFIXES:
            table.pop(next(iter(table)))


def stable_prefixes(role: ModelRole) -> list[StablePrefix]:
    """Registered prefixes of `role`, most important (most recently registered) first."""
    with _prefixes_lock:
        return list(reversed(_prefixes[role].values()))


def _identity(prefix: StablePrefix) -> str:
    return prefix.system + json.dumps(prefix.tools, sort_keys=True)


async def warm_models(
    settings: Settings | None = None, *, prefixes: Mapping[ModelRole, Sequence[StablePrefix]] | None = None
) -> dict[str, Any]:
    """Build (and for local models load and prefill) the chat models of every role and the embedder.

    Returns what was done, per role: seconds taken and, for local models, the slots filled.
    """
    settings = settings or get_settings()
    report: dict[str, Any] = {}
    # Roles may share one engine (one GGUF file): its slots are planned together, main's prefixes first,
    # so warming the fast role cannot push out what was just warmed for the main role.
    plans: dict[int, tuple[LocalChatModel, list[StablePrefix], list[ModelRole]]] = {}
    for role in ROLES:
        started = time.perf_counter()
        model = get_chat_model(role, settings)
        report[role] = {"model": getattr(model, "model_name", type(model).__name__)}
        if isinstance(model, LocalChatModel):
            wanted = list(prefixes[role]) if prefixes is not None and role in prefixes else stable_prefixes(role)
            plan = plans.setdefault(id(model.engine), (model, [], []))
            known = {_identity(p) for p in plan[1]}
            plan[1].extend(p for p in wanted if _identity(p) not in known)
            plan[2].append(role)
        report[role]["seconds"] = round(time.perf_counter() - started, 2)
    for local, wanted, sharing in plans.values():
        started = time.perf_counter()
        slots = await local.warm(wanted[: local.engine.slots])
        for role in sharing:
            report[role].update(slots=slots, seconds=round(time.perf_counter() - started, 2))
    started = time.perf_counter()
    embedder = get_embedder(settings)
    await embedder.warm_up()
    report["embeddings"] = {"model": embedder.model_id, "seconds": round(time.perf_counter() - started, 2)}
    return report


async def _warm_in_background(settings: Settings) -> None:
    try:
        report = await warm_models(settings)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        # The app still serves: the first request retries the load and reports the problem to the user.
        logger.warning("model warm-up failed: %s", getattr(exc, "message", exc), exc_info=True)
        return
    logger.info("models warm", extra={"warmup": report})


def start_model_warmup(settings: Settings | None = None) -> asyncio.Task[None]:
    """Warm the models in a background task (the app keeps serving meanwhile)."""
    return asyncio.create_task(_warm_in_background(settings or get_settings()), name="obelisk-model-warmup")


async def close_models(warmup: asyncio.Task[None] | None = None) -> None:
    """Stop warming, close HTTP clients and unload local models (app shutdown)."""
    if warmup is not None and not warmup.done():
        warmup.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await warmup
    chat_models, embedders = cached_models()
    for embedder in embedders:
        with contextlib.suppress(Exception):
            await embedder.aclose()
    for model in chat_models:
        client = getattr(model, "http_async_client", None)
        if client is not None and hasattr(client, "aclose"):
            with contextlib.suppress(Exception):
                await client.aclose()
    # Unloading waits for running generations to stop at their next token: keep it off the event loop.
    await asyncio.to_thread(close_engines)
    reset_models()


__all__ = ["close_models", "register_stable_prefix", "stable_prefixes", "start_model_warmup", "warm_models"]
