"""Content audit: readability, keyword use, heading structure, title and meta description against what search
results show, and internal links to the space's own documents.

Search results cut titles at about 600 pixels (about 60 characters) and descriptions at about 155-160
characters; both are measured in characters here and previewed as they would be cut. A keyphrase density
between 0.5 % and 2.5 % is the usual advice: below, the page hardly names its topic; above, it reads as stuffing.
"""

from __future__ import annotations

from itertools import pairwise

from pydantic import BaseModel, Field

from backend.agents.tools.base import AgentTool, ToolArgs, ToolEnv
from backend.agents.tools.text import (
    contains_phrase,
    count_phrase,
    headings,
    key_phrases,
    keyword_density,
    plain_text,
    term_set,
    text_stats,
    truncate,
)

TITLE_MIN, TITLE_MAX = 30, 60
META_MIN, META_MAX, META_HARD_MAX = 120, 155, 160
DENSITY_LOW, DENSITY_HIGH = 0.5, 2.5
MAX_LINKS = 5
INTERNAL_TAGS = frozenset(("brand_guidelines", "seo_guidelines", "competitor_analysis"))
"""Collections of working material (guidelines, competitor notes): never suggested as pages to link to."""


class AuditArgs(ToolArgs):
    text: str = Field(min_length=1, max_length=50000, description="The draft, in Markdown")
    target_keyword: str = Field(default="", max_length=100, description="The main keyword the page should rank for")
    title: str = Field(default="", max_length=300, description="SEO title; defaults to the draft's first heading")
    meta_description: str = Field(default="", max_length=500, description="The meta description, if written")


class Readability(BaseModel):
    words: int
    sentences: int
    flesch_reading_ease: float
    flesch_kincaid_grade: float
    avg_sentence_words: float
    long_sentences: list[str] = Field(description="Sentences over 25 words (first 5, shortened)")
    verdict: str


class KeywordUse(BaseModel):
    keyword: str
    count: int
    density: float = Field(description="Occurrences per 100 words, in percent")
    in_title: bool
    in_meta_description: bool
    in_first_paragraph: bool
    in_headings: bool
    verdict: str


class LengthCheck(BaseModel):
    text: str
    length: int
    recommended: str
    preview: str = Field(description="How a search result would show it")
    status: str = Field(description="missing, too short, ok, may be cut or too long")


class LinkSuggestion(BaseModel):
    document_title: str
    section: str | None
    source_url: str | None = Field(description="Where it is published; null when only the file is known")
    anchor_text: str
    reason: str


class AuditResult(BaseModel):
    readability: Readability
    keyword: KeywordUse | None
    headings: list[str]
    title: LengthCheck
    meta_description: LengthCheck
    internal_links: list[LinkSuggestion]
    issues: list[str] = Field(description="What to fix, most important first")


def _reading_verdict(ease: float) -> str:
    if ease >= 60:
        return "easy to read (plain English or easier)"
    if ease >= 50:
        return "fairly difficult: shorten sentences and prefer short words"
    return "difficult: most readers will skim; split long sentences and cut jargon"


def length_check(text: str, low: int, high: int, hard: int | None = None) -> LengthCheck:
    """A title or description measured against a search result's limits, with the cut preview."""
    text = " ".join(text.split())
    hard = hard or high
    if not text:
        status = "missing"
    elif len(text) < low:
        status = "too short"
    elif len(text) <= high:
        status = "ok"
    else:
        status = "may be cut" if len(text) <= hard else "too long"
    return LengthCheck(
        text=text, length=len(text), recommended=f"{low}-{high} characters", preview=truncate(text, high), status=status
    )


def _first_paragraph(markdown: str) -> str:
    for block in markdown.split("\n\n"):
        block = block.strip()
        if block and not block.startswith("#"):
            return block
    return ""


def _heading_issues(found: list[tuple[int, str]], keyword: str) -> list[str]:
    issues = []
    h1 = [t for level, t in found if level == 1]
    if found and not h1:
        issues.append("No H1: start the page with one '# ' heading that names its topic.")
    if len(h1) > 1:
        issues.append(f"{len(h1)} H1 headings: keep one and make the others '##'.")
    for (before, _), (level, text) in pairwise(found):
        if level > before + 1:
            issues.append(f"'{text}' jumps from H{before} to H{level}: use H{before + 1}.")
    if keyword and found and not any(contains_phrase(t, keyword) for _, t in found):
        issues.append(f"No heading contains '{keyword}': use it in the H1 or an H2.")
    return issues


async def _internal_links(env: ToolEnv, text: str, query: str) -> list[LinkSuggestion]:
    documents = await env.list_documents()
    internal = {d.id for d in documents if set(d.tags) & INTERNAL_TAGS}
    urls = {d.id: d.source_url for d in documents}
    ours = term_set(text)
    phrases = [p for p, _ in key_phrases([text], limit=60) if len(p.split()) > 1]
    suggestions: dict[str, LinkSuggestion] = {}
    for passage in await env.search(query, (), 8):
        key = passage.document_id or passage.chunk_id
        url = passage.source_url or urls.get(key)
        if key in suggestions or key in internal or (url and url in text):
            continue
        # Anchor text: a phrase of the draft the passage also uses, preferring one that names the passage.
        named = term_set(passage.label())
        shared = sorted(
            (p for p in phrases if contains_phrase(passage.content, p)), key=lambda p: -len(term_set(p) & named)
        )
        suggestions[key] = LinkSuggestion(
            document_title=passage.document_title,
            section=" › ".join(passage.heading_path) or None,
            source_url=url,
            anchor_text=shared[0] if shared else passage.document_title,
            reason=f"Covers '{shared[0]}' in depth." if shared else "Closely related material of the space.",
        )
    for document in documents:
        title_terms = term_set(document.title)
        already_linked = document.source_url is not None and document.source_url in text
        if document.id in suggestions or document.id in internal or not title_terms or already_linked:
            continue
        if len(title_terms & ours) / len(title_terms) >= 0.6:
            suggestions[document.id] = LinkSuggestion(
                document_title=document.title,
                section=None,
                source_url=document.source_url,
                anchor_text=document.title,
                reason="Its title's topic is discussed in the draft.",
            )
    # Pages with a known address first: those can be linked as they are.
    ranked = sorted(suggestions.values(), key=lambda s: s.source_url is None)
    return ranked[:MAX_LINKS]


async def _content_audit(env: ToolEnv, args: AuditArgs) -> AuditResult:
    stats = text_stats(args.text)
    found = headings(args.text)
    keyword = args.target_keyword
    title = args.title or next((t for level, t in found if level == 1), "")
    issues: list[str] = []
    use = None
    if keyword:
        density = keyword_density(args.text, keyword)
        if density < DENSITY_LOW:
            verdict = f"low: name '{keyword}' a few more times where it reads naturally"
        elif density > DENSITY_HIGH:
            verdict = f"high: over {DENSITY_HIGH} % reads as keyword stuffing; vary the wording"
        else:
            verdict = "ok"
        use = KeywordUse(
            keyword=keyword,
            count=count_phrase(plain_text(args.text), keyword),
            density=density,
            in_title=contains_phrase(title, keyword),
            in_meta_description=contains_phrase(args.meta_description, keyword),
            in_first_paragraph=contains_phrase(_first_paragraph(args.text), keyword),
            in_headings=any(contains_phrase(t, keyword) for _, t in found),
            verdict=verdict,
        )
        if verdict != "ok":
            issues.append(f"Keyword density {density} %: {verdict}.")
        if not use.in_title:
            issues.append(f"The title does not contain '{keyword}'.")
        if not use.in_first_paragraph:
            issues.append(f"Name '{keyword}' in the first paragraph.")
    title_check = length_check(title, TITLE_MIN, TITLE_MAX)
    meta_check = length_check(args.meta_description, META_MIN, META_MAX, META_HARD_MAX)
    for name, check in (("Title", title_check), ("Meta description", meta_check)):
        if check.status != "ok":
            issues.append(f"{name} is {check.status} ({check.length} characters; {check.recommended}).")
    issues.extend(_heading_issues(found, keyword))
    if stats.flesch_reading_ease < 50 and stats.words:
        issues.append(f"Reading ease {stats.flesch_reading_ease}: {_reading_verdict(stats.flesch_reading_ease)}.")
    if stats.long_sentences:
        issues.append(f"{len(stats.long_sentences)} sentences over 25 words: split them.")
    query = keyword or title or args.text[:300]
    return AuditResult(
        readability=Readability(
            words=stats.words,
            sentences=stats.sentences,
            flesch_reading_ease=stats.flesch_reading_ease,
            flesch_kincaid_grade=stats.flesch_kincaid_grade,
            avg_sentence_words=stats.avg_sentence_words,
            long_sentences=[truncate(s, 120) for s in stats.long_sentences[:5]],
            verdict=_reading_verdict(stats.flesch_reading_ease),
        ),
        keyword=use,
        headings=[f"H{level} {text}" for level, text in found],
        title=title_check,
        meta_description=meta_check,
        internal_links=await _internal_links(env, args.text, query),
        issues=issues,
    )


content_audit = AgentTool(
    name="content_audit",
    description=(
        "Audit a draft for search: readability scores, keyword density and placement, heading structure, "
        "title (~60 characters) and meta description (~155) lengths with previews, internal-link suggestions."
    ),
    args_model=AuditArgs,
    run=_content_audit,
)
