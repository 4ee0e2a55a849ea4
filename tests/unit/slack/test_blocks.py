"""Block Kit builders: a review message shows what a reviewer needs and carries the version's reference."""

from __future__ import annotations

import json
import uuid

from backend.slack import blocks


def _card(body: str = "Our new plan saves teams 30% on reporting.", score: int | None = 82) -> blocks.ReviewCard:
    ref = blocks.ReviewRef(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), 3, "a" * 64)
    return blocks.ReviewCard(ref, "Spring <launch> & news", "blog_post", body, score, 2, "http://app.test/content/x")


def test_review_message_shows_title_excerpt_scores_link_and_buttons() -> None:
    card = _card()
    out = blocks.review_message(card)
    text = json.dumps(out)
    assert out[0]["text"]["text"] == "Spring <launch> & news"  # plain_text header: shown as typed
    assert "30% on reporting" in text and "82/100" in text and "*Unsupported claims*\\n2" in text
    assert "<http://app.test/content/x|Open in Obelisk>" in text
    actions = out[-1]["elements"]
    assert [a["action_id"] for a in actions] == [blocks.APPROVE, blocks.REQUEST_CHANGES]
    for action in actions:
        assert blocks.ReviewRef.from_dict(json.loads(action["value"])) == card.ref
    assert blocks.ReviewRef.from_dict(blocks.metadata(card.ref)["event_payload"]) == card.ref


def test_mrkdwn_cannot_inject_links_or_mentions() -> None:
    out = blocks.review_message(_card(body="Click <https://evil.example|here> <!channel>"))
    excerpt = out[2]["text"]["text"]
    assert "<" not in excerpt and "&lt;!channel&gt;" in excerpt


def test_excerpt_cuts_on_a_word() -> None:
    assert blocks.excerpt("word " * 300, limit=22) == "word word word word…"
    assert blocks.excerpt("short  text\n") == "short text"


def test_unscored_versions_say_so() -> None:
    text = json.dumps(blocks.review_message(_card(score=None)))
    assert "not scored" in text


def test_malformed_references_are_none() -> None:
    good = _card().ref.to_dict()
    assert blocks.ReviewRef.from_dict(good) is not None
    for broken in ({**good, "space_id": "nope"}, {**good, "version": 0}, {**good, "hash": ""}, "x", None):
        assert blocks.ReviewRef.from_dict(broken) is None
    assert blocks.ReviewRef.from_dict({k: v for k, v in good.items() if k != "item_id"}) is None


def test_decided_message_has_no_buttons() -> None:
    out = blocks.decided_message(_card(), "Approved by <@U1>")
    assert all(b["type"] != "actions" for b in out) and out[-1]["elements"][0]["text"] == "Approved by <@U1>"


def test_changes_modal_carries_private_metadata() -> None:
    view = blocks.changes_modal('{"r":"1"}', title="T")
    assert view["callback_id"] == blocks.CHANGES_MODAL and view["private_metadata"] == '{"r":"1"}'
    assert view["blocks"][1]["block_id"] == blocks.NOTES_BLOCK
