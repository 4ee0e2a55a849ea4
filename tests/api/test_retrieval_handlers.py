"""The "test retrieval" panel's handler is an API too: a browser can send it any space id.

Signed in as space A's admin but naming space B, the search must return nothing of B; in A's own space it
finds only A's data; B's owner (the control) does find B's passage.
"""

from __future__ import annotations

import pytest

from obelisk_app.pages.retrieval_state import RetrievalState
from tests.api.world import World
from tests.support.ui import Tab


@pytest.fixture(autouse=True)
def counted_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    from backend.models.accounting import counted
    from backend.retrieval import service

    monkeypatch.setattr(service, "metered", lambda scope, **_: counted(scope))


def _panel(token: str, space_id: str) -> RetrievalState:
    panel = Tab(token, space_id).state(RetrievalState)
    panel.enhance = False
    return panel


async def test_search_with_another_space_id_returns_nothing_of_it(world: World) -> None:
    w = world
    panel = _panel(w.ada.token, w.eve.space_id)  # A's token, B's space id from the "browser"
    await RetrievalState.search.fn(panel, {"query": "When is the launch? In May?"})
    assert panel.results == [] and panel.timings == [] and panel.error and not panel.searching
    assert w.b_secret not in str(panel.dict()) and "Bravo" not in str(panel.dict())


async def test_search_in_my_space_finds_only_my_data_and_b_finds_its_own(world: World) -> None:
    w = world
    mine = _panel(w.ada.token, w.ada.space_id)
    await RetrievalState.search.fn(mine, {"query": "When is the launch? In May?"})
    assert mine.error == "" and mine.total_ms and len(mine.timings) == 4
    assert all(r["stream"] == "business_context" for r in mine.results)
    assert w.b_secret not in str(mine.dict())
    theirs = _panel(w.eve.token, w.eve.space_id)
    await RetrievalState.search.fn(theirs, {"query": "When is the launch? In May?"})
    best = theirs.results[0]
    assert best["title"] == "Bravo plan" and w.b_secret in best["content"] and best["stream"] == "general"
    assert best["heading"] == "Bravo plan" and float(best["score"]) > 0 and best["stale"] == ""


@pytest.mark.parametrize("token", ["", "garbage"])
async def test_search_without_a_valid_token_sends_to_sign_in(world: World, token: str) -> None:
    panel = _panel(token, world.eve.space_id)
    result = await RetrievalState.search.fn(panel, {"query": "launch"})
    assert "/login" in str(result) and panel.results == []


async def test_an_empty_query_asks_for_one(world: World) -> None:
    panel = _panel(world.ada.token, world.ada.space_id)
    await RetrievalState.search.fn(panel, {"query": "   "})
    assert panel.error == "Type something to search for." and panel.results == []


def test_the_enhancement_switch_starts_at_the_model_stacks_default() -> None:
    from backend.retrieval.enhance import enhancement_default

    assert Tab("", "").state(RetrievalState).enhance is enhancement_default()


async def test_an_enhancement_out_of_time_is_said_in_the_panel(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from backend.models.chat_fake import make_fake_chat
    from backend.retrieval import retriever as retriever_module
    from backend.retrieval.enhance import QueryEnhancer

    slow = QueryEnhancer(make_fake_chat([{"expanded_query": "x", "alternatives": [], "entities": []}], delay=2.0),
                         timeout_ms=50)
    monkeypatch.setattr(retriever_module.ParallelRetriever, "enhancer", property(lambda self: slow))
    panel = _panel(world.eve.token, world.eve.space_id)
    panel.enhance = True
    await RetrievalState.search.fn(panel, {"query": "When is the launch?"})
    assert panel.enhanced == "Query enhancement ran out of time (50 ms): the query was searched as typed."
    assert panel.results and panel.results[0]["title"] == "Bravo plan"
