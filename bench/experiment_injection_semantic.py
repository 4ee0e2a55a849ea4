"""Experiment (not shipped): does a sentence-level classifier over semantic vectors generalise to new wording?

    .venv/bin/python bench/experiment_injection_semantic.py

Question (issue 18): the rules and the char-n-gram classifier catch the phrasings they were tuned on; would a
linear model over the local MiniLM's sentence vectors catch injections written in other words, at an
acceptable false-positive rate and within p95 <= 5 ms CPU per chunk?

Protocol, on seen sets only (never heldout4, which is kept for one honest run):
- candidate sentences: the sentences and lines of a document that pass a cheap prefilter (second person,
  imperatives of override, words about instructions/AI/model/system/prompt/output/summary...);
- training: positives are the candidate sentences of the payloads of `embedded` and `jailbreak_override`
  attacks, negatives the candidate sentences of benign documents, from `corpus.py` (train split) and
  `heldout2.py`; class-balanced L2 logistic regression (scipy L-BFGS);
- threshold: the score above which 1% of those benign training documents fall;
- test: `heldout3.py` documents (written in other words than both training sets), flagged when the shipped
  detector flags them OR the semantic model flags their top candidate sentence(s) (ranked by the shipped
  char-n-gram classifier; `cap` sentences embedded per chunk); false positives also on every seen benign set.
- two vector kinds: MiniLM sentence vectors (the real model, via onnxruntime), and "static" vectors (each
  word piece run through MiniLM alone, mean over the sentence, PCA to 96 dimensions: model2vec-style, almost
  free at run time).
- latency: CPU time of one MiniLM call per sentence length, single thread.

Results go to bench/results/injection_semantic_experiment.{md,json} (overwritten: this is an experiment, not a
held-out figure).
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.models.embed_local import LocalEmbedder, _load
from backend.safety import ContaminationDetector
from backend.safety.classifier import default_classifier
from backend.safety.training import corpus, heldout2, heldout3
from backend.safety.training.corpus import Item

RESULTS = Path(__file__).parent / "results"
_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_PREFILTER = re.compile(
    r"\b(you|your|yourself|ai|bot|model|assistant|llm|gpt|system|prompt|instruction\w*|output|summar\w*|repl\w*|"
    r"answer\w*|respon\w*|rules?|must|should|ignore|forget|disregard|override|pretend|act|mode|whoever|reader|"
    r"processing|generat\w*|agent|chatbot|policy|configur\w*|setup|developer|admin|operator|task)\b",
    re.IGNORECASE,
)
L2 = 1e-3
FP_BUDGET = 0.01


def candidates(text: str) -> list[str]:
    """Sentences and lines of at least 12 characters that pass the prefilter."""
    return [s.strip() for s in _SPLIT.split(text) if len(s.strip()) >= 12 and _PREFILTER.search(s)]


class Minilm:
    """MiniLM sentence vectors (unit length), cached per sentence for the experiment."""

    def __init__(self) -> None:
        self.embedder = LocalEmbedder(threads=2, batch_size=64)
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, sentences: list[str]) -> np.ndarray:
        missing = [s for s in dict.fromkeys(sentences) if s not in self.cache]
        if missing:
            vectors, _ = self.embedder.embed_sync(missing)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
            self.cache.update(zip(missing, vectors, strict=True))
        return np.array([self.cache[s] for s in sentences]).reshape(len(sentences), -1)


class Static:
    """Word-piece vectors distilled from MiniLM (each piece alone between [CLS] and [SEP]), PCA to 96 dims."""

    def __init__(self, dims: int = 96) -> None:
        runtime = _load(2)
        size = runtime.tokenizer.get_vocab_size()
        table = np.zeros((size, 384), dtype=np.float32)
        for start in range(0, size, 1024):
            ids = np.array([[101, i, 102] for i in range(start, min(size, start + 1024))], dtype=np.int64)
            (hidden,) = runtime.session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)},
            )
            table[start : start + len(ids)] = hidden.mean(axis=1)
        table -= table.mean(axis=0)
        _, _, vt = np.linalg.svd(table[1000:], full_matrices=False)  # rows below 1000 are [unused] pieces
        self.table = (table @ vt[:dims].T).astype(np.float32)
        self.tokenizer = runtime.counter

    def __call__(self, sentences: list[str]) -> np.ndarray:
        out = np.zeros((len(sentences), self.table.shape[1]), dtype=np.float32)
        for k, encoding in enumerate(self.tokenizer.encode_batch(sentences)):
            ids = [i for i in encoding.ids if i not in (101, 102)][:128]
            if ids:
                v = self.table[ids].mean(axis=0)
                out[k] = v / (np.linalg.norm(v) + 1e-9)
        return out


def rows(items: list[Item]) -> tuple[list[str], np.ndarray]:
    sentences: list[str] = []
    labels: list[int] = []
    for item in items:
        if item.kind != "document":
            continue
        if item.label and item.family in ("embedded", "jailbreak_override"):
            found = candidates(item.payload or item.text)
            sentences += found
            labels += [1] * len(found)
        elif not item.label:
            found = candidates(item.text)
            sentences += found
            labels += [0] * len(found)
    return sentences, np.array(labels, dtype=np.float64)


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x = np.hstack([x, np.ones((len(x), 1))])
    weight = np.where(y == 1, 0.5 / y.sum(), 0.5 / (len(y) - y.sum()))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        nll = -(weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum()
        return nll + L2 * float(w[:-1] @ w[:-1]), x.T @ (weight * (p - y)) + np.r_[2 * L2 * w[:-1], 0]

    return optimize.minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500}).x


def run(kind: str, vectors: Any, train: list[Item], groups: dict[str, list[Item]]) -> dict[str, Any]:
    sentences, labels = rows(train)
    w = fit(vectors(sentences), labels)
    char = default_classifier()
    assert char is not None

    def score(text: str, cap: int) -> float:
        found = candidates(text)
        if not found:
            return 0.0
        if cap:
            found = sorted(found, key=lambda s: -char.score(s, anchored=False).probability)[:cap]
        z = vectors(found) @ w[:-1] + w[-1]
        return float(1 / (1 + np.exp(-z.max())))

    benign_train = sorted((score(i.text, 0) for i in train if i.kind == "document" and not i.label), reverse=True)
    threshold = benign_train[int(FP_BUDGET * len(benign_train))] + 1e-6
    detector = ContaminationDetector()
    out: dict[str, Any] = {"threshold": round(threshold, 4), "train_sentences": len(sentences),
                           "positive_sentences": int(labels.sum()), "caps": {}}  # fmt: skip
    for cap in (1, 2, 0):
        rates: dict[str, dict[str, float]] = {}
        for name, items in groups.items():
            counts: dict[str, list[int]] = {}
            for item in items:
                base = detector.scan_document(item.text).contaminated
                both = base or score(item.text, cap) >= threshold
                c = counts.setdefault(item.family, [0, 0, 0])
                c[0] += 1
                c[1] += base
                c[2] += both
            rates[name] = {f: {"n": n, "shipped": round(b / n, 4), "with_semantic": round(s / n, 4)}
                           for f, (n, b, s) in sorted(counts.items())}  # fmt: skip
        out["caps"]["all" if cap == 0 else str(cap)] = rates
        print(kind, cap, json.dumps(rates), file=sys.stderr, flush=True)
    return out


def latency() -> dict[str, dict[str, float]]:
    runtime = _load(1)
    out = {}
    for n in (12, 24, 48):
        ids = np.array([[101, *range(2000, 2000 + n), 102]], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        runtime.session.run(["last_hidden_state"], feed)
        times = []
        for _ in range(60):
            started = time.thread_time()
            runtime.session.run(["last_hidden_state"], feed)
            times.append((time.thread_time() - started) * 1000)
        times.sort()
        out[f"{n}_pieces"] = {"cpu_p50_ms": round(times[30], 2), "cpu_p95_ms": round(times[57], 2)}
    return out


def main() -> None:
    splits = corpus.build()
    train = splits["train"] + heldout2.build()
    groups = {
        "heldout3": [i for i in heldout3.build() if i.kind == "document"],
        "corpus_benign": [i for i in splits["train"] + splits["test"] if i.kind == "document" and not i.label],
        "heldout2_benign": [i for i in heldout2.build() if i.kind == "document" and not i.label],
    }
    report = {"minilm": run("minilm", Minilm(), train, groups), "static": run("static", Static(), train, groups),
              "latency_one_sentence": latency()}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "injection_semantic_experiment.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
