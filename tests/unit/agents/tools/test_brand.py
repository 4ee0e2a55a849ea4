"""Brand tools: the voice score with traceable flags, tone against the voice, and the guideline lookup."""

from __future__ import annotations

from typing import Any

from backend.agents.tools.brand import style_guide_lookup, tone_checker, voice_analyzer
from backend.agents.tools.tone import measure_tone, tone_targets
from backend.agents.tools.voice import score_voice
from backend.agents.tools.voice_rules import preferred_pairs, term_rules
from tests.unit.agents.tools.conftest import FakeSpace, passage

VOICE: dict[str, Any] = {
    "tone": "Friendly and confident, never corporate",
    "banned_terms": ["synergy", "cheap"],
    "preferred_terms": ["customers (not users)", "affordable instead of cheap"],
    "style_rules": ["No exclamation marks", "Keep sentences under 20 words"],
}
GUIDE = passage(
    "g1",
    "Words we avoid. Never say 'best-in-class'. Write 'sign up' instead of 'register'.",
    title="Brand book",
    heading="Vocabulary",
)
APPROVED = passage(
    "a1", "You'll set up your first campaign in minutes. We'll help you every step. Your team will love it.",
    title="Homepage", heading="Hero",
)  # fmt: skip


def test_preferred_terms_are_read_in_every_usual_form() -> None:
    assert preferred_pairs(["customers (not users)", "affordable instead of cheap", "users -> members", "team"]) == [
        ("customers", "users"), ("affordable", "cheap"), ("members", "users"), ("team", None)
    ]  # fmt: skip


def test_guideline_sentences_become_rules_with_their_chunk() -> None:
    rules = {r.term: r for r in term_rules({}, [GUIDE])}
    assert set(rules) == {"best-in-class", "register"}
    assert rules["register"].replacement == "sign up" and rules["register"].source.chunk == GUIDE
    assert rules["best-in-class"].replacement is None and rules["best-in-class"].severity == "high"


def test_banned_term_is_flagged_with_its_source_and_fix() -> None:
    report = score_voice("Our cheap plan helps teams.", VOICE, [], [])
    flag = next(f for f in report.flags if f.rule == "banned_term")
    assert flag.source == "brand_voice.banned_terms" and flag.severity == "high"
    assert flag.fix == "Replace 'cheap' with 'affordable'." and flag.excerpt == "Our cheap plan helps teams."
    terms = next(s for s in report.sub_scores if s.name == "terms")
    assert terms.score == 75


def test_guideline_flags_cite_the_chunk() -> None:
    report = score_voice("Register today for our best-in-class reports.", {}, [GUIDE], [])
    by_term = {f.message: f for f in report.flags if f.rule == "banned_term"}
    flag = by_term["Uses 'register' (discouraged)."]
    assert flag.source_chunk_id == "g1" and flag.source == "brand_guidelines: Brand book › Vocabulary"
    assert flag.fix == "Replace 'register' with 'sign up'."
    assert by_term["Uses 'best-in-class' (a banned term)."].fix.startswith("Remove 'best-in-class'")


def test_a_text_in_the_voice_scores_higher_than_one_against_it() -> None:
    good = score_voice(
        "You'll set up your first report in minutes. We'll guide your team through every step. Start today.",
        VOICE, [], [APPROVED],
    )  # fmt: skip
    bad = score_voice(
        "Furthermore, our cheap synergy platform shall facilitate comprehensive organisational optimisation "
        "regarding approximately every conceivable interdepartmental deliverable, and it may possibly help users!",
        VOICE, [], [APPROVED],
    )  # fmt: skip
    assert good.score >= 80 > 50 > bad.score
    rules = {f.rule for f in bad.flags}
    assert {"banned_term", "tone", "style_rule", "sentence_length", "reading_level"} <= rules
    sentence = next(f for f in bad.flags if f.rule == "sentence_length")
    assert sentence.source == "brand_voice.style_rules" and "limit 20" in sentence.message
    assert all(f.source and f.fix for f in bad.flags)
    assert [s.name for s in good.sub_scores] == ["tone", "terms", "similarity", "reading_level", "sentence_length"]


def test_parts_without_a_reference_are_left_out() -> None:
    report = score_voice("Short plain text for everyone.", {}, [], [])
    unscored = {s.name for s in report.sub_scores if s.score is None}
    assert unscored == {"tone", "terms", "similarity"} and 0 <= report.score <= 100
    reading = next(f for f in report.flags if f.rule == "reading_level") if report.flags else None
    assert reading is None or reading.source.startswith("default")


def test_tone_dimensions_move_with_the_words() -> None:
    casual = measure_tone("Hey! You'll love this. It's awesome and super easy. Start now!")
    formal = measure_tone(
        "Furthermore, the organisation shall facilitate sufficient documentation regarding subsequent deliverables."
    )
    hedged = measure_tone("We might perhaps try to improve things. It could maybe help.")
    assert casual.values["formality"] < 0.2 < 0.8 < formal.values["formality"]
    assert hedged.values["confidence"] < 0.3 and "perhaps" in hedged.evidence["confidence"]
    assert casual.values["energy"] > formal.values["energy"]
    assert tone_targets("Friendly and confident, never corporate") == {
        "formality": 0.25, "positivity": 0.75, "confidence": 0.8
    }  # fmt: skip


async def test_tone_checker_uses_the_brand_tone_by_default(space: FakeSpace) -> None:
    space.voice = VOICE
    outcome = await tone_checker(space.env(), {"text": "We might perhaps consider it. It could possibly help."})
    result = outcome.result or {}
    assert result["target_source"] == "brand_voice.tone"
    confidence = next(d for d in result["dimensions"] if d["name"] == "confidence")
    assert confidence["verdict"] == "too low" and "Remove hedges" in confidence["fix"]
    energy = next(d for d in result["dimensions"] if d["name"] == "energy")
    assert energy["verdict"] == "no target" and energy["target"] is None


async def test_voice_analyzer_searches_guidelines_and_approved_content(space: FakeSpace) -> None:
    space.voice = VOICE
    space.add("brand_guidelines", GUIDE)
    space.add("approved_content", APPROVED)
    outcome = await voice_analyzer(space.env(), {"text": "Register now to set up your first campaign."})
    result = outcome.result or {}
    assert [tags for _, tags, _ in space.searches] == [("brand_guidelines",), ("approved_content",)]
    assert any(f["source_chunk_id"] == "g1" for f in result["flags"])
    assert {s.chunk_id for s in outcome.sources} == {"g1", "a1"}


async def test_style_guide_lookup_reads_only_guidelines(space: FakeSpace) -> None:
    space.voice = VOICE
    space.add("brand_guidelines", GUIDE)
    space.add("product", passage("p1", "Which words do we use for pricing?"))
    outcome = await style_guide_lookup(space.env(), {"query": "which words do we avoid"})
    result = outcome.result or {}
    assert [p["chunk_id"] for p in result["passages"]] == ["g1"] and result["passages"][0]["section"] == "Vocabulary"
    assert "banned_terms: synergy" in result["voice_rules"]
    empty = await style_guide_lookup(space.env(), {"query": "logo clear space"})
    assert empty.result and "No brand-guideline document matched" in empty.result["note"]


def test_reading_level_follows_a_stated_grade_and_simple_copy_is_never_penalised() -> None:
    guide = passage("g2", "Write at a grade 6 reading level.", title="Brand book")
    hard = "Comprehensive organisational communication strategies necessitate interdepartmental coordination."
    flag = next(f for f in score_voice(hard, {}, [guide], []).flags if f.rule == "reading_level")
    assert flag.source_chunk_id == "g2" and "the target is 2-7" in flag.message and flag.severity == "medium"
    assert not any(f.rule == "reading_level" for f in score_voice("We help. You win.", {}, [], []).flags)
