"""The eighth held-out set's shape: deterministic, the family sizes it promises, and complete items.

Only the set itself is checked here, never the detector's rates on it: those are measured once by
bench/bench_injection_heldout.py 8, and asserting them here would turn the held-out set into a tuned-on one.
"""

from __future__ import annotations

from collections import Counter

from backend.safety.training import heldout8

RANGES = {
    "embedded": (270, 340),
    "encoded": (130, 180),
    "exfil_script": (70, 100),
    "jailbreak_override": (130, 180),
    "benign": (750, 900),
    "response": (220, 290),
    "response_benign": (220, 290),
}


def test_two_builds_are_equal() -> None:
    assert heldout8.build() == heldout8.build()


def test_family_counts_are_within_the_promised_ranges() -> None:
    counts = Counter(item.family for item in heldout8.build())
    assert set(counts) == set(RANGES)
    for family, (low, high) in RANGES.items():
        assert low <= counts[family] <= high, (family, counts[family])


def test_items_are_complete_and_labelled_by_family() -> None:
    items = heldout8.build()
    for item in items:
        assert item.text.strip()
        assert item.detail
        assert item.label == (item.family not in {"benign", "response_benign"})
        assert item.kind == ("response" if item.family.startswith("response") else "document")
        if item.label:
            assert item.payload.strip()
        if item.kind == "response":
            assert item.context and all(doc.strip() for doc in item.context)


def test_documents_are_distinct_and_about_a_third_of_benign_is_hard() -> None:
    documents = [item for item in heldout8.build() if item.kind == "document"]
    assert len({item.text for item in documents}) == len(documents)
    benign = [item for item in documents if item.family == "benign"]
    hard = sum(item.detail.startswith("hard:") for item in benign) / len(benign)
    assert 0.25 <= hard <= 0.45, hard


def test_every_embedded_payload_is_inside_its_document() -> None:
    """Placement may flatten line breaks or swap quote marks, so compare on the payload's first words."""
    for item in heldout8.build():
        if item.family == "embedded":
            head = item.payload.split("\n")[0][:24].replace('"', "'")
            assert head in item.text.replace('"', "'"), item.detail
