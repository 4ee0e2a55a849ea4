"""The ninth held-out set's shape: deterministic, the family sizes it promises, and complete items.

Only the set itself is checked here, never the detector's rates on it: those are measured once by
bench/bench_injection_heldout.py 9, and asserting them here would turn the held-out set into a tuned-on one.
"""

from __future__ import annotations

from collections import Counter

from backend.safety.training import heldout9

RANGES = {
    "embedded": (280, 340),
    "encoded": (130, 180),
    "exfil_script": (70, 100),
    "jailbreak_override": (130, 180),
    "benign": (750, 900),
    "response": (220, 290),
    "response_benign": (220, 290),
}
LANGUAGES = {"de", "es", "fr", "it", "pt", "nl", "pl", "ja", "zh", "ko"}


def _flat(text: str) -> str:
    """Placement may flatten line breaks or swap double quotes and pipes for single quotes."""
    return " ".join(text.split()).replace('"', "'").replace("|", "'")


def test_two_builds_are_equal_and_the_seed_matters() -> None:
    first = heldout9.build()
    assert first == heldout9.build()
    assert [item.text for item in heldout9.build(seed=heldout9.SEED + 1)] != [item.text for item in first]


def test_family_counts_are_within_the_promised_ranges() -> None:
    counts = Counter(item.family for item in heldout9.build())
    assert set(counts) == set(RANGES)
    for family, (low, high) in RANGES.items():
        assert low <= counts[family] <= high, (family, counts[family])


def test_items_are_complete_and_labelled_by_family() -> None:
    for item in heldout9.build():
        assert item.text.strip()
        assert item.detail
        assert item.label == (item.family not in {"benign", "response_benign"})
        assert item.kind == ("response" if item.family.startswith("response") else "document")
        if item.label:
            assert item.payload.strip()
        else:
            assert not item.payload
        if item.kind == "response":
            assert item.context and all(doc.strip() for doc in item.context)
        else:
            assert not item.context


def test_details_follow_the_formats_the_benchmark_parses() -> None:
    """Embedded: class:carrier:placement; jailbreak: a class name; the others: subclass first."""
    items = heldout9.build()
    for item in items:
        parts = item.detail.split(":")
        if item.family == "embedded":
            assert len(parts) == 3 and all(parts), item.detail
        elif item.family == "jailbreak_override":
            assert len(parts) == 1 and item.detail.isidentifier(), item.detail
        elif item.family == "benign":
            assert parts[0] in {"hard", "plain"}, item.detail
        elif item.family == "response":
            assert parts[0].startswith("follow_"), item.detail
        else:
            assert len(parts) >= 2 and parts[0], item.detail
    embedded = [item.detail.split(":")[0] for item in items if item.family == "embedded"]
    assert {cls.removeprefix("foreign_") for cls in embedded if cls.startswith("foreign_")} == LANGUAGES
    assert len({item.detail.split(":")[1] for item in items if item.family == "embedded"}) >= 15
    assert len({item.detail.split(":")[0] for item in items if item.family == "encoded"}) >= 20
    assert len({item.detail for item in items if item.family == "jailbreak_override"}) >= 10


def test_documents_are_distinct_and_about_a_third_of_benign_is_hard() -> None:
    documents = [item for item in heldout9.build() if item.kind == "document"]
    assert len({item.text for item in documents}) == len(documents)
    benign = [item for item in documents if item.family == "benign"]
    hard = sum(item.detail.startswith("hard:") for item in benign) / len(benign)
    assert 0.25 <= hard <= 0.45, hard


def test_every_planted_payload_is_inside_its_document() -> None:
    for item in heldout9.build():
        if item.family in {"embedded", "exfil_script", "jailbreak_override"}:
            head = _flat(item.payload)[:24]
            assert head in _flat(item.text), item.detail


def test_encoded_documents_do_not_carry_their_instruction_in_clear() -> None:
    """The hidden instruction only appears encoded (the payload is the decoded text)."""
    for item in heldout9.build():
        if item.family == "encoded":
            assert _flat(item.payload) not in _flat(item.text), item.detail
