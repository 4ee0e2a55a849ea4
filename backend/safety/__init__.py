"""Contamination (prompt-injection) detection for documents, prompts and model answers. Pure, no I/O."""

from backend.safety.contamination import ContaminationDetector, ContaminationResult

__all__ = ["ContaminationDetector", "ContaminationResult"]
