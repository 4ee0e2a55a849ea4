"""Slack review clicks: how long the interactions endpoint takes to answer Slack, which retries after 3 seconds.

`make bench-slack`. On a throwaway embedded PostgreSQL (migrations applied), without Redis (the replay
fingerprints in-process, one API process as deployed without REDIS_URL):

  * a second process serves the API (`uvicorn backend.api.app:create_api`), pointed through SLACK_API_URL at a
    fake Slack Web API on 127.0.0.1 (`tests/support/fake_slack.py`) that answers every call after a set delay;
  * this process signs up, connects Slack, saves content items (scored) and sends each for review, then clicks
    as Slack would: signed `block_actions` payloads for Approve and for Request changes (which opens a modal);
  * measured: the interaction request → its HTTP answer, from this process; clicks one after another and
    CONCURRENT at once; with the fake Slack answering at once and after SLOW_SLACK seconds, in alternating
    rounds. The Web API calls a click causes (`chat.update`, `views.open`) run after the answer is sent, so a
    slow Slack must not show in the answer; the time until the fake has them is reported beside it.

Results: bench/results/slack.md and bench/results/slack.json. Medians and p95 over every click of a scenario.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from harness import ROOT, log, migrated_database, percentile, sandbox  # bench/: the script's own directory

_TMP = sandbox("slack", {"EMBEDDING_PROVIDER": "fake", "CHAT_PROVIDER": "fake"})

import httpx  # noqa: E402
from app_process import Server, free_port  # noqa: E402

from backend.content import service as content  # noqa: E402
from backend.content.schemas import ContentCreate  # noqa: E402
from backend.core.config import get_settings  # noqa: E402
from backend.core.db import Database, create_engine, set_database  # noqa: E402
from backend.slack import blocks, connection, signing  # noqa: E402
from backend.slack import service as reviews  # noqa: E402
from backend.slack.schemas import SlackConnectionUpdate  # noqa: E402
from backend.tenancy import accounts  # noqa: E402
from backend.tenancy.access import authenticate, resolve_space_context  # noqa: E402
from backend.tenancy.context import SpaceContext  # noqa: E402
from tests.support.fake_slack import TEAM_ID, FakeSlack, fake_slack_server  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SECRET = "0123456789abcdef" * 2  # a made-up signing secret
TOKEN = "xoxb-fake-bot-token"
CLICKS, CONCURRENT, ROUNDS = 40, 20, 2
SLOW_SLACK = 1.0
SLACK_LIMIT_MS = 3000.0
DRAFT = (
    "Acme Insights helps marketing teams plan campaigns in one calm place. Our customers publish reports each "
    "week and approve every launch without chasing anyone. Book a demo this week."
)


def click(fake: FakeSlack, channel: str, ts: str, action: str) -> dict[str, Any]:
    """A block_actions payload as Slack sends it for a click on the review message at channel/ts."""
    message = fake.messages[(channel, ts)]
    buttons = next(b for b in message["blocks"] if b["type"] == "actions")["elements"]
    button = next(b for b in buttons if b["action_id"] == action)
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": "U0BENCH1", "username": "bench", "team_id": TEAM_ID},
        "trigger_id": f"{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:10]}",
        "container": {"type": "message", "channel_id": channel, "message_ts": ts},
        "channel": {"id": channel},
        "message": {"ts": ts, "text": message["text"], "metadata": message["metadata"]},
        "actions": [{"type": "button", "action_id": action, "block_id": "review", "value": button["value"]}],
    }


async def post(http: httpx.AsyncClient, server: Server, payload: dict[str, Any]) -> float:
    """Send the signed interaction; the milliseconds until its answer (which must be a 200)."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signing.signature(SECRET, ts, body),
    }
    started = time.perf_counter()
    response = await http.post(server.url + "/api/v1/integrations/slack/interactions", content=body, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"interaction answered {response.status_code}: {response.text}")
    return elapsed


async def reviews_to_click(ctx: SpaceContext, fake: FakeSlack, count: int) -> list[tuple[str, str]]:
    """`count` items saved and sent for review (the fake answering at once); their messages' channel and ts."""
    fake.delay = 0.0
    posted = []
    for i in range(count):
        item = await content.create_item(ctx, ContentCreate(title=f"Launch {uuid.uuid4().hex[:6]} {i}",
                                                            type="blog_post", body=DRAFT))  # fmt: skip
        sent = await reviews.send_for_review(ctx, item.id)
        posted.append((sent.channel, sent.ts))
    return posted


async def followups_done(fake: FakeSlack, method: str, expected: int, since: float) -> float:
    """Milliseconds from `since` until the fake has received `expected` calls of `method`."""
    while len(fake.called(method)) < expected:
        await asyncio.sleep(0.01)
    return (time.perf_counter() - since) * 1000


async def scenario(
    http: httpx.AsyncClient, server: Server, ctx: SpaceContext, fake: FakeSlack, delay: float, concurrent: bool
) -> dict[str, Any]:
    posted = await reviews_to_click(ctx, fake, CLICKS)
    updates, modals = len(fake.called("chat.update")), len(fake.called("views.open"))
    fake.delay = delay
    # Half the clicks approve, half request changes (which answers, then opens the notes modal).
    payloads = [
        click(fake, channel, ts, blocks.APPROVE if i % 2 == 0 else blocks.REQUEST_CHANGES)
        for i, (channel, ts) in enumerate(posted)
    ]
    started = time.perf_counter()
    answers: list[float] = []
    if concurrent:
        for start in range(0, len(payloads), CONCURRENT):
            answers += await asyncio.gather(*(post(http, server, p) for p in payloads[start : start + CONCURRENT]))
    else:
        for payload in payloads:
            answers.append(await post(http, server, payload))
    answered = (time.perf_counter() - started) * 1000
    approvals, opened = (len(payloads) + 1) // 2, len(payloads) // 2
    done = max(
        await followups_done(fake, "chat.update", updates + approvals, started),
        await followups_done(fake, "views.open", modals + opened, started),
    )
    return {
        "slack_delay_s": delay,
        "concurrent": CONCURRENT if concurrent else 1,
        "answers_ms": [round(a, 1) for a in answers],
        "all_answered_ms": round(answered, 1),
        "slack_calls_done_ms": round(done, 1),
    }


def write(results: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "slack.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Slack review clicks: time to answer Slack",
        "",
        f"{results['date']}; {results['machine']}; {results['load']}.",
        "",
        "`bench/bench_slack.py`: signed Approve and Request changes clicks (half each) on review messages, sent to",
        "the interactions endpoint of an API process; the fake Slack Web API answers the calls the clicks cause",
        f"after the delay shown. Slack retries a request it has no answer to after {SLACK_LIMIT_MS / 1000:g} s.",
        f"Figures over {ROUNDS} alternating rounds; 'Slack calls done' is from the first click until the fake had",
        "every `chat.update` and `views.open`.",
        "",
        "| Slack delay | clicks at once | clicks | median | p95 | max | all answered | Slack calls done |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results["scenarios"]:
        lines.append(
            f"| {row['slack_delay_s']:g} s | {row['concurrent']} | {row['clicks']} | {row['median_ms']} ms | "
            f"{row['p95_ms']} ms | {row['max_ms']} ms | {row['all_answered_ms']} ms | {row['slack_calls_done_ms']} ms |"
        )
    lines += ["", results["verdict"], ""]
    (RESULTS / "slack.md").write_text("\n".join(lines))


async def main() -> None:
    log("starting embedded PostgreSQL and applying migrations")
    migrated_database(_TMP / "data" / "pg")
    engine = create_engine(get_settings().app_database_url(), pool_size=10, max_overflow=10)
    set_database(Database(engine))
    signed_up = await accounts.sign_up(
        email="bench@example.com", password="bench-correct-horse", name="Bench", organization_name="Bench"
    )
    ctx = await resolve_space_context(await authenticate(signed_up.access_token), str(signed_up.space_id))
    with fake_slack_server() as (fake, url):
        os.environ["SLACK_API_URL"] = url
        await connection.connect(
            ctx, SlackConnectionUpdate(bot_token=TOKEN, signing_secret=SECRET, channel="#content-review")
        )
        server = Server(free_port())
        try:
            await server.ready()
            load = os.getloadavg()
            results: dict[str, Any] = {
                "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                "load": f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) at the start",
            }
            async with httpx.AsyncClient(timeout=30) as http:
                await scenario(http, server, ctx, fake, 0.0, False)  # warm-up: connections, caches, plans
                rows: dict[tuple[float, bool], list[dict[str, Any]]] = {}
                for _ in range(ROUNDS):
                    for delay in (0.0, SLOW_SLACK):
                        for concurrent in (False, True):
                            row = await scenario(http, server, ctx, fake, delay, concurrent)
                            log(json.dumps({k: v for k, v in row.items() if k != "answers_ms"}))
                            rows.setdefault((delay, concurrent), []).append(row)
            results["scenarios"] = [_merge(parts) for parts in rows.values()]
            end = os.getloadavg()
            results["load"] += f", {end[0]:.1f} / {end[1]:.1f} / {end[2]:.1f} at the end"
            worst = max(row["max_ms"] for row in results["scenarios"])
            results["verdict"] = f"Slowest answer {worst:.0f} ms against Slack's {SLACK_LIMIT_MS:.0f} ms: " + (
                "within the limit." if worst < SLACK_LIMIT_MS else "OVER the limit."
            )
            write(results)
            print((RESULTS / "slack.md").read_text())
        finally:
            server.stop()
            await engine.dispose()


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The rounds of one scenario as one row: percentiles over every click, the rounds' median totals."""
    answers = [a for p in parts for a in p["answers_ms"]]
    return {
        "slack_delay_s": parts[0]["slack_delay_s"],
        "concurrent": parts[0]["concurrent"],
        "clicks": len(answers),
        "median_ms": round(statistics.median(answers), 1),
        "p95_ms": round(percentile(answers, 0.95), 1),
        "max_ms": round(max(answers), 1),
        "all_answered_ms": round(statistics.median(p["all_answered_ms"] for p in parts), 1),
        "slack_calls_done_ms": round(statistics.median(p["slack_calls_done_ms"] for p in parts), 1),
    }


if __name__ == "__main__":
    asyncio.run(main())
