"""Email tools: subject lines scored as inboxes show them, preheaders, sequences."""

from __future__ import annotations

import pytest

from backend.agents.tools.base import ToolError
from backend.agents.tools.email_lines import (
    personalisation_tokens,
    preheader,
    score_subject,
    spam_triggers,
    subject_line_variants,
)
from backend.agents.tools.email_sequence import sequence_planner
from tests.unit.agents.tools.conftest import FakeSpace


def test_truncation_on_desktop_and_mobile() -> None:
    short = score_subject("Your May product update", [])
    assert not short.truncated_on_mobile and not short.truncated_on_desktop and short.score == 100
    medium = score_subject("Five ways our new scheduler saves your team hours", [])
    assert medium.length == 49 and medium.truncated_on_mobile and not medium.truncated_on_desktop
    assert medium.mobile_preview == "Five ways our new scheduler saves your…" and len(medium.mobile_preview) <= 40
    long = score_subject("Five ways our new scheduler saves your team hours every single week of the year", [])
    assert long.truncated_on_desktop and long.desktop_preview.endswith("…") and long.score < medium.score


def test_spam_words_are_flagged_and_cost_points() -> None:
    assert spam_triggers("Act now: 100% FREE gift, click here!!!") == [
        "100% free",
        "act now",
        "click here",
        "free gift",
        "!!!",
    ]
    assert spam_triggers("Freedom to plan") == []
    scored = score_subject("Act now: limited time offer", [])
    assert scored.spam_triggers == ["act now", "limited time"] and scored.score <= 70
    assert any("Spam-trigger" in issue for issue in scored.issues)


def test_personalisation_tokens_are_recognised() -> None:
    assert personalisation_tokens("{{first_name}}, *|FNAME|* and %FIRSTNAME% or [Name]") == [
        "{{first_name}}", "*|FNAME|*", "%FIRSTNAME%", "[Name]"
    ]  # fmt: skip


def test_novelty_against_past_subjects() -> None:
    past = ["Your spring webinar schedule", "Product update: new analytics dashboard"]
    repeat = score_subject("New analytics dashboard: product update", past)
    assert repeat.novelty < 0.4 and repeat.most_similar_past == past[1]
    assert any("Close to an earlier subject" in issue for issue in repeat.issues)
    fresh = score_subject("Three questions from our customer panel", past)
    assert fresh.novelty == 1.0 and fresh.most_similar_past is None


async def test_variants_include_model_candidates_ranked_best_first(space: FakeSpace) -> None:
    space.subjects = ["Email automation: what you need to know"]
    outcome = await subject_line_variants(
        space.env(), {"topic": "Email automation", "count": 5, "candidates": ["FREE email automation, act now!!"]}
    )
    assert outcome.ok and outcome.result
    variants = outcome.result["variants"]
    assert len(variants) == 6 and outcome.result["past_subjects_compared"] == 1
    scores = [v["score"] for v in variants]
    assert scores == sorted(scores, reverse=True)
    model = next(v for v in variants if v["source"] == "model")
    assert model is variants[-1] and "act now" in model["spam_triggers"]
    personal = next(v for v in variants if v["personalisation_tokens"])
    assert personal["text"] == "{{first_name}}, email automation is here"
    repeat = next(v for v in variants if v["text"] == "Email automation: what you need to know")
    assert repeat["novelty"] == 0.0


async def test_bad_subject_arguments_are_explained(space: FakeSpace) -> None:
    with pytest.raises(ToolError, match="count: Input should be less than or equal to 12"):
        await subject_line_variants(space.env(), {"topic": "Launch", "count": 50})


async def test_preheader_limits_and_subject_repeats(space: FakeSpace) -> None:
    outcome = await preheader.invoke(
        space.env(), {"subject": "Spring sale", "topic": "the spring sale", "candidates": ["Spring sale", "x" * 140]}
    )
    assert outcome.ok and outcome.result
    by_text = {s["text"]: s for s in outcome.result["suggestions"]}
    short = by_text["Spring sale"]
    assert any("Under 40" in i for i in short["issues"]) and any("Repeats the subject" in i for i in short["issues"])
    assert by_text["x" * 140]["truncated_on_desktop"] and len(by_text["x" * 140]["desktop_preview"]) == 130
    pattern = [s for s in outcome.result["suggestions"] if s["source"] == "pattern"]
    assert len(pattern) == 3 and all(40 <= s["length"] <= 130 and s["score"] == 100 for s in pattern)


@pytest.mark.parametrize("goal", ["onboarding", "nurture", "re_engagement", "launch", "promotion"])
async def test_sequences_have_increasing_days_and_a_subject_each(space: FakeSpace, goal: str) -> None:
    outcome = await sequence_planner(space.env(), {"goal": goal, "topic": "Obelisk Teams"})
    emails = outcome.result["emails"] if outcome.result else []
    days = [e["day"] for e in emails]
    assert len(emails) >= 3 and days == sorted(days) and len(set(days)) == len(days)
    assert all("Obelisk Teams" in e["subject_idea"] and e["goal"] and e["call_to_action"] for e in emails)


async def test_sequence_length_can_be_chosen(space: FakeSpace) -> None:
    short = await sequence_planner(space.env(), {"goal": "onboarding", "topic": "reports", "emails": 2})
    assert short.result and [e["name"] for e in short.result["emails"]] == ["Welcome", "Check-in"]
    long = await sequence_planner(space.env(), {"goal": "promotion", "topic": "reports", "emails": 6})
    assert long.result and len(long.result["emails"]) == 6 and long.result["emails"][-1]["name"] == "Final day"
    days = [e["day"] for e in long.result["emails"]]
    assert days == sorted(days) and len(set(days)) == 6
    with pytest.raises(ToolError, match="goal"):
        await sequence_planner(space.env(), {"goal": "spam blast", "topic": "x"})
