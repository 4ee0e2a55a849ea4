"""A chunk's injection verdict as it is stored: quarantined or not, why, and by which detector version."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend.safety.contamination import DETECTOR_VERSION, ContaminationDetector, ContaminationResult

DETECTOR = ContaminationDetector()
"""One detector for ingestion and re-scans (it holds no mutable state)."""


def evidence(verdict: ContaminationResult) -> dict[str, Any] | None:
    """What a reviewer needs to judge a quarantined chunk; None for a clean one."""
    if not verdict.contaminated:
        return None
    return {
        "family": verdict.pattern,
        "reason": verdict.reason,
        "span": verdict.evidence,
        "decoded": verdict.decoded,
        "confidence": round(float(verdict.confidence), 3),
    }


def verdict_columns(verdict: ContaminationResult) -> dict[str, Any]:
    return {
        "quarantined": verdict.contaminated,
        "quarantine_reason": verdict.reason,
        "scan_version": verdict.detector_version or DETECTOR_VERSION,
        "scan_evidence": evidence(verdict),
    }


def scan_chunk(content: str, headings: Sequence[str], title: str | None) -> ContaminationResult:
    """Everything search hands a model with the chunk is scanned: its text, its heading path and the title."""
    return DETECTOR.scan_document(content, headings=list(headings), title=title)


__all__ = ["DETECTOR", "evidence", "scan_chunk", "verdict_columns"]
