"""Prompt-injection detection: held-out rates per family and the per-chunk cost of scanning.

`make bench-injection`. Builds the labelled corpus of `backend.safety.training.corpus` (benign text from
installed packages' descriptions, stdlib docstrings, /usr/share/doc READMEs and our marketing templates;
attacks from our own templates, embedded, encoded and as answers), then runs the shipped detector on the
train split and on the held-out test split (unseen attack templates and benign source families), and
times every document scan (a document of the corpus is chunk-sized: up to about 2,800 characters).
The ingestion cost is measured separately on 400 benign chunks scanned with a heading path and a title,
as ingestion calls it. Results go to bench/results/injection.json and injection.md.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.safety import ContaminationDetector
from backend.safety.contamination import DETECTOR_VERSION
from backend.safety.training.corpus import build
from backend.safety.training.evaluate import evaluate

RESULTS = Path(__file__).parent / "results"


def _ingestion_cost(detector: ContaminationDetector, texts: list[str]) -> dict[str, float]:
    times: list[float] = []
    for n, text in enumerate(texts):
        started = time.perf_counter()
        detector.scan_document(text, headings=("Guide", f"Section {n % 7}"), title="Brand guidelines 2026")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "chunks": len(times),
        "total_ms": round(sum(times), 1),
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 3),
    }


def main() -> None:
    """Evaluate both splits and write the results."""
    detector = ContaminationDetector()
    splits = build()
    detector.scan_document("warm-up")
    load_before = os.getloadavg()[0]
    report = {
        "run": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "detector_version": DETECTOR_VERSION,
        "train": evaluate(detector, splits["train"]),
        "test": evaluate(detector, splits["test"]),
    }
    benign_chunks = [i.text for i in splits["test"] if i.kind == "document" and not i.label][:400]
    report["ingestion"] = _ingestion_cost(detector, benign_chunks)
    report["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "injection.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "injection.md").write_text(_markdown(report), encoding="utf-8")
    print(_markdown(report))


def _markdown(report: dict) -> str:  # type: ignore[type-arg]
    lines = [
        "# Injection benchmark: held-out detection, false positives, latency",
        "",
        f"Run {report['run']} by `make bench-injection` (bench/bench_injection.py) on {report['machine']}; "
        f"detector `{report['detector_version']}`; 1-minute load average {report['load_average'][0]} at the start, "
        f"{report['load_average'][1]} at the end (latency on a shared machine rises with it).",
        "",
        "Rates are the share of items flagged: detection for attack families, false positives for benign ones.",
        "",
        "| family | train n | train flagged | test n | test flagged |",
        "|---|---:|---:|---:|---:|",
    ]
    train, test = report["train"]["families"], report["test"]["families"]
    for name in sorted(set(train) | set(test)):
        a, b = train.get(name, {}), test.get(name, {})
        lines.append(
            f"| {name} | {a.get('n', 0)} | {a.get('flagged', 0):.1%} | {b.get('n', 0)} | {b.get('flagged', 0):.1%} |"
        )
    lines += ["", "By source (benign documents by where the text comes from; attacks by the family of their template; "
              "answers by how they were built):", "",
              "| family/source | train n | train flagged | test n | test flagged |",
              "|---|---:|---:|---:|---:|"]  # fmt: skip
    train, test = report["train"]["by_source"], report["test"]["by_source"]
    for name in sorted(set(train) | set(test)):
        a, b = train.get(name, {}), test.get(name, {})
        lines.append(
            f"| {name} | {a.get('n', 0)} | {a.get('flagged', 0):.1%} | {b.get('n', 0)} | {b.get('flagged', 0):.1%} |"
        )
    lines += ["", "| split | documents: detection | documents: false positives | answers: detection | answers: false "
              "positives | p50 ms/chunk | p95 ms/chunk | CPU p50 ms | CPU p95 ms |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for split in ("train", "test"):
        r = report[split]
        lat = r["latency_ms_per_document"]
        lines.append(
            f"| {split} | {r['documents']['detection']:.1%} | {r['documents']['false_positive_rate']:.1%} | "
            f"{r['responses']['detection']:.1%} | {r['responses']['false_positive_rate']:.1%} | {lat['p50']} | "
            f"{lat['p95']} | {lat['cpu_p50']} | {lat['cpu_p95']} |"
        )
    ing = report["ingestion"]
    lines += [
        "",
        f"Ingestion cost: {ing['chunks']} benign chunks scanned with heading path and title in {ing['total_ms']} ms "
        f"(p50 {ing['p50_ms']} ms, p95 {ing['p95_ms']} ms per chunk).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
