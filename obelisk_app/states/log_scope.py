"""Log ids for one UI event: bound inside a `with` block, reset when the block ends.

Every log line (and audit row) written while a handler works carries a correlation id (`evt-...`), and,
once the caller is verified, their user and space ids. The ids come from `backend.core.logging.log_context`,
so each one set here is reset in a `finally`. This used to be a Reflex middleware; Reflex 0.10 calls a
middleware's `preprocess` but never its `postprocess`, so a middleware can set a context variable but has
nowhere to reset it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar

from backend.core.logging import correlation_id_var, log_context, new_correlation_id

# The exit stack of the innermost `event_scope`, so `bind_caller` can add ids that end with that scope.
_scope: ContextVar[ExitStack | None] = ContextVar("obelisk_ui_event_scope", default=None)


@contextmanager
def event_scope() -> Iterator[str]:
    """Bind a correlation id for the block (a new `evt-...` one, unless an enclosing scope has one).

    Nested scopes share the outer id, so a handler that calls another scoped helper logs under one id.
    """
    outer = correlation_id_var.get() if _scope.get() is not None else None
    with ExitStack() as stack:
        cid = stack.enter_context(log_context(correlation_id=outer or f"evt-{new_correlation_id()}"))
        token = _scope.set(stack)
        try:
            yield cid
        finally:
            _scope.reset(token)


def bind_caller(*, user_id: object = None, space_id: object = None) -> None:
    """Label the rest of the enclosing `event_scope` with the verified caller's ids (no-op outside one)."""
    stack = _scope.get()
    if stack is not None:
        stack.enter_context(log_context(user_id=user_id, space_id=space_id))
