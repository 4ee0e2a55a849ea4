"""The Content pages' handlers, called as a browser would: a person's whole review on the item page, and a
hostile browser naming another space (its id, or its item in the route) that gets nothing and changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.models.accounting import counted
from backend.retrieval import service as retrieval_service
from obelisk_app.pages.content_item_state import ContentItemState
from obelisk_app.pages.content_performance_state import ContentPerformanceState
from obelisk_app.pages.content_state import ContentState
from obelisk_app.pages.voice_rules import VoiceRulesState
from obelisk_app.routes import CONTENT_ITEM
from tests.api.world import World
from tests.support.ui import Tab, tab_of

DRAFT = "Our cheap plan serves 12,000 teams. Try it today!"


@pytest.fixture(autouse=True)
def _count_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retrieval_service, "metered", lambda scope, **kw: counted(scope))


async def _voice(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    voice = {"banned_terms": ["cheap"], "preferred_terms": ["affordable (not cheap)"]}
    assert (await client.put("/api/v1/space/brand-voice", json=voice, headers=headers)).status_code == 200


async def test_a_reviewer_creates_edits_fixes_compares_and_approves(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    await _voice(client, ada.headers())
    listing = tab_of(ada).state(ContentState)
    await ContentState.load.fn(listing)
    assert listing.items == [] and listing.error == ""
    ContentState.set_new_title.fn(listing, "Spring launch")
    ContentState.set_new_type.fn(listing, "social_post")
    ContentState.set_new_body.fn(listing, DRAFT)
    redirect = await ContentState.create.fn(listing)
    await ContentState.load.fn(listing)
    assert len(listing.items) == 1 and listing.items[0]["state"] == "draft"
    item_id = listing.items[0]["id"]
    assert item_id in str(redirect)

    page = tab_of(ada, route=CONTENT_ITEM, params={"content_id": item_id}).state(ContentItemState)
    await ContentItemState.load.fn(page)
    assert page.error == "" and page.title == "Spring launch" and page.viewing == "1" and page.body == DRAFT
    cheap = next(f for f in page.flags if "'cheap'" in f["message"])
    assert cheap["can_apply"] and cheap["source"] == "brand_voice.banned_terms"
    assert [c["supported"] for c in page.claims] == [False] and page.unsupported == 1
    assert {p["label"] for p in page.previews} >= {"X post (280 characters)"}
    await ContentItemState.apply_fix.fn(page, "not-a-flag")
    assert "no fix" in page.error and page.viewing == "1"
    await ContentItemState.apply_fix.fn(page, cheap["index"])
    assert page.viewing == "2" and "affordable plan" in page.body
    assert [d["text"].strip() for d in page.diff if d["kind"] == "delete"] == ["cheap"]
    ContentItemState.set_draft.fn(page, page.body + " Ask us how.")
    await ContentItemState.save_version.fn(page)
    assert page.viewing == "3" and [v["number"] for v in page.versions] == ["3", "2", "1"]
    await ContentItemState.set_compare.fn(page, "1")
    inserted = "".join(d["text"] for d in page.diff if d["kind"] == "insert")
    assert "affordable" in inserted and "Ask us how." in inserted
    await ContentItemState.transition.fn(page, "approve")
    assert "not possible" in page.error and page.state == "draft"
    await ContentItemState.transition.fn(page, "submit")
    await ContentItemState.transition.fn(page, "approve")
    assert page.error == "" and page.state == "approved" and [a["action"] for a in page.actions] == ["publish"]
    assert page.transitions[0]["label"] == "Approve" and page.transitions[0]["actor"] == "ada@example.com"
    ContentItemState.set_comment.fn(page, "Ship it.")
    await ContentItemState.add_comment.fn(page)
    assert [c["body"] for c in page.comments] == ["Ship it."]
    await ContentItemState.view_version.fn(page, "1")
    assert page.viewing == "1" and not any(f["can_apply"] for f in page.flags), "old versions are read-only"
    download = await ContentItemState.download_audit.fn(page, "markdown")
    assert "audit-pack.md" in str(download)
    await ContentItemState.transition.fn(page, "delete")
    assert page.error and page.state == "approved", "an unknown action is refused with a message"
    ContentState.set_new_title.fn(listing, "")
    await ContentState.create.fn(listing)
    assert listing.error

    # The Content page lists items by state, type and title.
    ContentState.set_new_title.fn(listing, "Autumn newsletter")
    ContentState.set_new_type.fn(listing, "email")
    ContentState.set_new_body.fn(listing, "Subject: Autumn news\n\nOur autumn plans.")
    await ContentState.create.fn(listing)
    await ContentState.load.fn(listing)
    assert [i["title"] for i in listing.items] == ["Autumn newsletter", "Spring launch"] and listing.error == ""
    await ContentState.set_state_filter.fn(listing, "approved")
    assert [i["title"] for i in listing.items] == ["Spring launch"] and listing.total == 1
    await ContentState.set_state_filter.fn(listing, "draft")
    assert [i["title"] for i in listing.items] == ["Autumn newsletter"]
    await ContentState.set_type_filter.fn(listing, "social_post")
    assert listing.items == [] and listing.total == 0
    await ContentState.set_state_filter.fn(listing, "all")
    assert [i["title"] for i in listing.items] == ["Spring launch"]
    await ContentState.set_type_filter.fn(listing, "all")
    ContentState.set_query.fn(listing, "autumn")
    await ContentState.search.fn(listing)
    assert [i["title"] for i in listing.items] == ["Autumn newsletter"]


async def test_content_handlers_refuse_another_space(client: httpx.AsyncClient, world: World) -> None:
    w = world
    made = await client.post(
        "/api/v1/content",
        json={"title": "Bravo secret plan", "type": "blog_post", "body": f"The {w.b_secret} launch."},
        headers=w.eve.headers(),
    )
    b_item = made.json()["id"]
    # A's token with B's space id, as a hostile browser could send.
    listing = Tab(w.ada.token, w.eve.space_id).state(ContentState)
    await ContentState.load.fn(listing)
    assert listing.items == [] and listing.error
    ContentState.set_new_title.fn(listing, "Planted")
    ContentState.set_new_body.fn(listing, "Planted text.")
    await ContentState.create.fn(listing)
    await ContentState.set_require_supported.fn(listing, True)
    await ContentState.set_state_filter.fn(listing, "draft")
    await ContentState.set_type_filter.fn(listing, "ad")
    await ContentState.search.fn(listing)
    assert listing.items == []
    # B's item in the route, in A's own space and with B's space id.
    for space in (w.ada.space_id, w.eve.space_id):
        page = Tab(w.ada.token, space, route=CONTENT_ITEM, params={"content_id": b_item}).state(ContentItemState)
        await ContentItemState.load.fn(page)
        assert page.error and page.body == "" and page.title == ""
        page.draft, page.comment, page.viewing = "Hijacked", "Hijacked", "1"
        for handler, args in (
            (ContentItemState.save_version, ()),
            (ContentItemState.apply_fix, (0,)),
            (ContentItemState.transition, ("submit",)),
            (ContentItemState.add_comment, ()),
            (ContentItemState.view_version, ("1",)),
            (ContentItemState.set_compare, ("1",)),
            (ContentItemState.download_audit, ("json",)),
        ):
            result = await handler.fn(page, *args)
            assert page.error and w.b_secret not in str(result) and w.b_secret not in str(page.dict())
    theirs = (await client.get(f"/api/v1/content/{b_item}", headers=w.eve.headers())).json()
    assert (theirs["state"], theirs["current_version"], theirs["comments"]) == ("draft", 1, [])
    assert len((await client.get("/api/v1/content", headers=w.eve.headers())).json()) == 1
    settings = (await client.get("/api/v1/content-settings", headers=w.eve.headers())).json()
    assert settings == {"require_supported_claims": False}


async def test_repeated_edits_are_proposed_and_accepted_on_the_brand_voice_page(
    client: httpx.AsyncClient, world: World
) -> None:
    w = world
    for owner in (w.ada, w.eve):
        for old in ("Our users plan here.", "Invite your users."):
            made = await client.post(
                "/api/v1/content", json={"title": "Edit", "type": "ad", "body": old}, headers=owner.headers()
            )
            edit = {"body": old.replace("users", "customers")}
            await client.post(f"/api/v1/content/{made.json()['id']}/versions", json=edit, headers=owner.headers())
    hostile = Tab(w.ada.token, w.eve.space_id).state(VoiceRulesState)
    await VoiceRulesState.load.fn(hostile)
    assert hostile.proposals == [] and hostile.error
    await VoiceRulesState.accept.fn(hostile, "users", "customers")
    assert hostile.error
    theirs = (await client.get("/api/v1/space/brand-voice", headers=w.eve.headers())).json()
    assert "customers (not users)" not in str(theirs), "B's voice is unchanged"

    mine = tab_of(w.ada).state(VoiceRulesState)
    await VoiceRulesState.load.fn(mine)
    assert [p["rule"] for p in mine.proposals] == ["customers (not users)"]
    assert mine.proposals[0]["evidence"] == "changed in 2 items (2 times)"
    assert mine.decisions == "0 approved and 0 sent back for changes." and "fitted once there are 5" in mine.separation
    reload = await VoiceRulesState.accept.fn(mine, "users", "customers")
    assert mine.error == "" and mine.proposals == [] and "load" in str(reload)
    voice = (await client.get("/api/v1/space/brand-voice", headers=w.ada.headers())).json()
    assert voice["space"]["preferred_terms"] == ["customers (not users)"]
    theirs_after = (await client.get("/api/v1/space/brand-voice", headers=w.eve.headers())).json()
    assert theirs_after == theirs


async def test_the_live_page_card_links_an_address_and_refuses_another_space(
    client: httpx.AsyncClient, world: World
) -> None:
    w = world
    items = {}
    for owner in (w.ada, w.eve):
        made = await client.post(
            "/api/v1/content", json={"title": "Launch", "type": "blog_post", "body": "Live."}, headers=owner.headers()
        )
        items[owner.space_id] = made.json()["id"]
        for action in ("submit", "approve"):
            await client.post(
                f"/api/v1/content/{made.json()['id']}/transitions", json={"action": action}, headers=owner.headers()
            )
    mine, theirs = items[w.ada.space_id], items[w.eve.space_id]

    tab = tab_of(w.ada, route=CONTENT_ITEM, params={"content_id": mine})
    card = tab.state(ContentPerformanceState)
    await ContentPerformanceState.load.fn(card)
    assert card.error == "" and not card.published, "no card before publication"
    item_page = tab.state(ContentItemState)
    await ContentItemState.load.fn(item_page)
    published = await ContentItemState.transition.fn(item_page, "publish")
    assert item_page.state == "published" and "ContentPerformanceState.load" in str(published)
    await ContentPerformanceState.load.fn(card)
    assert card.published and card.url == "" and card.perf_state == "not_linked"
    ContentPerformanceState.set_url_draft.fn(card, "ftp://alpha.example/launch")
    await ContentPerformanceState.save_url.fn(card)
    assert "http" in card.error and card.url == ""
    ContentPerformanceState.set_url_draft.fn(card, "https://alpha.example/launch")
    await ContentPerformanceState.save_url.fn(card)
    assert card.error == "" and card.url == "https://alpha.example/launch"
    assert card.perf_state in ("not_configured", "not_connected") and card.perf_message
    await ContentPerformanceState.unlink.fn(card)
    assert card.url == "" and card.perf_state == "not_linked"

    await client.post(f"/api/v1/content/{theirs}/transitions", json={"action": "publish"}, headers=w.eve.headers())
    for space in (w.ada.space_id, w.eve.space_id):
        hostile = Tab(w.ada.token, space, route=CONTENT_ITEM, params={"content_id": theirs})
        page = hostile.state(ContentPerformanceState)
        await ContentPerformanceState.load.fn(page)
        assert page.error and not page.published and page.perf_state == ""
        ContentPerformanceState.set_url_draft.fn(page, "https://evil.example/")
        for handler in (ContentPerformanceState.save_url, ContentPerformanceState.unlink):
            await handler.fn(page)
            assert page.error and w.b_secret not in str(page.dict())
    after = (await client.get(f"/api/v1/content/{theirs}", headers=w.eve.headers())).json()
    assert after["state"] == "published" and after["published_url"] is None


async def test_the_brand_voice_page_shows_the_score_calibrated_on_the_spaces_decisions(
    client: httpx.AsyncClient, signup: Any
) -> None:
    ada = await signup("ada")
    await _voice(client, ada.headers())
    for i in range(5):
        for body, action, note in (
            (f"Plan {i} is affordable for teams.", "approve", None),
            (f"Plan {i} is cheap for teams.", "request_changes", "Drop 'cheap'."),
        ):
            made = await client.post(
                "/api/v1/content", json={"title": f"Plan {i}", "type": "ad", "body": body}, headers=ada.headers()
            )
            for move in ({"action": "submit"}, {"action": action, "note": note}):
                moved = await client.post(
                    f"/api/v1/content/{made.json()['id']}/transitions", json=move, headers=ada.headers()
                )
                assert moved.status_code == 200, moved.text
    page = tab_of(ada).state(VoiceRulesState)
    await VoiceRulesState.load.fn(page)
    assert page.error == "" and page.decisions == "5 approved and 5 sent back for changes."
    assert "with the weights fitted to your decisions" in page.separation
    terms = next(w for w in page.weights if w["name"] == "terms")
    assert terms["separation"] == "100%" and int(terms["weight"]) == max(int(w["weight"]) for w in page.weights)


async def test_the_space_requires_supported_claims_and_an_approver_overrides_in_writing(
    client: httpx.AsyncClient, signup: Any
) -> None:
    ada = await signup("ada")
    listing = tab_of(ada).state(ContentState)
    await ContentState.set_require_supported.fn(listing, True)
    assert listing.error == "" and listing.require_supported
    made = await client.post(
        "/api/v1/content", json={"title": "Claims", "type": "ad", "body": DRAFT}, headers=ada.headers()
    )
    page = tab_of(ada, route=CONTENT_ITEM, params={"content_id": made.json()["id"]}).state(ContentItemState)
    await ContentItemState.load.fn(page)
    assert page.unsupported == 1
    await ContentItemState.transition.fn(page, "submit")
    await ContentItemState.transition.fn(page, "approve")
    assert "unsupported" in page.error and page.state == "in_review"
    ContentItemState.set_override.fn(page, True)
    await ContentItemState.transition.fn(page, "approve")
    assert "written reason" in page.error and page.state == "in_review", "an override needs a note"
    ContentItemState.set_override.fn(page, True)
    ContentItemState.set_note.fn(page, "Figure confirmed by sales.")
    await ContentItemState.transition.fn(page, "approve")
    assert page.error == "" and page.state == "approved"
    assert page.transitions[0]["override"] and page.transitions[0]["note"] == "Figure confirmed by sales."
