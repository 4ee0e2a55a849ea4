"""Email sequences: a plan of emails with day offsets, a goal and a subject idea each, for a kind of sequence.

The plans follow the common lifecycle shapes (a welcome series front-loads value, a re-engagement series
spaces out and ends with a clean goodbye, a launch builds up to the day and follows up). Fewer emails than the
shape keeps its first steps and its last; more repeat the middle step at widening intervals.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend.agents.tools.base import AgentTool, ToolArgs, ToolEnv
from backend.agents.tools.email_lines import score_subject, topic_forms

Goal = Literal["onboarding", "nurture", "re_engagement", "launch", "promotion"]

# (day, step name, what the email must achieve, subject pattern, call to action, send condition)
_Step = tuple[int, str, str, str, str, str]
_PLANS: dict[str, tuple[_Step, ...]] = {
    "onboarding": (
        (0, "Welcome", "Confirm the sign-up and set expectations", "Welcome! Here's how to start with {topic}",
         "Take the first step", "on sign-up"),
        (1, "Quick win", "Get a first result within a day", "Your first win with {topic} in 5 minutes",
         "Try it now", "skip if already active"),
        (3, "Key feature", "Show the feature that makes people stay", "The part of {topic} most teams miss",
         "See how it works", "always"),
        (7, "Social proof", "Show how others succeed", "How teams like yours use {topic}",
         "Read the story", "always"),
        (14, "Check-in", "Ask for feedback or offer help", "How is {topic} going so far?", "Reply or book a call",
         "skip if converted"),
    ),
    "nurture": (
        (0, "Educate", "Teach something useful about the problem", "A practical guide to {topic}",
         "Read the guide", "always"),
        (4, "Framework", "Give a way to think about it", "A simple framework for {topic}", "Get the framework",
         "always"),
        (9, "Proof", "Show results others had", "What {topic} did for one team", "Read the case study",
         "always"),
        (16, "Objection", "Answer the common doubt", "The question we hear most about {topic}", "See the answer",
         "always"),
        (23, "Offer", "Invite to the next step", "Ready to go further with {topic}?", "Talk to us",
         "skip if converted"),
    ),
    "re_engagement": (
        (0, "We miss you", "Remind them of the value", "It's been a while: what's new in {topic}",
         "See what's new", "inactive 60+ days"),
        (5, "Best of", "Show the most useful content since they left", "The best of {topic}, in one email",
         "Catch up", "skip if re-engaged"),
        (12, "Incentive", "Give a reason to come back now", "Something for you on {topic}", "Claim it",
         "skip if re-engaged"),
        (20, "Last call", "Ask whether to keep sending; clean the list", "Should we keep writing about {topic}?",
         "Keep me subscribed", "skip if re-engaged; unsubscribe quietly if no answer"),
    ),
    "launch": (
        (-7, "Teaser", "Build curiosity before the launch", "Something new about {topic} is coming",
         "Get notified", "always"),
        (-2, "Preview", "Show what is launching and why", "A first look at {topic}", "See the preview",
         "always"),
        (0, "Launch", "Announce and drive the first action", "{Topic} is here", "Try it today", "always"),
        (3, "Follow-up", "Answer questions and show early use", "3 ways to use {topic}", "Start now",
         "skip if already using"),
        (10, "Last reminder", "Close the launch window", "Last chance to get started with {topic}",
         "Get started", "skip if already using"),
    ),
    "promotion": (
        (0, "Announce", "Present the offer and its value", "{Topic}: our offer for you", "See the offer",
         "always"),
        (3, "Reminder", "Remind with a new angle", "Still thinking about {topic}?", "Take a look", "skip if bought"),
        (6, "Final day", "Close the offer", "Ends tonight: {topic}", "Get it before midnight", "skip if bought"),
    ),
}  # fmt: skip


class SequenceArgs(ToolArgs):
    goal: Goal = Field(description="Kind of sequence: onboarding, nurture, re_engagement, launch or promotion")
    topic: str = Field(min_length=2, max_length=120, description="The product, offer or subject of the sequence")
    emails: int = Field(default=0, ge=0, le=10, description="Number of emails; 0 uses the usual number for the goal")


class SequenceEmail(BaseModel):
    position: int
    day: int = Field(description="Days after the sequence starts (negative: before a launch day)")
    name: str
    goal: str
    subject_idea: str
    subject_score: int
    call_to_action: str
    send_condition: str


class SequenceResult(BaseModel):
    goal: str
    emails: list[SequenceEmail]
    span_days: int
    notes: list[str]


def _fit(plan: tuple[_Step, ...], n: int) -> list[_Step]:
    if n <= 0 or n == len(plan):
        return list(plan)
    if n == 1:
        return [plan[0]]
    if n < len(plan):
        return [*plan[: n - 1], plan[-1]]
    _, name, goal, pattern, cta, condition = plan[len(plan) // 2]
    steps = list(plan[:-1])
    gap = max(2, plan[-1][0] - plan[-2][0])
    for extra in range(2, n - len(plan) + 2):
        gap += 2
        steps.append((steps[-1][0] + gap, f"{name} {extra}", goal, f"{pattern} (part {extra})", cta, condition))
    steps.append((steps[-1][0] + gap + 2, *plan[-1][1:]))
    return steps


async def _sequence_planner(env: ToolEnv, args: SequenceArgs) -> SequenceResult:
    past = await env.past_subjects()
    forms = topic_forms(args.topic)
    steps = _fit(_PLANS[args.goal], args.emails)
    emails = []
    for position, (day, name, goal, pattern, cta, condition) in enumerate(steps, 1):
        subject = pattern.format(**forms)
        emails.append(
            SequenceEmail(
                position=position,
                day=day,
                name=name,
                goal=goal,
                subject_idea=subject,
                subject_score=score_subject(subject, past).score,
                call_to_action=cta,
                send_condition=condition,
            )
        )
    notes = ["Stop the sequence for anyone who reaches its goal (see each send condition)."]
    if args.goal == "launch":
        notes.append("Days are relative to the launch day (day 0).")
    return SequenceResult(
        goal=args.goal, emails=emails, span_days=emails[-1].day - emails[0].day if emails else 0, notes=notes
    )


sequence_planner = AgentTool(
    name="sequence_planner",
    description=(
        "Plan a multi-email sequence (onboarding, nurture, re_engagement, launch or promotion): for each email "
        "the day to send, its goal, a subject idea, the call to action and when to skip it."
    ),
    args_model=SequenceArgs,
    run=_sequence_planner,
)
