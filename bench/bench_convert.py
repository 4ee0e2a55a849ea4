"""Native PDF conversion speed: milliseconds per page for a generated 20-page report, median of 5 rounds.

`.venv/bin/python bench/bench_convert.py`. The figure used to be a loose bound in the unit tests (about
20-30 ms/page on 2 cores); time bounds belong here, where the load of the machine is quoted beside them.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.documents.convert import convert_bytes
from tests.unit.documents import fixtures as fx


def main() -> None:
    pdf = fx.build_pdf(min_pages=20)
    convert_bytes(fx.build_pdf(min_pages=1), "pdf", "warm.pdf")
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        doc = convert_bytes(pdf, "pdf", "twenty.pdf")
        rounds.append((time.perf_counter() - started) * 1000 / doc.pages)
    print(
        f"native PDF conversion: median {statistics.median(rounds):.1f} ms/page over {doc.pages} pages "
        f"(min {min(rounds):.1f}, max {max(rounds):.1f}; load average {os.getloadavg()[0]:.2f})"
    )


if __name__ == "__main__":
    main()
