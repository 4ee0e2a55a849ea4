"""Vertex AI providers built from settings with no network and no credentials, and the Vertex embedding wire
format (`:predict`) against a local server: batching within the API limits, task types, retries."""

from __future__ import annotations

import base64
import math
import socket
import warnings

import pytest

from backend.models.embed_remote import VertexEmbedder, VertexMultimodalEmbedder
from backend.models.errors import ModelUnavailable
from backend.models.registry import get_chat_model, get_embedder
from backend.models.resilience import ModelGuard

from .fake_openai_server import FakeOpenAIServer
from .model_helpers import model_settings


def _vertex_settings(**overrides: object):
    values = {
        "chat_provider": "vertex",
        "embedding_provider": "vertex",
        "vertex_project": "acme-test",
        "vertex_location": "europe-west4",
    }
    values.update(overrides)
    return model_settings(**values)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def _refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("building a model must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", _refuse)


def test_vertex_chat_models_are_built_from_settings(no_network: None) -> None:
    from backend.models.chat_vertex import VertexChatModel

    settings = _vertex_settings()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        main, fast = get_chat_model("main", settings), get_chat_model("fast", settings)

    assert isinstance(main, VertexChatModel) and isinstance(fast, VertexChatModel)
    assert (main.model_name, fast.model_name) == ("gemini-2.5-pro", "gemini-2.5-flash")
    assert (main.project, main.location, main.max_retries) == ("acme-test", "europe-west4", 0)
    assert main.guard.provider == "vertex" and main.guard.timeout == settings.model_timeout_seconds
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning)]  # silenced, never fatal
    assert main.with_structured_output({"title": "Plan", "type": "object", "properties": {}}) is not None


def test_vertex_embedder_is_built_from_settings(no_network: None) -> None:
    embedder = get_embedder(_vertex_settings(vertex_embedding_dimensions=256))
    assert isinstance(embedder, VertexEmbedder)
    assert (embedder.model_id, embedder.dimension) == ("vertex:gemini-embedding-001", 256)
    assert embedder.url.startswith("https://europe-west4-aiplatform.googleapis.com/v1/projects/acme-test/")
    assert embedder.url.endswith("/models/gemini-embedding-001:predict")
    assert embedder.max_instances == 1  # Gemini embedding models take one input per request

    legacy = get_embedder(_vertex_settings(vertex_embedding_model="text-embedding-005"))
    assert legacy.max_instances == 250  # type: ignore[attr-defined]


async def test_a_call_without_credentials_fails_fast_and_typed(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    model = get_chat_model("main", _vertex_settings(model_max_retries=0))
    with pytest.raises(ModelUnavailable, match="credentials"):
        await model.ainvoke("Hello")


async def _token() -> str:
    return "ya29.test-token"


def _predict_embedder(server: FakeOpenAIServer, model: str = "text-embedding-005") -> VertexEmbedder:
    settings = _vertex_settings(vertex_api_endpoint=server.root_url)
    return VertexEmbedder(
        project="acme-test",
        location="europe-west4",
        model=model,
        dimension=32,
        endpoint=settings.vertex_api_endpoint,
        guard=ModelGuard.from_settings("vertex", "embeddings-test", settings),
        token_provider=_token,
    )


async def test_vertex_embeddings_on_the_wire(fake_server: FakeOpenAIServer) -> None:
    embedder = _predict_embedder(fake_server)
    texts = [f"chunk {i} about the spring catalogue" for i in range(300)]

    vectors = await embedder.embed_documents(texts)
    query = await embedder.embed_query("spring catalogue")

    assert len(vectors) == 300 and all(len(v) == 32 for v in vectors)
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-5) for v in (*vectors, query))
    requests = fake_server.requests_to(":predict")
    assert sorted(len(r["body"]["instances"]) for r in requests[:2]) == [50, 250]  # within the API limit
    assert requests[0]["body"]["instances"][0]["task_type"] == "RETRIEVAL_DOCUMENT"
    assert requests[-1]["body"]["instances"] == [{"content": "spring catalogue", "task_type": "RETRIEVAL_QUERY"}]
    assert requests[0]["body"]["parameters"] == {"outputDimensionality": 32, "autoTruncate": True}
    assert requests[0]["headers"]["authorization"] == "Bearer ya29.test-token"
    assert "/projects/acme-test/locations/europe-west4/publishers/google/models/text-embedding-005" in (
        requests[0]["path"]
    )


async def test_vertex_embedding_batches_retry_on_429_and_5xx(fake_server: FakeOpenAIServer) -> None:
    fake_server.fail(429, path=":predict")
    fake_server.fail(503, path=":predict")
    vectors = await _predict_embedder(fake_server, model="gemini-embedding-001").embed_documents(["one", "two"])
    assert len(vectors) == 2
    assert len(fake_server.requests_to(":predict")) == 4  # one input per request for Gemini, two retried


def test_the_multimodal_embedder_exists_only_with_vertex(no_network: None) -> None:
    from backend.models.registry import get_multimodal_embedder

    embedder = get_multimodal_embedder(_vertex_settings(vertex_multimodal_dimensions=512))
    assert embedder is not None and (embedder.model_id, embedder.dimension) == ("vertex:multimodalembedding@001", 512)
    assert embedder.url.endswith("/locations/europe-west4/publishers/google/models/multimodalembedding@001:predict")
    assert get_multimodal_embedder(model_settings(embedding_provider="fake")) is None


async def test_vertex_multimodal_embeddings_on_the_wire(fake_server: FakeOpenAIServer) -> None:
    settings = _vertex_settings(vertex_api_endpoint=fake_server.root_url)
    embedder = VertexMultimodalEmbedder(
        project="acme-test",
        location="europe-west4",
        dimension=128,
        endpoint=settings.vertex_api_endpoint,
        guard=ModelGuard.from_settings("vertex", "multimodal-test", settings),
        token_provider=_token,
    )
    fake_server.fail(503, path=":predict")
    images = [b"\x89PNG red", b"\x89PNG blue", b"\x89PNG green"]

    vectors = await embedder.embed_images(images)
    query = await embedder.embed_text("a red logo")

    assert len(vectors) == 3 and all(len(v) == 128 for v in (*vectors, query))
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-5) for v in (*vectors, query))
    assert vectors[0] != vectors[1]
    requests = fake_server.requests_to(":predict")
    assert len(requests) == 5  # one picture per request, the one that met a 503 retried
    sent = sorted(base64.b64decode(r["body"]["instances"][0]["image"]["bytesBase64Encoded"]) for r in requests[:4])
    assert set(sent) == set(images)
    assert requests[-1]["body"] == {"instances": [{"text": "a red logo"}], "parameters": {"dimension": 128}}
    assert requests[-1]["headers"]["authorization"] == "Bearer ya29.test-token"
    assert await embedder.embed_images([]) == []
