"""Experiment (not shipped): a chunk-level semantic score from the vector ingestion already computes.

    .venv/bin/python bench/experiment_injection_chunk_semantic.py [vector-cache.npz]

Question (issue 18): ingestion embeds every chunk with the local MiniLM, so a linear model over that vector
costs one 384-d dot product per chunk (microseconds, no extra inference). Does such a score, OR-ed with the
shipped detector, raise detection on wording the detector has not seen, within the 2% false-positive budget?

Protocol (documents only; heldout5 is never used):
- vectors: all-MiniLM-L6-v2 int8 (`LocalEmbedder`), mean-pooled over the whole chunk text and L2-normalised, as
  ingestion stores them;
- data: 1,500 attack and 1,500 benign documents sampled from `corpus.py`'s train split (fixed seed), plus the
  documents of `heldout2.py`, `heldout3.py`, `heldout4.py`;
- leave one held-out set out: train on the corpus sample and two held-out sets, test on the third; class-balanced
  L2 logistic regression (scipy L-BFGS); threshold where `budget` of the training benign documents score above;
- flagged = shipped detector OR the semantic score above its threshold; also the semantic score alone.

Embedding the ~7,500 documents takes about 25 minutes on this machine when it is busy: pass a path to keep the
vectors between runs. Results are printed (bench/results/injection_chunk_semantic_experiment.md records a run).
"""

from __future__ import annotations

import hashlib
import importlib
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy import optimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.models.embed_local import LocalEmbedder
from backend.safety import ContaminationDetector
from backend.safety.training import corpus
from backend.safety.training.corpus import Item

L2 = 1e-3
BUDGETS = (0.01, 0.005)
SETS = (2, 3, 4)


def vectors(texts: list[str], cache: Path | None) -> dict[str, np.ndarray]:
    """Unit-length MiniLM vectors of `texts`, keyed by the text's SHA-1 (read from and written to `cache`)."""
    known: dict[str, np.ndarray] = {}
    if cache and cache.exists():
        with np.load(cache) as data:
            known = dict(zip(data["keys"].tolist(), data["vecs"], strict=True))
    key = {t: hashlib.sha1(t.encode()).hexdigest() for t in texts}
    missing = [t for t in texts if key[t] not in known]
    if missing:
        embedder = LocalEmbedder(threads=2, batch_size=32)
        for start in range(0, len(missing), 1000):
            part = missing[start : start + 1000]
            found, _ = embedder.embed_sync(part)
            known.update({key[t]: v for t, v in zip(part, found, strict=True)})
            print(f"embedded {start + len(part)} of {len(missing)}", file=sys.stderr)
        if cache:
            np.savez(cache, keys=np.array(list(known)), vecs=np.array(list(known.values())))
    return {t: known[key[t]] / (np.linalg.norm(known[key[t]]) + 1e-9) for t in texts}


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Class-balanced L2 logistic regression."""
    weights = np.where(y == 1, 0.5 / y.sum(), 0.5 / (len(y) - y.sum()))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        p = 1 / (1 + np.exp(-np.clip(x @ w + b, -30, 30)))
        g = weights * (p - y)
        nll = -(weights * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum()
        return nll + L2 * float(w @ w), np.concatenate([x.T @ g + 2 * L2 * w, [g.sum()]])

    result = optimize.minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return result.x[:-1], float(result.x[-1])


def main() -> None:
    cache = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    rng = random.Random(5)
    train = [i for i in corpus.build()["train"] if i.kind == "document"]
    sample = rng.sample([i for i in train if i.label], 1500) + rng.sample([i for i in train if not i.label], 1500)
    held: dict[int, list[Item]] = {
        n: [i for i in importlib.import_module(f"backend.safety.training.heldout{n}").build() if i.kind == "document"]
        for n in SETS
    }
    vec = vectors(list(dict.fromkeys([i.text for i in sample] + [i.text for n in SETS for i in held[n]])), cache)
    detector = ContaminationDetector()
    print(f"detector {detector.version}")
    for test in SETS:
        items = sample + [i for n in SETS if n != test for i in held[n]]
        w, b = fit(np.array([vec[i.text] for i in items]), np.array([float(i.label) for i in items]))
        benign = sorted((float(vec[i.text] @ w + b) for i in items if not i.label), reverse=True)
        shipped = {i.text: detector.scan_document(i.text).contaminated for i in held[test]}
        for budget in BUDGETS:
            threshold = benign[int(len(benign) * budget)]
            both: dict[str, list[bool]] = defaultdict(list)
            alone: dict[str, list[bool]] = defaultdict(list)
            for item in held[test]:
                semantic = float(vec[item.text] @ w + b) > threshold
                both[item.family].append(semantic or shipped[item.text])
                alone[item.family].append(semantic)
            attacks = [f for k, v in both.items() if k != "benign" for f in v]
            rates = {k: f"{np.mean(v):.1%}" for k, v in sorted(both.items())}
            print(f"test heldout{test} budget {budget:.1%}: detector OR semantic {np.mean(attacks):.1%} {rates}")
            alone_rates = {k: f"{np.mean(v):.1%}" for k, v in sorted(alone.items())}
            print(f"    semantic alone {alone_rates}")


if __name__ == "__main__":
    main()
