"""Competitive analysis and content gaps, both measured against what the space's own documents say.

Competitor material is what the team filed under the `competitor_analysis` tag, plus competitor pages the
user linked (read through the URL policy). "What we cover" is every other document of the space, so a
competitor's brochure is never mistaken for our own coverage.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from backend.agents.tools.base import AgentTool, Passage, ToolArgs, ToolEnv, ToolError, UrlNotAllowed
from backend.agents.tools.own_content import OwnPage, describe, own_pages, pages_about
from backend.agents.tools.text import key_phrases, term_set
from backend.core.errors import AppError
from backend.retrieval.text import overlap, terms

COMPETITOR_TAG = "competitor_analysis"
COVERED, PARTIAL = 0.75, 0.4
PAGES = 5


async def _competitor_documents(env: ToolEnv) -> set[str]:
    return {d.id for d in await env.list_documents() if COMPETITOR_TAG in d.tags}


def _ours(passages: list[Passage], competitor_docs: set[str]) -> list[Passage]:
    return [p for p in passages if p.document_id not in competitor_docs and p.source_url is None]


class CompetitiveArgs(ToolArgs):
    competitors: list[str] = Field(default_factory=list, max_length=8, description="Competitor names (optional)")
    urls: list[str] = Field(default_factory=list, max_length=5, description="Competitor pages given in the chat")
    focus: str = Field(default="", max_length=200, description="Product, market or topic to compare on")


class CompetitorProfile(BaseModel):
    name: str
    sources: list[str]
    topics: list[str]
    they_cover_we_do_not: list[str]
    shared_with_us: list[str]


class CompetitiveResult(BaseModel):
    competitors: list[CompetitorProfile]
    our_topics: list[str]
    our_differentiators: list[str] = Field(description="Topics we cover that no competitor material mentions")
    notes: list[str]


def _topics(texts: list[str], exclude: set[str], limit: int) -> list[str]:
    counts = dict(key_phrases(texts, limit=300))
    # A phrase that only ever occurs inside a longer one ("brand voice" in "brand voice scoring") is not a topic
    # of its own: the longer phrase names it.
    maximal = [
        phrase
        for phrase, count in counts.items()
        if not any(other != phrase and f" {phrase} " in f" {other} " and n == count for other, n in counts.items())
    ]
    picked: list[str] = []
    for phrase in sorted(maximal, key=lambda p: (-counts[p], -len(p.split()), p)):
        phrase_terms = term_set(phrase)
        if not phrase_terms or phrase_terms & exclude or any(phrase_terms <= term_set(p) for p in picked):
            continue
        picked.append(phrase)
        if len(picked) == limit:
            break
    return picked


async def _competitive_analysis(env: ToolEnv, args: CompetitiveArgs) -> CompetitiveResult:
    notes: list[str] = []
    query = " ".join([args.focus or "products pricing features positioning", *args.competitors])
    found = {p.chunk_id: p for p in await env.search(query, (COMPETITOR_TAG,), 12)}
    for name in args.competitors:
        found.update({p.chunk_id: p for p in await env.search(f"{name} {args.focus}", (COMPETITOR_TAG,), 5)})
    groups: dict[str, list[tuple[str, str]]] = {}
    for p in found.values():
        text = " ".join((p.document_title, *p.heading_path, p.content))
        named = [n for n in args.competitors if n.lower() in text.lower()]
        for name in named or [p.document_title]:
            groups.setdefault(name, []).append((p.label(), p.content))
    for url in args.urls:
        try:
            page = await env.fetch_page(url)
        except UrlNotAllowed:
            raise
        except ToolError as exc:
            notes.append(str(exc))
            continue
        host = urlsplit(url).hostname or url
        name = next((n for n in args.competitors if n.lower().replace(" ", "") in host), host.removeprefix("www."))
        groups.setdefault(name, []).append((page.title or url, page.text))
    competitor_docs = await _competitor_documents(env)
    ours = _ours(
        await env.search(args.focus or query, (), 12), competitor_docs | {p.document_id or "" for p in found.values()}
    )
    our_terms = term_set(" ".join(p.content for p in ours))
    their_terms: set[str] = set()
    profiles = []
    for name, items in groups.items():
        texts = [text for _, text in items]
        their_terms |= term_set(" ".join(texts))
        topics = _topics(texts, term_set(name), 10)
        profiles.append(
            CompetitorProfile(
                name=name,
                sources=list(dict.fromkeys(label for label, _ in items)),
                topics=topics,
                they_cover_we_do_not=[t for t in topics if not term_set(t) <= our_terms],
                shared_with_us=[t for t in topics if term_set(t) <= our_terms],
            )
        )
    our_topics = _topics([p.content for p in ours], set(), 12)
    if not groups:
        notes.append(
            "No competitor material found: tag competitor documents 'competitor_analysis' or paste their links."
        )
    if not ours:
        notes.append("None of the space's own documents matched the focus, so nothing counts as covered by us.")
    return CompetitiveResult(
        competitors=profiles,
        our_topics=our_topics,
        our_differentiators=[t for t in our_topics if not term_set(t) & their_terms] if groups else [],
        notes=notes,
    )


competitive_analysis = AgentTool(
    name="competitive_analysis",
    description=(
        "Compare competitors with us from the space's competitor documents and competitor pages linked in the "
        "chat: the topics each competitor covers, which we do not, and what only we cover."
    ),
    args_model=CompetitiveArgs,
    run=_competitive_analysis,
    fetches_urls=True,
)


class GapArgs(ToolArgs):
    topics: list[str] = Field(min_length=1, max_length=20, description="Topics the plan or brief asks for")


class TopicCoverage(BaseModel):
    topic: str
    status: str = Field(description="covered, partial or missing")
    coverage: float = Field(description="Share of the topic's terms found in the best passage (0-1)")
    best_source: str | None
    missing_terms: list[str]
    suggestion: str


class PagePerformance(BaseModel):
    """A landing page of the team's site with its GA4 figures (the last 90 days)."""

    page: str
    sessions: int
    key_events: int
    engagement_rate: float


class GapResult(BaseModel):
    topics: list[TopicCoverage]
    covered: int
    partial: int
    missing: int
    best_pages: list[PagePerformance] = Field(
        default_factory=list, description="GA4: the landing pages with the most key events and sessions"
    )
    worst_pages: list[PagePerformance] = Field(
        default_factory=list, description="GA4: the least engaging landing pages among those with real traffic"
    )
    your_content: list[OwnPage] = Field(
        default_factory=list,
        description="The team's published items with their GA4 figures since publication, best first per day",
    )
    notes: list[str] = Field(default_factory=list)


async def _ga4_pages(env: ToolEnv, notes: list[str]) -> tuple[list[PagePerformance], list[PagePerformance]]:
    """The space's best and worst landing pages from GA4, or a note saying why there are none."""
    if env.analytics is None:
        notes.append("GA4 not connected: coverage comes from the space's documents only, with no traffic figures.")
        return [], []
    try:
        best = await env.analytics("landing_pages", order="best", limit=PAGES)
        worst = await env.analytics("landing_pages", order="worst", limit=PAGES)
    except Exception as exc:
        reason = exc.message if isinstance(exc, AppError) else type(exc).__name__
        notes.append(f"GA4 could not be read ({reason}); coverage comes from the space's documents only.")
        return [], []
    notes.append(f"GA4: the best and worst of {len(best)} landing pages (last 90 days) are listed.")
    return [PagePerformance.model_validate(p) for p in best], [PagePerformance.model_validate(p) for p in worst]


def _pages_about(topic: str, pages: list[PagePerformance]) -> list[PagePerformance]:
    """Landing pages whose path names the topic's terms (`/blog/brand-voice-guide` for "brand voice")."""
    wanted = term_set(topic)
    return [p for p in pages if wanted and wanted <= term_set(p.page.replace("/", " ").replace("-", " "))]


async def _content_gap(env: ToolEnv, args: GapArgs) -> GapResult:
    competitor_docs = await _competitor_documents(env)
    rows = []
    for topic in dict.fromkeys(t for t in args.topics if t.strip()):
        wanted = terms(topic)
        passages = _ours(await env.search(topic, (), 5), competitor_docs)
        scored = [(overlap(wanted, " ".join((*p.heading_path, p.content))), p) for p in passages]
        value, best = max(scored, key=lambda item: item[0], default=(0.0, None))
        status = "covered" if value >= COVERED else "partial" if value >= PARTIAL else "missing"
        missing = sorted(set(wanted) - term_set(" ".join((*best.heading_path, best.content)))) if best else wanted
        if status == "covered":
            suggestion = f"Reuse and cite {best.label() if best else 'it'}."
        elif status == "partial":
            suggestion = f"Extend {best.label() if best else 'it'} with {', '.join(missing)}."
        else:
            suggestion = f"New content needed: nothing in the space covers '{topic}'."
        rows.append(
            TopicCoverage(
                topic=topic,
                status=status,
                coverage=round(value, 2),
                best_source=best.label() if best and status != "missing" else None,
                missing_terms=list(dict.fromkeys(missing)),
                suggestion=suggestion,
            )
        )
    notes: list[str] = []
    best_pages, worst_pages = await _ga4_pages(env, notes)
    yours = await own_pages(env, notes)
    for row in rows:
        for page in _pages_about(row.topic, best_pages + worst_pages):
            row.suggestion += f" GA4: {page.page} had {page.sessions} sessions and {page.key_events} key events."
            break
        for own in pages_about(row.topic, yours)[:1]:
            row.suggestion += f" Your published {describe(own)}."
    return GapResult(
        topics=rows,
        covered=sum(1 for r in rows if r.status == "covered"),
        partial=sum(1 for r in rows if r.status == "partial"),
        missing=sum(1 for r in rows if r.status == "missing"),
        best_pages=best_pages,
        worst_pages=worst_pages,
        your_content=yours,
        notes=notes,
    )


content_gap = AgentTool(
    name="content_gap",
    description=(
        "For topics a plan or brief asks for, check what the space's own documents already cover: covered, "
        "partial (with the missing terms) or missing, with the best source to reuse; with GA4 connected, also "
        "the site's best and worst landing pages, each topic's page figures and the team's own published items "
        "with their sessions and key events since publication."
    ),
    args_model=GapArgs,
    run=_content_gap,
)
