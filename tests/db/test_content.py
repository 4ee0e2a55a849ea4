"""Content against the real PostgreSQL: items, versions scored from the space's own documents and voice, the
review workflow (one transition table), the approval gate on unsupported claims, audit packs, and isolation
between spaces (another organization's and a sibling space of the same organization)."""

from __future__ import annotations

import json
import textwrap
import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import text

from backend.agents.tools.brand import style_guide_lookup, voice_analyzer
from backend.agents.tools.env import space_tool_env
from backend.content import service
from backend.content.schemas import CommentCreate, ContentCreate, TransitionCreate, VersionCreate
from backend.core.db import Database
from backend.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.documents import ingest
from backend.documents import service as documents
from backend.models.accounting import counted
from backend.models.usage import ModelUsage
from backend.retrieval import service as retrieval_service
from backend.tenancy.context import SpaceContext
from tests.db.conftest import space_context
from tests.db.test_runs_support import conversation, sibling_space

GUIDE = """\
# Brand guide

## Words

Never say 'cheap'; say 'affordable' instead. Our customers are teams who plan their launches carefully.
"""
REPORT = """\
# Annual report

## Results

Acme grew revenue by 40% in 2025 across Europe, led by the Team plan.
"""
DRAFT = "Our cheap Team plan is here. Acme grew revenue by 40% in 2025 across Europe. Acme serves 12,000 teams in Asia."


@pytest.fixture(autouse=True)
def _count_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    # Scoring searches the space; its embedding calls are booked on other connections in production.
    monkeypatch.setattr(retrieval_service, "metered", lambda scope, **kw: counted(scope))


async def _add(ctx: SpaceContext, name: str, body: str, tags: str | None = None) -> tuple[uuid.UUID, list[str]]:
    result = await documents.add_upload(ctx, data=textwrap.dedent(body).encode(), filename=f"{name}.md", tags=tags)
    await ingest.run_ingestion(ctx.scope, result.document.id)
    chunks, _ = await documents.list_chunks(ctx, result.document.id)
    return result.document.id, [str(c.id) for c in chunks]


async def _fresh(ctx: SpaceContext) -> SpaceContext:
    """The caller's context read again (the brand voice it carries changed)."""
    from backend.tenancy.access import member_context

    fresh = await member_context(ctx.scope, ctx.user_id)
    assert fresh is not None
    return fresh


async def _run(db: Database, ctx: SpaceContext) -> uuid.UUID:
    """An agent run of the space (what an answer saved as content names as its origin)."""
    from backend.runs import repository as runs_repository

    conversation_id = await conversation(ctx)
    async with db.tenant(ctx.scope) as session:
        run = await runs_repository.add_run(
            session, ctx.scope, conversation_id=conversation_id, agent="seo", message="Draft it", document_ids=[],
            user_id=ctx.user_id,
        )  # fmt: skip
        return run.id


def _create(title: str = "Launch post", body: str = DRAFT, **kw: Any) -> ContentCreate:
    return ContentCreate(title=title, type=kw.pop("type", "blog_post"), body=body, **kw)


async def test_a_version_is_scored_from_the_spaces_voice_guidelines_and_documents(
    db: Database, spaces: tuple[SpaceContext, SpaceContext]
) -> None:
    alpha, bravo = spaces
    _, guide_chunks = await _add(alpha, "guide", GUIDE, tags="brand_guidelines")
    report_id, report_chunks = await _add(alpha, "report", REPORT)
    item = await service.create_item(alpha, _create())
    assert (item.state, item.version, item.type) == ("draft", 1, "blog_post")
    v1 = await service.get_version(alpha, item.id, 1)
    assert v1.hash == service.content_hash(DRAFT) and v1.body == DRAFT and v1.created_by == alpha.user_id
    flags = v1.scores["brand_voice"]["flags"]
    cheap = next(f for f in flags if "'cheap'" in f["message"])
    assert (
        cheap["source_chunk_id"] in guide_chunks
        and cheap["source"] == "brand_guidelines: Brand guide › Brand guide › Words"
    )
    assert cheap["apply"] == {"kind": "replace_term", "find": "cheap", "replace": "affordable"}
    claims = {c["text"]: c for c in v1.scores["grounding"]["claims"]}
    grew = claims["Acme grew revenue by 40% in 2025 across Europe."]
    assert grew["supported"] and grew["sources"][0]["chunk_id"] in report_chunks
    assert grew["sources"][0]["document_id"] == str(report_id)
    assert claims["Acme serves 12,000 teams in Asia."]["supported"] is False
    assert item.unsupported_claims == 1 and item.voice_score == v1.scores["brand_voice"]["score"]
    assert set(v1.scores["previews"]) == {"search_title", "meta_description_desktop", "meta_description_mobile"}

    # The same text in another organization's space is measured against that space's documents: none.
    theirs = await service.create_item(bravo, _create())
    their_claims = (await service.get_version(bravo, theirs.id, 1)).scores["grounding"]["claims"]
    assert not any(c["supported"] for c in their_claims)
    their_flags = (await service.get_version(bravo, theirs.id, 1)).scores["brand_voice"]["flags"]
    assert not any("'cheap'" in f["message"] for f in their_flags), "alpha's guideline does not apply to bravo"

    # One click applies the fix as a new version; the flag is gone from its scores.
    v2 = await service.apply_fix(alpha, item.id, 1, flags.index(cheap))
    assert v2.number == 2 and "affordable Team plan" in v2.body and v2.note and "affordable" in v2.note
    assert not any("'cheap'" in f["message"] for f in v2.scores["brand_voice"]["flags"])
    with pytest.raises(Conflict):
        await service.apply_fix(alpha, item.id, 1, flags.index(cheap))  # version 1 is superseded


async def test_the_review_workflow_follows_the_transition_table(
    db: Database, spaces: tuple[SpaceContext, SpaceContext]
) -> None:
    alpha, _ = spaces
    item = await service.create_item(alpha, _create(body="A plain first draft for the team."))
    with pytest.raises(Conflict) as refused:
        await service.transition(alpha, item.id, TransitionCreate(action="approve"))
    assert refused.value.code == "transition_not_allowed"
    await service.transition(alpha, item.id, TransitionCreate(action="submit"))
    v2 = await service.add_version(alpha, item.id, VersionCreate(body="A plain second draft for the team."))
    same = await service.add_version(alpha, item.id, VersionCreate(body="A plain second draft for the team.\n"))
    assert (v2.number, same.number) == (2, 2), "saving the same text again is not a new version"
    with pytest.raises(Conflict) as stale:
        await service.transition(alpha, item.id, TransitionCreate(action="approve", version=1))
    assert stale.value.code == "version_superseded"
    with pytest.raises(Conflict):
        await service.transition(
            alpha, item.id, TransitionCreate(action="approve"), expected_hash=service.content_hash("x")
        )
    with pytest.raises(ValidationFailed):
        await service.transition(alpha, item.id, TransitionCreate(action="request_changes"))
    changed = await service.transition(
        alpha, item.id, TransitionCreate(action="request_changes", note="Name the launch date.")
    )
    assert changed.state == "changes_requested" and changed.allowed_actions == ["submit"]
    await service.transition(alpha, item.id, TransitionCreate(action="submit"))
    approved = await service.transition(alpha, item.id, TransitionCreate(action="approve", version=2))
    assert approved.state == "approved"
    published = await service.transition(alpha, item.id, TransitionCreate(action="publish"))
    with pytest.raises(Conflict):
        await service.transition(alpha, item.id, TransitionCreate(action="publish"))
    assert published.state == "published"
    await service.add_version(alpha, item.id, VersionCreate(body="A plain third draft for the team."))
    after = await service.get_item(alpha, item.id)
    assert after.state == "draft" and after.current_version == 3
    history = [(t.action, t.from_state, t.to_state, t.version) for t in after.transitions]
    assert history == [
        ("submit", "draft", "in_review", 1),
        ("request_changes", "in_review", "changes_requested", 2),
        ("submit", "changes_requested", "in_review", 2),
        ("approve", "in_review", "approved", 2),
        ("publish", "approved", "published", 2),
        ("revise", "published", "draft", 3),
    ]
    assert after.transitions[1].note == "Name the launch date." and after.transitions[0].actor == "alpha@example.com"
    assert after.transitions[3].hash == v2.hash
    comment = await service.add_comment(alpha, item.id, CommentCreate(body="Looks good.", version=3))
    assert comment.author == "alpha@example.com"
    with pytest.raises(NotFound):
        await service.add_comment(alpha, item.id, CommentCreate(body="On a future version", version=9))
    listed, total = await service.list_items(alpha, states=["draft"])
    assert total == 1 and listed[0].id == item.id and listed[0].version == 3
    assert (await service.list_items(alpha, states=["approved"]))[1] == 0
    with pytest.raises(ValidationFailed):
        await service.list_items(alpha, states=["lost"])
    viewer = space_context(alpha.organization_id, alpha.space_id, role="viewer")
    for attempt in (
        service.create_item(viewer, _create()),
        service.add_version(viewer, item.id, VersionCreate(body="Viewer edit")),
        service.transition(viewer, item.id, TransitionCreate(action="submit")),
        service.add_comment(viewer, item.id, CommentCreate(body="hi")),
    ):
        with pytest.raises(Forbidden):
            await attempt
    assert (await service.get_item(viewer, item.id)).current_version == 3, "viewers read"


async def test_approval_needs_supported_claims_or_a_written_override_when_the_space_says_so(
    db: Database, spaces: tuple[SpaceContext, SpaceContext]
) -> None:
    alpha, _ = spaces
    run_id = await _run(db, alpha)
    item = await service.create_item(alpha, _create(body="Acme serves 12,000 teams in Asia.", run_id=run_id))
    async with db.tenant(alpha.scope) as session:
        session.add(
            ModelUsage(
                space_id=alpha.space_id,
                organization_id=alpha.organization_id,
                run_id=run_id,
                provider="fake",
                model="fake-writer-1",
                role="main",
            )
        )
    editor = space_context(alpha.organization_id, alpha.space_id, role="editor")
    with pytest.raises(Forbidden):
        await service.set_review_settings(editor, require_supported_claims=True)
    assert (await service.set_review_settings(alpha, require_supported_claims=True)).require_supported_claims
    await service.transition(alpha, item.id, TransitionCreate(action="submit"))
    with pytest.raises(Conflict) as gated:
        await service.transition(alpha, item.id, TransitionCreate(action="approve"))
    assert gated.value.code == "unsupported_claims" and "1 claim" in gated.value.message
    with pytest.raises(ValidationFailed):
        await service.transition(alpha, item.id, TransitionCreate(action="approve", override=True))
    assert (await service.get_item(alpha, item.id)).state == "in_review", "refusals change nothing"
    approved = await service.transition(
        alpha, item.id, TransitionCreate(action="approve", override=True, note="Figure confirmed by sales.")
    )
    assert approved.state == "approved" and approved.transitions[-1].override
    pack = await service.audit_pack(alpha, item.id)
    assert pack["approvals"] == [
        {
            "by": "alpha@example.com",
            "version": 1,
            "hash": service.content_hash("Acme serves 12,000 teams in Asia."),
            "at": pack["approvals"][0]["at"],
            "note": "Figure confirmed by sales.",
            "override": True,
        }
    ]
    assert pack["sent_for_review"][0]["by"] == "alpha@example.com"
    assert pack["versions"][0]["model"] == "fake-writer-1" and pack["versions"][0]["run_id"] == str(run_id)
    assert pack["versions"][0]["scores"]["grounding"]["unsupported"] == 1
    from backend.content.audit import to_markdown

    markdown = to_markdown(pack)
    assert "approved with an override" in markdown and "fake-writer-1" in markdown and "**unsupported**" in markdown


async def test_content_never_crosses_a_space_boundary(db: Database, spaces: tuple[SpaceContext, SpaceContext]) -> None:
    alpha, bravo = spaces
    sibling = await sibling_space(db, alpha)
    item = await service.create_item(alpha, _create(body="Alpha's secret launch draft."))
    for other in (bravo, sibling):
        for attempt in (
            service.get_item(other, item.id),
            service.get_version(other, item.id, 1),
            service.add_version(other, item.id, VersionCreate(body="Hijacked")),
            service.transition(other, item.id, TransitionCreate(action="submit")),
            service.add_comment(other, item.id, CommentCreate(body="Hijacked")),
            service.audit_pack(other, item.id),
            service.apply_fix(other, item.id, 1, 0),
        ):
            with pytest.raises(NotFound) as missing:
                await attempt
            assert missing.value.code == "content_not_found"
        assert (await service.list_items(other))[1] == 0
    for bad in ("not-a-uuid", str(uuid.uuid4())):
        with pytest.raises(NotFound):
            await service.get_item(alpha, bad)
    with pytest.raises(NotFound):
        await service.get_version(alpha, item.id, "x")
    mine = await service.get_item(alpha, item.id)
    assert mine.state == "draft" and mine.current_version == 1 and mine.transitions == [] and mine.comments == []
    # Row-level security: a forgotten filter in the sibling space still sees nothing.
    async with db.tenant(sibling.scope) as session:
        for table in ("content_items", "content_versions", "content_transitions", "content_comments"):
            assert (await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one() == 0


async def test_reviewers_repeated_swaps_become_a_proposed_rule_and_approved_text_feeds_similarity(
    db: Database, spaces: tuple[SpaceContext, SpaceContext]
) -> None:
    alpha, bravo = spaces
    for title, old in (("One", "Our users plan launches here."), ("Two", "Invite your users to the board.")):
        item = await service.create_item(alpha, _create(title=title, body=old))
        await service.add_version(alpha, item.id, VersionCreate(body=old.replace("users", "customers")))
    await service.add_version(bravo, (await service.create_item(bravo, _create(body="Hi users."))).id,
                              VersionCreate(body="Hi customers."))  # fmt: skip
    proposals = await service.rule_proposals(alpha)
    assert [(p.find, p.replace, p.items) for p in proposals] == [("users", "customers", 2)]
    assert await service.rule_proposals(bravo) == [], "bravo's one swap and alpha's edits do not mix"
    editor = space_context(alpha.organization_id, alpha.space_id, role="editor")
    with pytest.raises(Forbidden):
        await service.accept_rule(editor, "users", "customers")
    with pytest.raises(NotFound):
        await service.accept_rule(alpha, "clients", "customers")
    voice = await service.accept_rule(alpha, "users", "customers")
    assert voice["space"]["preferred_terms"] == ["customers (not users)"]
    fresh = await _fresh(alpha)
    assert await service.rule_proposals(fresh) == [], "an accepted rule is no longer proposed"
    flagged = await service.create_item(fresh, _create(title="Three", body="Our users love the board."))
    flags = (await service.get_version(fresh, flagged.id, 1)).scores["brand_voice"]["flags"]
    assert any(f["apply"] == {"kind": "replace_term", "find": "users", "replace": "customers"} for f in flags)

    # Approved versions of other items feed "similarity to approved content".
    no_examples = (await service.get_version(fresh, flagged.id, 1)).scores["brand_voice"]["sub_scores"]
    assert next(s for s in no_examples if s["name"] == "similarity")["score"] is None
    approved = await service.create_item(fresh, _create(title="Four", body="You plan. We help. It's simple."))
    await service.transition(fresh, approved.id, TransitionCreate(action="submit"))
    await service.transition(fresh, approved.id, TransitionCreate(action="approve"))
    rescored = await service.add_version(fresh, flagged.id, VersionCreate(body="Our customers love the board."))
    similarity = next(s for s in rescored.scores["brand_voice"]["sub_scores"] if s["name"] == "similarity")
    assert similarity["score"] is not None and "Approved: Four" in similarity["detail"]


async def test_enough_review_decisions_calibrate_the_score_of_new_versions(
    db: Database, spaces: tuple[SpaceContext, SpaceContext]
) -> None:
    alpha, bravo = spaces
    voiced = replace(alpha, brand_voice={"banned_terms": ["cheap"]})
    for i in range(5):
        kept = await service.create_item(voiced, _create(title=f"Kept {i}", body=f"Plan {i} is affordable for teams."))
        sent = await service.create_item(voiced, _create(title=f"Sent {i}", body=f"Plan {i} is cheap for teams."))
        for item, action, note in ((kept, "approve", None), (sent, "request_changes", "Drop 'cheap'.")):
            await service.transition(voiced, item.id, TransitionCreate(action="submit"))
            await service.transition(voiced, item.id, TransitionCreate(action=action, note=note))  # type: ignore[arg-type]
    fit = await service.calibration(voiced)
    assert (fit.approved, fit.changes_requested) == (5, 5) and fit.weights is not None
    assert fit.part_auc["terms"] == 1.0 and fit.weights["terms"] == max(fit.weights.values())
    assert (await service.calibration(bravo)).approved == 0, "another space's decisions are its own"
    new = await service.create_item(voiced, _create(title="New", body="Plan 9 is cheap for teams."))
    voice = (await service.get_version(voiced, new.id, 1)).scores["brand_voice"]
    assert voice["weights"] == "calibrated" and voice["score"] < voice["default_score"]


async def test_a_run_of_another_space_is_refused_as_an_items_origin_and_nothing_is_stored(
    db: Database, spaces: tuple[SpaceContext, SpaceContext]
) -> None:
    alpha, bravo = spaces
    sibling = await sibling_space(db, alpha)
    item = await service.create_item(alpha, _create(body="Alpha's own draft."))
    for other in (bravo, sibling):
        foreign = await _run(db, other)
        for attempt in (
            service.create_item(alpha, _create(title="Borrowed", run_id=foreign)),
            service.add_version(alpha, item.id, VersionCreate(body="Borrowed text.", run_id=foreign)),
        ):
            with pytest.raises(NotFound) as refused:
                await attempt
            assert refused.value.code == "run_not_found"
    with pytest.raises(NotFound):
        await service.create_item(alpha, _create(title="Invented", run_id=uuid.uuid4()))
    items, total = await service.list_items(alpha)
    assert total == 1 and [i.title for i in items] == ["Launch post"]
    assert (await service.get_item(alpha, item.id)).current_version == 1, "no version was added"
    own = await service.create_item(alpha, _create(title="From our run", run_id=await _run(db, alpha)))
    assert own.version == 1


HOUSE_RULES = """\
# House rules

## Words

Avoid 'synergy' in anything a customer reads.
"""


async def test_linked_guideline_documents_are_checked_and_their_rules_cited_first(
    db: Database, spaces: tuple[SpaceContext, SpaceContext]
) -> None:
    from backend.tenancy import brand_voice

    alpha, bravo = spaces
    sibling = await sibling_space(db, alpha)
    rules_id, rules_chunks = await _add(alpha, "house-rules", HOUSE_RULES)  # not tagged as brand guidelines
    draft = "Our synergy plan is ready for spring. Book a demo this week."
    before = await service.create_item(alpha, _create(title="Before", body=draft))
    flags = (await service.get_version(alpha, before.id, 1)).scores["brand_voice"]["flags"]
    assert not any("'synergy'" in f["message"] for f in flags), "an untagged, unlinked document is no guideline"
    unlinked = await voice_analyzer(await space_tool_env(alpha), {"text": draft})
    assert unlinked.ok and "'synergy'" not in json.dumps(unlinked.result)

    theirs, _ = await _add(bravo, "their-rules", HOUSE_RULES)
    for foreign in (theirs, uuid.uuid4()):
        with pytest.raises(ValidationFailed) as refused:
            await brand_voice.set_space_brand_voice(
                alpha, {"guideline_documents": [str(foreign)]}, documents=documents.ready_document_ids
            )
        assert refused.value.code == "invalid_guideline_document" and str(foreign) in refused.value.message
    assert (await brand_voice.get_brand_voice(alpha))["space"] == {}, "nothing was stored"
    with pytest.raises(ValidationFailed):  # the sibling space cannot link alpha's document either
        await brand_voice.set_space_brand_voice(
            sibling, {"guideline_documents": [str(rules_id)]}, documents=documents.ready_document_ids
        )

    voice = {"guideline_documents": [str(rules_id)], "reading_level": {"min": 3, "max": 8}}
    saved = await brand_voice.set_space_brand_voice(alpha, voice, documents=documents.ready_document_ids)
    assert saved["space"] == voice
    linked = await _fresh(alpha)
    after = await service.create_item(linked, _create(title="After", body=draft))
    scored = (await service.get_version(linked, after.id, 1)).scores["brand_voice"]["flags"]
    synergy = next(f for f in scored if "'synergy'" in f["message"])
    assert synergy["source_chunk_id"] in rules_chunks and synergy["source"].startswith("brand_guidelines: House rules")

    # The Brand agent's own voice check and guideline lookup (in the chat) read the linked document first too.
    env = await space_tool_env(linked)
    checked = await voice_analyzer(env, {"text": draft})
    tool_flag = next(f for f in (checked.result or {})["flags"] if "'synergy'" in f["message"])
    assert tool_flag["source_chunk_id"] in rules_chunks
    looked_up = await style_guide_lookup(env, {"query": "words to avoid in customer copy"})
    assert (looked_up.result or {})["passages"][0]["chunk_id"] in rules_chunks
