"""Local models on this machine: load time, decode speed, time to first token cold vs warm slot, embeddings/s.

`make bench-models`. For each local chat model (SmolLM2-135M and Qwen2.5-Coder-1.5B, both through
xllamacpp with the app's own engine, 2 slots, LOCAL_THREADS threads):
  * load: creating the llama.cpp server from the verified GGUF file (the integrity check is timed apart);
  * decode: tokens per second while generating 128 tokens;
  * time to first token for an agent-sized prompt of about 1,500 tokens whose first ~1,000 are a stable
    prefix (system prompt with brand guidelines and a tool list), rendered stable-first exactly as the app
    renders it:
      - cold: the prefix is in no slot (a unique marker opens the system prompt each round; the host-RAM
        prompt cache is off, so nothing can be restored);
      - warm: the prefix was prefilled into a slot beforehand (as start-up warming does); only the request's
        new tokens are evaluated.
    The target: warm time to first token within 1 s of (new tokens ÷ prefill rate measured cold).
Then local embeddings (all-MiniLM-L6-v2 int8, onnxruntime) per second at batch sizes 1, 32 and 256.

Medians over a few rounds, one run of the script. Results go to bench/results/models.md and models.json.
Qwen is assembled into the configured models directory if it is not there yet (as `make run` does).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

os.environ.setdefault("LOG_LEVEL", "WARNING")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from langchain_core.messages import HumanMessage, SystemMessage  # noqa: E402

from backend.core.config import get_settings  # noqa: E402
from backend.models.chat_local import LocalChatModel  # noqa: E402
from backend.models.embed_local import LocalEmbedder  # noqa: E402
from backend.models.local_engine import LocalEngine  # noqa: E402
from backend.models.local_files import (  # noqa: E402
    LocalModelSpec,
    ensure_model_file,
    main_spec,
    smollm2_spec,
)
from backend.models.resilience import CircuitBreaker, ModelGuard, RetryPolicy  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DECODE_TOKENS = 128
ROUNDS = {"SmolLM2-135M-Instruct Q4_1": 5, "Qwen2.5-Coder-1.5B-Instruct Q4_K_M": 3}
EMBED_BATCHES = {1: 64, 32: 256, 256: 512}  # batch size -> texts per round
EMBED_ROUNDS = 3

GUIDELINES = [
    "Northwind Outdoor writes for people who spend their weekends on trails, rivers and mountain huts.",
    "Use plain words and short sentences; one idea per sentence, and never more than three sentences a paragraph.",
    "Name the product and the concrete benefit in the first line: weight, warmth, waterproofing or pack size.",
    "Avoid hype words such as amazing, revolutionary, game-changing, epic or ultimate.",
    "Never use exclamation marks in subject lines, headlines or calls to action.",
    "Prices are written with the currency after the amount, for example 149 EUR, and never rounded.",
    "Refer to customers as you, never as users, consumers or shoppers.",
    "Sustainability claims must cite the certificate: bluesign, Fair Wear or the recycled-content figure.",
    "Sign emails with 'The Northwind team' and nothing else; no personal names, no emoji.",
    "Headlines use sentence case; product names keep their own capitals, such as Trail 20 or Ridge Pro.",
    "When a product is out of stock, say when it returns instead of suggesting an alternative.",
    "Safety information is never shortened: temperature ratings and load limits appear in full.",
    "Seasonal campaigns speak about the place and the weather, not about the calendar or a sale.",
    "Comparisons with competitors are not made, by name or by implication.",
    "Calls to action are verbs with their object: see the tents, check your size, plan the route.",
]
TOOL_DESCRIPTIONS = [
    "search the space's documents", "read one product sheet", "list the season's campaigns",
    "check stock by size", "look up the last email's open rate",
]
CONTEXT = (
    "Product sheet excerpt: the Ridge Pro 2 tent weighs 1,640 g packed, pitches in four minutes with one pole "
    "hub, has two doors and two vestibules of 0.8 square metres each, a 3,000 mm hydrostatic head fly and a "
    "bluesign approved floor. Customer review: stayed dry through a night of rain above the tree line; the "
    "vestibule fits boots and a 40 litre pack. Last campaign: open rate 31 percent, best subject line named "
    "the weight and the place."
)


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": f"tool_{index}",
            "description": description,
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
        },
    }
    for index, description in enumerate(TOOL_DESCRIPTIONS)
]


def stable_prefix(target_words: int, marker: str = "") -> str:
    """System prompt and brand guidelines, about `target_words` words (the tool list is added on render)."""
    lines = [f"{marker}You are the email agent of Northwind Outdoor. Follow the brand guidelines below."]
    words, index = 0, 0
    while words < target_words:
        line = f"Guideline {index + 1}: {GUIDELINES[index % len(GUIDELINES)]}"
        lines.append(line)
        words += len(line.split())
        index += 1
    return "\n".join(lines)


def variable_part(target_words: int, round_no: int) -> str:
    """Retrieved context and the request: new in every round."""
    parts = [f"Request {round_no} ({uuid.uuid4().hex[:8]}):"]
    words = 0
    while words < target_words:
        parts.append(CONTEXT)
        words += len(CONTEXT.split())
    parts.append("Write a subject line and a two-sentence preheader for the Ridge Pro 2 launch email.")
    return "\n".join(parts)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_chat(spec: LocalModelSpec, threads: int) -> dict[str, Any]:
    rounds = ROUNDS.get(spec.label, 3)
    started = time.perf_counter()
    ensure_model_file(spec, lambda line: print(f"  {line}", flush=True), repair=True)
    verify_s = time.perf_counter() - started

    before = rss_mb()
    engine = LocalEngine(spec, ctx_per_slot=4096, slots=2, threads=threads, cache_mib=0)
    engine.load()
    load_s = engine.load_seconds or 0.0
    rss = rss_mb() - before
    model = LocalChatModel(
        model_name=spec.label, engine=engine, temperature=0.7, max_tokens=8,
        guard=ModelGuard("local", CircuitBreaker("bench"), timeout=600, retry=RetryPolicy(0)),
    )
    try:
        decode = []
        for i in range(rounds):
            request, key, _ = model.build_request([HumanMessage(f"Write a long story about hiking, part {i}.")])
            done = engine.run({**request, "max_tokens": DECODE_TOKENS, "ignore_eos": True}, prefix_key=key)
            decode.append(float(done.timings["predicted_per_second"]))
        print(f"  decode: {statistics.median(decode):.1f} tokens/s", flush=True)

        def render(system: str, user: str) -> tuple[dict[str, Any], str | None]:
            request, key, _ = model.build_request([SystemMessage(system), HumanMessage(user)], tools=TOOLS)
            request.pop("response_format")  # time the prompt, not the tool-call grammar
            return request, key

        system = stable_prefix(480)
        warm_request, warm_key = render(system, ".")
        engine.warm([(warm_key or "", {**warm_request, "max_tokens": 1})])
        # Cold and warm take turns, so load from other processes falls on both alike. A cold run goes to the
        # least recently used slot, which is never the warm one (used last).
        cold_ttft, prefill_rates, prompt_tokens = [], [], []
        warm_ttft, new_tokens, cached, excess = [], [], [], []
        for i in range(rounds):
            request, key = render(stable_prefix(480, marker=f"[{uuid.uuid4().hex}] "), variable_part(280, i))
            cold = engine.run(request, prefix_key=key)
            request, key = render(system, variable_part(280, i))
            warm = engine.run(request, prefix_key=key)
            rate = float(cold.timings["prompt_per_second"])
            fresh = warm.prompt_tokens - warm.cached_tokens
            cold_ttft.append(cold.ttft_ms or 0)
            prefill_rates.append(rate)
            prompt_tokens.append(cold.prompt_tokens)
            warm_ttft.append(warm.ttft_ms or 0)
            new_tokens.append(fresh)
            cached.append(warm.cached_tokens)
            excess.append((warm.ttft_ms or 0) - fresh / rate * 1000)
            print(f"  round {i + 1}: cold {cold.prompt_tokens} tokens, first token {cold.ttft_ms} ms "
                  f"({rate:.0f} tok/s); warm {warm.cached_tokens} cached + {fresh} new, first token "
                  f"{warm.ttft_ms} ms", flush=True)
    finally:
        engine.close()

    prefill = statistics.median(prefill_rates)
    warm_ms = statistics.median(warm_ttft)
    # Per round: warm time to first token minus (new tokens ÷ that round's cold prefill rate).
    over_ms = statistics.median(excess)
    return {
        "model": spec.label,
        "file_mb": round(spec.path.stat().st_size / 1e6),
        "verify_s": round(verify_s, 2),
        "load_s": round(load_s, 2),
        "rss_mb": round(rss),
        "decode_tokens_per_s": round(statistics.median(decode), 1),
        "prefill_tokens_per_s": round(prefill, 1),
        "prompt_tokens": int(statistics.median(prompt_tokens)),
        "stable_prefix_tokens": int(statistics.median(cached)),
        "new_tokens_warm": int(statistics.median(new_tokens)),
        "ttft_cold_ms": int(statistics.median(cold_ttft)),
        "ttft_warm_ms": int(warm_ms),
        "ttft_warm_expected_ms": int(statistics.median(new_tokens) / prefill * 1000),
        "ttft_warm_over_expected_ms": int(over_ms),
        "warm_within_1s_of_expected": over_ms <= 1000,
        "rounds": rounds,
    }


def bench_embeddings(threads: int) -> list[dict[str, Any]]:
    passage = (
        "The Ridge Pro 2 tent weighs 1,640 g packed and pitches in four minutes; its fly has a 3,000 mm "
        "hydrostatic head and the floor is bluesign approved. Two doors, two vestibules, room for boots and packs."
    )
    rows = []
    for batch_size, count in EMBED_BATCHES.items():
        embedder = LocalEmbedder(threads=threads, batch_size=batch_size)
        embedder.embed_sync(["warm up"])
        rates = []
        for round_no in range(EMBED_ROUNDS):
            texts = [f"{passage} Variant {round_no}-{i}." for i in range(count)]
            started = time.perf_counter()
            embedder.embed_sync(texts)
            rates.append(count / (time.perf_counter() - started))
        tokens = embedder.count_tokens(f"{passage} Variant 0-0.")
        rows.append({"batch_size": batch_size, "texts": count, "tokens_per_text": tokens,
                     "texts_per_s": round(statistics.median(rates), 1)})
        print(f"  batch {batch_size}: {rows[-1]['texts_per_s']} texts/s", flush=True)
    return rows


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Local models benchmark",
        "",
        f"Run {report['run_at']} by `make bench-models` (bench/bench_models.py). {report['machine']}. "
        f"1-minute load average {report['load_average_at_start']} at the start and {report['load_average_at_end']} "
        "at the end (other work on the machine slows every figure alike).",
        "",
        "- Chat: xllamacpp (llama.cpp in-process), 2 slots of 4,096 tokens, "
        f"{report['threads']} threads, host-RAM prompt cache off. Medians over 5 rounds (SmolLM2) or 3 (Qwen).",
        f"- Decode: {DECODE_TOKENS} generated tokens. Prompt: system prompt with brand guidelines and a 5-tool list "
        "(the stable prefix) then retrieved context and the request, rendered stable-first as the app does.",
        "- Cold: the prefix is in no slot (a unique marker opens each round's system prompt). Warm: the prefix was "
        "prefilled into a slot first (start-up warming); only new tokens are evaluated. Expected warm = new tokens "
        "÷ cold prefill rate; target: within 1 s of it. Cold and warm alternate round by round; the difference "
        "is the median over rounds of (warm − that round's expected).",
        "",
        "| model | file | verify | load | RSS | decode tok/s | prefill tok/s | prompt tokens (stable) | "
        "TTFT cold | TTFT warm | new tokens | expected warm | warm − expected | within 1 s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in report["chat"]:
        lines.append(
            f"| {row['model']} | {row['file_mb']:,} MB | {row['verify_s']} s | {row['load_s']} s | "
            f"{row['rss_mb']:,} MB | {row['decode_tokens_per_s']} | {row['prefill_tokens_per_s']} | "
            f"{row['prompt_tokens']:,} ({row['stable_prefix_tokens']:,}) | {row['ttft_cold_ms'] / 1000:.2f} s | "
            f"{row['ttft_warm_ms'] / 1000:.2f} s | {row['new_tokens_warm']} | "
            f"{row['ttft_warm_expected_ms'] / 1000:.2f} s | {row['ttft_warm_over_expected_ms'] / 1000:+.2f} s | "
            f"{'yes' if row['warm_within_1s_of_expected'] else 'no'} |"
        )
    lines += [
        "",
        "Local embeddings (all-MiniLM-L6-v2 int8, onnxruntime, "
        f"{report['threads']} threads; passages of about {report['embeddings'][0]['tokens_per_text']} word pieces):",
        "",
        "| batch size | texts per round | texts/s |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {r['batch_size']} | {r['texts']} | {r['texts_per_s']} |" for r in report["embeddings"]]
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    settings = get_settings()
    threads = settings.local_threads
    report: dict[str, Any] = {
        "run_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPU ({platform.processor() or platform.machine()}), Python "
        f"{platform.python_version()}, xllamacpp {metadata.version('xllamacpp')}, onnxruntime "
        f"{metadata.version('onnxruntime')}",
        "threads": threads,
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "chat": [],
    }
    qwen = main_spec(settings.model_copy(update={"local_main_model": "qwen2.5-coder-1.5b", "local_main_gguf": None}))
    for spec in (smollm2_spec(), qwen):
        print(f"{spec.label}:", flush=True)
        report["chat"].append(bench_chat(spec, threads))
    print("local embeddings:", flush=True)
    report["embeddings"] = bench_embeddings(threads)
    report["load_average_at_end"] = round(os.getloadavg()[0], 2)

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "models.json").write_text(json.dumps(report, indent=2) + "\n")
    markdown = _markdown(report)
    (RESULTS / "models.md").write_text(markdown)
    print()
    print(markdown)


if __name__ == "__main__":
    main()
