"""Remote embedding providers over HTTP: Vertex AI (REST `:predict`) and OpenAI-compatible `/embeddings`.

Both are plain httpx clients rather than SDK wrappers, so batching, retries and errors behave the same on both
and are tested against a local server speaking each wire format. Each request is one guarded call: a 429 or
5xx on one batch retries that batch with backoff, the rest are unaffected.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import numpy as np

from backend.models.accounting import UsageEvent, report_usage
from backend.models.embeddings import Embedder, EmbeddingTask, estimate_tokens, normalize
from backend.models.errors import ModelOutputInvalid, ModelUnavailable
from backend.models.http import LoopBoundClient
from backend.models.resilience import ModelGuard

TokenProvider = Callable[[], Awaitable[str]]

VERTEX_MAX_INSTANCES = 250  # Vertex text-embedding models: at most 250 inputs per request...
VERTEX_MAX_REQUEST_TOKENS = 20_000  # ...and 20k input tokens in total
VERTEX_MAX_INPUT_TOKENS = 2048
MULTIMODAL_MAX_TEXT_CHARS = 1000
"""The multimodal model embeds short texts; a long query is cut here rather than refused by the API."""


class GoogleTokenProvider:
    """Access tokens from application default credentials, refreshed in a thread shortly before they expire."""

    def __init__(self) -> None:
        self._credentials: Any = None
        self._lock = asyncio.Lock()

    def _refresh(self) -> str:
        import google.auth
        import google.auth.transport.requests

        if self._credentials is None:
            self._credentials, _project = google.auth.default(
                scopes=["https://www.googleapis.com/auth/cloud-platform"]
            )
        if not self._credentials.valid:
            self._credentials.refresh(google.auth.transport.requests.Request())
        return str(self._credentials.token)

    async def __call__(self) -> str:
        async with self._lock:
            credentials = self._credentials
            if credentials is not None and credentials.valid and credentials.token:
                return str(credentials.token)
            return await asyncio.to_thread(self._refresh)


class VertexEmbedder(Embedder):
    """Vertex AI text embeddings (gemini-embedding-001, text-embedding-005, text-multilingual-embedding-002)."""

    provider = "vertex"

    def __init__(
        self,
        *,
        project: str,
        location: str,
        model: str,
        dimension: int,
        guard: ModelGuard,
        endpoint: str | None = None,
        token_provider: TokenProvider | None = None,
        concurrency: int = 8,
    ) -> None:
        self.model = model
        self._dimension = dimension
        self.max_input_tokens = VERTEX_MAX_INPUT_TOKENS
        self.guard = guard
        base = endpoint or (
            "https://aiplatform.googleapis.com" if location == "global" else f"https://{location}-aiplatform.googleapis.com"
        )
        if "://" not in base:
            base = f"https://{base}"  # the setting may name the host only, as the chat SDK expects
        resource = f"projects/{project}/locations/{location}/publishers/google/models/{model}"
        self.url = f"{base.rstrip('/')}/v1/{resource}:predict"
        # Gemini embedding models take ONE input per online request; the older text-embedding models take 250.
        self.max_instances = 1 if model.startswith("gemini-embedding") else VERTEX_MAX_INSTANCES
        self._token = token_provider or GoogleTokenProvider()
        self._http = LoopBoundClient(guard.timeout)
        self._slots = asyncio.Semaphore(concurrency)

    @property
    def dimension(self) -> int:
        return self._dimension

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    def batches(self, texts: list[str]) -> list[list[int]]:
        """Indexes of `texts` grouped into requests within the instance and token limits."""
        batches: list[list[int]] = []
        current: list[int] = []
        tokens = 0
        for index, text in enumerate(texts):
            cost = min(self.count_tokens(text), self.max_input_tokens)
            if current and (len(current) >= self.max_instances or tokens + cost > VERTEX_MAX_REQUEST_TOKENS):
                batches.append(current)
                current, tokens = [], 0
            current.append(index)
            tokens += cost
        if current:
            batches.append(current)
        return batches

    async def _post(self, texts: list[str], task_type: EmbeddingTask) -> tuple[list[list[float]], int]:
        body = {
            "instances": [{"content": text, "task_type": task_type} for text in texts],
            "parameters": {"outputDimensionality": self._dimension, "autoTruncate": True},
        }
        token = await self._token()
        response = await self._http.get().post(self.url, json=body, headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
        predictions = response.json().get("predictions") or []
        if len(predictions) != len(texts):
            raise ModelOutputInvalid(
                f"Vertex AI returned {len(predictions)} embeddings for {len(texts)} inputs", provider="vertex"
            )
        vectors = [p["embeddings"]["values"] for p in predictions]
        used = sum(int(p["embeddings"].get("statistics", {}).get("token_count", 0)) for p in predictions)
        return vectors, used

    async def _embed(self, texts: list[str], task_type: EmbeddingTask) -> tuple[np.ndarray, int]:
        async def _one(batch: list[int]) -> tuple[list[list[float]], int]:
            async with self._slots:
                return await self.guard.call(lambda: self._post([texts[i] for i in batch], task_type))

        batches = self.batches(texts)
        results = await asyncio.gather(*(_one(batch) for batch in batches))
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        tokens = 0
        for batch, (vectors, used) in zip(batches, results, strict=True):
            out[batch] = np.asarray(vectors, dtype=np.float32)
            tokens += used
        return out, tokens

    async def warm_up(self) -> None:
        """Resolve credentials now rather than on the first request."""
        await self._token()

    async def aclose(self) -> None:
        await self._http.aclose()


class VertexMultimodalEmbedder:
    """Vertex AI `multimodalembedding@001`: pictures and search text in one vector space (visual search).

    The model takes one instance per online request, so a list of images is sent as parallel requests (at
    most `concurrency` at once), each guarded on its own. Vectors leave L2-normalised, like every embedder's.
    """

    provider = "vertex"

    def __init__(
        self,
        *,
        project: str,
        location: str,
        guard: ModelGuard,
        model: str = "multimodalembedding@001",
        dimension: int = 1408,
        endpoint: str | None = None,
        token_provider: TokenProvider | None = None,
        concurrency: int = 8,
    ) -> None:
        self.model = model
        self.dimension = dimension
        self.guard = guard
        if location == "global":
            location = "us-central1"  # the multimodal model is regional only
        base = endpoint or f"https://{location}-aiplatform.googleapis.com"
        if "://" not in base:
            base = f"https://{base}"
        resource = f"projects/{project}/locations/{location}/publishers/google/models/{model}"
        self.url = f"{base.rstrip('/')}/v1/{resource}:predict"
        self._token = token_provider or GoogleTokenProvider()
        self._http = LoopBoundClient(guard.timeout)
        self._slots = asyncio.Semaphore(concurrency)

    @property
    def model_id(self) -> str:
        return f"{self.provider}:{self.model}"

    async def _predict(self, instance: dict[str, Any], field: str) -> list[float]:
        body = {"instances": [instance], "parameters": {"dimension": self.dimension}}
        token = await self._token()
        response = await self._http.get().post(self.url, json=body, headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
        predictions = response.json().get("predictions") or []
        vector = predictions[0].get(field) if predictions else None
        if not isinstance(vector, list) or len(vector) != self.dimension:
            raise ModelOutputInvalid(
                f"Vertex AI returned no {self.dimension}-d {field} for the request", provider=self.provider
            )
        return [float(x) for x in vector]

    async def _one(self, instance: dict[str, Any], field: str) -> list[float]:
        async with self._slots:
            return await self.guard.call(functools.partial(self._predict, instance, field))

    def _report(self, started: float, tokens: int) -> None:
        report_usage(
            UsageEvent(
                provider=self.provider,
                model=self.model,
                role="embedding",
                tokens_in=tokens,
                tokens_out=0,
                latency_ms=int((time.perf_counter() - started) * 1000),
            )
        )

    async def embed_images(self, images: Sequence[bytes]) -> list[list[float]]:
        """Unit-length vectors of `images` (PNG or JPEG bytes), in order."""
        if not images:
            return []
        started = time.perf_counter()
        instances = [{"image": {"bytesBase64Encoded": base64.b64encode(data).decode("ascii")}} for data in images]
        vectors = await asyncio.gather(*(self._one(instance, "imageEmbedding") for instance in instances))
        self._report(started, 0)
        result: list[list[float]] = normalize(np.asarray(vectors, dtype=np.float32)).tolist()
        return result

    async def embed_text(self, text: str) -> list[float]:
        """The unit-length vector of a search text, comparable with the image vectors."""
        started = time.perf_counter()
        vector = await self._one({"text": text[:MULTIMODAL_MAX_TEXT_CHARS]}, "textEmbedding")
        self._report(started, estimate_tokens(text))
        result: list[float] = normalize(np.asarray([vector], dtype=np.float32))[0].tolist()
        return result

    async def aclose(self) -> None:
        await self._http.aclose()


KNOWN_OPENAI_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


class OpenAICompatibleEmbedder(Embedder):
    """`POST {base_url}/embeddings` on OpenAI or any compatible server (vLLM, Ollama, llama.cpp, LM Studio)."""

    provider = "openai_compatible"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        guard: ModelGuard,
        api_key: str | None = None,
        dimensions: int | None = None,
        max_input_tokens: int = 512,
        batch_size: int = 128,
    ) -> None:
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.guard = guard
        self.max_input_tokens = max_input_tokens
        self.batch_size = batch_size
        self._requested_dimensions = dimensions
        self._dimension = dimensions or KNOWN_OPENAI_DIMENSIONS.get(model)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = LoopBoundClient(guard.timeout, headers=headers)

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            raise ModelUnavailable(
                f"The dimension of {self.model} is known after the first call (or set OPENAI_EMBEDDING_DIMENSIONS)",
                provider=self.provider,
                retryable=False,
            )
        return self._dimension

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    async def _post(self, texts: list[str]) -> tuple[list[list[float]], int]:
        body: dict[str, Any] = {"model": self.model, "input": texts, "encoding_format": "float"}
        if self._requested_dimensions:
            body["dimensions"] = self._requested_dimensions
        response = await self._http.get().post(f"{self.base_url}/embeddings", json=body)
        response.raise_for_status()
        payload = response.json()
        data = sorted(payload.get("data") or [], key=lambda item: item["index"])
        if len(data) != len(texts):
            raise ModelOutputInvalid(
                f"{self.base_url} returned {len(data)} embeddings for {len(texts)} inputs", provider=self.provider
            )
        usage = payload.get("usage") or {}
        return [item["embedding"] for item in data], int(usage.get("prompt_tokens", 0))

    async def _embed(self, texts: list[str], task_type: EmbeddingTask) -> tuple[np.ndarray, int]:
        rows: list[list[float]] = []
        tokens = 0
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            vectors, used = await self.guard.call(functools.partial(self._post, batch))
            rows.extend(vectors)
            tokens += used
        matrix = np.asarray(rows, dtype=np.float32)
        if self._dimension is None:
            self._dimension = int(matrix.shape[1])
        elif matrix.shape[1] != self._dimension:
            raise ModelOutputInvalid(
                f"{self.model} returned {matrix.shape[1]}-d vectors, expected {self._dimension}-d",
                provider=self.provider,
            )
        return matrix, tokens

    async def warm_up(self) -> None:
        """Open the connection and learn the dimension with one tiny request."""
        await self._embed(["warm up"], "RETRIEVAL_QUERY")

    async def aclose(self) -> None:
        await self._http.aclose()


__all__ = [
    "GoogleTokenProvider",
    "OpenAICompatibleEmbedder",
    "TokenProvider",
    "VertexEmbedder",
    "VertexMultimodalEmbedder",
]
