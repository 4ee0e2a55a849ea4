"""Qwen2.5-Coder-1.5B, the default main local model: assembled from its parts into the published file, ready
again on the next start without re-hashing it, and useful under a JSON schema (it extracts facts exactly)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel

from backend.models import local_files
from backend.models.chat_local import LocalChatModel
from backend.models.local_engine import LocalEngine
from backend.models.local_files import QWEN_SHA256, QWEN_SIZE, ensure_model_file
from backend.models.resilience import CircuitBreaker, ModelGuard, RetryPolicy

from .conftest import PreparedQwen

ROOT = Path(__file__).resolve().parents[2]


def _must_not_hash(*args: Any) -> str:
    raise AssertionError("the model file was hashed again")


class ProductFacts(BaseModel):
    product: str
    price_eur: float
    weight_grams: int
    waterproof: bool


def test_assembled_from_parts_into_the_published_file(qwen: PreparedQwen) -> None:
    assert qwen.spec.path.stat().st_size == QWEN_SIZE
    assert sum("assembling" in line and "part" in line for line in qwen.progress) == 22  # visible progress
    digest = hashlib.sha256()
    with qwen.spec.path.open("rb") as handle:
        while block := handle.read(8 << 20):
            digest.update(block)
    assert digest.hexdigest() == QWEN_SHA256

    # Verified once: a later load trusts the remembered check and never re-hashes the 1.1 GB file.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(local_files, "_hash_file", _must_not_hash)
        assert ensure_model_file(qwen.spec) == qwen.spec.path


def test_prepare_models_is_a_fast_no_op_the_second_time(qwen: PreparedQwen) -> None:
    env = {**os.environ, "CHAT_PROVIDER": "local", "EMBEDDING_PROVIDER": "local",
           "LOCAL_MAIN_MODEL": "qwen2.5-coder-1.5b", "MODELS_DIR": str(qwen.spec.path.parent)}
    result = subprocess.run([sys.executable, "-m", "backend", "prepare-models"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Qwen2.5-Coder-1.5B-Instruct Q4_K_M ready" in result.stderr and "assembling" not in result.stderr
    assert "checking" not in result.stderr, "the remembered check spares re-hashing the file"


async def test_extracts_facts_exactly_under_a_json_schema(qwen: PreparedQwen) -> None:
    engine = LocalEngine(qwen.spec, ctx_per_slot=2048, slots=1, threads=2, cache_mib=0)
    model = LocalChatModel(
        model_name=qwen.spec.label, engine=engine, temperature=0.0, max_tokens=80,
        guard=ModelGuard("local", CircuitBreaker("local:qwen-test"), timeout=120, retry=RetryPolicy(0)),
    )
    try:
        facts = await model.with_structured_output(ProductFacts).ainvoke([
            SystemMessage("Extract the product facts from the product sheet."),
            HumanMessage("Product sheet: The Trail 20 daypack costs 89.50 EUR, weighs 540 g and its fabric is "
                         "fully waterproof. Available in moss and slate."),
        ])
    finally:
        engine.close()
    assert facts.product.startswith("Trail 20")
    assert (facts.price_eur, facts.weight_grams, facts.waterproof) == (89.5, 540, True)
