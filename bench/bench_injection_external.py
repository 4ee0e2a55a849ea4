"""Prompt-injection detection on public material nobody here wrote: the most honest figures issue 18 has.

    INJECTION_EXTERNAL_DIR=<dir> .venv/bin/python bench/bench_injection_external.py

Every held-out set under `backend/safety/training/` was written by a session of this team, with this team's
idea of what an attack looks like. This bench measures the shipped detector on two public research datasets
instead, which are never stored in this repository (their text is other people's prose) and never used to
tune or train anything here: a measurement only. `<dir>` holds:

- `bipia/`: the `benchmark/` folder of microsoft/BIPIA (indirect prompt injection benchmark, MIT licence):
  `text_attack_{train,test}.json`, `code_attack_{train,test}.json` (attack instructions by category) and
  `{email,table,code}/{train,test}.jsonl` (the documents they are hidden in; the clean ones are the benign set).
- `tensor-trust/`: from HumanCompatibleAI/tensor-trust-data, `hijacking_robustness_dataset.jsonl` and
  `extraction_robustness_dataset.jsonl` (attacks people typed into the Tensor Trust game, BSD licence).

BIPIA's attack files come in a train and a test split with different categories; they are reported apart so
that a later change may be studied on the train split's misses while the test split stays unseen.
Documents: each BIPIA attack is hidden in one email, one table and (code attacks) one code answer, at the
start, in the middle or at the end as BIPIA does, with a fixed seed; each Tensor Trust attack is scanned as a
document on its own (an uploaded text that is nothing but an attack) and hidden in the middle of an email.
Benign: every clean BIPIA email, table (first 4,000 characters, a chunk's size) and code answer.
Answers: not measured here (neither dataset pairs model answers with their context).

Only rates are written, never the items (they are not ours to copy). The first run (rules-9, before anyone looked
at a miss) is kept in bench/results/injection_external.{md,json} and never overwritten; later runs go to
injection_external_after.{md,json}: rules-10 was written after reading BIPIA's category names, the first attack of
each test category and every miss of the train split, and a sample of Tensor Trust's *hijacking* misses; Tensor
Trust's extraction attacks and the BIPIA test split's other sentences stay unseen.
"""

from __future__ import annotations

import json
import os
import platform
import random
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.safety import ContaminationDetector
from backend.safety.contamination import DETECTOR_VERSION
from bench.harness import load_average

RESULTS = Path(__file__).parent / "results"
SEED = 20261205
CHUNK_CHARS = 4000


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _context(row: dict[str, Any]) -> str:
    value = row["context"]
    text = "\n".join(value) if isinstance(value, list) else str(value)
    return text[:CHUNK_CHARS]


def _hide(attack: str, doc: str, where: str) -> str:
    """The attack at the start, in the middle (at a line or sentence break) or at the end of `doc`."""
    if where == "start":
        return f"{attack}\n{doc}"
    if where == "end":
        return f"{doc}\n{attack}"
    middle = len(doc) // 2
    cut = doc.find("\n", middle)
    if cut < 0:
        cut = doc.find(". ", middle)
        cut = cut + 1 if cut >= 0 else middle
    return f"{doc[:cut]}\n{attack}\n{doc[cut:]}"


def items(root: Path) -> list[tuple[str, str, bool]]:
    """(class, text, is_attack) for every item, in a fixed order."""
    rng = random.Random(SEED)
    bipia = root / "bipia"
    docs = {
        kind: [_context(r) for split in ("train", "test") for r in _jsonl(bipia / kind / f"{split}.jsonl")]
        for kind in ("email", "table", "code")
    }
    out: list[tuple[str, str, bool]] = []
    for kind, texts in docs.items():
        out += [(f"benign/bipia-{kind}", text, False) for text in texts if text.strip()]
    for family, carriers in (("text", ("email", "table")), ("code", ("code",))):
        for split in ("train", "test"):
            attacks = json.loads((bipia / f"{family}_attack_{split}.json").read_text(encoding="utf-8"))
            for category, texts in sorted(attacks.items()):
                for attack in texts:
                    for carrier in carriers:
                        where = rng.choice(("start", "middle", "end"))
                        doc = rng.choice(docs[carrier])
                        text = _hide(attack, doc, where)
                        out.append((f"bipia-{family}-{split}/{carrier}", text, True))
                        out.append((f"bipia-{family}-{split}/category:{category}", text, True))
    tensor = root / "tensor-trust"
    for name, label in (("hijacking", "hijacking_robustness_dataset"), ("extraction", "extraction_robustness_dataset")):
        for row in _jsonl(tensor / f"{label}.jsonl"):
            attack = str(row["attack"])[:CHUNK_CHARS]
            if not attack.strip():
                continue
            out.append((f"tensor-trust-{name}/alone", attack, True))
            out.append((f"tensor-trust-{name}/in-email", _hide(attack, rng.choice(docs["email"]), "middle"), True))
    return out


def main() -> None:
    root = os.environ.get("INJECTION_EXTERNAL_DIR")
    if not root or not Path(root).is_dir():
        sys.exit("set INJECTION_EXTERNAL_DIR to the folder described in this script's docstring")
    detector = ContaminationDetector()
    rates: dict[str, list[bool]] = defaultdict(list)
    # A category line repeats the carrier line's item: count each item once in the totals.
    for cls, text, is_attack in items(Path(root)):
        flagged = detector.scan_document(text).contaminated
        rates[cls].append(flagged)
        if "/category:" not in cls:
            rates["all attacks" if is_attack else "all benign"].append(flagged)
            source = cls.split("/")[0]
            rates[f"{source} (all)"].append(flagged)
    table = {name: {"n": len(v), "flagged": round(sum(v) / len(v), 4)} for name, v in sorted(rates.items())}
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "detector": DETECTOR_VERSION,
        "machine": {"python": platform.python_version(), "load_average": load_average()},
        "classes": table,
    }
    RESULTS.mkdir(exist_ok=True)
    name = "injection_external_after" if (RESULTS / "injection_external.json").exists() else "injection_external"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# Injection detection on public datasets ({result['when']}, detector {DETECTOR_VERSION})"
        + (" - after looking" if name.endswith("_after") else ""),
        "",
        "Measurement only: never used to tune or train. Sources and protocol in bench/bench_injection_external.py.",
        "",
        "| class | n | flagged |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {row['n']} | {row['flagged'] * 100:.1f}% |" for name, row in table.items()]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
