"""Train the injection classifier and write it, with its vocabulary and manifest, to backend/safety/data/.

    .venv/bin/python -m backend.safety.training.build

Steps: build the corpus (`corpus.py`; provenance in `benign.py` and `attacks.py`), split it, train a
logistic regression on sentence spans of the train split only (positives: the injected text alone;
negatives: every span of benign documents and answers), calibrate the thresholds on the train split's
benign texts (out of fold) so the whole detector stays under the false-positive budget, then evaluate both splits.
The test split is measured once, after everything is fixed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import random
import re
import sys
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import optimize, sparse

from backend.safety import classifier as clf
from backend.safety import features as ft
from backend.safety.training.corpus import SEED, Item, build

FP_BUDGET = 0.01
"""Share of benign training documents the classifier alone may flag (the goal allows 2% in all)."""
L2 = 5e-6
MAX_SPANS_PER_DOC = 16
MIN_THRESHOLD = 0.25
FOLDS = 4


def _rows(items: list[Item], rng: random.Random) -> tuple[sparse.csr_matrix, np.ndarray]:
    indptr, indices, values, labels = [0], [], [], []

    def add(text: str, label: int, *, whole: bool) -> None:
        data = ft.prepare(text)
        if not data:
            return
        feats = ft.extract(data)
        bounds = [(0, len(data))] if whole else ft.spans(data)
        if len(bounds) > MAX_SPANS_PER_DOC:
            bounds = rng.sample(bounds, MAX_SPANS_PER_DOC)
        for start, end in bounds:
            idx, val = ft.vectorize(ft.span_indices(feats, start, end))
            indices.append(idx)
            values.append(val)
            indptr.append(indptr[-1] + len(idx))
            labels.append(label)

    for item in items:
        if item.label:
            add(item.payload or item.text, 1, whole=True)
            if item.kind == "document" and len(item.payload) > 200:
                add(item.payload, 1, whole=False)
        else:
            add(item.text, 0, whole=False)
            for doc in item.context[:1]:
                add(doc, 0, whole=False)
    matrix = sparse.csr_matrix(
        (np.concatenate(values), np.concatenate(indices), np.array(indptr)), shape=(len(labels), ft.DIM)
    )
    return matrix, np.array(labels, dtype=np.float64)


def train(items: list[Item], seed: int = SEED) -> tuple[np.ndarray, float]:
    """Weights and bias of a class-balanced, L2-regularised logistic regression."""
    x, y = _rows(items, random.Random(seed))
    pos = y.sum()
    sample_w = np.where(y == 1, 0.5 / pos, 0.5 / (len(y) - pos))
    xt = x.T.tocsr()

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        nll = -(sample_w * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum()
        g = sample_w * (p - y)
        grad = np.concatenate([xt @ g + 2 * L2 * w, [g.sum()]])
        return nll + L2 * float(w @ w), grad

    print(f"training on {x.shape[0]} spans ({int(pos)} positive)", file=sys.stderr)
    result = optimize.minimize(loss, np.zeros(ft.DIM + 1), jac=True, method="L-BFGS-B", options={"maxiter": 400})
    return result.x[:-1].astype(np.float32), float(result.x[-1])


def _threshold(scores: list[float]) -> float:
    """The lowest threshold at which at most FP_BUDGET of `scores` (benign texts) are flagged."""
    scores = sorted(scores, reverse=True)
    allowed = int(len(scores) * FP_BUDGET)
    return min(0.99, max(MIN_THRESHOLD, scores[allowed] + 1e-6))


def calibrate(items: list[Item]) -> tuple[float, float]:
    """The document and answer thresholds, from out-of-fold scores of every benign training text.

    The benign families of the train split are cut into FOLDS groups; for each, a model is fitted on the
    others (and every attack) and scores the held-out group, so every benign text is scored by a model that
    never saw its family. Documents are scored as `scan_document` scores them (anchored spans); answers are
    judged on every span when their context holds an injection, so that threshold comes from every benign
    text (documents and answers alike: an answer is prose too) scored without the anchor.
    """
    docs: list[float] = []
    every: list[float] = []
    for fold in range(FOLDS):
        fit = [i for i in items if i.label or _fold(i) != fold]
        held = [i for i in items if not i.label and _fold(i) == fold]
        weights, bias = train(fit)
        model = clf.Classifier(weights.astype(np.float16).astype(np.float32), bias, 0.5, f"fold-{fold}")
        for item in held:
            if item.kind == "document":
                docs.append(model.score(item.text).probability)
            every.append(model.score(item.text, anchored=False).probability)
    return _threshold(docs), _threshold(every)


def vocabulary(items: list[Item]) -> list[str]:
    """Words seen at least three times in the benign training text (our ordinary-English list)."""
    counts: Counter[str] = Counter()
    for item in items:
        if not item.label:
            counts.update(re.findall(r"[a-z]{2,}", item.text.lower()))
    return sorted(w for w, c in counts.items() if c >= 3 and len(w) <= 20)


def held_out_sets(numbers: Sequence[int]) -> list[Item]:
    """Every item of the held-out sets `numbers` (`heldoutN.build()`), for training once their honest figure is
    on record: each was written by a different hand, so together they teach wordings the generator never had."""
    items: list[Item] = []
    for number in numbers:
        items += importlib.import_module(f"backend.safety.training.heldout{number}").build()
    return items


def main(argv: Sequence[str] = ()) -> None:
    """Build, train, calibrate, write, and report both splits.

    `--with-held-out 2,3,4` trains on those held-out sets too (after their honest run); `--out DIR` writes the
    model there instead of the shipped `backend/safety/data/` (for an experiment that must not replace it)."""
    from backend.safety.contamination import ContaminationDetector
    from backend.safety.training.evaluate import evaluate

    # argparse refuses a mistyped option: a silently ignored "--ot DIR" would overwrite the shipped model.
    parser = argparse.ArgumentParser(prog="python -m backend.safety.training.build")
    parser.add_argument("--with-held-out", default="", help="held-out set numbers to train on too, e.g. 2,3,4")
    parser.add_argument("--out", default=None, help="write the model here instead of backend/safety/data/")
    args = parser.parse_args(list(argv))
    extra = [int(n) for n in args.with_held_out.split(",") if n.strip()]
    if out := args.out:
        clf.DATA_DIR = Path(out)
        clf.MODEL_PATH = clf.DATA_DIR / "injection_model.npz"
        clf.VOCAB_PATH = clf.DATA_DIR / "english_words.txt"
    splits = build()
    train_items = splits["train"] + held_out_sets(extra)
    clf.DATA_DIR.mkdir(parents=True, exist_ok=True)
    clf.VOCAB_PATH.write_text("\n".join(vocabulary(train_items)) + "\n", encoding="utf-8")
    clf.default_vocabulary.cache_clear()
    # Thresholds from models that never saw the family they score (cross-fitted on the train split), then
    # the shipped model is fitted on the whole train split.
    threshold, response_threshold = calibrate(train_items)
    weights, bias = train(train_items)
    version = "lr-" + hashlib.sha256(weights.astype(np.float16).tobytes()).hexdigest()[:10]
    model = clf.Classifier(weights.astype(np.float16).astype(np.float32), bias, threshold, version, response_threshold)
    meta = {
        "threshold": model.threshold,
        "response_threshold": model.response_threshold,
        "version": version,
        "seed": SEED,
        "dim": ft.DIM,
        "held_out_sets_trained_on": extra,
    }
    np.savez_compressed(
        clf.MODEL_PATH, weights=weights.astype(np.float16), bias=np.float64(bias), meta=np.array(json.dumps(meta))
    )
    clf.default_classifier.cache_clear()
    detector = ContaminationDetector()
    report = {
        "model": meta,
        "corpus": {name: _counts(items) for name, items in {**splits, "train": train_items}.items()},
        "train": evaluate(detector, train_items),
        "test": evaluate(detector, splits["test"]),
    }
    manifest = Path(clf.DATA_DIR / "manifest.json")
    manifest.write_text(json.dumps({k: report[k] for k in ("model", "corpus")}, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "corpus"}, indent=1))


def _fold(item: Item) -> int:
    # Documents by source family; the grounded answers by template; the older generated answers by text.
    key = item.text if item.detail == "ignored_or_clean" else item.detail
    return zlib.crc32(f"calibration:{key}".encode()) % FOLDS


def _counts(items: list[Item]) -> dict[str, int]:
    return dict(sorted(Counter(f"{i.kind}:{i.family}:{'attack' if i.label else 'benign'}" for i in items).items()))


if __name__ == "__main__":
    main(sys.argv[1:])
