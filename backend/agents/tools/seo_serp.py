"""SERP analysis: competitor pages the user gave, read through the URL policy and compared with our draft.

Only pages in the conversation's allowed URLs are read (the `AgentTool` wall refuses the rest, and the whole
call fails then, so the model learns to ask instead of guessing URLs). A page that is allowed but cannot be
read is reported on its own line; the others are still analysed.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.agents.tools.base import AgentTool, PageInfo, ToolArgs, ToolEnv, ToolError, UrlNotAllowed
from backend.agents.tools.text import contains_phrase, count_phrase, headings, plain_text, term_set, words

GAP_OVERLAP = 0.5
"""A competitor heading counts as covered by our text when this share of its terms occurs in it."""


class SerpArgs(ToolArgs):
    urls: list[str] = Field(min_length=1, max_length=5, description="Competitor pages (links given in the chat)")
    keywords: list[str] = Field(min_length=1, max_length=10, description="The target keywords")
    our_text: str = Field(default="", max_length=30000, description="Our draft or brief, to find gaps against")


class KeywordCoverage(BaseModel):
    keyword: str
    count: int
    density: float = Field(description="Occurrences per 100 words, in percent")
    in_title: bool
    in_headings: bool


class PageAnalysis(BaseModel):
    url: str
    title: str | None = None
    title_length: int = 0
    word_count: int = 0
    headings: list[str] = Field(default_factory=list, description="'H2 Text' in page order (first 30)")
    keywords: list[KeywordCoverage] = Field(default_factory=list)
    error: str | None = None


class KeywordSummary(BaseModel):
    keyword: str
    pages_using: int
    pages_with_it_in_title: int
    in_our_text: bool


class SerpResult(BaseModel):
    pages: list[PageAnalysis]
    keywords: list[KeywordSummary]
    average_word_count: int
    our_word_count: int
    gaps: list[str] = Field(description="What the competitors cover that our text does not")


def analyse_page(page: PageInfo, keywords: list[str]) -> PageAnalysis:
    """Title, headings, word count and per-keyword coverage of one fetched page."""
    found = headings(page.text)
    prose = plain_text(page.text)
    total = len(words(prose))
    heading_text = " ".join(text for _, text in found)
    title = page.title or ""
    coverage = []
    for keyword in keywords:
        count = count_phrase(prose, keyword)
        coverage.append(
            KeywordCoverage(
                keyword=keyword,
                count=count,
                density=round(100.0 * count / total, 2) if total else 0.0,
                in_title=contains_phrase(title, keyword),
                in_headings=contains_phrase(heading_text, keyword),
            )
        )
    return PageAnalysis(
        url=page.url,
        title=page.title,
        title_length=len(title),
        word_count=total,
        headings=[f"H{level} {text}" for level, text in found[:30]],
        keywords=coverage,
    )


def _gaps(pages: list[PageAnalysis], texts: dict[str, str], args: SerpArgs, our_words: int, avg: int) -> list[str]:
    gaps: list[str] = []
    ours = term_set(args.our_text)
    if not args.our_text.strip():
        return ["No draft or brief given: pass our_text to compare it with these pages."]
    for keyword in args.keywords:
        users = [p for p in pages if any(k.keyword == keyword and k.count for k in p.keywords)]
        if users and not contains_phrase(args.our_text, keyword):
            gaps.append(f"'{keyword}' appears on {len(users)} of {len(pages)} competitor pages but not in ours.")
    topics: dict[frozenset[str], tuple[str, set[str]]] = {}
    for page in pages:
        for level, heading in headings(texts[page.url]):
            heading_terms = term_set(heading)
            if level < 2 or not heading_terms:
                continue
            if len(heading_terms & ours) / len(heading_terms) >= GAP_OVERLAP:
                continue
            key = frozenset(heading_terms)
            _, urls = topics.setdefault(key, (heading, set()))
            urls.add(page.url)
    ranked = sorted(topics.values(), key=lambda item: (-len(item[1]), item[0]))
    for heading, urls in ranked[:10]:
        gaps.append(f"Competitors cover '{heading}' ({len(urls)} of {len(pages)} pages); our text does not.")
    if avg and our_words < 0.7 * avg:
        gaps.append(f"Our text has {our_words} words; the competitor pages average {avg}.")
    return gaps


async def _serp_analysis(env: ToolEnv, args: SerpArgs) -> SerpResult:
    pages: list[PageAnalysis] = []
    texts: dict[str, str] = {}
    for url in dict.fromkeys(u.strip() for u in args.urls if u.strip()):
        try:
            page = await env.fetch_page(url)
        except UrlNotAllowed:
            raise
        except ToolError as exc:
            pages.append(PageAnalysis(url=url, error=str(exc)))
            continue
        texts[url] = page.text
        pages.append(analyse_page(PageInfo(url, page.title, page.text), args.keywords))
    read = [p for p in pages if p.error is None]
    if not read:
        raise ToolError("None of the pages could be read: " + " ".join(p.error or "" for p in pages))
    avg = round(sum(p.word_count for p in read) / len(read))
    our_words = len(words(plain_text(args.our_text)))
    summary = [
        KeywordSummary(
            keyword=keyword,
            pages_using=sum(1 for p in read for k in p.keywords if k.keyword == keyword and k.count),
            pages_with_it_in_title=sum(1 for p in read for k in p.keywords if k.keyword == keyword and k.in_title),
            in_our_text=contains_phrase(args.our_text, keyword),
        )
        for keyword in args.keywords
    ]
    return SerpResult(
        pages=pages,
        keywords=summary,
        average_word_count=avg,
        our_word_count=our_words,
        gaps=_gaps(read, texts, args, our_words, avg),
    )


serp_analysis = AgentTool(
    name="serp_analysis",
    description=(
        "Analyse competitor pages the user linked: titles, headings, word counts and coverage of each target "
        "keyword, and the gaps between them and our draft. Only links given in the conversation can be read."
    ),
    args_model=SerpArgs,
    run=_serp_analysis,
    fetches_urls=True,
)
