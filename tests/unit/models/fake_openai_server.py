"""A real HTTP server on 127.0.0.1 that speaks the OpenAI wire protocol (and Vertex AI's embedding `:predict`).

The providers under test talk to it through their real SDKs and clients, so what is tested is the bytes on
the wire: chat completions (plain, streamed as server-sent events, with tools, with a JSON-schema
`response_format`), embeddings, and scripted failures (HTTP status codes, slow answers) for the
retry/timeout/breaker tests. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.servers import serve_in_thread


@dataclass
class Fault:
    """What the next matching request gets instead of a normal answer."""

    status: int | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    path: str | None = None  # only requests whose path contains this


def _example(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A value that satisfies the (simple) JSON schemas the tests send."""
    if "$ref" in schema:
        return _example(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return _example(schema["anyOf"][0], defs)
    kind = schema.get("type", "object")
    if kind == "object":
        return {name: _example(sub, defs) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(schema.get("items", {"type": "string"}), defs)]
    return {"string": "Obelisk", "integer": 3, "number": 0.5, "boolean": True}.get(kind)


def _vector(text: str, dimension: int) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [((digest[i % len(digest)] + i) % 17) - 8.0 for i in range(dimension)]


def _words(value: Any) -> int:
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, list):
        return sum(_words(part.get("text", "") if isinstance(part, dict) else part) for part in value)
    return 0


class FakeOpenAIServer:
    """Start with `start()`; point a provider at `base_url`; script failures with `fail()`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.faults: deque[Fault] = deque()
        self.reply = "Clear, friendly copy for the spring launch."
        self._lock = threading.Lock()
        self._serving = ExitStack()
        self.root = ""
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/embeddings", self._embeddings, methods=["POST"]),
                Route("/v1/projects/{resource:path}", self._vertex_predict, methods=["POST"]),
            ]
        )
        self.app = app

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (ending in /v1)."""
        return f"{self.root}/v1"

    @property
    def root_url(self) -> str:
        return self.root

    # --- scripting -------------------------------------------------------------------------

    def fail(
        self, status: int, *, times: int = 1, headers: dict[str, str] | None = None, path: str | None = None
    ) -> None:
        """The next `times` requests get HTTP `status`."""
        with self._lock:
            for _ in range(times):
                self.faults.append(Fault(status=status, headers=headers or {}, path=path))

    def slow(self, seconds: float, *, times: int = 1, path: str | None = None) -> None:
        """The next `times` requests wait `seconds` before answering normally."""
        with self._lock:
            for _ in range(times):
                self.faults.append(Fault(delay=seconds, path=path))

    def reset(self) -> None:
        with self._lock:
            self.faults.clear()
            self.requests.clear()
            self.reply = "Clear, friendly copy for the spring launch."

    def requests_to(self, path_part: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if path_part in r["path"]]

    async def _record(self, request: Request) -> tuple[dict[str, Any], Fault | None]:
        body = await request.json()
        with self._lock:
            self.requests.append({"path": request.url.path, "body": body, "headers": dict(request.headers)})
            fault = next((f for f in self.faults if f.path is None or f.path in request.url.path), None)
            if fault is not None:
                self.faults.remove(fault)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        return body, fault

    @staticmethod
    def _error(fault: Fault) -> Response:
        kind = "rate_limit_exceeded" if fault.status == 429 else "server_error"
        return JSONResponse(
            {"error": {"message": f"scripted {fault.status}", "type": kind, "code": kind}},
            status_code=fault.status or 500,
            headers=fault.headers,
        )

    # --- chat ------------------------------------------------------------------------------

    def _answer(self, body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        response_format = body.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            schema = response_format["json_schema"]["schema"]
            return json.dumps(_example(schema, schema.get("$defs", {}))), []
        messages = body.get("messages") or []
        tools = body.get("tools") or []
        if tools and body.get("tool_choice") != "none" and messages and messages[-1]["role"] == "user":
            function = tools[0]["function"]
            arguments = json.dumps(_example(function.get("parameters") or {}, {}))
            call = {"id": f"call_{uuid.uuid4().hex[:12]}", "type": "function",
                    "function": {"name": function["name"], "arguments": arguments}}
            return "", [call]
        return self.reply, []

    async def _chat(self, request: Request) -> Response:
        body, fault = await self._record(request)
        if fault is not None and fault.status:
            return self._error(fault)
        content, tool_calls = self._answer(body)
        prompt_tokens = sum(_words(m.get("content")) for m in body.get("messages") or [])
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(content.split()) + len(tool_calls),
            "total_tokens": prompt_tokens + len(content.split()) + len(tool_calls),
        }
        base = {"id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "created": int(time.time()), "model": body["model"]}
        finish = "tool_calls" if tool_calls else "stop"
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": content or None}
            if tool_calls:
                message["tool_calls"] = tool_calls
            return JSONResponse(
                {**base, "object": "chat.completion", "usage": usage,
                 "choices": [{"index": 0, "message": message, "finish_reason": finish}]}
            )
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> str:
            payload = {**base, "object": "chat.completion.chunk",
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
            return f"data: {json.dumps(payload)}\n\n"

        async def events() -> AsyncIterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            for index, word in enumerate(content.split(" ") if content else []):
                yield chunk({"content": word if index == 0 else f" {word}"})
                await asyncio.sleep(0)
            for index, call in enumerate(tool_calls):
                yield chunk({"tool_calls": [{"index": index, **call}]})
            yield chunk({}, finish)
            if include_usage:
                payload = {**base, "object": "chat.completion.chunk", "choices": [], "usage": usage}
                yield f"data: {json.dumps(payload)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    # --- embeddings ------------------------------------------------------------------------

    async def _embeddings(self, request: Request) -> Response:
        body, fault = await self._record(request)
        if fault is not None and fault.status:
            return self._error(fault)
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        dimension = int(body.get("dimensions") or 16)
        data = [{"object": "embedding", "index": i, "embedding": _vector(text, dimension)}
                for i, text in enumerate(inputs)]
        tokens = sum(len(str(text).split()) for text in inputs)
        # Servers may return the items in any order; the client must sort by index.
        return JSONResponse({"object": "list", "model": body["model"], "data": list(reversed(data)),
                             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    async def _vertex_predict(self, request: Request) -> Response:
        body, fault = await self._record(request)
        if fault is not None and fault.status:
            return self._error(fault)
        parameters = body.get("parameters") or {}
        if "content" not in body["instances"][0]:  # multimodalembedding: {"image": ...} or {"text": ...}
            return JSONResponse({"predictions": [self._multimodal(item, int(parameters.get("dimension") or 1408))
                                                 for item in body["instances"]]})
        dimension = int(parameters.get("outputDimensionality") or 768)
        predictions = [
            {"embeddings": {"values": _vector(f"{item['task_type']}:{item['content']}", dimension),
                            "statistics": {"token_count": len(item["content"].split()), "truncated": False}}}
            for item in body["instances"]
        ]
        return JSONResponse({"predictions": predictions})

    @staticmethod
    def _multimodal(item: dict[str, Any], dimension: int) -> dict[str, Any]:
        if "image" in item:
            return {"imageEmbedding": _vector("image:" + item["image"]["bytesBase64Encoded"], dimension)}
        return {"textEmbedding": _vector("text:" + item["text"], dimension)}

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        self._serving = ExitStack()
        self.root = self._serving.enter_context(serve_in_thread(self.app))
        return self

    def stop(self) -> None:
        self._serving.close()
