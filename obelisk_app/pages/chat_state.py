"""State of the Chat page: conversations, the agent picker, the history, and the one live run.

Only the live run lives in state; the history is read from the database (the conversation's checkpoints, and
the runs they do not hold) on every load, the newest `window` messages only.

Following a run (`follow`, a background event, so Stop stays clickable while it streams): events come from
`runs.service.follow_run` after the last sequence this tab holds (`_seq`), and each is applied under the state
lock only when its sequence is above `_seq`. A load or a new run bumps `_gen`; a follower whose generation is
no longer current stops at its next event. So a reload mid-answer (same tab, same state) re-attaches from
the sequence the tab already shows, a new tab or a lost state replays from 0, and no token is shown twice
or lost, whichever follower is running. `follow` acts only when the server asked for it (`_pending`), so a
browser cannot start followers of its own.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import reflex as rx

from backend.agents import service as agents
from backend.agents.graph.checks import without_stop_note
from backend.agents.runner import clean_message
from backend.agents.schemas import ConversationCreate, ConversationUpdate
from backend.content import service as content
from backend.content.schemas import TYPE_LABELS, ContentCreate
from backend.core.errors import AppError, ValidationFailed
from backend.documents import service as documents
from backend.runs import service as runs
from backend.runs.events import RunEventPublic
from backend.runs.schemas import RunPublic
from backend.tenancy.context import SpaceContext
from obelisk_app import routes
from obelisk_app.client_tokens import tab_connected
from obelisk_app.pages.chat_history import history_rows, last_citations
from obelisk_app.pages.chat_rows import (
    ACTIVE,
    AGENT_LABELS,
    STOP_LABELS,
    UNSAVABLE,
    CitationRow,
    ConversationRow,
    DocumentOption,
    MessageRow,
    StepRow,
    add_step,
    citation_row,
    citation_rows,
    conversation_row,
    step_row,
)
from obelisk_app.states import SpaceState
from obelisk_app.states.log_scope import event_scope

logger = logging.getLogger(__name__)

WINDOW = 40
MAX_STEPS = 60
MAX_MENTIONS = 10
STATUS_OF_STOP = {
    "completed": "completed",
    "max_iterations": "completed",
    "contaminated": "completed",
    "cancelled": "cancelled",
    "error": "failed",
    "interrupted": "interrupted",
}


TAB_CHECK_SECONDS = 5.0
"""How often (at most) a follower asks, between events, whether its tab is still connected; after two misses
in a row (5-10 s: time for a reload or a network blip to reconnect) it stops, so a closed tab stops reading
the run."""


class _TabWatch:
    """Whether the tab that started a follower is gone (checked at most every TAB_CHECK_SECONDS)."""

    def __init__(self, token: str) -> None:
        self.token, self.misses = token, 0
        self.next_check = asyncio.get_running_loop().time() + TAB_CHECK_SECONDS

    async def gone(self) -> bool:
        now = asyncio.get_running_loop().time()
        if now < self.next_check:
            return False
        self.next_check = now + TAB_CHECK_SECONDS
        # A process that cannot tell (no socket endpoint: handler tests) follows to the end.
        self.misses = self.misses + 1 if await tab_connected(self.token) is False else 0
        return self.misses >= 2


class ChatState(SpaceState):
    conversations: list[ConversationRow] = []
    agent: str = "seo"
    title: str = ""
    agent_label: str = ""
    renaming: bool = False
    rename_value: str = ""
    messages: list[MessageRow] = []
    window: int = WINDOW
    more: bool = False
    options: list[DocumentOption] = []
    mentioned: list[DocumentOption] = []
    draft: str = ""
    error: str = ""
    run_id: str = ""
    run_message: str = ""
    run_text: str = ""
    run_status: str = ""
    run_stop: str = ""
    steps: list[StepRow] = []
    citations: list[CitationRow] = []
    _seq: int = 0
    _gen: int = 0
    _pending: bool = False

    def _conversation_id(self) -> str:
        # `conversation_id` is the route variable of routes.CHAT_CONVERSATION ("" on /chat).
        return str(getattr(self, "conversation_id", "") or "")

    # -- loading ---------------------------------------------------------------------------------------

    async def _load(self) -> Any:
        ctx = await self._ctx()
        listed, _ = await agents.list_conversations(ctx, limit=100)
        self.conversations = [conversation_row(c) for c in listed]
        ready, _ = await documents.list_documents(ctx, status="ready", limit=100)
        self.options = [DocumentOption(id=str(d.id), title=d.title or d.filename) for d in ready]
        self.mentioned = [m for m in self.mentioned if m in self.options]
        cid = self._conversation_id()
        self.renaming = False
        if not cid:
            self.title, self.agent_label, self.messages, self.more, self.citations = "", "", [], False, []
            self._clear_live()
            return None
        conversation = await agents.get_conversation(ctx, cid)
        self.title, self.agent_label = conversation.title, AGENT_LABELS[conversation.agent]
        active = next((r for r in await runs.list_runs(ctx, conversation.id, limit=5) if r.status in ACTIVE), None)
        self.messages, self.more = await history_rows(ctx, cid, str(active.id) if active else "", self.window)
        if active is None:
            self._clear_live()
            self.citations = last_citations(self.messages)
            return None
        if self.run_id != str(active.id):
            self._start_live(active)  # a run this tab does not hold: replay it from its first event
        return self._attach()

    @rx.event
    async def load(self) -> Any:
        self.window = WINDOW
        self.messages, self.error = [], ""
        return await self._call(self._load())

    @rx.event
    async def earlier(self) -> Any:
        self.window += WINDOW
        return await self._call(self._load())

    # -- the live run ----------------------------------------------------------------------------------

    def _clear_live(self) -> None:
        self._gen += 1  # any follower still running stops at its next event
        self._pending = False
        self.run_id = self.run_message = self.run_text = ""
        self.steps, self.citations, self._seq = [], [], 0

    def _start_live(self, run: RunPublic) -> None:
        self._clear_live()
        self.run_id, self.run_message, self.run_status, self.run_stop = str(run.id), run.message, run.status, ""

    def _attach(self) -> Any:
        self._gen += 1
        self._pending = True
        return ChatState.follow

    def _apply(self, event: RunEventPublic) -> None:
        p = event.payload
        if event.type == "token":
            self.run_text += str(p.get("text") or "")
        elif event.type == "status":
            self.run_status = str(p.get("status") or self.run_status)
        elif event.type == "citation":
            self.citations = [*self.citations, citation_row(p, len(self.citations) + 1)]
        elif event.type == "complete":
            reason = str(p.get("stop_reason") or "")
            self.run_status, self.run_stop = STATUS_OF_STOP.get(reason, "failed"), STOP_LABELS.get(reason, reason)
            if p.get("citations"):
                self.citations = citation_rows(list(p["citations"]))
            if reason in ("contaminated", "error"):
                self.run_text = str(p.get("message") or "")  # a blocked draft is not left on screen
        else:
            if event.type == "step" and p.get("name") == "write" and p.get("status") == "started":
                self.run_text = ""  # a new draft (the check asked for a revision) replaces the previous one
            row = step_row(event)
            if row is not None:
                self.steps = add_step(self.steps, row, MAX_STEPS)
        self._seq = event.sequence

    @rx.event(background=True)
    async def follow(self) -> Any:
        """Follow the live run from the last sequence this tab holds until it ends (started by the server)."""
        with event_scope():
            return await self._follow()

    async def _follow(self) -> Any:
        async with self:
            if not self._pending or not self.run_id:
                return None
            self._pending = False
            gen, run_id, after, cid = self._gen, self.run_id, self._seq, self._conversation_id()
            token = self.router.session.client_token
            try:
                ctx = await self._ctx()
            except AppError as exc:
                return await self._failed(exc)
        ended = False
        watch = _TabWatch(token)
        try:
            async for event in runs.follow_run(ctx, run_id, after):
                async with self:
                    if self._gen != gen or self.run_id != run_id:
                        return None  # superseded: a reload, another run, or another conversation
                    if event.sequence > self._seq:
                        self._apply(event)
                ended = ended or event.type == "complete"
                if not ended and await watch.gone():
                    logger.info("the tab is gone: stopped following its run", extra={"run_id": run_id})
                    return None
        except AppError as exc:
            async with self:
                return await self._failed(exc) if self._gen == gen else None
        if not ended or not cid:
            return None
        # The answer is in the conversation now: show it from there (slow reads outside the lock).
        try:
            listed, _ = await agents.list_conversations(ctx, limit=100)
            rows, more = await history_rows(ctx, cid, "", WINDOW)
        except AppError as exc:
            async with self:
                return await self._failed(exc) if self._gen == gen else None
        async with self:
            if self._gen != gen:
                return None
            self.conversations = [conversation_row(c) for c in listed]
            self.title = next((c["title"] for c in self.conversations if c["id"] == cid), self.title)
            self.messages, self.more, self.window = rows, more, WINDOW
            self.run_id = self.run_message = self.run_text = ""
            self.steps = []
        return None

    @rx.event
    async def stop(self) -> Any:
        run_id = self.run_id

        async def work() -> None:
            if run_id:
                await runs.cancel_run(await self._ctx(), run_id)

        return await self._call(work())

    # -- sending ---------------------------------------------------------------------------------------

    @rx.event
    def set_draft(self, value: str) -> None:
        self.draft = value

    @rx.event
    def set_agent(self, value: str) -> None:
        self.agent = value if value in AGENT_LABELS else "seo"

    @rx.event
    def mention(self, document_id: str) -> None:
        option = next((o for o in self.options if o["id"] == document_id), None)
        if option is not None and option not in self.mentioned and len(self.mentioned) < MAX_MENTIONS:
            self.mentioned = [*self.mentioned, option]

    @rx.event
    def unmention(self, document_id: str) -> None:
        self.mentioned = [m for m in self.mentioned if m["id"] != document_id]

    async def _mentioned_ids(self, ctx: SpaceContext) -> list[str]:
        """The mentioned documents, each checked to be in the caller's space (the tab's list is the browser's)."""
        return [str((await documents.get_document(ctx, m["id"])).id) for m in self.mentioned[:MAX_MENTIONS]]

    @rx.event
    async def send(self) -> Any:
        """Start a run answering the draft (in a new conversation of the picked agent when none is open)."""
        message, agent = self.draft, self.agent

        async def work() -> Any:
            ctx = await self._ctx()
            text = clean_message(message)  # refused before a conversation is created for nothing
            document_ids = await self._mentioned_ids(ctx)
            cid = self._conversation_id()
            if not cid:
                if agent not in AGENT_LABELS:
                    raise ValidationFailed("Pick an agent.", code="invalid_agent")
                cid = str((await agents.create_conversation(ctx, ConversationCreate(agent=agent))).id)  # type: ignore[arg-type]
            run = await runs.start_run(ctx, cid, text, document_ids)
            self.draft, self.mentioned = "", []
            self._start_live(run)
            if cid != self._conversation_id():
                return rx.redirect(routes.chat_path(cid))  # its load attaches to the run from sequence 0
            return self._attach()

        return await self._call(work())

    @rx.event
    async def retry(self, run_id: str) -> Any:
        """Ask the run's question again, as a new turn of this conversation (the question is read from the run)."""
        cid = self._conversation_id()

        async def work() -> Any:
            ctx = await self._ctx()
            asked = await runs.get_run(ctx, run_id)  # NotFound for another space's run
            run = await runs.start_run(ctx, cid, asked.message, asked.document_ids)
            self._start_live(run)
            return self._attach()

        return await self._call(work())

    @rx.event
    async def resume(self, run_id: str) -> Any:
        """Queue an interrupted run again and follow it (its events continue from the next sequence)."""

        async def work() -> Any:
            run = await runs.resume_run(await self._ctx(), run_id)
            self.messages = [m for m in self.messages if m["run_id"] != str(run.id)]
            self._start_live(run)
            return self._attach()

        return await self._call(work())

    @rx.event
    async def save_as_content(self, run_id: str, content_type: str) -> Any:
        """A draft content item whose first version is the run's answer, read from the run's own log (never
        from the tab, which the browser can change)."""
        title = self.title

        async def work() -> None:
            if content_type not in TYPE_LABELS:
                raise ValidationFailed("Pick a kind of content.", code="invalid_content_type")
            ctx = await self._ctx()
            content.require_editor(ctx)  # a viewer is told so before the run is read (not "cannot be saved")
            run = await runs.get_run(ctx, run_id)  # NotFound for another space's run
            last = await runs.list_events(ctx, run.id, after=max(0, run.last_sequence - 1))
            final = last[-1].payload if last and last[-1].type == "complete" else {}
            # The note a stopped run's answer ends with tells the chat why; it is no part of the content.
            body = without_stop_note(str(final.get("message") or ""))
            if not body or str(final.get("stop_reason")) in UNSAVABLE:
                raise ValidationFailed("This answer cannot be saved as content.", code="answer_not_savable")
            name = title if title and not title.startswith("New ") else agents.title_from(run.message)
            # The model and prompt version the run's answer names (its audit pack says what wrote it).
            model, prompt_version = (str(final[k])[:100] if final.get(k) else None for k in ("model", "prompt_version"))
            await content.create_item(
                ctx,
                ContentCreate(
                    title=name,
                    type=content_type,  # type: ignore[arg-type]
                    body=body,
                    run_id=run.id,
                    model=model,
                    prompt_version=prompt_version,
                ),
            )

        return await self._call(work(), success=f"Saved as a {TYPE_LABELS.get(content_type, 'content').lower()} draft")

    # -- conversations ---------------------------------------------------------------------------------

    @rx.event
    async def new_conversation(self) -> Any:
        agent = self.agent

        async def work() -> Any:
            if agent not in AGENT_LABELS:
                raise ValidationFailed("Pick an agent.", code="invalid_agent")
            made = await agents.create_conversation(await self._ctx(), ConversationCreate(agent=agent))  # type: ignore[arg-type]
            return rx.redirect(routes.chat_path(str(made.id)))

        return await self._call(work())

    @rx.event
    def start_rename(self) -> None:
        self.renaming, self.rename_value = True, self.title

    @rx.event
    def set_rename_value(self, value: str) -> None:
        self.rename_value = value

    @rx.event
    async def save_rename(self) -> Any:
        title, cid = self.rename_value.strip(), self._conversation_id()

        async def work() -> None:
            if not title:
                raise ValidationFailed("A conversation needs a title.", code="empty_title")
            if len(title) > 200:
                raise ValidationFailed("A title can be at most 200 characters.", code="title_too_long")
            ctx = await self._ctx()
            renamed = await agents.rename_conversation(ctx, cid, ConversationUpdate(title=title))
            self.title, self.renaming = renamed.title, False
            listed, _ = await agents.list_conversations(ctx, limit=100)
            self.conversations = [conversation_row(c) for c in listed]

        return await self._call(work(), success="Conversation renamed")

    @rx.event
    async def delete(self, conversation_id: str) -> Any:
        current = self._conversation_id()

        async def work() -> Any:
            ctx = await self._ctx()
            await agents.delete_conversation(ctx, conversation_id)
            if conversation_id == current:
                self._clear_live()
                return rx.redirect(routes.CHAT)
            listed, _ = await agents.list_conversations(ctx, limit=100)
            self.conversations = [conversation_row(c) for c in listed]
            return None

        return await self._call(work(), success="Conversation deleted")


__all__ = ["ChatState"]
