"""The Chat page's handlers, called as the browser calls them: send, follow the answer as it streams, re-attach
after a reload without a duplicated or lost token, stop, rename, delete; and as a hostile browser would, naming
another space's conversation, run or document. Runs execute directly here (no worker), on a committing database
so the executor's own connections (the checkpointer's) see what the handlers wrote."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from backend.agents.graph.prompts import prompt_version
from backend.agents.registry import default_config
from backend.core.db import TenantScope
from backend.models.chat_fake import make_fake_chat
from backend.runs import executor, recovery
from obelisk_app.pages.chat_state import ChatState
from obelisk_app.routes import CHAT, CHAT_CONVERSATION
from tests.db.test_runs_support import slow_chat, turn_options
from tests.support.tenants import Tenant, new_tenant
from tests.support.ui import Tab

ANSWER = " ".join(f"Acme grew revenue by 40% in 2025 across Europe [S1], point {n}." for n in range(1, 9))


def _page(owner: Tenant, conversation_id: str = "") -> ChatState:
    if not conversation_id:
        return Tab(owner.token, owner.space_id, route=CHAT).state(ChatState)
    tab = Tab(owner.token, owner.space_id, route=CHAT_CONVERSATION, params={"conversation_id": conversation_id})
    return tab.state(ChatState)


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Yield to the other tasks until `condition` holds (the run and the followers progress meanwhile)."""
    for _ in range(200_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"never happened: {what}")


async def _tokens(http: httpx.AsyncClient, owner: Tenant, run_id: str) -> str:
    events = (await http.get(f"/api/v1/runs/{run_id}/events", headers=owner.headers())).json()
    return "".join(e["payload"]["text"] for e in events if e["type"] == "token")


async def test_an_answer_streams_survives_a_reload_and_lands_in_the_history(
    live: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    start = _page(ada)
    await ChatState.load.fn(start)
    ChatState.set_agent.fn(start, "brand")
    ChatState.set_draft.fn(start, "How did Acme grow?")
    redirect = await ChatState.send.fn(start)
    assert start.error == "" and len(queued) == 1 and start.run_id == str(queued[0][1])
    conversation = (await live.get("/api/v1/conversations", headers=ada.headers())).json()[0]
    assert conversation["agent"] == "brand" and f"/chat/{conversation['id']}" in str(redirect)

    page = _page(ada, conversation["id"])  # the page the redirect opens, in the same tab
    page.run_id, page.run_message = start.run_id, start.run_message
    follow = await ChatState.load.fn(page)
    assert follow is ChatState.follow and page.title.startswith("New Brand") and page.agent_label == "Brand"
    scope, rid = queued[0]
    writer = slow_chat([ANSWER], 0.02)
    run = asyncio.create_task(executor.execute_run(scope, rid, **turn_options(scope, writer)))
    first = asyncio.create_task(ChatState.follow.fn(page))
    snapshots: list[str] = []

    async def watch() -> None:
        while not run.done() or page.run_id:
            snapshots.append(page.run_text)
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    await _until(lambda: len(page.run_text.split()) >= 5, "the first words")
    assert page.run_status == "running" and any("Searching" in s["text"] for s in page.steps)
    again = await ChatState.load.fn(page)  # a reload mid-answer: the tab keeps its state and re-attaches
    assert again is ChatState.follow and page.run_text and page.run_id == str(rid)
    second = asyncio.create_task(ChatState.follow.fn(page))
    assert await run == "completed"
    await asyncio.gather(first, second, watcher)

    full = await _tokens(live, ada, str(rid))
    assert full.strip() == ANSWER
    seen = [s for s in snapshots if s]
    assert seen and all(full.startswith(s) for s in seen), "every view of the answer is a prefix: nothing twice"
    assert full in seen, "the whole answer was shown before it moved to the history"
    assert page.run_id == "" and page.run_status == "completed" and page.error == ""
    assert [m["role"] for m in page.messages] == ["user", "assistant"]
    assert page.messages[1]["content"].startswith("Acme grew revenue") and page.messages[1]["stop_label"] == ""
    assert [c["title"] for c in page.citations] == ["Annual report"]
    assert page.citations[0]["href"] == "/documents/d1#chunk-c1"

    assert page.messages[1]["can_save"] and page.title == "How did Acme grow?"
    await ChatState.save_as_content.fn(page, str(rid), "novel")
    assert "Pick a kind of content" in page.error
    await ChatState.save_as_content.fn(page, str(rid), "blog_post")
    assert page.error == ""
    saved = (await live.get("/api/v1/content", headers=ada.headers())).json()
    assert [(c["title"], c["type"], c["state"]) for c in saved] == [("How did Acme grow?", "blog_post", "draft")]
    item = (await live.get(f"/api/v1/content/{saved[0]['id']}/versions/1", headers=ada.headers())).json()
    assert item["body"] == page.messages[1]["content"]
    # The audit pack names what wrote it: the run's model and the brand agent's prompt version.
    assert item["run_id"] == str(rid) and item["model"] == writer.usage_model_name
    assert item["prompt_version"] == prompt_version(default_config("brand"))
    pack = await live.get(f"/api/v1/content/{saved[0]['id']}/audit-pack?format=markdown", headers=ada.headers())
    assert f"(prompt version {item['prompt_version']})" in pack.text

    other_tab = _page(ada, conversation["id"])  # a second tab after the end: the history, nothing live
    assert await ChatState.load.fn(other_tab) is None
    assert other_tab.run_id == "" and [m["content"] for m in other_tab.messages] == [
        m["content"] for m in page.messages
    ]

    assert await ChatState.retry.fn(page, str(rid)) is ChatState.follow  # the same question, a new turn
    assert page.error == "" and len(queued) == 2 and page.run_id == str(queued[1][1])
    assert page.run_message == "How did Acme grow?" and page.run_text == ""


async def _asked(live: httpx.AsyncClient, question: str) -> ChatState:
    """Ada's chat page on a new SEO conversation, the question sent (its run queued, not yet executed)."""
    ada = await new_tenant("ada", "Alpha", client=live)
    made = await live.post("/api/v1/conversations", json={"agent": "seo"}, headers=ada.headers())
    page = _page(ada, made.json()["id"])
    await ChatState.load.fn(page)
    ChatState.set_draft.fn(page, question)
    assert await ChatState.send.fn(page) is ChatState.follow
    return page


async def test_a_revised_draft_replaces_the_first_in_the_live_answer(
    live: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    page = await _asked(live, "How did Acme grow?")
    scope, rid = queued[0]
    first, revised = "Acme grew a lot [S1].", "Acme grew revenue by 40% in 2025 across Europe [S1]."
    # The check sends the first draft back once; the agent writes again and the second draft is kept.
    review = make_fake_chat(
        [{"action": "write_answer", "tool": "none"}, {"complete": False}, {"action": "write_answer", "tool": "none"},
         {"complete": True}],
        role="fast",
    )  # fmt: skip
    options = turn_options(scope, slow_chat([first, revised], 0.02), review)
    run = asyncio.create_task(executor.execute_run(scope, rid, **options))
    follower = asyncio.create_task(ChatState.follow.fn(page))
    snapshots: list[str] = []
    while not follower.done():
        snapshots.append(page.run_text)
        await asyncio.sleep(0)
    assert await run == "completed"
    await follower
    seen = [s for s in snapshots if s]
    assert any(first.startswith(s) for s in seen), "the first draft was shown while it streamed"
    assert revised in seen, "the revised draft was shown whole"
    assert all(first.startswith(s) or revised.startswith(s) for s in seen), "a draft is never appended to another"
    assert page.messages[-1]["content"].startswith(revised)


async def test_stop_ends_the_answer_and_says_so(
    live: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    page = await _asked(live, "Write a long plan")
    scope, rid = queued[0]
    run = asyncio.create_task(
        executor.execute_run(scope, rid, **turn_options(scope, slow_chat([ANSWER * 20], 0.02)))
    )
    follower = asyncio.create_task(ChatState.follow.fn(page))
    await _until(lambda: len(page.run_text.split()) >= 3, "the first words")
    await ChatState.stop.fn(page)
    assert page.error == ""
    assert await run == "cancelled"
    await follower
    assert page.run_status == "cancelled" and page.run_stop == "Stopped on request"
    answer = page.messages[-1]
    assert answer["role"] == "assistant" and answer["stop_label"] == "Stopped on request"
    assert "(Stopped.)" in answer["content"] and len(answer["content"]) < len(ANSWER * 20)


async def test_an_interrupted_run_is_shown_with_resume_and_resumes(
    live: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    made = await live.post("/api/v1/conversations", json={"agent": "email"}, headers=ada.headers())
    page = _page(ada, made.json()["id"])
    await ChatState.load.fn(page)
    ChatState.set_draft.fn(page, "Write the welcome email")
    await ChatState.send.fn(page)
    scope, rid = queued[0]
    assert await recovery.interrupt_run(scope, rid)  # the worker died before it started
    assert await ChatState.load.fn(page) is None
    assert [m["role"] for m in page.messages] == ["user", "assistant"] and page.run_id == ""
    answer = page.messages[1]
    assert answer["can_resume"] and not answer["can_save"] and answer["stop_label"].startswith("Interrupted")
    assert await ChatState.resume.fn(page, str(rid)) is ChatState.follow
    assert page.error == "" and page.run_id == str(rid) and page.messages == [] and len(queued) == 2
    assert await executor.execute_run(scope, rid, **turn_options(scope, slow_chat([ANSWER], 0))) == "completed"
    await ChatState.follow.fn(page)
    assert page.run_id == "" and page.messages[-1]["content"].startswith("Acme grew revenue")


async def test_bad_messages_are_refused_and_change_nothing(
    live: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    page = _page(ada)
    await ChatState.load.fn(page)
    for draft, error in (("   ", "The message is empty."), ("x" * 20_001, "at most 20,000 characters")):
        ChatState.set_draft.fn(page, draft)
        await ChatState.send.fn(page)
        assert error in page.error and page.run_id == ""
    page.agent = "hacker"  # what `setvar` could send
    ChatState.set_draft.fn(page, "Hello")
    await ChatState.send.fn(page)
    await ChatState.new_conversation.fn(page)
    assert "Pick an agent" in page.error
    assert queued == [] and (await live.get("/api/v1/conversations", headers=ada.headers())).json() == []


async def test_rename_and_delete_a_conversation(live: httpx.AsyncClient) -> None:
    ada = await new_tenant("ada", "Alpha", client=live)
    page = _page(ada)
    ChatState.set_agent.fn(page, "email")
    redirect = await ChatState.new_conversation.fn(page)
    cid = (await live.get("/api/v1/conversations", headers=ada.headers())).json()[0]["id"]
    assert f"/chat/{cid}" in str(redirect)
    page = _page(ada, cid)
    await ChatState.load.fn(page)
    assert [c["agent_label"] for c in page.conversations] == ["Email"]
    ChatState.start_rename.fn(page)
    ChatState.set_rename_value.fn(page, "  ")
    await ChatState.save_rename.fn(page)
    assert "needs a title" in page.error
    ChatState.set_rename_value.fn(page, "Spring newsletter")
    await ChatState.save_rename.fn(page)
    assert page.error == "" and page.title == "Spring newsletter" and page.conversations[0]["title"] == page.title
    assert "/chat" in str(await ChatState.delete.fn(page, cid))
    assert (await live.get("/api/v1/conversations", headers=ada.headers())).json() == []


async def _b_run(client: httpx.AsyncClient, eve: Tenant) -> tuple[str, str]:
    made = await client.post("/api/v1/conversations", json={"agent": "seo"}, headers=eve.headers())
    cid = made.json()["id"]
    started = await client.post(
        f"/api/v1/conversations/{cid}/runs", json={"message": "Bravo secret plan"}, headers=eve.headers()
    )
    assert started.status_code == 202, started.text
    return cid, started.json()["run_id"]


async def test_chat_handlers_refuse_another_spaces_conversation_run_and_documents(
    client: httpx.AsyncClient, world: Any, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    w = world
    b_conversation, b_run = await _b_run(client, w.eve)
    in_b = Tab(w.ada.token, w.eve.space_id, route=CHAT).state(ChatState)  # A's token, B's space id
    await ChatState.load.fn(in_b)
    assert in_b.error and in_b.conversations == [] and in_b.options == []

    page = _page(w.ada, b_conversation)  # B's conversation id in A's URL
    assert await ChatState.load.fn(page) is not ChatState.follow
    assert page.error and page.title == "" and page.messages == [] and page.run_id == ""
    ChatState.set_draft.fn(page, "Tell me B's plan")
    await ChatState.send.fn(page)
    assert page.error and page.run_id == ""
    page.rename_value = "Hijacked"
    await ChatState.save_rename.fn(page)
    assert page.error
    await ChatState.delete.fn(page, b_conversation)
    assert page.error

    mine = _page(w.ada)
    await ChatState.load.fn(mine)
    page.run_id = b_run  # what `setvar` could send
    await ChatState.stop.fn(page)
    assert "No such run" in page.error
    assert await ChatState.follow.fn(page) is None and page.run_text == "", "no follower the server did not start"
    page._pending = True  # even a follower started for B's run refuses it
    await ChatState.follow.fn(page)
    assert "No such run" in page.error and page.run_text == "" and page.steps == []
    for attack in (
        ChatState.resume.fn(page, b_run),
        ChatState.retry.fn(page, b_run),
        ChatState.save_as_content.fn(mine, b_run, "email"),
    ):
        page.error = mine.error = ""
        await attack
        assert "No such run" in page.error + mine.error
    assert (await client.get("/api/v1/content", headers=w.ada.headers())).json() == []
    assert (await client.get("/api/v1/content", headers=w.eve.headers())).json() == []

    ChatState.mention.fn(mine, w.b_document_id)
    assert mine.mentioned == [], "only the space's own documents can be mentioned"
    mine.mentioned = [{"id": w.b_document_id, "title": "bravo"}]  # what `setvar` could send
    ChatState.set_draft.fn(mine, "Summarise the mentioned plan")
    await ChatState.send.fn(mine)
    assert mine.error and mine.run_id == ""
    assert (await client.get("/api/v1/conversations", headers=w.ada.headers())).json() == []

    run = (await client.get(f"/api/v1/runs/{b_run}", headers=w.eve.headers())).json()
    assert run["status"] == "queued" and run["cancel_requested"] is False
    theirs = (await client.get("/api/v1/conversations", headers=w.eve.headers())).json()
    assert [c["title"] for c in theirs] == ["New SEO conversation"] and len(queued) == 1
    assert w.b_secret not in str(page.dict()) and "Bravo secret" not in str(page.dict())
    assert "Bravo secret" not in str(mine.dict())


async def test_a_member_cannot_reach_a_conversation_of_the_organizations_other_space(
    client: httpx.AsyncClient, signup: Any, queued: list[tuple[TenantScope, uuid.UUID]]
) -> None:
    olga = await signup("olga", "One Org")
    campaigns = (await client.post("/api/v1/spaces", json={"name": "Campaigns"}, headers=olga.headers())).json()
    made = await client.post("/api/v1/conversations", json={"agent": "seo"}, headers=olga.headers(campaigns["id"]))
    cid = made.json()["id"]
    started = await client.post(
        f"/api/v1/conversations/{cid}/runs", json={"message": "Campaigns secret"}, headers=olga.headers(campaigns["id"])
    )
    invite = await client.post(
        f"/api/v1/spaces/{olga.space_id}/members",
        json={"email": "max@example.com", "role": "editor"},
        headers=olga.headers(),
    )
    max_ = (
        await client.post(
            f"/api/v1/invitations/{invite.json()['invitation_token']}/accept",
            json={"name": "Max", "password": "max-password"},
        )
    ).json()
    for space in (olga.space_id, campaigns["id"]):  # his own space naming the other's conversation; the other space
        tab = Tab(max_["access_token"], space, route=CHAT_CONVERSATION, params={"conversation_id": cid})
        page = tab.state(ChatState)
        await ChatState.load.fn(page)
        assert page.error and page.messages == [] and page.run_id == ""
        page.run_id = started.json()["run_id"]
        await ChatState.stop.fn(page)
        assert page.error and "Campaigns secret" not in str(tab.root.dict())
    run = (await client.get(f"/api/v1/runs/{started.json()['run_id']}", headers=olga.headers(campaigns["id"]))).json()
    assert run["cancel_requested"] is False


async def test_a_follower_whose_tab_is_gone_stops_before_the_run_ends(
    live: httpx.AsyncClient, queued: list[tuple[TenantScope, uuid.UUID]], monkeypatch: Any
) -> None:
    from obelisk_app.pages import chat_state

    ada = await new_tenant("ada", "Alpha", client=live)
    start = _page(ada)
    await ChatState.load.fn(start)
    ChatState.set_draft.fn(start, "How did Acme grow?")
    await ChatState.send.fn(start)
    conversation = (await live.get("/api/v1/conversations", headers=ada.headers())).json()[0]
    page = _page(ada, conversation["id"])
    page.run_id, page.run_message = start.run_id, start.run_message
    assert await ChatState.load.fn(page) is ChatState.follow
    scope, rid = queued[0]
    connected = True

    async def tab_connected(token: str) -> bool:
        return connected

    monkeypatch.setattr(chat_state, "tab_connected", tab_connected)
    monkeypatch.setattr(chat_state, "TAB_CHECK_SECONDS", 0.0)
    long_answer = " ".join(f"w{i}" for i in range(1000))
    run = asyncio.create_task(executor.execute_run(scope, rid, **turn_options(scope, slow_chat([long_answer], 0.01))))
    following = asyncio.create_task(ChatState.follow.fn(page))
    await _until(lambda: len(page.run_text.split()) >= 5, "the first words")
    assert not following.done()  # the tab is there: it follows
    connected = False  # the tab was closed
    await asyncio.wait_for(following, 60)
    assert not run.done(), "the follower stopped only because the run ended"
    assert page.run_id == str(rid) and page.run_status == "running"  # what it showed when it stopped
    assert await asyncio.wait_for(run, 120) == "completed"
