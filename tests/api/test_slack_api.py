"""Review in Slack, end to end over HTTP: the real app, a fake Slack Web API on 127.0.0.1 (the app pointed at
it through SLACK_API_URL), and interaction payloads signed by the test as Slack signs them.

Post for review → Approve marks that version approved and updates the message in place; Request changes opens
the modal, the notes move the item to changes requested, the revision job's new version is posted in the thread
and the original message updated. Forged, stale, replayed, superseded and cross-space requests change nothing.
Revisions run directly here (no worker), on a committing database, like the runs API tests.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from backend.agents.graph.prompts import prompt_version
from backend.agents.registry import default_config
from backend.core.cache import MemoryCache
from backend.core.config import get_settings
from backend.core.db import TenantScope
from backend.models.chat_fake import make_fake_chat
from backend.slack import blocks, handlers, service, signing
from tests.db.test_runs_support import turn_options
from tests.support.fake_slack import TEAM_ID, TEAM_NAME, FakeSlack, fake_slack_server
from tests.support.tenants import Tenant, new_tenant

SECRET = "0123456789abcdef" * 2  # made-up signing secrets (32 hex characters, like Slack's)
OTHER_SECRET = "fedcba9876543210" * 2
TOKEN = "xoxb-fake-bot-token"
DRAFT = "Acme Insights helps marketing teams plan campaigns. Our customers publish reports each week."
REVISED = "Acme Insights helps marketing teams plan campaigns with confidence. Customers publish weekly reports."
REVIEWER = {"id": "U0RITA01", "username": "rita", "name": "rita", "team_id": TEAM_ID}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with fake_slack_server() as (fake, _url):
        yield fake


@pytest.fixture
def revisions(monkeypatch: pytest.MonkeyPatch) -> list[tuple[TenantScope, uuid.UUID]]:
    """Revisions handed to the job queue (no worker here: the tests run them directly)."""
    queued: list[tuple[TenantScope, uuid.UUID]] = []

    async def defer(scope: TenantScope, review_id: uuid.UUID) -> None:
        queued.append((scope, review_id))

    monkeypatch.setattr(handlers, "defer_revision", defer)
    return queued


async def _connect(http: httpx.AsyncClient, owner: Tenant, secret: str = SECRET) -> None:
    body = {"bot_token": TOKEN, "signing_secret": secret, "channel": "#content-review"}
    response = await http.put("/api/v1/integrations/slack", json=body, headers=owner.headers())
    assert response.status_code == 200, response.text
    assert response.json()["team"] == TEAM_NAME


async def _item(http: httpx.AsyncClient, owner: Tenant, body: str = DRAFT, title: str = "Weekly reports") -> str:
    made = await http.post(
        "/api/v1/content", json={"title": title, "type": "blog_post", "body": body}, headers=owner.headers()
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def _get(http: httpx.AsyncClient, owner: Tenant, item_id: str) -> dict[str, Any]:
    response = await http.get(f"/api/v1/content/{item_id}", headers=owner.headers())
    assert response.status_code == 200, response.text
    return dict(response.json())


def _signed(payload: dict[str, Any], secret: str = SECRET, *, at: int | None = None) -> tuple[bytes, dict[str, str]]:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    ts = str(int(time.time()) if at is None else at)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signing.signature(secret, ts, body),
    }
    return body, headers


def _click(fake: FakeSlack, channel: str, ts: str, action: str, *, value: str | None = None) -> dict[str, Any]:
    """A block_actions payload as Slack sends it for a click on the message at channel/ts."""
    message = json.loads(json.dumps(fake.messages[(channel, ts)]))  # a copy: tests alter the payload
    buttons = next(b for b in message["blocks"] if b["type"] == "actions")["elements"]
    button = next(b for b in buttons if b["action_id"] == action) if value is None else {"value": value}
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "acme"},
        "user": REVIEWER,
        "api_app_id": "A0APP",
        "trigger_id": f"{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:10]}",
        "container": {"type": "message", "channel_id": channel, "message_ts": ts, "is_ephemeral": False},
        "channel": {"id": channel, "name": "content-review"},
        "message": {"type": "message", "ts": ts, "text": message["text"], "metadata": message["metadata"]},
        "actions": [{"type": "button", "action_id": action, "block_id": "review", "value": button["value"]}],
    }


def _submission(fake: FakeSlack, notes: str) -> dict[str, Any]:
    """The view_submission of the last modal opened, with `notes` typed in."""
    view = json.loads(json.dumps(fake.called("views.open")[-1].body["view"]))
    view["state"] = {
        "values": {blocks.NOTES_BLOCK: {blocks.NOTES_ACTION: {"type": "plain_text_input", "value": notes}}}
    }
    return {"type": "view_submission", "team": {"id": TEAM_ID}, "user": REVIEWER, "view": view}


async def _interact(
    http: httpx.AsyncClient, payload: dict[str, Any], secret: str = SECRET, *, at: int | None = None
) -> httpx.Response:
    body, headers = _signed(payload, secret, at=at)
    return await http.post("/api/v1/integrations/slack/interactions", content=body, headers=headers)


async def _send(http: httpx.AsyncClient, owner: Tenant, item_id: str) -> tuple[str, str]:
    sent = await http.post(f"/api/v1/content/{item_id}/slack-review", headers=owner.headers())
    assert sent.status_code == 202, sent.text
    return sent.json()["channel"], sent.json()["ts"]


async def test_post_for_review_then_approve_that_version(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    await _connect(live, ada)
    item_id = await _item(live, ada)
    channel, ts = await _send(live, ada, item_id)

    posted = slack.called("chat.postMessage")[-1]
    assert posted.token == TOKEN and posted.body["channel"] == FakeSlack.channel_id("#content-review")
    text = json.dumps(posted.body["blocks"])
    assert "Weekly reports" in text and "Our customers publish reports" in text and "Brand voice" in text
    assert f"/content/{item_id}|Open in Obelisk" in text and "Unsupported claims" in text
    meta = posted.body["metadata"]["event_payload"]
    item = await _get(live, ada, item_id)
    assert meta == {
        "organization_id": ada.organization_id,
        "space_id": ada.space_id,
        "item_id": item_id,
        "version": 1,
        "hash": item["versions"][0]["hash"],
    }
    assert item["state"] == "in_review"
    # Sending the same version again answers the waiting message instead of posting a second one.
    assert await _send(live, ada, item_id) == (channel, ts) and len(slack.called("chat.postMessage")) == 1

    # Two clicks on the message as it was rendered (the second lands after the first was handled).
    first_click, second_click = (_click(slack, channel, ts, blocks.APPROVE) for _ in range(2))
    approved = await _interact(live, first_click)
    assert approved.status_code == 200, approved.text
    item = await _get(live, ada, item_id)
    assert item["state"] == "approved"
    last = item["transitions"][-1]
    assert (
        (last["action"], last["version"]) == ("approve", 1) and "rita" in last["actor"] and "U0RITA01" in last["actor"]
    )
    update = slack.called("chat.update")[-1].body
    assert (update["channel"], update["ts"]) == (channel, ts)
    assert "Approved by <@U0RITA01>" in json.dumps(update["blocks"]) and "actions" not in json.dumps(update["blocks"])

    # The double click (a new, correctly signed request) changes nothing and tells the clicker.
    again = await _interact(live, second_click)
    assert again.status_code == 200
    assert len((await _get(live, ada, item_id))["transitions"]) == len(item["transitions"])
    assert "already approved by <@U0RITA01>" in slack.called("chat.postEphemeral")[-1].body["text"]
    assert len(slack.called("chat.update")) == 1


async def test_request_changes_posts_a_revised_version_in_the_thread(
    live: httpx.AsyncClient, slack: FakeSlack, revisions: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    await _connect(live, ada)
    item_id = await _item(live, ada)
    channel, ts = await _send(live, ada, item_id)

    clicked = await _interact(live, _click(slack, channel, ts, blocks.REQUEST_CHANGES))
    assert clicked.status_code == 200, clicked.text
    opened = slack.called("views.open")[-1].body
    assert opened["trigger_id"] and opened["view"]["callback_id"] == blocks.CHANGES_MODAL
    assert "*Weekly reports*" in opened["view"]["blocks"][0]["text"]["text"]
    assert (await _get(live, ada, item_id))["state"] == "in_review"  # opening the modal decides nothing

    empty = await _interact(live, _submission(slack, "   "))
    assert empty.json()["response_action"] == "errors" and revisions == []

    submitted = await _interact(live, _submission(slack, "Say 'with confidence' and shorten the last sentence."))
    assert submitted.status_code == 200 and submitted.json() == {}
    item = await _get(live, ada, item_id)
    assert item["state"] == "changes_requested"
    assert "shorten the last sentence" in (item["transitions"][-1]["note"] or "")
    assert "Changes requested by <@U0RITA01>" in json.dumps(slack.called("chat.update")[-1].body["blocks"])
    assert len(revisions) == 1
    scope, review_id = revisions[0]
    assert scope == TenantScope(uuid.UUID(ada.organization_id), uuid.UUID(ada.space_id))

    writer = make_fake_chat([REVISED], model_name="fake-reviser-1")
    number = await service.revise_from_notes(scope, review_id, **turn_options(scope, writer))
    assert number == 2
    item = await _get(live, ada, item_id)
    assert item["current_version"] == 2 and item["state"] == "in_review"
    version = (await live.get(f"/api/v1/content/{item_id}/versions/2", headers=ada.headers())).json()
    assert version["body"].strip() == REVISED
    # The audit pack says which model and prompt version wrote the revision (never "written by hand").
    assert version["model"] == "fake-reviser-1" and version["prompt_version"] == prompt_version(default_config("seo"))
    pack = await live.get(f"/api/v1/content/{item_id}/audit-pack?format=markdown", headers=ada.headers())
    assert f"Generated by: fake-reviser-1 (prompt version {version['prompt_version']})" in pack.text
    threaded = slack.called("chat.postMessage")[-1].body
    assert threaded["thread_ts"] == ts and threaded["metadata"]["event_payload"]["version"] == 2
    assert "with confidence" in json.dumps(threaded["blocks"])
    original = slack.called("chat.update")[-1].body
    assert (original["channel"], original["ts"]) == (channel, ts)
    assert "Revised as version 2" in json.dumps(original["blocks"])
    # A retried job does nothing more.
    assert await service.revise_from_notes(scope, review_id, **turn_options(scope, make_fake_chat([REVISED]))) is None
    assert (await _get(live, ada, item_id))["current_version"] == 2

    # The revised version is approved from its own message in the thread.
    reply_ts = next(ts_ for (c, ts_), m in slack.messages.items() if m.get("thread_ts") == ts)
    approved = await _interact(live, _click(slack, channel, reply_ts, blocks.APPROVE))
    assert approved.status_code == 200, approved.text
    item = await _get(live, ada, item_id)
    assert item["state"] == "approved" and item["transitions"][-1]["version"] == 2


async def test_forged_stale_and_replayed_requests_change_nothing(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    await _connect(live, ada)
    item_id = await _item(live, ada)
    channel, ts = await _send(live, ada, item_id)
    click = _click(slack, channel, ts, blocks.APPROVE)

    forged = await _interact(live, click, OTHER_SECRET)
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "slack_signature_invalid"
    stale = await _interact(live, click, at=int(time.time()) - 6 * 60)
    assert stale.status_code == 401 and "five minutes" in stale.json()["error"]["message"]
    body, headers = _signed(click)
    altered = await live.post(
        "/api/v1/integrations/slack/interactions", content=body.replace(b"rita", b"mallory"), headers=headers
    )
    assert altered.status_code == 401
    unsigned = await live.post("/api/v1/integrations/slack/interactions", content=body)
    assert unsigned.status_code == 401
    assert (await _get(live, ada, item_id))["state"] == "in_review" and slack.called("chat.update") == []

    first = await live.post("/api/v1/integrations/slack/interactions", content=body, headers=headers)
    assert first.status_code == 200 and (await _get(live, ada, item_id))["state"] == "approved"
    transitions = len((await _get(live, ada, item_id))["transitions"])
    replayed = await live.post("/api/v1/integrations/slack/interactions", content=body, headers=headers)
    assert replayed.status_code == 409 and replayed.json()["error"]["code"] == "slack_replay"
    retried = await live.post(
        "/api/v1/integrations/slack/interactions", content=body, headers={**headers, "X-Slack-Retry-Num": "1"}
    )
    assert retried.status_code == 200
    assert len((await _get(live, ada, item_id))["transitions"]) == transitions
    assert len(slack.called("chat.update")) == 1

    garbage = await live.post(
        "/api/v1/integrations/slack/interactions", content=b"payload=not-json", headers=_signed(click)[1]
    )
    assert garbage.status_code == 400 and garbage.json()["error"]["code"] == "slack_bad_payload"
    # Fields of the wrong shape (read before anything is verified) are a clear 400/401, never a crash.
    odd = {"type": "block_actions", "message": "x", "actions": ["y"], "team": 3, "container": [], "user": "u"}
    assert (await _interact(live, odd)).json()["error"]["code"] == "slack_unknown_message"
    shaped = {**click, "user": "mallory", "container": "nope", "channel": 7}
    assert (await _interact(live, shaped, OTHER_SECRET)).status_code == 401
    assert (await _get(live, ada, item_id))["state"] == "approved"


async def test_a_replay_answered_by_a_process_that_never_saw_the_first_changes_nothing(
    live: httpx.AsyncClient,
    slack: FakeSlack,
    revisions: list[tuple[TenantScope, uuid.UUID]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without REDIS_URL the replay fingerprints live in each process (the documented deployment without Redis is
    one process). A replay that reaches a process with no fingerprint, as behind a load balancer wrongly run
    without Redis, still changes nothing: the review's status and the transition table refuse a second decision."""
    ada = await new_tenant("ada", "Alpha", client=live)
    await _connect(live, ada)
    approved_id = await _item(live, ada)
    channel, ts = await _send(live, ada, approved_id)
    body, headers = _signed(_click(slack, channel, ts, blocks.APPROVE))
    first = await live.post("/api/v1/integrations/slack/interactions", content=body, headers=headers)
    assert first.status_code == 200 and (await _get(live, ada, approved_id))["state"] == "approved"
    before = await _get(live, ada, approved_id)

    changed_id = await _item(live, ada, title="Second draft")
    channel2, ts2 = await _send(live, ada, changed_id)
    assert (await _interact(live, _click(slack, channel2, ts2, blocks.REQUEST_CHANGES))).status_code == 200
    notes_body, notes_headers = _signed(_submission(slack, "Shorten it."))
    submitted = await live.post("/api/v1/integrations/slack/interactions", content=notes_body, headers=notes_headers)
    assert submitted.json() == {} and len(revisions) == 1
    changed = await _get(live, ada, changed_id)

    monkeypatch.setattr(handlers, "get_security_cache", lambda: MemoryCache(max_bytes=math.inf))
    replayed = await live.post("/api/v1/integrations/slack/interactions", content=body, headers=headers)
    assert replayed.status_code == 200, "a fresh process has no fingerprint of the first request"
    assert await _get(live, ada, approved_id) == before
    assert "already approved" in slack.called("chat.postEphemeral")[-1].body["text"]
    again = await live.post("/api/v1/integrations/slack/interactions", content=notes_body, headers=notes_headers)
    assert again.json()["response_action"] == "errors" and "already sent back" in json.dumps(again.json())
    assert await _get(live, ada, changed_id) == changed and len(revisions) == 1, "no second revision"
    assert len(slack.called("chat.update")) == 2, "each message was updated once"


async def test_a_superseded_version_is_refused_with_a_clear_reply(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    await _connect(live, ada)
    item_id = await _item(live, ada)
    channel, ts = await _send(live, ada, item_id)
    edited = await live.post(
        f"/api/v1/content/{item_id}/versions", json={"body": DRAFT + " Edited."}, headers=ada.headers()
    )
    assert edited.status_code == 201, edited.text

    refused = await _interact(live, _click(slack, channel, ts, blocks.APPROVE))
    assert refused.status_code == 200
    reply = slack.called("chat.postEphemeral")[-1].body
    assert reply["user"] == "U0RITA01" and "superseded" in reply["text"] and "version 2" in reply["text"]
    item = await _get(live, ada, item_id)
    assert item["state"] == "in_review" and all(t["action"] != "approve" for t in item["transitions"])
    changes = await _interact(live, _click(slack, channel, ts, blocks.REQUEST_CHANGES))
    assert changes.status_code == 200 and slack.called("views.open") == []


async def test_another_spaces_content_is_refused(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    eve = await new_tenant("eve", "Bravo", client=live)
    await _connect(live, ada)
    await _connect(live, eve, OTHER_SECRET)
    mine = await _item(live, ada)
    theirs = await _item(live, eve, title="Bravo secret plan")
    channel, ts = await _send(live, ada, mine)
    their_channel, their_ts = await _send(live, eve, theirs)
    their_hash = (await _get(live, eve, theirs))["versions"][0]["hash"]

    # Ada's Slack app (her secret) names Eve's item inside her own space: no such review in her space.
    click = _click(slack, channel, ts, blocks.APPROVE)
    forged_ref = {**click["message"]["metadata"]["event_payload"], "item_id": theirs, "hash": their_hash}
    click["message"]["metadata"]["event_payload"] = forged_ref
    click["actions"][0]["value"] = json.dumps(forged_ref)
    response = await _interact(live, click)
    assert response.status_code == 404 and "Bravo" not in response.text
    # Ada's secret signing a payload that names Eve's space and message: verified against Eve's secret → 401.
    theirs_click = _click(slack, their_channel, their_ts, blocks.APPROVE)
    assert (await _interact(live, theirs_click)).status_code == 401
    # The button's value and the message metadata must agree.
    mixed = _click(slack, channel, ts, blocks.APPROVE, value=json.dumps(forged_ref))
    assert (await _interact(live, mixed)).status_code == 400

    assert (await _get(live, eve, theirs))["state"] == "in_review"
    assert (await _get(live, ada, mine))["state"] == "in_review"
    assert slack.called("chat.update") == []
    # Sending another space's item for review is a 404 like any unknown id.
    sent = await live.post(f"/api/v1/content/{theirs}/slack-review", headers=ada.headers())
    assert sent.status_code == 404 and "Bravo" not in sent.text


async def test_unknown_actions_get_a_clear_error(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    await _connect(live, ada)
    item_id = await _item(live, ada)
    channel, ts = await _send(live, ada, item_id)
    click = _click(slack, channel, ts, blocks.APPROVE)
    click["actions"][0]["action_id"] = "delete_everything"
    response = await _interact(live, click)
    assert response.status_code == 400 and response.json()["error"]["code"] == "slack_unknown_action"
    assert "delete_everything" in response.json()["error"]["message"]
    shortcut = {**_click(slack, channel, ts, blocks.APPROVE), "type": "shortcut"}
    assert (await _interact(live, shortcut)).json()["error"]["code"] == "slack_unknown_action"
    huge = await live.post("/api/v1/integrations/slack/interactions", content=b"payload=" + b"x" * 70_000)
    assert huge.status_code == 413
    assert (await _get(live, ada, item_id))["state"] == "in_review"


async def test_waiting_reviews_get_one_reminder(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    await _connect(live, ada)
    channel, ts = await _send(live, ada, await _item(live, ada))
    soon = datetime.now(UTC) + timedelta(minutes=5)
    assert await service.remind_waiting_reviews(now=soon) == 0
    later = datetime.now(UTC) + timedelta(minutes=get_settings().slack_review_reminder_minutes + 5)
    assert await service.remind_waiting_reviews(now=later) == 1
    reminder = slack.called("chat.postMessage")[-1].body
    assert reminder["thread_ts"] == ts and reminder["channel"] == channel and "waiting" in reminder["text"]
    assert await service.remind_waiting_reviews(now=later + timedelta(minutes=1)) == 0


async def test_connection_routes(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    assert (await live.get("/api/v1/integrations/slack", headers=ada.headers())).json()["connected"] is False
    not_connected = await live.post(f"/api/v1/content/{await _item(live, ada)}/slack-review", headers=ada.headers())
    assert not_connected.status_code == 409 and not_connected.json()["error"]["code"] == "slack_not_connected"
    bad = await live.put(
        "/api/v1/integrations/slack",
        json={"bot_token": "xoxb-wrong-token", "signing_secret": SECRET, "channel": "#content-review"},
        headers=ada.headers(),
    )
    assert bad.status_code == 422 and "invalid_auth" in bad.json()["error"]["message"]
    await _connect(live, ada)
    status = (await live.get("/api/v1/integrations/slack", headers=ada.headers())).json()
    assert status == {**status, "connected": True, "team": TEAM_NAME, "channel": "#content-review"}
    assert SECRET not in json.dumps(status) and TOKEN not in json.dumps(status)
    assert (await live.delete("/api/v1/integrations/slack", headers=ada.headers())).status_code == 204
    assert (await live.delete("/api/v1/integrations/slack", headers=ada.headers())).status_code == 404


async def test_oauth_install_binds_the_state_to_the_admin_and_space(
    live: httpx.AsyncClient, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "slack_client_id", slack.client_id)
    monkeypatch.setattr(settings, "slack_client_secret", slack.client_secret)
    monkeypatch.setattr(settings, "slack_signing_secret", SECRET)
    ada = await new_tenant("ada", "Alpha", client=live)
    start = await live.get("/api/v1/integrations/slack/install?channel=%23launches", headers=ada.headers())
    assert start.status_code == 200, start.text
    query = parse_qs(urlsplit(start.json()["url"]).query)
    assert query["client_id"] == [slack.client_id] and "chat:write" in query["scope"][0]
    state = query["state"][0]

    slack.oauth_codes["code-1"] = "xoxb-installed-token"
    tampered = await live.get(
        "/api/v1/integrations/slack/oauth/callback", params={"code": "code-1", "state": state[:-2] + "AA"}
    )
    assert tampered.status_code == 307 and "slack_error=slack_oauth_state" in tampered.headers["location"]
    done = await live.get("/api/v1/integrations/slack/oauth/callback", params={"code": "code-1", "state": state})
    assert done.status_code == 307 and done.headers["location"].endswith("/integrations/slack?slack=connected")
    status = (await live.get("/api/v1/integrations/slack", headers=ada.headers())).json()
    assert (status["connected"], status["channel"], status["installed_via"]) == (True, "#launches", "oauth")
    slack.oauth_codes["code-2"] = "xoxb-second-token"
    reused = await live.get("/api/v1/integrations/slack/oauth/callback", params={"code": "code-2", "state": state})
    assert "slack_error=slack_oauth_state" in reused.headers["location"]


@pytest.fixture
async def jobs(app_db_url: str) -> AsyncIterator[None]:
    from backend.jobs import close_jobs, open_jobs

    await open_jobs(app_db_url)
    yield
    await close_jobs()


async def test_the_revision_runs_on_the_job_queue(live: httpx.AsyncClient, slack: FakeSlack, jobs: None) -> None:
    """Request changes queues a real job (its payload names the space); a worker runs it with the app's own
    agent and models, and the outcome is reported in the review's thread."""
    import psycopg

    from backend.jobs import job_app
    from backend.jobs.queue import INTERACTIVE_QUEUE

    ada = await new_tenant("ada", "Alpha", client=live)
    await _connect(live, ada)
    item_id = await _item(live, ada)
    channel, ts = await _send(live, ada, item_id)
    assert (await _interact(live, _click(slack, channel, ts, blocks.REQUEST_CHANGES))).status_code == 200
    assert (await _interact(live, _submission(slack, "Make it shorter."))).status_code == 200

    with psycopg.connect(get_settings().app_database_url()) as conn:
        rows = conn.execute(
            "SELECT args FROM procrastinate_jobs WHERE task_name = 'slack.revise' AND status = 'todo' "
            "AND args->>'space_id' = %s",
            (ada.space_id,),
        ).fetchall()
    assert [r[0]["organization_id"] for r in rows] == [ada.organization_id]

    await job_app.run_worker_async(wait=False, install_signal_handlers=False, queues=[INTERACTIVE_QUEUE])
    item = await _get(live, ada, item_id)
    threaded = [c.body for c in slack.called("chat.postMessage") if c.body.get("thread_ts") == ts]
    assert len(threaded) == 1, "the job answered in the thread"
    # The app's test chat model answers "Fake reply to: <the prompt>": the agent's output check sees the
    # prompt's instructions echoed back and stops the turn as contaminated. The job reports that in the
    # thread and leaves the item as it was (the scripted-model test above covers a successful revision).
    assert item["current_version"] == 1 and item["state"] == "changes_requested"
    assert threaded[0]["text"] == "No revision could be made: the agent stopped (contaminated)."
    assert "Revised as version" not in json.dumps(slack.called("chat.update")[-1].body)


async def test_a_sibling_space_of_the_same_organization_is_refused(live: httpx.AsyncClient, slack: FakeSlack) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    made = await live.post("/api/v1/spaces", json={"name": "Second"}, headers=ada.headers())
    assert made.status_code == 201, made.text
    second = made.json()["id"]
    body = {"bot_token": TOKEN, "signing_secret": OTHER_SECRET, "channel": "#second-review"}
    assert (await live.put("/api/v1/integrations/slack", json=body, headers=ada.headers(second))).status_code == 200
    await _connect(live, ada)
    mine = await _item(live, ada)
    made_there = await live.post(
        "/api/v1/content",
        json={"title": "Second space plan", "type": "email", "body": DRAFT},
        headers=ada.headers(second),
    )
    theirs = made_there.json()["id"]
    channel, ts = await _send(live, ada, mine)
    sent = await live.post(f"/api/v1/content/{theirs}/slack-review", headers=ada.headers(second))
    their_channel, their_ts = sent.json()["channel"], sent.json()["ts"]
    their_hash = (await live.get(f"/api/v1/content/{theirs}", headers=ada.headers(second))).json()["versions"][0][
        "hash"
    ]

    click = _click(slack, channel, ts, blocks.APPROVE)  # signed with the first space's secret
    forged = {**click["message"]["metadata"]["event_payload"], "item_id": theirs, "hash": their_hash}
    click["message"]["metadata"]["event_payload"] = forged
    click["actions"][0]["value"] = json.dumps(forged)
    assert (await _interact(live, click)).status_code == 404
    # The second space's message, signed with the first space's secret.
    assert (await _interact(live, _click(slack, their_channel, their_ts, blocks.APPROVE))).status_code == 401
    state = (await live.get(f"/api/v1/content/{theirs}", headers=ada.headers(second))).json()["state"]
    assert state == "in_review" and slack.called("chat.update") == []
    # Signed with its own secret, the second space's reviewer approves its own item.
    approved = await _interact(live, _click(slack, their_channel, their_ts, blocks.APPROVE), OTHER_SECRET)
    assert approved.status_code == 200
    assert (await live.get(f"/api/v1/content/{theirs}", headers=ada.headers(second))).json()["state"] == "approved"
    assert (await _get(live, ada, mine))["state"] == "in_review"
