"""What an agent tool is made of, and the walls every tool runs behind.

A tool is a pydantic argument model (its JSON schema is what a small local model fills in), an async
`run(env, args)` that returns a pydantic result, and a name and description the model reads.
`AgentTool.__call__` is the only way the graph runs one, and it enforces what a weak or manipulated model
cannot talk its way around:

- no scope, no run: without the caller's space a tool refuses (`ScopeMissing`), as the retriever does;
- arguments are validated against the schema; a bad call is a `ToolError` the model can read and repair;
- URL policy: only tools declared `fetches_urls` may fetch a page, and only a URL in `env.allowed_urls` (those
  the user's message or the space's documents gave). URLs written into a search query are removed first,
  because the retriever's URL stream would otherwise read any page a model names;
- whatever goes wrong inside comes out as a `ToolError` with a sentence, never as another exception
  (cancellation is not an error: it propagates, so stopping a run stops its tool).

The passages a tool read (search results, fetched pages) come back as `ToolOutcome.sources`, so the graph can
cite them without each tool having to report them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, ValidationError

from backend.core.db import TenantScope
from backend.core.errors import AppError
from backend.retrieval.text import extract_urls

logger = logging.getLogger(__name__)

PAGE_SOURCE_CHARS = 1500
"""How much of a fetched page a citation carries."""
MAX_SEARCH_TOP_K = 50


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk a tool used; the graph turns these into citations."""

    chunk_id: str
    document_id: str | None
    document_title: str
    heading_path: tuple[str, ...]
    page: int | None
    content: str
    source_url: str | None = None
    scan_version: str | None = None
    """For a chunk found by the space's search: the detector version of its stored injection verdict (clean,
    since search skips quarantined chunks); None for anything else (see `Nodes._merge`)."""
    released: bool = False
    """The chunk was released from quarantine by an admin (the detector flagged it)."""

    def label(self) -> str:
        """`Title › Section, p. 4`: how a flag or a citation names the passage."""
        parts = [self.document_title or self.source_url or "Source", *self.heading_path]
        text = " › ".join(p for p in parts if p)
        return f"{text}, p. {self.page}" if self.page else text


@dataclass(frozen=True, slots=True)
class PageInfo:
    """A fetched web page as text (Markdown: headings are `#` lines)."""

    url: str
    title: str | None
    text: str


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A document of the space, as internal-link suggestions and gap analyses see it."""

    id: str
    title: str
    tags: tuple[str, ...]
    source_url: str | None


OwnContentState = Literal[
    "ok", "no_linked_items", "not_configured", "not_connected", "needs_reconnect", "no_property", "error"
]


@dataclass(frozen=True, slots=True)
class OwnContentItem:
    """One of the team's published items linked to its address, with its GA4 figures since publication
    (`sessions` and the rest are None when GA4 could not be read)."""

    title: str
    url: str
    published_at: datetime
    days: int
    sessions: float | None = None
    conversions: float | None = None
    sessions_per_day: float | None = None


@dataclass(frozen=True, slots=True)
class OwnContent:
    """The team's own published content with its numbers, best first (sessions per day since publication).

    `state` is `ok` when the figures are GA4's; `no_linked_items` when no published item is linked to its URL;
    otherwise GA4's state (not connected, reconnect needed, no property, error) with `message` saying what to do,
    and the linked items without figures.
    """

    state: OwnContentState
    message: str | None = None
    items: tuple[OwnContentItem, ...] = ()


SearchFn = Callable[[str, tuple[str, ...], int], Awaitable[list[Passage]]]
FetchFn = Callable[[str], Awaitable[PageInfo]]
DocumentsFn = Callable[[], Awaitable[list[DocumentInfo]]]
SubjectsFn = Callable[[], Awaitable[list[str]]]
OwnContentFn = Callable[[], Awaitable[OwnContent]]


@dataclass(frozen=True, slots=True)
class ToolEnv:
    """What a tool may touch: one space's retrieval, pages, documents and settings. Built per run.

    `analytics`, once GA4 is connected, is called as `await analytics("search_queries", query=..., limit=...)`
    and returns rows (mappings or objects) with `query` and optionally `clicks` and `impressions`.

    `own_content`, when a higher layer provides it (`env.register_own_content_provider`: the content domain
    does, agents may not import it), is called as `await own_content()` and returns the space's published items
    linked to their URL with their GA4 figures (`OwnContent`); None when no provider is registered.
    """

    scope: TenantScope | None
    brand_voice: dict[str, Any] = field(compare=False)
    search: SearchFn = field(compare=False)
    fetch_page: FetchFn = field(compare=False)
    list_documents: DocumentsFn = field(compare=False)
    past_subjects: SubjectsFn = field(compare=False)
    allowed_urls: frozenset[str] = frozenset()
    analytics: Callable[..., Awaitable[Any]] | None = field(default=None, compare=False)
    own_content: OwnContentFn | None = field(default=None, compare=False)


class ToolError(Exception):
    """A failure of a tool the user or the model can understand (bad arguments, URL not allowed, fetch failed)."""


class ScopeMissing(ToolError, RuntimeError):
    """A tool was run without the caller's space: a bug in the caller, refused loudly."""


class UrlNotAllowed(ToolError):
    """A tool asked for a page nobody gave it."""


class ToolArgs(BaseModel):
    """Base of every tool's arguments: surrounding whitespace trimmed, unknown fields ignored."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


def normalize_url(url: str) -> str:
    """The form URLs are compared in: scheme and host lower-cased, default port and fragment dropped."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    scheme = parts.scheme.lower()
    if port and (scheme, port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path.rstrip("/") or "/", parts.query, ""))


def strip_urls(query: str) -> str:
    """The query without the URLs written in it (so a search never makes the retriever fetch a page)."""
    for url in extract_urls(query):
        query = query.replace(url, " ")
    return " ".join(query.split())


def _page_passage(page: PageInfo) -> Passage:
    return Passage(
        chunk_id=f"url:{normalize_url(page.url)}",
        document_id=None,
        document_title=page.title or page.url,
        heading_path=(),
        page=None,
        content=page.text[:PAGE_SOURCE_CHARS],
        source_url=page.url,
    )


def _without_nulls(value: Any) -> Any:
    """The result without null fields: the prompt is shorter and a small model has less to misread."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@dataclass(frozen=True)
class ToolOutcome:
    """What one tool call produced: its JSON result or its error, and the passages it read."""

    tool: str
    ok: bool
    result: dict[str, Any] | None
    error: str | None
    sources: tuple[Passage, ...] = ()

    @classmethod
    def failed(cls, tool: str, error: str) -> ToolOutcome:
        return cls(tool=tool, ok=False, result=None, error=error, sources=())

    def render(self, limit: int = 4000) -> str:
        """Compact text for the model's next prompt, at most `limit` characters."""
        if not self.ok:
            return f"[{self.tool} failed] {self.error}"[:limit]
        body = json.dumps(_without_nulls(self.result), ensure_ascii=False, separators=(",", ":"), default=str)
        lines = [f"[{self.tool} result]", body]
        if self.sources:
            lines.append("sources: " + "; ".join(f"[{i}] {p.label()}" for i, p in enumerate(self.sources, 1)))
        text = "\n".join(lines)
        if len(text) <= limit:
            return text
        marker = " …[truncated]"
        return text[: max(0, limit - len(marker))] + marker


class _Guard:
    """Wraps one run's env: records what the tool read and applies the URL policy."""

    def __init__(self, tool: AgentTool, env: ToolEnv) -> None:
        self.tool = tool
        self.env = env
        self.allowed = {normalize_url(u) for u in env.allowed_urls}
        self.read: dict[str, Passage] = {}

    async def search(self, query: str, tags: tuple[str, ...], top_k: int) -> list[Passage]:
        query = strip_urls(query)
        if not query:
            return []
        passages = await self.env.search(query, tuple(tags), max(1, min(MAX_SEARCH_TOP_K, int(top_k))))
        for p in passages:
            self.read.setdefault(p.chunk_id, p)
        return passages

    async def fetch_page(self, url: str) -> PageInfo:
        if not self.tool.fetches_urls:
            raise UrlNotAllowed(f"{self.tool.name} does not read web pages.")
        if normalize_url(url) not in self.allowed:
            raise UrlNotAllowed(
                f"{url} was not given in your message or the space's documents, so it is not read. "
                "Paste the link in the conversation to let the agent read it."
            )
        try:
            page = await self.env.fetch_page(url)
        except ToolError:
            raise
        except AppError as exc:
            raise ToolError(f"{url} could not be read: {exc.message}") from exc
        passage = _page_passage(page)
        self.read.setdefault(passage.chunk_id, passage)
        return page

    def guarded(self) -> ToolEnv:
        return replace(self.env, search=self.search, fetch_page=self.fetch_page)


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors()[:6]:
        where = ".".join(str(part) for part in item.get("loc", ())) or "arguments"
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(problems)


@dataclass(frozen=True)
class AgentTool:
    """A tool an agent can call. Call it (`await tool(env, args)`) to run it behind every wall above."""

    name: str
    description: str
    args_model: type[BaseModel]
    run: Callable[[ToolEnv, Any], Awaitable[BaseModel]]
    fetches_urls: bool = False

    def json_schema(self) -> dict[str, Any]:
        """The arguments' JSON schema (what structured output constrains the model to)."""
        return self.args_model.model_json_schema()

    def parse(self, args: dict[str, Any] | str | None) -> BaseModel:
        """The validated arguments, or a `ToolError` naming each bad field."""
        if isinstance(args, str):
            try:
                args = json.loads(args) if args.strip() else {}
            except json.JSONDecodeError:
                raise ToolError(f"Bad arguments for {self.name}: not valid JSON.") from None
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise ToolError(f"Bad arguments for {self.name}: expected an object with named fields.")
        try:
            return self.args_model.model_validate(args)
        except ValidationError as exc:
            raise ToolError(f"Bad arguments for {self.name}: {_describe(exc)}.") from None

    async def __call__(self, env: ToolEnv, args: dict[str, Any] | str | None) -> ToolOutcome:
        """Run the tool; raises only `ToolError` (use `invoke` for an outcome that never raises)."""
        if not isinstance(env.scope, TenantScope):
            raise ScopeMissing(f"{self.name} needs the caller's space and was given none.")
        parsed = self.parse(args)
        guard = _Guard(self, env)
        try:
            result = await self.run(guard.guarded(), parsed)
        except ToolError:
            raise
        except AppError as exc:
            raise ToolError(f"{self.name}: {exc.message}") from exc
        except Exception as exc:
            logger.exception("agent tool failed", extra={"tool": self.name})
            raise ToolError(f"{self.name} failed unexpectedly ({type(exc).__name__}).") from exc
        return ToolOutcome(
            tool=self.name,
            ok=True,
            result=result.model_dump(mode="json"),
            error=None,
            sources=tuple(guard.read.values()),
        )

    async def invoke(self, env: ToolEnv, args: dict[str, Any] | str | None) -> ToolOutcome:
        """Like calling the tool, but a `ToolError` becomes a failed outcome instead of being raised."""
        try:
            return await self(env, args)
        except ToolError as exc:
            return ToolOutcome.failed(self.name, str(exc))


__all__ = [
    "AgentTool",
    "DocumentInfo",
    "OwnContent",
    "OwnContentItem",
    "OwnContentState",
    "PageInfo",
    "Passage",
    "ScopeMissing",
    "ToolArgs",
    "ToolEnv",
    "ToolError",
    "ToolOutcome",
    "UrlNotAllowed",
    "normalize_url",
    "strip_urls",
]
