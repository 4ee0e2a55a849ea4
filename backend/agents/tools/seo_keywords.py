"""Keyword research: candidate keywords from the brief, the space's own documents and (once connected) GA4,
each with its search intent, grouped into clusters.

GA4 holds no Google search queries (Search Console does); what it has are the terms visitors searched for on
the site, with the landing pages those sessions came in on: they are read as `search_queries`.

Intent is classified by the modifiers searchers type (the common four-way split): "login" or "website" asks
for a place (navigational), "price" or "buy" for a purchase (transactional), "best" or "vs" for a comparison
(commercial), and questions or "guide" for knowledge (informational). A phrase without a modifier is
informational, the most common intent; the rule that decided is returned with it, so a reader can disagree.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field

from backend.agents.tools.base import AgentTool, ToolArgs, ToolEnv
from backend.agents.tools.own_content import OwnPage, describe, own_pages, pages_about
from backend.agents.tools.text import key_phrases, term_set
from backend.core.errors import AppError

Intent = Literal["informational", "commercial", "transactional", "navigational"]
_RULES: tuple[tuple[Intent, tuple[str, ...]], ...] = (
    ("navigational", ("login", "log in", "sign in", "signin", "account", "dashboard", "official site", "website",
                      "homepage", "contact", "customer service", "support")),
    ("transactional", ("buy", "price", "prices", "pricing", "cost", "costs", "discount", "coupon", "deal", "deals",
                       "order", "purchase", "cheap", "free trial", "trial", "sign up", "signup", "subscribe",
                       "quote", "book", "hire", "for sale", "near me", "download")),
    ("commercial", ("best", "top", "vs", "versus", "review", "reviews", "compare", "comparison", "alternative",
                    "alternatives", "software", "tool", "tools", "platform", "provider", "providers", "agency",
                    "solution", "solutions", "service", "services", "checker", "generator", "app", "apps",
                    "calculator")),
    ("informational", ("how", "what", "why", "when", "where", "who", "which", "guide", "tutorial", "tips", "ideas",
                       "examples", "example", "learn", "definition", "meaning", "ways", "checklist", "template",
                       "templates", "strategy", "introduction")),
)  # fmt: skip
_BRIEF_NOISE = frozenset(
    ("write", "create", "draft", "produce", "blog", "post", "article", "piece", "content", "copy", "page", "need",
     "want", "please", "help", "words", "audience", "tone", "brief", "target")
)  # fmt: skip


def classify_intent(keyword: str) -> tuple[Intent, str]:
    """The search intent of a keyword and the rule that decided it."""
    low = " ".join(re.findall(r"[a-z0-9]+", keyword.lower()))
    for intent, markers in _RULES:
        for marker in markers:
            if re.search(rf"(?<![a-z0-9]){re.escape(marker)}(?![a-z0-9])", low):
                return intent, f"contains '{marker}'"
    return "informational", "default (no modifier)"


class KeywordArgs(ToolArgs):
    topic: str = Field(min_length=2, max_length=500, description="The brief or topic to find keywords for")
    seed_keywords: list[str] = Field(default_factory=list, max_length=20, description="Keywords already in mind")
    max_keywords: int = Field(default=15, ge=5, le=50, description="How many keywords to return")


class KeywordIdea(BaseModel):
    keyword: str
    intent: Intent
    intent_reason: str
    score: float = Field(description="Relevance: brief and seed keywords first, then how often the space uses it")
    sources: list[str] = Field(description="brief, seed, documents and/or ga4")
    documents: int = Field(description="Retrieved passages of the space that use it")
    clicks: int | None = None
    impressions: int | None = None
    sessions: int | None = Field(default=None, description="GA4 sessions that came with this site search")
    landing_pages: list[str] | None = Field(default=None, description="GA4 landing pages of those sessions")


class KeywordCluster(BaseModel):
    name: str
    head_term: str
    keywords: list[str]


class KeywordResult(BaseModel):
    keywords: list[KeywordIdea]
    clusters: list[KeywordCluster]
    intents: dict[str, int]
    your_content: list[OwnPage] = Field(
        default_factory=list,
        description="The team's published items with their GA4 figures since publication, best first per day",
    )
    notes: list[str]


def _field(row: Any, name: str) -> Any:
    value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
    return int(value) if name != "query" and isinstance(value, int | float) else value


async def _ga4_rows(env: ToolEnv, topic: str, notes: list[str]) -> list[dict[str, Any]]:
    if env.analytics is None:
        notes.append("GA4 not connected: keywords come from the brief and the space's documents only.")
        return []
    try:
        rows = await env.analytics("search_queries", query=topic, limit=100)
    except Exception as exc:
        # An AppError carries a sentence for people (quota used up, reconnect needed); anything else is named only.
        reason = exc.message if isinstance(exc, AppError) else type(exc).__name__
        notes.append(f"GA4 could not be read ({reason}); keywords come from the brief and documents.")
        return []
    out = []
    for row in rows or []:
        query = row if isinstance(row, str) else _field(row, "query")
        if query:
            pages = [] if isinstance(row, str) else _field(row, "landing_pages")
            out.append(
                {
                    "query": str(query),
                    "clicks": _field(row, "clicks"),
                    "impressions": _field(row, "impressions"),
                    "sessions": _field(row, "sessions"),
                    "landing_pages": [str(p) for p in pages][:5] if isinstance(pages, list) else None,
                }
            )
    notes.append(f"GA4: {len(out)} search queries read.")
    return out


def _cluster(ideas: list[KeywordIdea]) -> list[KeywordCluster]:
    term_sets = {idea.keyword: term_set(idea.keyword) for idea in ideas}
    frequency = Counter(t for ts in term_sets.values() for t in ts)
    groups: dict[str, list[str]] = {}
    for idea in ideas:
        ts = term_sets[idea.keyword]
        if not ts:
            continue
        head = min(ts, key=lambda t: (-frequency[t], t))
        groups.setdefault(head, []).append(idea.keyword)
    clusters = [KeywordCluster(name=members[0], head_term=head, keywords=members) for head, members in groups.items()]
    return sorted(clusters, key=lambda c: -len(c.keywords))


async def _keyword_research(env: ToolEnv, args: KeywordArgs) -> KeywordResult:
    notes: list[str] = []
    queries = [args.topic, *args.seed_keywords[:3]]
    passages = {p.chunk_id: p for q in queries for p in await env.search(q, (), 8)}
    texts = [" ".join((*p.heading_path, p.content)) for p in passages.values()]
    wanted = term_set(args.topic) | {t for s in args.seed_keywords for t in term_set(s)}

    found: dict[str, dict[str, Any]] = {}

    def add(keyword: str, source: str, weight: float, **extra: Any) -> None:
        key = " ".join(keyword.lower().split())
        if not key:
            return
        entry = found.setdefault(key, {"sources": [], "score": 0.0, "documents": 0})
        if source not in entry["sources"]:
            entry["sources"].append(source)
            entry["score"] += weight
        entry.update({k: v for k, v in extra.items() if v is not None})

    for seed in args.seed_keywords:
        add(seed, "seed", 5.0)
    for phrase, _ in key_phrases([args.topic], limit=40):
        if not set(phrase.split()) <= _BRIEF_NOISE:
            add(phrase, "brief", 3.0 + 0.5 * len(phrase.split()))
    for phrase, count in key_phrases(texts, limit=200):
        related = bool(term_set(phrase) & wanted)
        if related or count >= 2:
            add(phrase, "documents", count + (2.0 if related else 0.0) + 0.5 * (len(phrase.split()) - 1))
    for row in await _ga4_rows(env, args.topic, notes):
        if term_set(row["query"]) & wanted:
            add(
                row["query"],
                "ga4",
                4.0,
                clicks=row["clicks"],
                impressions=row["impressions"],
                sessions=row["sessions"],
                landing_pages=row["landing_pages"],
            )
    for key, entry in found.items():
        entry["documents"] = sum(1 for text in texts if key in text.lower())

    ideas = []
    for key, entry in found.items():
        intent, reason = classify_intent(key)
        ideas.append(
            KeywordIdea(
                keyword=key,
                intent=intent,
                intent_reason=reason,
                score=round(entry["score"], 2),
                sources=entry["sources"],
                documents=entry["documents"],
                clicks=entry.get("clicks"),
                impressions=entry.get("impressions"),
                sessions=entry.get("sessions"),
                landing_pages=entry.get("landing_pages"),
            )
        )
    ideas.sort(key=lambda i: (-i.score, -len(i.keyword.split()), i.keyword))
    # A single word already inside a longer candidate adds nothing ("brand" beside "brand voice").
    phrases = [i.keyword for i in ideas if " " in i.keyword]
    ideas = [
        i for i in ideas if " " in i.keyword or "seed" in i.sources or not any(i.keyword in p.split() for p in phrases)
    ]
    ideas = ideas[: args.max_keywords]
    if not passages:
        notes.append("No document of the space matched the topic: upload product or SEO material to ground it.")
    yours = await own_pages(env, notes)
    for own in pages_about(args.topic, yours)[:3]:
        notes.append(f"Already published on this topic: {describe(own)}; target other keywords or update it.")
    return KeywordResult(
        keywords=ideas,
        clusters=_cluster(ideas),
        intents=dict(Counter(i.intent for i in ideas)),
        your_content=yours,
        notes=notes,
    )


keyword_research = AgentTool(
    name="keyword_research",
    description=(
        "Find candidate keywords for a topic from the brief, the space's documents and GA4 search queries; "
        "each with its search intent (informational, commercial, transactional, navigational), in clusters; "
        "also the team's own published items with their GA4 sessions and key events since publication."
    ),
    args_model=KeywordArgs,
    run=_keyword_research,
)
