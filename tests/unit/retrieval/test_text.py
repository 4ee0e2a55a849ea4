"""In-memory matching helpers: terms, BM25 over a few passages, overlap, URLs in a message."""

from __future__ import annotations

from backend.retrieval.text import bm25, extract_urls, overlap, terms


def test_terms_drop_stop_words_and_light_suffixes() -> None:
    assert terms("What are the campaigns in Berlin for partners?") == ["campaign", "berlin", "partner"]


def test_bm25_prefers_the_rare_term_and_shorter_passage() -> None:
    passages = ["pricing pricing plan", "plan plan plan plan", "halcyon plan"]
    scores = bm25(terms("halcyon plan"), passages)
    assert scores.index(max(scores)) == 2 and scores[0] > 0 and bm25(["x"], []) == []


def test_overlap_is_the_share_of_query_terms_present() -> None:
    assert overlap(terms("pricing plans"), "Plans › Pricing") == 1.0
    assert overlap(terms("pricing plans"), "Logo") == 0.0 and overlap([], "anything") == 0.0


def test_urls_are_extracted_without_trailing_punctuation_or_duplicates() -> None:
    text = "Compare https://a.example/x?y=1, and (http://b.example/p). Again: https://a.example/x?y=1"
    assert extract_urls(text) == ["https://a.example/x?y=1", "http://b.example/p"]
    assert extract_urls("ftp://nope.example and no links") == []
