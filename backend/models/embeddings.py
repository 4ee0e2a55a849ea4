"""The embedding interface every provider implements, and the deterministic fake.

Vectors leave every provider L2-normalised, so cosine similarity is a dot product whatever the model (Vertex
vectors with a reduced output dimensionality are not normalised by the API). A vector is only comparable
with vectors of the same `model_id` and `dimension`: store both with it and never mix them in one index.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np

from backend.models.accounting import UsageEvent, report_usage

EmbeddingTask = Literal[
    "RETRIEVAL_DOCUMENT",
    "RETRIEVAL_QUERY",
    "SEMANTIC_SIMILARITY",
    "CLASSIFICATION",
    "CLUSTERING",
    "QUESTION_ANSWERING",
    "FACT_VERIFICATION",
    "CODE_RETRIEVAL_QUERY",
]
"""What the vector is for. Vertex models embed documents and queries differently; the others ignore it."""


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def estimate_tokens(text: str) -> int:
    """A deliberately high token estimate (about 3 bytes per token) for models without a local tokenizer.

    Chunk sizing uses it, so over-counting only makes chunks a little smaller; under-counting would make the
    provider truncate them silently.
    """
    return max(1, math.ceil(len(text.encode("utf-8")) / 3))


class Embedder(ABC):
    """An embedding model. Use through `get_embedder()`."""

    provider: str
    model: str
    max_input_tokens: int

    @property
    def model_id(self) -> str:
        """`<provider>:<model>`: stored with every vector, together with `dimension`."""
        return f"{self.provider}:{self.model}"

    @property
    @abstractmethod
    def dimension(self) -> int:
        """Length of every vector this embedder returns."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens `text` costs this model (exact for local models, a safe over-estimate for remote ones)."""

    @abstractmethod
    async def _embed(self, texts: list[str], task_type: EmbeddingTask) -> tuple[np.ndarray, int]:
        """Vectors (one row per text, any scale) and the input tokens the call cost."""

    async def embed_documents(
        self, texts: Sequence[str], *, task_type: EmbeddingTask = "RETRIEVAL_DOCUMENT"
    ) -> list[list[float]]:
        """Unit-length vectors of `texts`, in order. Text beyond `max_input_tokens` is cut off by the model."""
        if not texts:
            return []
        started = time.perf_counter()
        vectors, tokens = await self._embed(list(texts), task_type)
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
        result: list[list[float]] = normalize(np.asarray(vectors, dtype=np.float32)).tolist()
        return result

    async def embed_query(self, text: str, *, task_type: EmbeddingTask = "RETRIEVAL_QUERY") -> list[float]:
        """The unit-length vector of a search query."""
        return (await self.embed_documents([text], task_type=task_type))[0]

    async def warm_up(self) -> None:  # noqa: B027  (optional hook: most providers have nothing to prepare)
        """Load the model or open connections so the first real call is fast."""

    async def aclose(self) -> None:  # noqa: B027
        """Release clients and connections."""

    def describe(self) -> str:
        """`<provider>:<model> (<dimension>-d)` for status pages."""
        try:
            return f"{self.model_id} ({self.dimension}-d)"
        except Exception:
            return f"{self.model_id} (dimension known after the first call)"


class MultimodalEmbedder(Protocol):
    """Pictures and text in one vector space, so a search text finds the pictures it describes.

    Vectors are unit length and comparable only with vectors of the same `model_id` and `dimension`.
    """

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    async def embed_images(self, images: Sequence[bytes]) -> list[list[float]]: ...

    async def embed_text(self, text: str) -> list[float]: ...


_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    ("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "its", "of",
     "on", "or", "our", "that", "the", "their", "this", "to", "was", "we", "were", "will", "with", "you", "your")
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


class FakeEmbedder(Embedder):
    """Deterministic hashed bag of words (384-d): texts sharing words score higher, with no model at all."""

    provider = "fake"
    model = "hashed-bow-384"
    max_input_tokens = 512

    @property
    def dimension(self) -> int:
        return 384

    def _features(self, text: str) -> list[str]:
        words = [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]
        return words + [f"{a}_{b}" for a, b in itertools.pairwise(words)]

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text.lower()))

    async def _embed(self, texts: list[str], task_type: EmbeddingTask) -> tuple[np.ndarray, int]:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text):
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                index = int.from_bytes(digest[:4], "little") % self.dimension
                # A signed hash keeps unrelated features from only ever adding up.
                vectors[row, index] += 1.0 if digest[4] & 1 else -1.0
        return vectors, sum(self.count_tokens(t) for t in texts)


__all__ = ["Embedder", "EmbeddingTask", "FakeEmbedder", "MultimodalEmbedder", "estimate_tokens", "normalize"]
