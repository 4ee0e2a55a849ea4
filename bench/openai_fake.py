"""A local OpenAI-compatible chat server for benchmarks: a model whose own time to first token is known.

It speaks the Chat Completions protocol as the provider's SDK sends it: a JSON reply, or with `"stream": true`
server-sent events (`data: {chunk}` lines, a usage chunk when asked, `data: [DONE]`). Every call waits a fixed
`delay` before its first token (before the whole reply when not streamed), then streams its words
`token_interval` apart. Structured-output calls (a JSON-schema `response_format`) get a valid reply: the
agent's decision is "write the answer", its review "complete", a query rewrite adds a few words. Each call's
arrival, first token and end are recorded (wall clock, `time.time()`, comparable with the other processes'
timestamps on this machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Call:
    """One chat-completions call as the server saw it."""

    kind: str
    """`text` (an answer) or the structured reply's kind: `decision`, `review`, `rewrite`, `other`."""
    model: str
    stream: bool
    arrived: float
    first_token: float = 0.0
    ended: float = 0.0


def _example(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
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
        return []
    return {"string": "", "integer": 0, "number": 0.0, "boolean": False}.get(kind)


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user":
            content = message.get("content")
            return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content or [])
    return ""


class FakeOpenAIChat:
    """`serve()` it; point `OPENAI_BASE_URL` at `base_url`; read `calls`."""

    def __init__(self, *, delay: float, answer: str, token_interval: float = 0.005) -> None:
        self.delay, self.answer, self.token_interval = delay, answer, token_interval
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self.base_url = ""
        self.app = Starlette(routes=[Route("/v1/chat/completions", self._chat, methods=["POST"])])

    def calls_between(self, start: float, end: float) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if start <= c.arrived <= end]

    def _structured(self, body: dict[str, Any]) -> tuple[str, str]:
        schema = body["response_format"]["json_schema"]["schema"]
        properties = schema.get("properties", {})
        if "action" in properties:
            reply = {"action": "write_answer", "tool": "none", "search_query": "", "reason": "The sources cover it."}
            return "decision", json.dumps(reply)
        if "complete" in properties:
            return "review", json.dumps({"complete": True, "needs_more_context": False, "missing": ""})
        if "expanded_query" in properties:
            query = _last_user_text(body)[:200]
            rewrite: dict[str, Any] = {
                "expanded_query": f"{query} plan results",
                "alternatives": [f"{query} overview"],
                "entities": [],
            }
            return "rewrite", json.dumps(rewrite)
        return "other", json.dumps(_example(schema, schema.get("$defs", {})))

    async def _chat(self, request: Request) -> Response:
        arrived = time.time()
        body = await request.json()
        if (body.get("response_format") or {}).get("type") == "json_schema":
            kind, content = self._structured(body)
        else:
            kind, content = "text", self.answer
        call = Call(kind, str(body.get("model")), bool(body.get("stream")), arrived)
        with self._lock:
            self.calls.append(call)
        base = {"id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "created": int(arrived), "model": body.get("model")}
        words = content.split(" ")
        usage = {"prompt_tokens": 500, "completion_tokens": len(words), "total_tokens": 500 + len(words)}
        await asyncio.sleep(self.delay)
        if not call.stream:
            call.first_token = call.ended = time.time()
            message = {"role": "assistant", "content": content}
            return JSONResponse({**base, "object": "chat.completion", "usage": usage,
                                 "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})  # fmt: skip

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            return f"data: {json.dumps({**base, 'object': 'chat.completion.chunk', 'choices': [choice]})}\n\n"

        async def events() -> AsyncIterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            for index, word in enumerate(words):
                if index == 0:
                    call.first_token = time.time()
                else:
                    await asyncio.sleep(self.token_interval)
                yield chunk({"content": word if index == 0 else f" {word}"})
            yield chunk({}, "stop")
            if (body.get("stream_options") or {}).get("include_usage"):
                last = {**base, "object": "chat.completion.chunk", "choices": [], "usage": usage}
                yield f"data: {json.dumps(last)}\n\n"
            yield "data: [DONE]\n\n"
            call.ended = time.time()

        return StreamingResponse(events(), media_type="text/event-stream")

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on a free 127.0.0.1 port in a thread for the block; yields the OpenAI-style base URL."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the fake OpenAI server did not start")
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
        try:
            yield self.base_url
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()


__all__ = ["Call", "FakeOpenAIChat"]
