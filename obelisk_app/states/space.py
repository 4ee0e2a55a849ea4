"""`SpaceState`: the base of every page state that reads or changes a space's (or organization's) data."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

import reflex as rx

from backend.core.errors import AppError, Unauthorized
from backend.tenancy.context import Principal, SpaceContext
from obelisk_app.states.auth import AuthState
from obelisk_app.states.log_scope import event_scope

logger = logging.getLogger(__name__)


class SpaceState(rx.State):
    """Base state of data pages: resolves the caller's scope on the server and runs service calls.

    A browser can send any event with any arguments and any claimed space id, so a handler never trusts
    what the page holds: it asks for the scope inside the call it protects. Subclass it, keep the page's
    rendered vars (and an `error: str = ""` if the page shows errors inline) on the subclass, and write
    each handler as "run this work":

        class NotesState(SpaceState):
            notes: list[NoteRow] = []
            error: str = ""

            async def _reload(self) -> None:
                self.notes = [note_row(n) for n in await notes.list_notes(await self._ctx())]

            @rx.event
            async def load(self) -> Any:
                return await self._call(self._reload())

            @rx.event
            async def delete(self, note_id: str) -> Any:
                async def work() -> None:
                    await notes.delete_note(await self._ctx(), note_id)
                    await self._reload()

                return await self._call(work(), success="Note deleted")

    The API (every name starts with `_`: Reflex turns public methods into events a browser may call):

    - `await self._ctx()` -> `SpaceContext`: the verified caller in their current space. Raises
      `Unauthorized` (no valid sign-in) or another `AppError` (not a member of that space...).
    - `await self._principal()` -> `Principal`: the verified caller before a space is chosen, for
      organization-level services (spaces, audit log, organization brand voice).
    - `await self._call(work, success="")`: awaits `work` (a coroutine that calls `_ctx()` /
      `_principal()` and the services) and returns what the handler should return: a lapsed sign-in
      clears it and redirects to /login; an `AppError` becomes `self.error` (when the page declares it)
      and an error toast; otherwise `work`'s own result (an event such as a download, or None), plus a
      success toast when `success` is given. Anything else is a bug and propagates (Reflex logs it).
      Log lines and audit rows written meanwhile carry one `evt-...` correlation id and the caller's ids.
      Resolve the scope inside `work` (`await self._ctx()` there, not before `_call`), so a lapsed
      sign-in or a foreign space id is caught like any other refusal.
    - `await self._failed(exc)`: the same translation of an `AppError` into an event, for handlers
      that cannot wrap their work in `_call` (a background handler resolving its scope inside
      `async with self`, then awaiting the slow call outside it, inside `with event_scope():` from
      `states/log_scope.py`: see `RetrievalState.search` in `pages/retrieval_state.py`).
    - `await self._auth()`: the shared `AuthState` (user, spaces, current role) when a page needs more.

    Vars declared here would be shared by every page state (Reflex substates read their parent's vars),
    so this class declares none.
    """

    async def _auth(self) -> AuthState:
        return await self.get_state(AuthState)

    async def _principal(self) -> Principal:
        return await (await self._auth())._principal()

    async def _ctx(self) -> SpaceContext:
        return await (await self._auth())._space_context()

    def _show_error(self, message: str) -> None:
        if "error" in self.base_vars:
            self.error = message

    async def _failed(self, exc: AppError) -> Any:
        if isinstance(exc, Unauthorized):
            return (await self._auth())._signed_out()
        self._show_error(exc.message)
        return rx.toast.error(exc.message)

    async def _call(self, work: Awaitable[Any], *, success: str = "") -> Any:
        self._show_error("")
        with event_scope():
            try:
                result = await work
            except AppError as exc:
                return await self._failed(exc)
        if not success:
            return result
        toast = rx.toast.success(success)
        return toast if result is None else [result, toast]
