"""Where `scan_document` spends its time: per-document CPU time over every corpus and held-out document, and a
cProfile of the slowest.

`python bench/profile_scan.py [--sets train,test,heldout2,...] [--ingest] [--top 20] [--share 0.05]
[--sort tottime] [--profile out.prof]`. Times `ContaminationDetector.scan_document` (CPU time of the scanning
thread, so other processes on the machine matter less) on every document of the corpus splits
(`backend.safety.training.corpus.build`) and of `heldout2`..`heldout9`, prints p50/p95/p99 per set and overall,
the slowest documents (set, index, family, detail, length, ms), then scans the slowest `--share` again under
cProfile and prints the functions that cost most. `--ingest` scans as ingestion does (a heading path and a
title). Nothing is written to bench/results/: a debugging aid.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scan_verdicts import corpus_sets

from backend.safety import ContaminationDetector


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * (len(values) - 1)))]


def _summary(values: list[float]) -> str:
    ordered = sorted(values)
    return (
        f"n={len(ordered):6d}  p50 {statistics.median(ordered):6.3f}  p95 {_pct(ordered, 0.95):6.3f}  "
        f"p99 {_pct(ordered, 0.99):7.3f}  max {ordered[-1]:7.2f}  mean {statistics.fmean(ordered):6.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--ingest", action="store_true", help="scan with a heading path and a title")
    parser.add_argument("--top", type=int, default=20, help="slowest documents to list")
    parser.add_argument("--share", type=float, default=0.05, help="share of the slowest documents to profile")
    parser.add_argument("--sort", default="tottime", help="pstats sort key")
    parser.add_argument("--lines", type=int, default=40, help="profile lines to print")
    parser.add_argument("--profile", type=Path, help="also write the raw profile here")
    args = parser.parse_args()
    wanted = set(filter(None, args.sets.split(",")))

    detector = ContaminationDetector()
    detector.scan_document("warm-up")
    timed: list[tuple[float, str, int, str, str, str]] = []
    per_set: dict[str, list[float]] = {}

    def scan(text: str, n: int) -> None:
        if args.ingest:
            detector.scan_document(text, headings=("Guide", f"Section {n % 7}"), title="Brand guidelines 2026")
        else:
            detector.scan_document(text)

    for name, items in corpus_sets():
        if wanted and name not in wanted:
            continue
        for n, item in enumerate(items):
            if item.kind != "document":
                continue
            started = time.thread_time()
            scan(item.text, n)
            ms = (time.thread_time() - started) * 1000
            per_set.setdefault(name, []).append(ms)
            timed.append((ms, name, n, item.family, item.detail, item.text))

    for name, values in per_set.items():
        print(f"{name:10s} {_summary(values)}")
    print(f"{'all':10s} {_summary([t[0] for t in timed])}")
    timed.sort(key=lambda t: -t[0])
    print(f"\nslowest {args.top}:")
    for ms, name, n, family, detail, text in timed[: args.top]:
        print(f"  {ms:7.2f} ms  {name}:{n}  {family}/{detail[:40]}  {len(text)} chars  {text[:60]!r}")

    slow = timed[: max(1, int(args.share * len(timed)))]
    profiler = cProfile.Profile()
    profiler.enable()
    for _, _, n, _, _, text in slow:
        scan(text, n)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(args.sort).print_stats(args.lines)
    print(f"\ncProfile of the slowest {len(slow)} documents:")
    print(out.getvalue())
    if args.profile:
        stats.dump_stats(str(args.profile))


if __name__ == "__main__":
    main()
