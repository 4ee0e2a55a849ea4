"""Text statistics: syllables, sentences, Flesch scores on known text, density, headings, truncation."""

from __future__ import annotations

import pytest

from backend.agents.tools.text import (
    count_phrase,
    headings,
    key_phrases,
    keyword_density,
    plain_text,
    sentences,
    syllables,
    text_stats,
    truncate,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [("the", 1), ("make", 1), ("table", 2), ("free", 1), ("people", 2), ("makes", 1), ("boxes", 2),
     ("jumped", 1), ("wanted", 2), ("beautiful", 3), ("readability", 5), ("marketing", 3), ("", 0)],
)  # fmt: skip
def test_syllables_by_rule(word: str, expected: int) -> None:
    assert syllables(word) == expected


def test_flesch_scores_of_a_known_sentence() -> None:
    stats = text_stats("The cat sat on the mat.")
    assert (stats.words, stats.sentences, stats.syllables) == (6, 1, 6)
    # 206.835 - 1.015 * 6 - 84.6 * 1 = 116.145; 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45
    assert stats.flesch_reading_ease == pytest.approx(116.1, abs=0.06)
    assert stats.flesch_kincaid_grade == pytest.approx(-1.45, abs=0.06)


def test_harder_text_scores_lower_and_grades_higher() -> None:
    easy = text_stats("We make email easy. You write. We send. Your team wins.")
    hard = text_stats(
        "Comprehensive organisational communication strategies necessitate considerable interdepartmental "
        "coordination, particularly regarding personalisation infrastructure and deliverability optimisation."
    )
    assert easy.flesch_reading_ease > 80 > 0 > hard.flesch_reading_ease
    assert hard.flesch_kincaid_grade > 18 and easy.flesch_kincaid_grade < 3


def test_sentences_respect_abbreviations_and_headings() -> None:
    assert sentences("Hello there. This is e.g. a test! Is it? 3 items.") == [
        "Hello there.", "This is e.g. a test!", "Is it?", "3 items."
    ]  # fmt: skip
    prose = plain_text("# Big title\n\n- first point\n- second **bold** [link](http://x)\n\nBody text here.")
    assert sentences(prose) == ["Big title.", "first point.", "second bold link.", "Body text here."]


def test_long_sentences_are_listed() -> None:
    long = "Word " + " ".join(["word"] * 29) + "."
    assert text_stats(f"Short one. {long}").long_sentences == (long,)


def test_keyword_density_counts_whole_phrases_and_plurals() -> None:
    text = "Email campaigns work. An email campaign converts. Emailcampaign is not one. Campaign email neither."
    assert count_phrase(text, "email campaign") == 2
    assert keyword_density(text, "email campaign") == pytest.approx(100 * 2 / 14, abs=0.01)  # 14 words
    assert keyword_density("", "x") == 0.0


def test_headings_skip_code_blocks() -> None:
    md = "# Title\n\n## Why *it* matters ##\ntext\n```\n# not a heading\n```\n#### Deep"
    assert headings(md) == [(1, "Title"), (2, "Why it matters"), (4, "Deep")]


def test_truncate_cuts_at_a_word_with_an_ellipsis() -> None:
    assert truncate("Save on every plan this week", 100) == "Save on every plan this week"
    assert truncate("Save on every plan this week", 15) == "Save on every…"
    assert len(truncate("x" * 80, 60)) == 60


def test_key_phrases_count_texts_not_repeats() -> None:
    ranked = dict(key_phrases(["Email marketing. Email marketing again.", "Email marketing for teams."]))
    assert ranked["email marketing"] == 2 and ranked["teams"] == 1 and "for" not in ranked
