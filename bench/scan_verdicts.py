"""Every verdict of the injection detector on the corpus and the held-out sets, to prove a speed-up changed none.

`python bench/scan_verdicts.py record OUT.json` writes, for every document of the corpus (both splits of
`backend.safety.training.corpus.build`) and of `heldout2`..`heldout9`, the full verdict of `scan_document`
(flagged, pattern, reason, evidence, decoded text, confidence), the same for each document scanned the way
ingestion calls it (with a heading path and a title, where another item's text plays the heading or the title
on some of them so the heading and title paths see attacks too), and for every answer the verdict of
`check_response(text, context)`. `python bench/scan_verdicts.py compare BEFORE.json` computes them again and
lists every item whose verdict differs (exit status 1 when any does). Keep the files outside the repository:
the corpus quotes installed packages' READMEs.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.safety import ContaminationDetector
from backend.safety.contamination import ContaminationResult
from backend.safety.training.corpus import Item, build

HELDOUT = range(2, 10)


def corpus_sets() -> Iterator[tuple[str, list[Item]]]:
    """(name, items) of every set: the corpus splits, then the held-out sets."""
    splits = build()
    yield "train", splits["train"]
    yield "test", splits["test"]
    for n in HELDOUT:
        yield f"heldout{n}", importlib.import_module(f"backend.safety.training.heldout{n}").build()


def verdict(result: ContaminationResult) -> list[Any]:
    """Everything a verdict says, confidence rounded to 6 decimals."""
    return [
        result.contaminated,
        result.pattern,
        result.reason,
        result.evidence,
        result.decoded,
        round(result.confidence, 6),
        result.detector_version,
    ]


def _key(kind: str, text: str, *extra: str | Sequence[str]) -> str:
    """A key naming exactly what was scanned (so sets that gained or lost items still compare item by item)."""
    blob = json.dumps([kind, text, *extra], ensure_ascii=False)
    return f"{kind}:{hashlib.sha256(blob.encode()).hexdigest()[:20]}"


def verdicts(detector: ContaminationDetector) -> dict[str, list[Any]]:
    """key -> verdict for every item and way of scanning it (the same input twice is one key)."""
    out: dict[str, list[Any]] = {}
    for name, items in corpus_sets():
        docs = [i.text for i in items if i.kind == "document"]
        started, before = time.perf_counter(), len(out)
        for n, item in enumerate(items):
            if item.kind == "response":
                key = _key("response", item.text, item.context)
                out[key] = verdict(detector.check_response(item.text, item.context))
                continue
            out[_key("document", item.text)] = verdict(detector.scan_document(item.text))
            # As ingestion scans a chunk: a heading path and a title. Every third item borrows its neighbours'
            # texts (attacks among them) as a heading and as a title.
            if n % 3 == 0 and len(docs) > 2:
                heading, title = docs[(n + 1) % len(docs)][:600], docs[(n + 2) % len(docs)][:200]
            else:
                heading, title = f"Section {n % 7}", "Brand guidelines 2026"
            ingest = detector.scan_document(item.text, headings=("Guide", heading), title=title)
            out[_key("ingest", item.text, ["Guide", heading], title)] = verdict(ingest)
        took = time.perf_counter() - started
        print(f"{name}: {len(items)} items, {len(out) - before} new verdicts in {took:.1f} s", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("record", "compare"))
    parser.add_argument("path", type=Path)
    args = parser.parse_args()
    now = verdicts(ContaminationDetector())
    if args.action == "record":
        args.path.write_text(json.dumps(now, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"{len(now)} verdicts written")
        return
    before = json.loads(args.path.read_text(encoding="utf-8"))
    common = sorted(set(before) & set(now))
    differ = [k for k in common if before[k] != now[k]]
    for key in differ[:40]:
        print(f"{key}\n  before: {before[key]}\n  now:    {now[key]}")
    flagged = sum(1 for k in common if now[k][0])
    print(
        f"{len(common)} verdicts compared ({flagged} flagged), {len(differ)} differ; "
        f"{len(set(before) - set(now))} only before, {len(set(now) - set(before))} only now (the corpus changed)"
    )
    sys.exit(1 if differ or not common else 0)


if __name__ == "__main__":
    main()
