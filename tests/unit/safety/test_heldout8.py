"""The detector on the eighth held-out set (`backend.safety.training.heldout8`): tuned on since this session.

Written by helper `heldout8` (2026-12-05), who never opened the detector's code, data or results, with its own
carriers, placements and wordings (the brief named the kinds to cover, including task hijacks that name no AI,
which the same session's rules-10 had just started to read). Its honest run (bench/results/injection_heldout8.md,
rules-10+lr-cefa39a57d): documents 53.8% caught at 3.4% false positives, answers 37.2% at 10.8%; embedded 43.0%,
encoded 75.0%, exfil_script 63.7%, jailbreak_override 48.0%. rules-11 was then written looking at its misses of
exfiltration and jailbreak frames and at its benign answers' false positives (answers that report an ignored
injection): documents 65.5% at 2.9%, answers 39.6% at 2.8% (bench/results/injection_heldout8_after.md). Those
are NOT held-out figures; the floors below keep what was gained (rounded down, ceilings rounded up). rules-12
(written looking at the ninth set, test_heldout9.py) raised them to documents 69.2% at 2.9%, answers 40.0% at 0.4%;
embedded 45.7%, encoded 85.9% (bench/results/injection_heldout8_after.md). The goal of issue 18 (90% at 2%) is not
met.
"""

from __future__ import annotations

import pytest

from backend.safety import ContaminationDetector
from backend.safety.training.corpus import Item
from backend.safety.training.evaluate import evaluate
from backend.safety.training.heldout8 import build

detector = ContaminationDetector()

DOCUMENT_DETECTION_FLOOR, DOCUMENT_FALSE_POSITIVES_CEILING = 0.68, 0.04
ANSWER_DETECTION_FLOOR, ANSWER_FALSE_POSITIVES_CEILING = 0.39, 0.02
FAMILY_FLOORS = {"embedded": 0.44, "encoded": 0.84, "exfil_script": 0.96, "jailbreak_override": 0.81}


@pytest.fixture(scope="module")
def heldout8() -> list[Item]:
    return build()


def test_documents_of_the_eighth_set_stay_above_their_floor(heldout8: list[Item]) -> None:
    report = evaluate(detector, [i for i in heldout8 if i.kind == "document"])
    assert report["documents"]["detection"] >= DOCUMENT_DETECTION_FLOOR, report["families"]
    assert report["documents"]["false_positive_rate"] <= DOCUMENT_FALSE_POSITIVES_CEILING, report["families"]
    for family, floor in FAMILY_FLOORS.items():
        assert report["families"][family]["flagged"] >= floor, (family, report["families"])


def test_answers_of_the_eighth_set_stay_above_their_floor(heldout8: list[Item]) -> None:
    report = evaluate(detector, [i for i in heldout8 if i.kind == "response"])
    assert report["responses"]["detection"] >= ANSWER_DETECTION_FLOOR, report["families"]
    assert report["responses"]["false_positive_rate"] <= ANSWER_FALSE_POSITIVES_CEILING, report["families"]
