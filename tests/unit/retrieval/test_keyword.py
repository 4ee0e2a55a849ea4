"""The keyword leg's candidate budget: a fixed floor in small spaces, a share of the space in larger ones."""

from __future__ import annotations

from backend.retrieval.keyword import KEYWORD_CANDIDATE_CAP, KEYWORD_CANDIDATE_SHARE, TermStats


def test_the_budget_is_the_floor_in_a_small_space_and_a_share_of_a_large_one() -> None:
    small = TermStats(1_258, 40.0, [("webinar", 900), ("halcyon", 12)])
    large = TermStats(10_000, 40.0, [("webinar", 900)])
    huge = TermStats(1_000_000, 40.0, [])
    assert small.budget(300) == 300
    assert large.budget(300) == int(10_000 * KEYWORD_CANDIDATE_SHARE) > 300
    assert huge.budget(300) == KEYWORD_CANDIDATE_CAP
    assert small.selecting_terms(small.budget(300)) == ["halcyon"], "the common word does not select candidates"
    assert large.selecting_terms(large.budget(300)) == ["webinar"], "always at least one term"
