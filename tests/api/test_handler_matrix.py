"""Every browser-callable Reflex event handler in one matrix, like the route matrix of `test_cross_space.py`.

A browser can call any handler of any state with any arguments, whatever the page shows. The handlers are
enumerated here from the app's states (every `rx.State` subclass under `obelisk_app`), and each is declared
with what it acts on and who may call it:

- `space(role, attack)`: reads or changes the data of the caller's current space; `role` is the least
  space role that may call it; `attack` names the test that calls it with another space's real ids.
- `org(role, attack)`: acts on the caller's own organization (spaces, audit log, organization voice).
- `account(attack)`: acts on the signed-in caller alone (sign-out, a new verification link, switching).
- `public(attack)`: callable before signing in (sign-in, sign-up, invitation, verification, status).
- `TAB`: sets a var of the caller's own tab and reaches no data.

A new handler fails `test_every_browser_callable_handler_is_declared` until it is declared. The generic
tests then hold each declaration to account: every space handler refuses a space of the same organization
the caller is not a member of, refuses a role below its own, and every tab handler works without any
sign-in and never resolves a caller.
"""

from __future__ import annotations

import importlib
import inspect
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from backend.core.errors import AppError, Forbidden, NotFound
from tests.api.world import World
from tests.support.ui import Tab


@dataclass(frozen=True)
class Handler:
    scope: str
    role: str = ""
    attack: str = ""


def space(role: str, attack: str = "") -> Handler:
    return Handler("space", role, attack)


def org(role: str, attack: str) -> Handler:
    return Handler("organization", role, attack)


def account(attack: str) -> Handler:
    return Handler("account", "", attack)


def public(attack: str) -> Handler:
    return Handler("public", "", attack)


TAB = Handler("tab")

_REFLEX = "test_reflex_handlers.py"
_GENERIC = "test_handler_matrix.py::test_space_handlers_refuse_a_space_of_the_organization_the_caller_is_not_in"
_CHAT = "test_chat_handlers.py::test_chat_handlers_refuse_another_spaces_conversation_run_and_documents"
_CONTENT = "test_content_handlers.py::test_content_handlers_refuse_another_space"
_PERFORMANCE = "test_content_handlers.py::test_the_live_page_card_links_an_address_and_refuses_another_space"
_DASHBOARD = "test_dashboard_handlers.py::test_dashboard_handlers_refuse_another_space"
_GA4 = "test_integrations_handlers.py::test_ga4_handlers_refuse_another_space"
_SLACK = "test_slack_handlers.py::test_slack_handlers_refuse_another_space"
_AGENTS = "test_agents_handlers.py::test_agent_handlers_refuse_another_space"
_MEMBERS = f"{_REFLEX}::test_member_handlers_refuse_another_space"
_MEMBER_OBJECTS = f"{_REFLEX}::test_member_handlers_refuse_other_space_objects_in_my_space"
_SPACE_ADMIN = f"{_REFLEX}::test_space_switch_and_space_admin_handlers_refuse_another_organization"
_LIBRARY = f"{_REFLEX}::test_library_and_brand_voice_handlers_refuse_another_space"
_DOCUMENT = f"{_REFLEX}::test_document_page_takes_its_id_from_the_route_and_refuses_another_spaces"
_SAME_ORG = f"{_REFLEX}::test_a_member_of_one_space_cannot_reach_the_organizations_other_space"
_VOICE_RULES = "test_content_handlers.py::test_repeated_edits_are_proposed_and_accepted_on_the_brand_voice_page"

HANDLERS: dict[str, dict[str, Handler]] = {
    "AuthState": {
        "require_login": account(f"{_REFLEX}::test_handlers_without_a_valid_token_send_to_sign_in"),
        "redirect_if_signed_in": account("test_handler_matrix.py::test_public_and_account_handlers"),
        "logout": account("test_handler_matrix.py::test_public_and_account_handlers"),
        "switch_space": account(_SPACE_ADMIN),
        "resend_verification": account(
            "test_email_verification_api.py::test_the_shell_offers_a_new_link_until_the_address_is_confirmed"
        ),
    },
    "IndexState": {"go": public("test_handler_matrix.py::test_public_and_account_handlers")},
    "LoginState": {"submit": public(f"{_REFLEX}::test_sign_in_form_opens_a_session_or_shows_why_not")},
    "SignupState": {"submit": public("test_handler_matrix.py::test_public_and_account_handlers")},
    "InviteState": {
        "load": public("test_handler_matrix.py::test_the_invitation_page_shows_its_own_invitation_only"),
        "accept": public("test_handler_matrix.py::test_the_invitation_page_shows_its_own_invitation_only"),
    },
    "VerifyEmailState": {
        "load": public("test_email_verification_api.py::test_the_verification_page_confirms_the_address_once")
    },
    "StatusState": {"load": public("test_status_page_state.py::test_anonymous_visitors_see_the_overall_status_only")},
    "AuditState": {"load": org("admin", _SPACE_ADMIN), "page": org("admin", _SPACE_ADMIN)},
    "SpacesState": {
        "load": org("admin", _SPACE_ADMIN),
        "create": org("admin", f"{_REFLEX}::test_ui_actions_are_audited_under_one_event_correlation_id"),
        "archive": org("admin", _SPACE_ADMIN),
        "save_rename": org("admin", _SPACE_ADMIN),
        "start_rename": TAB,
        "set_editing_name": TAB,
    },
    "MembersState": {
        "load": space("viewer", _MEMBERS),
        "invite": space("admin", _MEMBERS),
        "change_role": space("admin", _MEMBER_OBJECTS),
        "remove": space("admin", _MEMBER_OBJECTS),
        "revoke_invitation": space("admin", _MEMBER_OBJECTS),
        "set_invite_role": TAB,
    },
    "BrandVoiceState": {
        "load": space("viewer", _SAME_ORG),
        "save_space": space("admin", _LIBRARY),
        "save_organization": org("admin", "test_handler_matrix.py::test_org_handlers_refuse_a_space_admin"),
    },
    "VoiceRulesState": {"load": space("viewer", _VOICE_RULES), "accept": space("admin", _VOICE_RULES)},
    "DocumentsState": {
        "load": space("viewer", _LIBRARY),
        "search": space("viewer", _LIBRARY),
        "set_tag_filter": space("viewer", _LIBRARY),
        "set_status_filter": space("viewer", _LIBRARY),
        "poll": space("viewer", _LIBRARY),
        "reindex": space("editor", _LIBRARY),
        "delete": space("editor", _LIBRARY),
        "add_url": space("editor", f"{_REFLEX}::test_brand_voice_and_url_handlers"),
        "handle_upload": space("editor", _GENERIC),
        "add_suggested_tag": TAB,
        "set_query": TAB,
        "set_upload_tags": TAB,
        "set_url": TAB,
    },
    "DocumentState": {
        "load": space("viewer", _DOCUMENT),
        "page": space("viewer", _DOCUMENT),
        "download": space("viewer", _DOCUMENT),
        "release": space("editor", _DOCUMENT),
        "save": space("editor", _LIBRARY),
        "set_tags": TAB,
        "set_valid_until": TAB,
    },
    "RetrievalState": {
        "search": space("viewer", "test_retrieval_handlers.py"),
        "set_query": TAB,
        "set_enhance": TAB,
    },
    "AgentsState": {
        "load": space("viewer", _AGENTS),
        "save": space("admin", _AGENTS),
        "restore_defaults": space("admin", _AGENTS),
        "edit": TAB,
        "cancel": TAB,
    },
    "ChatState": {
        "load": space("viewer", _CHAT),
        "earlier": space("viewer", _CHAT),
        "follow": space("viewer", _CHAT),
        "stop": space("editor", _CHAT),
        "send": space("editor", _CHAT),
        "save_rename": space("editor", _CHAT),
        "delete": space("editor", _CHAT),
        "mention": TAB,
        "resume": space("editor", _CHAT),
        "retry": space("editor", _CHAT),
        "save_as_content": space("editor", _CHAT),
        "new_conversation": space("editor", "test_chat_handlers.py::test_bad_messages_are_refused_and_change_nothing"),
        "unmention": TAB,
        "set_draft": TAB,
        "set_agent": TAB,
        "start_rename": TAB,
        "set_rename_value": TAB,
    },
    "DashboardState": {
        "load": space("viewer", _DASHBOARD),
        "choose_preset": space("viewer", _DASHBOARD),
        "choose_dates": space("viewer", _DASHBOARD),
        "refresh": space("viewer", _DASHBOARD),
    },
    "ContentState": {
        "load": space("viewer", _CONTENT),
        "create": space("editor", _CONTENT),
        "set_require_supported": space("admin", _CONTENT),
        "set_state_filter": space("viewer", _CONTENT),
        "set_type_filter": space("viewer", _CONTENT),
        "search": space("viewer", _CONTENT),
        "set_query": TAB,
        "set_new_title": TAB,
        "set_new_type": TAB,
        "set_new_body": TAB,
    },
    "ContentItemState": {
        "load": space("viewer", _CONTENT),
        "save_version": space("editor", _CONTENT),
        "apply_fix": space("editor", _CONTENT),
        "transition": space("editor", _CONTENT),
        "add_comment": space("editor", _CONTENT),
        "view_version": space("viewer", _CONTENT),
        "set_compare": space("viewer", _CONTENT),
        "download_audit": space("viewer", _CONTENT),
        "set_draft": TAB,
        "set_note": TAB,
        "set_override": TAB,
        "set_comment": TAB,
    },
    "ContentPerformanceState": {
        "load": space("viewer", _PERFORMANCE),
        "save_url": space("editor", _PERFORMANCE),
        "unlink": space("editor", _PERFORMANCE),
        "set_url_draft": TAB,
    },
    "SlackState": {
        "load": space("viewer", _SLACK),
        "connect": space("admin", _SLACK),
        "disconnect": space("admin", _SLACK),
        "start_install": space("admin", _SLACK),
        "refresh_channels": space("admin", _SLACK),
        "choose_channel": space("admin", _SLACK),
        "choose_typed_channel": space("admin", _SLACK),
    },
    "SlackReviewState": {
        "send": space("editor", "test_slack_handlers.py::test_send_to_slack_button_refuses_another_spaces_item")
    },
    "IntegrationsState": {
        "load": space("viewer", _GA4),
        "connect": space("admin", _GA4),
        "choose_property": space("admin", _GA4),
        "disconnect": space("admin", _GA4),
    },
}


def _app_states() -> Iterator[type]:
    from reflex.state import State

    Tab()  # imports the app: registers every page and state

    def walk(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return (c for c in walk(State) if c.__module__.startswith("obelisk_app."))


def _found() -> dict[str, set[str]]:
    found = {c.__name__: set(c.event_handlers) - {"setvar"} for c in _app_states()}  # type: ignore[attr-defined]
    return {name: handlers for name, handlers in found.items() if handlers}


def _cls(name: str) -> type:
    return next(c for c in _app_states() if c.__name__ == name)


def _declared(scope: str) -> list[tuple[str, str, Handler]]:
    return [(s, h, d) for s, handlers in HANDLERS.items() for h, d in handlers.items() if d.scope == scope]


def test_every_browser_callable_handler_is_declared() -> None:
    assert _found() == {name: set(handlers) for name, handlers in HANDLERS.items()}


def test_every_declared_attack_names_a_test_that_exists() -> None:
    missing = []
    for state, handlers in HANDLERS.items():
        for name, declared in handlers.items():
            if declared.scope == "tab":
                continue
            module, _, test = declared.attack.partition("::")
            loaded = importlib.import_module(f"tests.api.{module.removesuffix('.py')}")
            if test and not callable(getattr(loaded, test, None)):
                missing.append(f"{state}.{name}: {declared.attack}")
    assert missing == [], "\n".join(missing)


# What a hostile browser sends: well-formed values, so that a handler's own input checks pass and what decides
# is the caller's space and role. Ids default to the objects of `Objects` (or fresh uuids).
_ARGUMENTS: dict[str, Any] = {
    "form": {"name": "x", "email": "x@example.com", "role": "viewer", "tone": "x", "start": "2030-01-01",
             "end": "2030-01-31", "query": "x", "bot_token": "xoxb-1111-2222-abcdef", "channel": "#marketing",
             "signing_secret": "0123456789abcdef0123456789abcdef"},
    "value": "x",
    "delta": 1,
    "index": 0,
    "number": "1",
    "fmt": "json",
    "action": "submit",
    "preset": "30",
    "content_type": "blog_post",
    "find": "a",
    "replace": "b",
    "role": "viewer",
    "agent": "seo",
    "tag": "x",
    "name": "x",
    "property_id": "properties/123",
}
# Vars of the tab a handler reads its input from (a browser sets them through the tab handlers).
_TAB_VARS: dict[str, dict[str, Any]] = {
    "ChatState": {"draft": "Hello there", "agent": "seo", "rename_value": "Renamed", "_pending": True},
    "ContentState": {"new_title": "A title", "new_body": "A body.", "new_type": "blog_post"},
    "ContentItemState": {"draft": "A new body.", "comment": "A comment.", "current_version": 1},
    "ContentPerformanceState": {"url_draft": "https://example.com/post"},
    "DocumentState": {"tags": "x"},
}
_ROUTES = {
    "DocumentState": ("/documents/[document_id]", "document_id"),
    "ContentItemState": ("/content/[content_id]", "content_id"),
    "ContentPerformanceState": ("/content/[content_id]", "content_id"),
    "SlackReviewState": ("/content/[content_id]", "content_id"),
    "ChatState": ("/chat/[conversation_id]", "conversation_id"),
}


@dataclass
class Objects:
    """Real objects of one space, named by the handlers' id arguments and route variables."""

    document_id: str = ""
    chunk_id: str = ""
    content_id: str = ""
    conversation_id: str = ""
    run_id: str = ""
    space_id: str = ""

    def get(self, name: str) -> str:
        return getattr(self, name, "") or str(uuid.uuid4())


class _Upload:
    """A file as Reflex hands it to an upload handler."""

    name = filename = "notes.md"

    async def read(self, size: int = -1) -> bytes:
        return b"# Notes\n\nA page of notes.\n"


def _arguments(handler: Any, objects: Objects) -> list[Any]:
    out: list[Any] = []
    for p in list(inspect.signature(handler.fn).parameters.values())[1:]:
        if p.name == "files":
            out.append([_Upload()])
        elif p.name in _ARGUMENTS:
            out.append(_ARGUMENTS[p.name])
        elif p.name.endswith("_id"):
            out.append(objects.get(p.name))
        else:
            out.append(True if p.annotation in ("bool", bool) else "x")
    return out


def _tab(token: str, space_id: str, state_name: str, objects: Objects) -> Tab:
    route, variable = _ROUTES.get(state_name, ("/", ""))
    tab = Tab(token, space_id, route=route, params={variable: objects.get(variable)} if variable else None)
    state = tab.state(_cls(state_name))
    for var, value in _TAB_VARS.get(state_name, {}).items():
        setattr(state, var, value)
    if state_name == "ChatState":
        state.run_id = objects.get("run_id")
    return tab


def _follows(state_name: str, handler_name: str, objects: Objects) -> Objects:
    """A live run is followed until it ends, and a queued run never ends here: follow a run that does not exist."""
    return Objects() if (state_name, handler_name) == ("ChatState", "follow") else objects


async def _call(tab: Tab, state_name: str, handler_name: str, objects: Objects) -> None:
    cls = _cls(state_name)
    handler = cls.event_handlers[handler_name]  # type: ignore[attr-defined]
    result = handler.fn(tab.state(cls), *_arguments(handler, objects))
    if inspect.isasyncgen(result):
        _ = [update async for update in result]
    elif inspect.isawaitable(result):
        await result


@pytest.fixture
def resolved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each resolution of a caller's space by a handler (`AuthState._space_context`): the space, or the error."""
    from obelisk_app.pages import documents_state
    from obelisk_app.states.auth import AuthState

    seen: list[str] = []
    original = AuthState._space_context

    async def resolve(self: Any) -> Any:
        try:
            ctx = await original(self)
        except AppError as exc:
            seen.append(type(exc).__name__)
            raise
        seen.append(str(ctx.space_id))
        return ctx

    monkeypatch.setattr(AuthState, "_space_context", resolve)
    monkeypatch.setattr(documents_state, "POLL_SECONDS", 0)
    return seen


@pytest.fixture
def forbidden(monkeypatch: pytest.MonkeyPatch) -> list[Forbidden]:
    """Every `Forbidden` raised meanwhile, even one a handler shows inline instead of reporting it."""
    seen: list[Forbidden] = []
    original = Forbidden.__init__

    def init(self: Forbidden, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        seen.append(self)

    monkeypatch.setattr(Forbidden, "__init__", init)
    return seen


async def test_space_handlers_refuse_a_space_of_the_organization_the_caller_is_not_in(
    same_org_world: World, resolved: list[str]
) -> None:
    """Sam, admin of General, names Bravo (same organization, not his) with Bravo's real ids: every space
    handler resolves the space on the server, is refused, and shows nothing of Bravo."""
    w = same_org_world
    bravo = Objects(document_id=w.b_document_id, chunk_id=w.b_chunk_id)
    failures = []
    for state_name, handler_name, _ in _declared("space"):
        resolved.clear()
        tab = _tab(w.ada.token, w.eve.space_id, state_name, bravo)
        await _call(tab, state_name, handler_name, bravo)
        if not resolved or any(r not in (Forbidden.__name__, NotFound.__name__) for r in resolved):
            failures.append(f"{state_name}.{handler_name}: resolved {resolved}")
        if w.b_secret in str(tab.root.dict()):
            failures.append(f"{state_name}.{handler_name}: shows Bravo's data")
    assert failures == [], "\n".join(failures)


async def _join(client: httpx.AsyncClient, admin: Any, who: str, role: str) -> str:
    invite = await client.post(
        f"/api/v1/spaces/{admin.space_id}/members",
        json={"email": f"{who}@example.com", "role": role},
        headers=admin.headers(),
    )
    assert invite.status_code == 201, invite.text
    accepted = await client.post(
        f"/api/v1/invitations/{invite.json()['invitation_token']}/accept",
        json={"name": who.title(), "password": f"{who}-correct-horse"},
    )
    assert accepted.status_code == 200, accepted.text
    return str(accepted.json()["access_token"])


async def _objects(client: httpx.AsyncClient, owner: Any) -> Objects:
    """A document, a content item and a conversation with a (queued) run, in the owner's space."""
    upload = await client.post(
        "/api/v1/documents", files={"file": ("plan.md", b"# Plan\n\nShip in May.\n")}, headers=owner.headers()
    )
    document_id = upload.json()["id"]
    chunks = (await client.get(f"/api/v1/documents/{document_id}/chunks", headers=owner.headers())).json()
    item = await client.post(
        "/api/v1/content", json={"title": "Post", "type": "blog_post", "body": "Ship in May."}, headers=owner.headers()
    )
    conversation = await client.post("/api/v1/conversations", json={"agent": "seo"}, headers=owner.headers())
    run = await client.post(
        f"/api/v1/conversations/{conversation.json()['id']}/runs", json={"message": "When?"}, headers=owner.headers()
    )
    assert run.status_code == 202, run.text
    return Objects(document_id, chunks[0]["id"], item.json()["id"], conversation.json()["id"], run.json()["run_id"])


_BELOW = {"editor": "viewer", "admin": "editor"}


async def test_space_handlers_refuse_a_role_below_theirs(
    client: httpx.AsyncClient, signup: Any, forbidden: list[Forbidden], queued: list[Any]
) -> None:
    """With the space's real objects: a handler declared for editors refuses a viewer, one for admins refuses
    an editor, and a handler declared for viewers lets a viewer in."""
    olga = await signup("olga")
    objects = await _objects(client, olga)
    tokens = {role: await _join(client, olga, role, role) for role in ("viewer", "editor")}
    failures = []
    for state_name, handler_name, declared in _declared("space"):
        caller = _BELOW.get(declared.role, "viewer")
        forbidden.clear()
        mine = _follows(state_name, handler_name, objects)
        await _call(_tab(tokens[caller], olga.space_id, state_name, mine), state_name, handler_name, mine)
        if declared.role == "viewer" and forbidden:
            failures.append(f"{state_name}.{handler_name} is declared for viewers but refused one: {forbidden}")
        if declared.role != "viewer" and not forbidden:
            failures.append(f"{state_name}.{handler_name} is declared for {declared.role}s but let a {caller} through")
    assert failures == [], "\n".join(failures)


async def test_tab_handlers_need_no_sign_in_and_reach_no_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tab handler sets the caller's own vars: with no token at all it neither asks who the caller is nor
    sends them to sign in."""
    from obelisk_app.states.auth import AuthState

    asked: list[str] = []

    async def principal(self: Any) -> Any:
        asked.append("principal")
        raise AssertionError("a tab handler asked who the caller is")

    monkeypatch.setattr(AuthState, "_principal", principal)
    failures = []
    for state_name, handler_name, _ in _declared("tab"):
        asked.clear()
        tab = _tab("", "", state_name, Objects())
        try:
            await _call(tab, state_name, handler_name, Objects())
        except AssertionError as exc:
            failures.append(f"{state_name}.{handler_name}: {exc}")
        if asked:
            failures.append(f"{state_name}.{handler_name} resolved a caller")
    assert failures == [], "\n".join(failures)


async def test_org_handlers_refuse_a_space_admin(same_org_world: World, forbidden: list[Forbidden]) -> None:
    """Sam is admin of General but not of the organization: its spaces, audit log and voice are not his to
    change (a handler declared for any member of the organization would let him in)."""
    from obelisk_app.pages.spaces_state import SpacesState

    w = same_org_world
    bravo = Objects(space_id=w.eve.space_id)
    failures = []
    for state_name, handler_name, declared in _declared("organization"):
        forbidden.clear()
        tab = _tab(w.ada.token, w.ada.space_id, state_name, bravo)
        spaces = tab.state(SpacesState)
        spaces.editing_id, spaces.editing_name = w.eve.space_id, "Hijacked"
        await _call(tab, state_name, handler_name, bravo)
        if declared.role == "admin" and not forbidden:
            failures.append(f"{state_name}.{handler_name} is for organization admins and let a space admin through")
        if declared.role == "member" and forbidden:
            failures.append(f"{state_name}.{handler_name} is for members and refused one: {forbidden}")
    assert failures == [], "\n".join(failures)


async def test_public_and_account_handlers(client: httpx.AsyncClient, signup: Any) -> None:
    """The doors in and out: the landing page, the sign-in page's redirect, sign-up and sign-out."""
    from backend.core.errors import Unauthorized
    from backend.tenancy.access import authenticate
    from obelisk_app.pages.index import IndexState
    from obelisk_app.pages.login import SignupState
    from obelisk_app.states.auth import AuthState

    assert "/login" in str(await IndexState.go.fn(Tab().state(IndexState)))
    assert await AuthState.redirect_if_signed_in.fn(Tab("not-a-token").auth) is None

    signing_up = Tab()
    form = {"email": "nia@example.com", "password": "nia-correct-horse", "name": "Nia", "organization_name": "Nia Co"}
    bad = Tab().state(SignupState)
    _ = [u async for u in SignupState.submit.fn(bad, {**form, "password": "short"})]
    assert bad.error and not bad.busy
    updates = [u async for u in SignupState.submit.fn(signing_up.state(SignupState), form)]
    token = signing_up.auth.access_token
    assert token and "/dashboard" in str(updates[-1])
    assert "/dashboard" in str(await IndexState.go.fn(Tab(token).state(IndexState)))
    assert "/dashboard" in str(await AuthState.redirect_if_signed_in.fn(Tab(token).auth))

    out = Tab(token)
    assert "/login" in str(await AuthState.logout.fn(out.auth))
    assert out.auth.access_token == "" and not out.auth.signed_in
    with pytest.raises(Unauthorized):
        await authenticate(token)  # the token is revoked, not only forgotten by the tab


async def test_the_invitation_page_shows_its_own_invitation_only(client: httpx.AsyncClient, signup: Any) -> None:
    """`/invite/<code>`: the code in the route decides; a made-up code shows a problem and no address."""
    from obelisk_app.pages.invite import InviteState

    ada = await signup("ada")
    invite = await client.post(
        f"/api/v1/spaces/{ada.space_id}/members",
        json={"email": "ivy@example.com", "role": "editor"},
        headers=ada.headers(),
    )
    code = invite.json()["invitation_token"]
    forged = Tab(route="/invite/[invite_code]", params={"invite_code": "x" * len(code)}).state(InviteState)
    await InviteState.load.fn(forged)
    assert forged.problem and forged.email == ""
    _ = [u async for u in InviteState.accept.fn(forged, {"name": "Ivy", "password": "ivy-correct-horse"})]
    assert forged.error

    tab = Tab(route="/invite/[invite_code]", params={"invite_code": code})
    page = tab.state(InviteState)
    await InviteState.load.fn(page)
    assert (page.problem, page.email, page.role) == ("", "ivy@example.com", "editor")
    updates = [u async for u in InviteState.accept.fn(page, {"name": "Ivy", "password": "ivy-correct-horse"})]
    assert page.error == "" and tab.auth.access_token and "/dashboard" in str(updates[-1])
    members = (await client.get(f"/api/v1/spaces/{ada.space_id}/members", headers=ada.headers())).json()
    assert {"ivy@example.com": "editor"}.items() <= {m["email"]: m["role"] for m in members}.items()
