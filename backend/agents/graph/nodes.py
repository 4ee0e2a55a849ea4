"""The four nodes (retrieve, think, act, check) and the end (finish). Models, retriever and tools are given to
`Nodes` by `graph.build_graph`, or, for the shared graph (`graph.shared_graph`), taken from the run's runtime
context (`AgentContext.parts`); the scope, config and tool environment always come from the runtime context. No node
builds a model, and none runs without a scope (`require_scope`).

Events go out through LangGraph's stream writer as `{"type": ..., "payload": {...}}` with the types of the
public API (status, token, step, tool_call, tool_result, citation, error, complete); the run executor persists
and fans them out.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from backend.agents.graph import prompts
from backend.agents.graph.checks import DETECTOR, contamination_of, final_message, stop_reason
from backend.agents.graph.context import AgentContext, Retriever, RunParts, require_scope
from backend.agents.graph.decisions import Review, decide, decision_model
from backend.agents.graph.holdback import HoldBack
from backend.agents.graph.prefetch import first_search_key, search_passages
from backend.agents.graph.speculation import Speculation
from backend.agents.graph.spotlight import strip_echoed_blocks, unmark
from backend.agents.graph.state import AgentState
from backend.agents.grounding import check_claims, citations_for
from backend.agents.tools.base import AgentTool
from backend.core.errors import AppError
from backend.models.base import text_of
from backend.safety.contamination import ContaminationResult

log = logging.getLogger(__name__)
Update = dict[str, Any]


def _emit(runtime: Runtime[AgentContext], kind: str, **payload: Any) -> None:
    runtime.stream_writer({"type": kind, "payload": payload})


def _failure(exc: Exception) -> str:
    """The message a user sees for a failed step: the provider's own words for model errors."""
    if isinstance(exc, AppError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"[:500]


class Nodes:
    def __init__(
        self,
        *,
        llm: BaseChatModel | None = None,
        fast_llm: BaseChatModel | None = None,
        retriever: Retriever | None = None,
        tools: dict[str, AgentTool] | None = None,
    ) -> None:
        bound = (llm, fast_llm, retriever, tools) != (None, None, None, None)
        self.parts = RunParts(llm, fast_llm, retriever, tools or {}) if bound else None  # type: ignore[arg-type]

    # -- helpers ------------------------------------------------------------------------------------------

    def _parts(self, context: AgentContext) -> RunParts:
        """The parts this graph was built with, else the run's own (the shared graph holds none)."""
        parts = self.parts or getattr(context, "parts", None)
        if parts is None:
            raise RuntimeError("the shared agent graph needs the run's parts in AgentContext.parts")
        return parts

    def _agent_tools(self, context: AgentContext) -> list[AgentTool]:
        tools = self._parts(context).tools
        return [tools[name] for name in context.config.tools if name in tools]

    def _prompt(
        self, state: AgentState, context: AgentContext, request: str, model: BaseChatModel | None = None
    ) -> list[BaseMessage]:
        """The messages of one call, as whole as `model`'s context window allows (see `prompts.FITS`): a
        small local model (4,096 tokens) would otherwise refuse the prompt once a few tool results pile up."""
        marked = context.spotlight
        system = prompts.system_prompt(
            context.config, canary=context.canary, marked=marked, brand_voice=context.brand_voice
        )
        window = _prompt_window(model)
        messages: list[BaseMessage] = []
        for fit in prompts.FITS if window is not None else prompts.FITS[:1]:
            workspace = prompts.workspace(dict(state), boundary=context.boundary, marked=marked, fit=fit)
            messages = [
                SystemMessage(content=system),
                *prompts.history(state.get("messages") or [], fit.turns),
                HumanMessage(content=workspace),
                HumanMessage(content=request),
            ]
            if window is None or sum(prompts.estimate_tokens(text_of(m)) for m in messages) <= window:
                break
        return messages  # the leanest when none fits: the provider then says clearly what is too long

    async def _search(self, state: AgentState, context: AgentContext, query: str) -> list[dict[str, Any]]:
        scope = require_scope(context)
        documents = tuple(state.get("document_ids") or ())
        # The run's first search may be running already: the runner starts it before the graph (`prefetch`).
        key = first_search_key(
            state.get("run_id"),
            query,
            documents,
            cycle=state.get("iterations", 0),
            known=len(state.get("context") or []),
        )
        if (started := context.prefetch.take(key)) is not None:
            return await started
        retriever = self._parts(context).retriever
        return await search_passages(retriever, scope, context.config.retrieval_config, query, documents)

    def _merge(
        self, state: AgentState, found: list[dict[str, Any]], *, from_search: bool = False
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """New passages appended to the context (each chunk once); flagged ones go to `blocked_sources`.

        `from_search`: `found` is what the space's search returned (`search_passages`), whose chunks carry their
        stored injection verdict (`_verdict`); a tool's sources never do, whatever their passages say."""
        context = list(state.get("context") or [])
        blocked = list(state.get("blocked_sources") or [])
        seen = {p.get("chunk_id") for p in context} | {p.get("chunk_id") for p in blocked}
        for passage in found:
            if passage.get("chunk_id") in seen:
                continue
            seen.add(passage.get("chunk_id"))
            verdict = _verdict(passage, stored=from_search)
            if verdict.contaminated:
                blocked.append({**passage, "reason": verdict.reason, "rule": verdict.pattern})
            else:
                context.append(passage)
        return context, blocked

    # -- nodes --------------------------------------------------------------------------------------------

    async def retrieve(self, state: AgentState, runtime: Runtime[AgentContext]) -> Update:
        context = runtime.context
        require_scope(context)
        if context.should_stop():
            return {"cancelled": True}
        query = state.get("search_query") or state.get("request") or ""
        _emit(runtime, "step", name="retrieve", status="started", query=query)
        try:
            found = await self._search(state, context, query)
        except Exception as exc:
            log.warning("agent retrieval failed: %s", exc)
            _emit(runtime, "step", name="retrieve", status="failed", error=_failure(exc))
            return {"error": f"Searching the space failed: {_failure(exc)}"}
        merged, blocked = self._merge(state, found, from_search=True)
        newly_blocked = len(blocked) - len(state.get("blocked_sources") or [])
        _emit(
            runtime,
            "step",
            name="retrieve",
            status="done",
            found=len(found),
            used=len(merged) - len(state.get("context") or []),
            blocked=newly_blocked,
        )
        return {"context": merged, "blocked_sources": blocked, "needs_more_context": False}

    async def think(self, state: AgentState, runtime: Runtime[AgentContext]) -> Update:
        context = runtime.context
        require_scope(context)
        if context.should_stop():
            return {"cancelled": True}
        if state.get("error"):
            return {}
        spent = _spent_tools(state)
        tools = [t for t in self._agent_tools(context) if t.name not in spent]
        cap = context.config.max_iterations
        forced = None
        speculation: Speculation | None = None
        if state.get("iterations", 0) >= cap - 1 and not state.get("draft"):
            forced = "write_answer"  # the last allowed cycle writes an answer rather than stopping with none
        elif _repeating(state):
            forced = "write_answer"  # the same tool for the last two calls: the loop is going nowhere
        if forced:
            decision: dict[str, Any] = {"action": forced, "tool": "none", "search_query": "", "reason": "forced"}
        else:
            schema = decision_model(tuple(t.name for t in tools))
            default = schema(action="write_answer" if not state.get("draft") else "finish", reason="default")
            fast = self._parts(context).fast_llm
            messages = self._prompt(state, context, prompts.decision_request(tools, dict(state), cap), fast)
            speculation = self._speculate(state, context)
            _emit(runtime, "step", name="think", status="started")
            try:
                chosen, repairs = await decide(
                    self._parts(context).fast_llm, schema, messages, default=default, what="decision"
                )
            except Exception as exc:
                if speculation is not None:
                    speculation.cancel()
                return {"error": _failure(exc)}
            except BaseException:
                if speculation is not None:
                    speculation.cancel()
                raise
            decision = chosen.model_dump()
            decision["repairs"] = repairs
        if decision["action"] == "use_tool" and decision.get("tool") not in {t.name for t in tools}:
            decision["action"] = "write_answer"
        if decision["action"] == "finish" and not state.get("draft"):
            decision["action"] = "write_answer"
        if speculation is not None:
            if decision["action"] == "write_answer" and not context.should_stop():
                context.speculation.put(speculation)  # `act` streams it (`_write`)
            else:
                speculation.cancel()  # never emitted nor stored: the decision was not to write
        _emit(
            runtime,
            "step",
            name="think",
            status="done",
            action=decision["action"],
            tool=decision.get("tool"),
            reason=decision.get("reason", ""),
        )
        update: Update = {"decision": decision}
        if decision["action"] == "finish":
            update["task_complete"] = True
        return update

    async def act(self, state: AgentState, runtime: Runtime[AgentContext]) -> Update:
        context = runtime.context
        require_scope(context)
        decision = state.get("decision") or {}
        action = decision.get("action", "write_answer")
        if action in ("use_tool", "search_more"):
            context.speculation.drop()  # `think` keeps one only for a write; never let a stale one linger
        try:
            if action == "use_tool":
                return {
                    **await self._use_tool(state, runtime, self._parts(context).tools[decision["tool"]]),
                    "last_action": action,
                }
            if action == "search_more":
                query = decision.get("search_query") or state.get("request", "")
                _emit(runtime, "step", name="search_more", status="started", query=query)
                found = await self._search(state, context, query)
                merged, blocked = self._merge(state, found, from_search=True)
                _emit(
                    runtime,
                    "step",
                    name="search_more",
                    status="done",
                    used=len(merged) - len(state.get("context") or []),
                )
                return {"context": merged, "blocked_sources": blocked, "last_action": action}
            return {**await self._write(state, runtime), "last_action": "write_answer"}
        except Exception as exc:
            log.warning("agent step %s failed: %s", action, exc)
            return {"error": _failure(exc), "last_action": action}

    async def _use_tool(self, state: AgentState, runtime: Runtime[AgentContext], tool: AgentTool) -> Update:
        context = runtime.context
        fast = self._parts(context).fast_llm
        messages = self._prompt(state, context, prompts.args_request(tool, dict(state)), fast)
        default = _empty_args(tool)
        args_value, repairs = await decide(
            self._parts(context).fast_llm, tool.args_model, messages, default=default, what="arguments"
        )
        args = args_value.model_dump(mode="json") if args_value is not None else {}
        _emit(runtime, "tool_call", tool=tool.name, arguments=args, repairs=repairs)
        outcome = await tool.invoke(context.tool_env, args)
        _emit(runtime, "tool_result", tool=tool.name, ok=outcome.ok, result=outcome.result, error=outcome.error)
        record = {
            "tool": tool.name,
            "arguments": args,
            "ok": outcome.ok,
            "error": outcome.error,
            "rendered": outcome.render(),
        }
        update: Update = {"tool_results": [*(state.get("tool_results") or []), record]}
        if outcome.sources:
            merged, blocked = self._merge(state, [asdict(p) for p in outcome.sources])
            update |= {"context": merged, "blocked_sources": blocked}
        return update

    def _writing_prompt(self, state: AgentState, context: AgentContext) -> list[BaseMessage]:
        return self._prompt(state, context, prompts.ANSWER_REQUEST, self._parts(context).llm)

    def _writer(self, context: AgentContext) -> Any:
        return self._parts(context).llm.bind(temperature=context.config.temperature)

    def _speculate(self, state: AgentState, context: AgentContext) -> Speculation | None:
        """The writing call started now, beside the decision call, when the run allows it and no draft exists
        yet (with a draft the decision is about finishing, rarely about writing again); see `speculation`."""
        if not context.speculative_write or state.get("draft"):
            return None
        messages = self._writing_prompt(state, context)  # what `_write` would send
        return Speculation(self._writer(context).astream(messages), key=_write_key(state))

    async def _write(self, state: AgentState, runtime: Runtime[AgentContext]) -> Update:
        context = runtime.context
        _emit(runtime, "step", name="write", status="started")
        # The call `think` started beside its decision, if it did for this very state; else a call of our own.
        speculation = context.speculation.take(_write_key(state))
        try:
            return await self._stream_answer(state, runtime, speculation)
        finally:
            if speculation is not None:
                speculation.cancel()  # left early (blocked, Stop, error): stop the call; no-op once it ended

    async def _stream_answer(
        self, state: AgentState, runtime: Runtime[AgentContext], speculation: Speculation | None
    ) -> Update:
        context = runtime.context
        if speculation is not None:
            stream = speculation.chunks()
        else:
            stream = self._writer(context).astream(self._writing_prompt(state, context))
        # Risky spans (an address, the canary, a source instruction's payload) wait until the cheap checks
        # have seen them whole; a blocked one never reaches a follower (see `holdback`).
        gate = HoldBack(
            passages=state.get("context") or [], canary=context.canary, request=str(state.get("request") or "")
        )
        # Leaving the loop early stops pulling from the model; the event loop's async-generator hook then
        # closes its stream in a task of its own. Closing it inline (`contextlib.aclosing`) was tried: the
        # executor tests then segfaulted in psycopg's pipeline under the checkpointer (not root-caused).
        async for chunk in stream:
            if (piece := unmark(text_of(chunk))) and (shown := gate.feed(piece)):
                _emit(runtime, "token", text=shown)
            if gate.blocked is not None:
                break  # stop generating: the rest of a blocked answer is of no use
            if context.should_stop():
                # What followers saw: a span still held back was never checked, so it is not kept.
                return {"draft": gate.shown, "cancelled": True}
        if gate.blocked is None and (rest := gate.finish()):
            _emit(runtime, "token", text=rest)
        draft = strip_echoed_blocks(gate.text)
        if gate.blocked is not None:
            _emit(runtime, "step", name="write", status="blocked", rule=gate.blocked["rule"])
            return {"draft": draft, "contamination_detected": True, "contamination": gate.blocked}
        _emit(runtime, "step", name="write", status="done", characters=len(draft), links_removed=gate.links_removed)
        return {"draft": draft}

    async def check(self, state: AgentState, runtime: Runtime[AgentContext]) -> Update:
        context = runtime.context
        require_scope(context)
        update: Update = {"iterations": state.get("iterations", 0) + 1}
        if state.get("error") or state.get("cancelled") or context.should_stop():
            return update | {"cancelled": bool(state.get("cancelled") or context.should_stop())}
        if state.get("last_action") != "write_answer":
            return update
        draft = state.get("draft") or ""
        _emit(runtime, "step", name="check", status="started")
        contamination = (
            state.get("contamination")  # found while the answer streamed (`_write`)
            if state.get("contamination_detected")
            else contamination_of(draft, state.get("context") or [], context.canary, str(state.get("request") or ""))
        )
        if contamination is not None:
            _emit(runtime, "step", name="check", status="blocked", rule=contamination["rule"])
            return update | {"contamination_detected": True, "contamination": contamination}
        if state.get("task_complete") or (state.get("decision") or {}).get("reason") == "forced":
            _emit(runtime, "step", name="check", status="done", complete=True)
            return update | {"task_complete": True}
        default = Review(complete=True)
        messages = self._prompt(state, context, prompts.REVIEW_REQUEST, self._parts(context).fast_llm)
        try:
            review, _ = await decide(self._parts(context).fast_llm, Review, messages, default=default, what="review")
        except Exception as exc:
            return update | {"error": _failure(exc)}
        _emit(
            runtime,
            "step",
            name="check",
            status="done",
            complete=review.complete,
            needs_more_context=review.needs_more_context,
        )
        if review.needs_more_context and not review.complete:
            return update | {"needs_more_context": True, "search_query": review.missing or state.get("request", "")}
        return update | {"task_complete": review.complete}

    async def finish(self, state: AgentState, runtime: Runtime[AgentContext]) -> Update:
        """The end of every run: its stop reason, grounding, citations and the answer kept in the conversation."""
        context = runtime.context
        reason = stop_reason(state, context.config.max_iterations)
        draft = state.get("draft") or ""
        passages = state.get("context") or []
        claims = check_claims(draft, passages) if reason != "contaminated" else []
        citations = citations_for(draft, passages, claims) if reason != "contaminated" else []
        for citation in citations:
            _emit(runtime, "citation", **citation)
        message = final_message(reason, draft, state, context.config.max_iterations)
        unsupported = [c.to_dict() for c in claims if not c.supported]
        # What wrote the answer, for the audit pack of content saved from it (a deploy between the run and the
        # save must not change the record). A run refused for want of its parts ends here too: no model then.
        parts = self.parts or getattr(context, "parts", None)
        origin = {
            "model": _model_name(parts.llm if parts else None),
            "prompt_version": prompts.prompt_version(context.config),
        }
        if reason == "error":
            _emit(runtime, "error", message=state.get("error") or "The agent failed.")
        answer = AIMessage(
            content=message,
            additional_kwargs={
                "run_id": state.get("run_id"),
                "citations": citations,
                "stop_reason": reason,
                "unsupported_claims": unsupported,
                "contamination": state.get("contamination"),
                "created_at": datetime.now(UTC).isoformat(),
                **origin,
            },
        )
        _emit(
            runtime,
            "complete",
            stop_reason=reason,
            message=message,
            citations=citations,
            unsupported_claims=unsupported,
            contamination=state.get("contamination"),
            **origin,
        )
        return {
            "stop_reason": reason,
            "citations": citations,
            "claims": [c.to_dict() for c in claims],
            "messages": [answer],
        }


def _verdict(passage: dict[str, Any], *, stored: bool) -> ContaminationResult:
    """The injection detector's verdict on a passage about to enter the context.

    A chunk from the space's search (`stored`) that this very detector version judged is not scanned again:
    ingestion, or the re-scan after a detector upgrade (`documents.rescan`), scanned its text and headings, which
    have not changed since, and search never returns a quarantined chunk, so that verdict was clean. Scanning it
    again cost milliseconds a passage, on the event loop, before the first token. Its title is still scanned: the
    document may have been renamed since (a title costs about a tenth of a millisecond the first time, nothing
    after: the detector remembers the titles it has judged).

    A chunk an admin released from quarantine is scanned whole every time, as every chunk was before: the
    release lets it into search, and the agents keep refusing released text the detector flags (today's
    conservative behaviour, kept on purpose). So is everything without a stored verdict of this version: fetched
    pages, tools' sources, the URL stream, business context, chunks of an older detector or never scanned.
    """
    title = str(passage.get("document_title") or "") or None
    if stored and passage.get("scan_version") == DETECTOR.version and not passage.get("released"):
        return DETECTOR.scan_document("", title=title)
    return DETECTOR.scan_document(
        str(passage.get("content", "")), headings=tuple(passage.get("heading_path") or ()), title=title
    )


def _model_name(llm: BaseChatModel | None) -> str | None:
    """The name usage records book for `llm` (the answer-writing model)."""
    if llm is None:
        return None
    name = getattr(llm, "usage_model_name", None) or getattr(llm, "model_name", None) or getattr(llm, "model", None)
    return str(name or type(llm).__name__)[:100]


# How many times one run may call one tool. A capable model rarely needs a tool twice; a small local one
# happily calls the same tool again and again with arguments it makes up (a date, an unrelated address as the
# topic), each call a slow decision plus a slow argument call before the reader sees a word.
TOOL_CALLS_PER_RUN = 2


def _prompt_window(model: BaseChatModel | None) -> int | None:
    """The tokens a prompt to `model` may take: its context window less room for its answer; None when the
    model does not say (remote models, whose windows dwarf any prompt built here)."""
    window = getattr(model, "context_tokens", None)
    if not isinstance(window, int) or window <= 0:
        return None
    answer = getattr(model, "max_tokens", None)
    reserve = min(answer if isinstance(answer, int) and answer > 0 else 512, window // 3)
    return window - reserve - 32  # 32: the chat template's role markers


def _repeating(state: AgentState) -> bool:
    """The run's last two tool calls used the same tool: whatever their arguments, a third call will not add
    what two did not, so the run writes with what it has."""
    results = state.get("tool_results") or []
    return len(results) >= 2 and results[-1]["tool"] == results[-2]["tool"]


def _spent_tools(state: AgentState) -> set[str]:
    """Tools this run has called `TOOL_CALLS_PER_RUN` times: no longer offered to the decision."""
    used = Counter(r["tool"] for r in state.get("tool_results") or [])
    return {name for name, count in used.items() if count >= TOOL_CALLS_PER_RUN}


def _write_key(state: AgentState) -> tuple[Any, ...]:
    """What the writing prompt depends on, as far as a speculative call must match it (`think` → `act`)."""
    return (
        state.get("run_id"),
        state.get("iterations", 0),
        len(state.get("context") or []),
        len(state.get("tool_results") or []),
        bool(state.get("draft")),
    )


def _empty_args(tool: AgentTool) -> Any:
    try:
        return tool.args_model()
    except Exception:
        return None


__all__ = ["Nodes"]
