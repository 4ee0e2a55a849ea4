"""Detection and false-positive rates of a detector on corpus items, per family, with per-item latency."""

from __future__ import annotations

import re
import statistics
import time
from collections import defaultdict
from typing import Any

from backend.safety.contamination import ContaminationDetector
from backend.safety.training.corpus import Item

_LINK = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[\w.-]+/)+[\w.-]*")


def redacted(text: str) -> str:
    """A sample for the results file with its links and absolute paths replaced: the benign corpus quotes
    installed packages' and system READMEs, whose addresses and paths must not land in the repository."""
    return _ABSOLUTE_PATH.sub("<path>", _LINK.sub("<link>", text))


def run(detector: ContaminationDetector, item: Item) -> bool:
    """The detector's verdict on one item."""
    if item.kind == "response":
        return detector.check_response(item.text, item.context).contaminated
    return detector.scan_document(item.text).contaminated


def evaluate(detector: ContaminationDetector, items: list[Item]) -> dict[str, Any]:
    """Per-family rates (detection for attacks, flag rate for benign), totals and document latency."""
    hits: dict[str, list[bool]] = defaultdict(list)
    latencies: list[float] = []
    cpu: list[float] = []
    misses: dict[str, list[str]] = defaultdict(list)
    for item in items:
        started, started_cpu = time.perf_counter(), time.thread_time()
        flagged = run(detector, item)
        elapsed, elapsed_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
        if item.kind == "document":
            latencies.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
        hits[item.family].append(flagged)
        if flagged != item.label and len(misses[item.family]) < 12:
            misses[item.family].append(f"[{item.detail}] {redacted(item.text[:240])!r}")
    docs_attack = [f for item, f in _pairs(items, hits) if item.kind == "document" and item.label]
    docs_benign = [f for item, f in _pairs(items, hits) if item.kind == "document" and not item.label]
    families = {name: {"n": len(v), "flagged": round(sum(v) / len(v), 4)} for name, v in sorted(hits.items())}
    # Finer: benign documents by source kind (pkg, std, deb, mkt, hard, prose), attacks by family of the
    # template, answers by how they were built (the detail's prefix).
    sources: dict[str, list[bool]] = defaultdict(list)
    for item, flagged in _pairs(items, hits):
        sources[f"{item.family}/{item.detail.split(':')[0]}"].append(flagged)
    by_source = {name: {"n": len(v), "flagged": round(sum(v) / len(v), 4)} for name, v in sorted(sources.items())}
    latencies.sort()
    cpu.sort()
    return {
        "families": families,
        "by_source": by_source,
        "documents": {
            "attacks": len(docs_attack),
            "detection": round(sum(docs_attack) / max(len(docs_attack), 1), 4),
            "benign": len(docs_benign),
            "false_positive_rate": round(sum(docs_benign) / max(len(docs_benign), 1), 4),
        },
        "responses": {
            "detection": families.get("response", {}).get("flagged"),
            "false_positive_rate": families.get("response_benign", {}).get("flagged"),
        },
        "latency_ms_per_document": {
            "p50": round(statistics.median(latencies), 3) if latencies else None,
            "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 3) if latencies else None,
            "max": round(latencies[-1], 3) if latencies else None,
            # CPU time of the scanning thread: what a chunk costs whatever else the machine is running.
            "cpu_p50": round(statistics.median(cpu), 3) if cpu else None,
            "cpu_p95": round(cpu[int(0.95 * (len(cpu) - 1))], 3) if cpu else None,
        },
        "errors": dict(misses),
    }


def _pairs(items: list[Item], hits: dict[str, list[bool]]) -> list[tuple[Item, bool]]:
    cursor: dict[str, int] = defaultdict(int)
    out: list[tuple[Item, bool]] = []
    for item in items:
        out.append((item, hits[item.family][cursor[item.family]]))
        cursor[item.family] += 1
    return out
