"""Prompt-injection detection on a held-out set (`heldout2`, `heldout3`, `heldout4`...): the honest figures of
issue 18.

`make bench-injection-heldoutN` runs `bench/bench_injection_heldout.py N`: the shipped detector (`scan_document`
for documents, `check_response` for answers with their context) on every item of
`backend.safety.training.heldoutN`, a set written after tuning and never used for it, and reports detection
(attacks) and false positives (benign) per family and per finer class, for documents and for answers.

The first run on a set is the honest one: it was made before any change to the detector and is kept in
bench/results/injection_heldoutN.{md,json}. This script never overwrites it: once it exists, every later run
(after someone has looked at the figures and perhaps changed the detector) goes to
injection_heldoutN_after.{md,json}, labelled "after looking".
Only rates are written, never the items missed: the set stays a measurement, not a to-do list.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import platform
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.safety import ContaminationDetector
from backend.safety.contamination import DETECTOR_VERSION
from backend.safety.training.corpus import Item
from backend.safety.training.evaluate import evaluate, run

RESULTS = Path(__file__).parent / "results"
ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth", 9: "ninth"}
SET = int(sys.argv[1]) if len(sys.argv) > 1 else 4
HELDOUT = importlib.import_module(f"backend.safety.training.heldout{SET}")
SEED, build = HELDOUT.SEED, HELDOUT.build
BEFORE, AFTER = f"injection_heldout{SET}", f"injection_heldout{SET}_after"


def fingerprint(items: list[Item]) -> str:
    """A short hash of the set, so a result names exactly the items it was measured on."""
    blob = json.dumps([(i.kind, i.text, i.label, i.family, i.detail, i.context) for i in items], ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _classes(item: Item) -> list[str]:
    """Finer reporting classes of an item: encoding, placement and carrier, answer template..."""
    parts = item.detail.split(":")
    if item.family == "embedded":
        return [f"embedded/{parts[0]}", f"embedded/carrier:{parts[1]}", f"embedded/placement:{parts[2]}"]
    if item.family == "jailbreak_override":
        return [f"jailbreak_override/{item.detail}"]
    if item.family in ("response", "response_benign"):
        return [f"{item.family}/{parts[0]}", f"{item.family}/{item.detail}"]
    return [f"{item.family}/{parts[0]}"]


def measure(detector: ContaminationDetector, items: list[Item]) -> dict[str, Any]:
    """evaluate()'s report without the missed items, plus rates per finer class."""
    report = evaluate(detector, items)
    report.pop("errors", None)
    report.pop("by_source", None)
    flags: dict[str, list[bool]] = defaultdict(list)
    for item in items:
        flagged = run(detector, item)
        for name in _classes(item):
            flags[name].append(flagged)
    report["classes"] = {k: {"n": len(v), "flagged": round(sum(v) / len(v), 4)} for k, v in sorted(flags.items())}
    return report


def main() -> None:
    """Measure and write the results (the honest file on the first run, the after-looking file later)."""
    items = build()
    detector = ContaminationDetector()
    detector.scan_document("warm-up")
    first = not (RESULTS / f"{BEFORE}.json").exists()
    report: dict[str, Any] = {
        "run": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "label": "before any change (honest)" if first else "after looking",
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "detector_version": DETECTOR_VERSION,
        "set": {
            "generator": f"backend/safety/training/heldout{SET}.py",
            "seed": SEED,
            "items": len(items),
            "fingerprint": fingerprint(items),
        },
        **measure(detector, items),
    }
    name = BEFORE if first else AFTER
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


def markdown(report: dict[str, Any]) -> str:
    """The results as a note."""
    honest = report["label"].startswith("before")
    docs, answers = report["documents"], report["responses"]
    lines = [
        f"# Injection detection on the {ORDINALS.get(SET, str(SET))} held-out set"
        + (" (honest: before any change)" if honest else " (AFTER LOOKING)"),
        "",
        f"Run {report['run']} by `make bench-injection-heldout{SET}` (bench/bench_injection_heldout.py {SET}) on "
        f"{report['machine']}; detector `{report['detector_version']}`; set "
        f"`{report['set']['generator']}` seed {report['set']['seed']}, {report['set']['items']} items, "
        f"fingerprint `{report['set']['fingerprint']}`.",
        "",
        (
            "This set was written after the detector was tuned and never used for tuning; this run was the first "
            "time the detector saw it, before any change: it is the honest figure for issue 18."
            if honest
            else f"This run comes after the figures of the honest run ({BEFORE}.md) were looked at and "
            "the detector may have been changed because of them: it is NOT a held-out figure."
        ),
        "",
        "| side | detection | false positives | attacks | benign |",
        "|---|---:|---:|---:|---:|",
        f"| documents (`scan_document`) | {docs['detection']:.1%} | {docs['false_positive_rate']:.1%} | "
        f"{docs['attacks']} | {docs['benign']} |",
        f"| answers (`check_response`) | {answers['detection']:.1%} | {answers['false_positive_rate']:.1%} | "
        f"{report['families']['response']['n']} | {report['families']['response_benign']['n']} |",
        "",
        "Per family (share flagged: detection for attack families, false positives for `benign` and "
        "`response_benign`):",
        "",
        "| family | n | flagged |",
        "|---|---:|---:|",
    ]
    lines += [f"| {k} | {v['n']} | {v['flagged']:.1%} |" for k, v in report["families"].items()]
    lines += [
        "",
        "Per class (encoding, embedding carrier and placement, benign source, answer template):",
        "",
        "| class | n | flagged |",
        "|---|---:|---:|",
    ]
    lines += [f"| {k} | {v['n']} | {v['flagged']:.1%} |" for k, v in report["classes"].items()]
    lat = report["latency_ms_per_document"]
    lines += [
        "",
        f"Document scan latency: p50 {lat['p50']} ms, p95 {lat['p95']} ms (CPU p50 {lat['cpu_p50']} ms, "
        f"p95 {lat['cpu_p95']} ms).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
