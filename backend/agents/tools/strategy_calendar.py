"""Content calendar: channels × weeks from a start date, one theme per week, walking the funnel.

Themes come from the caller, or else from the section headings of the space's documents on the topic (so a
calendar is built from what the team can actually back up), or else from the topic itself. Weeks move from
awareness to consideration to decision to retention; each channel publishes on its usual weekday.

The team's own published content comes with it (`your_content`, with its GA4 figures since publication, best
first): a week whose theme an item already covers names it, to link or refresh rather than write again.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field

from backend.agents.tools.base import AgentTool, ToolArgs, ToolEnv
from backend.agents.tools.own_content import OwnPage, describe, own_pages, pages_about
from backend.agents.tools.text import term_set

_STAGES = (
    ("awareness", "why it matters"),
    ("consideration", "how it works"),
    ("decision", "proof and results"),
    ("retention", "getting more out of it"),
)
# channel -> (format, weekday: 0 = Monday)
_CHANNELS = {
    "blog": ("Article", 1), "email": ("Newsletter", 3), "newsletter": ("Newsletter", 3),
    "linkedin": ("Post", 2), "twitter": ("Thread", 2), "x": ("Thread", 2), "facebook": ("Post", 3),
    "instagram": ("Carousel", 4), "tiktok": ("Short video", 4), "youtube": ("Video", 4),
    "podcast": ("Episode", 1), "webinar": ("Webinar", 2), "website": ("Landing page", 0),
}  # fmt: skip


class CalendarArgs(ToolArgs):
    start_date: date = Field(description="First day of the plan, as YYYY-MM-DD")
    weeks: int = Field(default=4, ge=1, le=12, description="How many weeks to plan")
    channels: list[str] = Field(
        default_factory=lambda: ["blog", "email", "linkedin"], min_length=1, max_length=6, description="Channels"
    )
    topic: str = Field(default="", max_length=200, description="The campaign or focus of the period")
    themes: list[str] = Field(default_factory=list, max_length=12, description="Themes to rotate weekly (optional)")


class CalendarEntry(BaseModel):
    week: int
    channel: str
    format: str
    publish_date: date
    theme: str
    stage: str
    working_title: str


class CalendarWeek(BaseModel):
    week: int
    starts: date
    theme: str
    stage: str
    already_published: str | None = Field(
        default=None, description="The team's published item on this theme, with its numbers: link or refresh it"
    )


class CalendarResult(BaseModel):
    weeks: list[CalendarWeek]
    entries: list[CalendarEntry] = Field(description="One per channel and week, in date order")
    themes_from: str = Field(description="arguments, documents or topic")
    your_content: list[OwnPage] = Field(
        default_factory=list,
        description="The team's published items with their GA4 figures since publication, best first per day",
    )
    notes: list[str] = Field(default_factory=list)


async def _themes(env: ToolEnv, args: CalendarArgs) -> tuple[list[str], str]:
    if args.themes:
        return [t for t in args.themes if t], "arguments"
    if args.topic:
        found: list[str] = []
        seen: list[set[str]] = []
        for passage in await env.search(args.topic, (), 12):
            label = passage.heading_path[-1] if passage.heading_path else passage.document_title
            terms = term_set(label)
            if label and terms and not any(terms <= other or other <= terms for other in seen):
                found.append(label)
                seen.append(terms)
        if found:
            return found, "documents"
    topic = args.topic or "Our product"
    return [f"{topic[:1].upper()}{topic[1:]}"], "topic"


def _publish(week_start: date, weekday: int) -> date:
    return week_start + timedelta(days=(weekday - week_start.weekday()) % 7)


async def _content_calendar(env: ToolEnv, args: CalendarArgs) -> CalendarResult:
    themes, origin = await _themes(env, args)
    channels = list(dict.fromkeys(c.strip().lower() for c in args.channels if c.strip()))
    weeks, entries = [], []
    for i in range(args.weeks):
        starts = args.start_date + timedelta(weeks=i)
        stage, angle = _STAGES[i * len(_STAGES) // args.weeks]
        theme = themes[i % len(themes)]
        weeks.append(CalendarWeek(week=i + 1, starts=starts, theme=theme, stage=stage))
        for channel in channels:
            kind, weekday = _CHANNELS.get(channel, ("Post", 2))
            entries.append(
                CalendarEntry(
                    week=i + 1,
                    channel=channel,
                    format=kind,
                    publish_date=_publish(starts, weekday),
                    theme=theme,
                    stage=stage,
                    working_title=f"{theme}: {angle}",
                )
            )
    entries.sort(key=lambda e: (e.publish_date, e.channel))
    notes: list[str] = []
    yours = await own_pages(env, notes)
    for week in weeks:
        for own in pages_about(week.theme, yours)[:1]:
            week.already_published = describe(own)
    return CalendarResult(weeks=weeks, entries=entries, themes_from=origin, your_content=yours, notes=notes)


content_calendar = AgentTool(
    name="content_calendar",
    description=(
        "Plan a content calendar of channels × weeks from a start date: a theme per week (given, or from the "
        "space's documents on the topic), a funnel stage, and per channel a format, publish date and title; "
        "with the team's published items and their GA4 figures, and which week's theme one already covers."
    ),
    args_model=CalendarArgs,
    run=_content_calendar,
)
