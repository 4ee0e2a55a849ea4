"""GA4 for a space: connect (OAuth2 + PKCE), pick a property, run reports, disconnect. `ctx` first.

Rules, and why they hold:
- A Connect link's `state` is `<org hex><space hex>.<random>`; only its SHA-256 is stored, with the user, the
  space, the PKCE verifier (encrypted) and an expiry. The callback carries no bearer token (it is Google
  redirecting the browser), so the state is its only credential: it is looked up inside the space it names
  (row-level security), deleted in the same statement (single use), refused once expired, and the user it
  was issued to must still be an admin of that space. A forged or altered state finds no row.
- Tokens are stored encrypted per space (`backend.auth.crypto`, the space id as associated data) and used only
  for the space whose row holds them: every read goes through `get_database().tenant(ctx.scope)`.
- An access token is refreshed when less than five minutes of it are left, once for every caller needing it
  at that moment (joined in a process, the connection's row lock across processes). `invalid_grant` from Google
  (revoked, expired, dropped past 100 grants) marks the connection `needs_reconnect`; the UI shows a
  reconnect prompt and reports answer 409 `ga4_needs_reconnect` instead of failing again and again.
- Reports are cached for GA4_REPORT_CACHE_SECONDS under a key with the space, the property and the request;
  the connection is checked before the cache, so a disconnected space gets nothing from it. Identical
  requests in flight share one call, and a property's calls are bounded by Google's concurrency limit
  (`limits`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import TypeAdapter

from backend.analytics import client, limits, oauth, repository
from backend.analytics.client import Ga4Error, ReportQuery
from backend.analytics.models import CONNECTED, NEEDS_RECONNECT, Ga4Connection
from backend.analytics.schemas import (
    Ga4PropertyPublic,
    Ga4PropertyUpdate,
    Ga4Status,
    ReportPublic,
    ReportRequest,
    ReportRowPublic,
)
from backend.auth import crypto
from backend.core.cache import get_cache, get_json, set_json
from backend.core.config import get_settings
from backend.core.db import TenantScope, get_database
from backend.core.errors import AppError, Conflict, Forbidden, NotFound, RateLimited, ServiceUnavailable
from backend.tenancy import audit
from backend.tenancy.access import member_context
from backend.tenancy.context import SpaceContext

logger = logging.getLogger(__name__)
T = TypeVar("T")

REFRESH_MARGIN = timedelta(minutes=5)
"""An access token with less than this left is refreshed before use (Google's last for an hour)."""
DEFAULT_RETURN = "/integrations"
RECONNECT_MESSAGE = (
    "Google no longer accepts this space's GA4 connection (it was revoked or has expired). "
    "An admin of the space must reconnect GA4."
)
_STATE = re.compile(r"^([0-9a-f]{32})([0-9a-f]{32})\.([A-Za-z0-9_-]{20,100})$")
_RETURN_PATH = re.compile(r"^/[A-Za-z0-9/_-]{0,100}$")


def _require_admin(ctx: SpaceContext) -> None:
    if not ctx.can("admin"):
        raise Forbidden("Only space admins can manage the GA4 connection.", code="admin_required")


def _associated(space_id: uuid.UUID, what: str) -> bytes:
    return f"ga4:{space_id}:{what}".encode()


def _seal(space_id: uuid.UUID, what: str, value: str) -> bytes:
    return crypto.encrypt(value.encode(), associated_data=_associated(space_id, what))


def _open(space_id: uuid.UUID, what: str, blob: bytes) -> str:
    return crypto.decrypt(blob, associated_data=_associated(space_id, what)).decode()


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


# -- connect -----------------------------------------------------------------------------------------------


async def start_connect(ctx: SpaceContext, *, return_to: str = DEFAULT_RETURN) -> str:
    """A new Connect link: the Google authorization URL with a fresh state and PKCE challenge (space admins)."""
    _require_admin(ctx)
    settings = get_settings()
    try:
        oauth.require_client(settings)
    except oauth.OAuthError as exc:
        raise ServiceUnavailable(str(exc), code="ga4_not_configured") from None
    if not _RETURN_PATH.match(return_to or ""):
        return_to = DEFAULT_RETURN
    pkce = oauth.new_pkce()
    state = f"{ctx.organization_id.hex}{ctx.space_id.hex}.{secrets.token_urlsafe(32)}"
    now = _now()
    async with get_database().tenant(ctx.scope) as session:
        await repository.add_state(
            session,
            ctx.scope,
            state_hash=_hash(state),
            user_id=ctx.user_id,
            code_verifier_encrypted=_seal(ctx.space_id, "pkce", pkce.verifier),
            return_to=return_to,
            expires_at=now + timedelta(seconds=settings.ga4_state_ttl_seconds),
            now=now,
        )
    return oauth.authorization_url(settings, state=state, code_challenge=pkce.challenge)


@dataclass(frozen=True, slots=True)
class CallbackOutcome:
    """Where the browser goes after Google's redirect, and what happened (`error` is None on success)."""

    redirect_to: str
    error: str | None = None
    space_id: uuid.UUID | None = None


def _back(path: str, **params: str) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}{path}?{urlencode(params)}"


async def complete_connect(*, code: str | None, state: str | None, error: str | None = None) -> CallbackOutcome:
    """Google's redirect: check the state, trade the code (with the PKCE verifier) for tokens, store them.

    Never raises for what a browser can send: every failure is an outcome whose redirect names the problem,
    so the person lands on the Integrations page with a sentence instead of an error page.
    """
    match = _STATE.match(state or "")
    if match is None:
        return CallbackOutcome(_back(DEFAULT_RETURN, ga4_error="invalid_state"), "invalid_state")
    scope = TenantScope(organization_id=uuid.UUID(match.group(1)), space_id=uuid.UUID(match.group(2)))
    async with get_database().tenant(scope) as session:
        row = await repository.take_state(session, scope, state_hash=_hash(state or ""))
    if row is None:
        return CallbackOutcome(_back(DEFAULT_RETURN, ga4_error="invalid_state"), "invalid_state")
    back = row.return_to or DEFAULT_RETURN
    if row.expires_at <= _now():
        return CallbackOutcome(_back(back, ga4_error="expired_state"), "expired_state", scope.space_id)
    if error or not code:
        reason = "access_denied" if (error or "") == "access_denied" else "authorization_failed"
        return CallbackOutcome(_back(back, ga4_error=reason), reason, scope.space_id)
    ctx = await member_context(scope, row.user_id)
    if ctx is None or not ctx.is_admin:
        return CallbackOutcome(_back(back, ga4_error="forbidden"), "forbidden", scope.space_id)
    settings = get_settings()
    verifier = _open(scope.space_id, "pkce", row.code_verifier_encrypted)
    try:
        tokens = await oauth.exchange_code(settings, code=code, code_verifier=verifier)
    except oauth.OAuthError as exc:
        logger.warning("GA4 code exchange failed: %s", exc.error)
        return CallbackOutcome(_back(back, ga4_error="exchange_failed"), "exchange_failed", scope.space_id)
    if not tokens.refresh_token:
        return CallbackOutcome(_back(back, ga4_error="no_refresh_token"), "no_refresh_token", scope.space_id)
    await _store_grant(ctx, tokens)
    return CallbackOutcome(_back(back, ga4="connected"), None, scope.space_id)


async def _store_grant(ctx: SpaceContext, tokens: oauth.TokenSet) -> None:
    sid = ctx.space_id
    values: dict[str, Any] = {
        "refresh_token_encrypted": _seal(sid, "refresh", tokens.refresh_token or ""),
        "access_token_encrypted": _seal(sid, "access", tokens.access_token),
        "access_expires_at": tokens.expires_at,
        "scope": tokens.scope,
        "status": CONNECTED,
        "last_error": None,
        "connected_by": ctx.user_id,
        "updated_at": _now(),
    }
    replaced: str | None = None
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        old = await repository.get_connection(session, ctx.scope, lock=True)
        if old is not None and old.status == CONNECTED:
            replaced = _open(sid, "refresh", old.refresh_token_encrypted)
        await repository.save_connection(session, ctx.scope, values=values)
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=audit.Actor(ctx.user_id, None),
            action="ga4.connected",
            target="ga4",
            space_id=sid,
        )
    if replaced and replaced != tokens.refresh_token:
        # A connect over a working grant: nobody holds the old one any more, so Google should not either.
        await oauth.revoke(get_settings(), token=replaced)


# -- status, properties, disconnect ------------------------------------------------------------------------


async def status(ctx: SpaceContext) -> Ga4Status:
    """The space's GA4 state, for any member."""
    settings = get_settings()
    configured = bool(settings.google_oauth_client_id and settings.google_oauth_client_secret)
    async with get_database().tenant(ctx.scope) as session:
        row = await repository.get_connection(session, ctx.scope)
    if row is None:
        hint = "GA4 is not connected." if configured else "GA4 is not configured on this server."
        return Ga4Status(connected=False, configured=configured, message=hint)
    needs = row.status == NEEDS_RECONNECT
    message: str | None = None
    if needs:
        message = RECONNECT_MESSAGE
    elif not row.property_id:
        message = "Connected: pick the GA4 property this space reads."
    return Ga4Status(
        connected=True,
        property_id=row.property_id,
        property_name=row.property_name,
        needs_reconnect=needs,
        configured=configured,
        message=message,
        connected_at=row.created_at,
    )


async def availability(ctx: SpaceContext) -> tuple[str, str | None, Ga4Status]:
    """Whether the space's GA4 can answer reports: `ok`, or `not_configured`, `not_connected`,
    `needs_reconnect`, `no_property`, with a sentence saying what to do (for pages that show figures)."""
    current = await status(ctx)
    if not current.configured and not current.connected:
        return "not_configured", "GA4 is not configured on this server (Google OAuth client).", current
    if not current.connected:
        return "not_connected", "GA4 is not connected: an admin can connect it under Integrations.", current
    if current.needs_reconnect:
        return "needs_reconnect", current.message, current
    if not current.property_id:
        return "no_property", current.message, current
    return "ok", None, current


async def list_properties(ctx: SpaceContext) -> list[Ga4PropertyPublic]:
    """The GA4 properties the connected Google account can read (space admins)."""
    _require_admin(ctx)
    token = await _access_token(ctx.scope)
    properties = await _with_retry(ctx.scope, token, lambda t: client.list_properties(get_settings(), access_token=t))
    return [Ga4PropertyPublic(id=p.id, name=p.name, account=p.account) for p in properties]


async def set_property(ctx: SpaceContext, body: Ga4PropertyUpdate) -> Ga4Status:
    """Choose the property the space reads; it must be one the connected account can read (space admins)."""
    _require_admin(ctx)
    wanted = body.numeric_id
    chosen = next((p for p in await list_properties(ctx) if p.id == wanted), None)
    if chosen is None:
        raise NotFound("The connected Google account cannot read that GA4 property.", code="ga4_property_not_found")
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        changed = await repository.update_connection(
            session,
            ctx.scope,
            values={"property_id": chosen.id, "property_name": chosen.name[:300], "updated_at": _now()},
        )
        if not changed:
            raise Conflict("GA4 is not connected in this space.", code="ga4_not_connected")
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=audit.Actor(ctx.user_id, None),
            action="ga4.property_selected",
            target=chosen.id,
            space_id=ctx.space_id,
        )
    return await status(ctx)


async def disconnect(ctx: SpaceContext) -> bool:
    """Delete the space's tokens and revoke the grant at Google (space admins). True when Google confirmed.

    The tokens are deleted whatever Google answers: the space stops using them at once, and a grant Google
    could not be told about is one nobody here holds any more.
    """
    _require_admin(ctx)
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        row = await repository.delete_connection(session, ctx.scope)
        if row is None:
            return False
        refresh_token = _open(ctx.space_id, "refresh", row.refresh_token_encrypted)
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=audit.Actor(ctx.user_id, None),
            action="ga4.disconnected",
            target="ga4",
            space_id=ctx.space_id,
        )
    revoked = await oauth.revoke(get_settings(), token=refresh_token)
    if not revoked:
        logger.warning("GA4 disconnect: Google did not confirm the revocation")
    return revoked


# -- tokens ------------------------------------------------------------------------------------------------


def _needs_reconnect() -> Conflict:
    return Conflict(RECONNECT_MESSAGE, code="ga4_needs_reconnect")


async def _load(scope: TenantScope) -> Ga4Connection:
    async with get_database().tenant(scope) as session:
        row = await repository.get_connection(session, scope)
    if row is None:
        raise Conflict(
            "GA4 is not connected in this space: an admin can connect it under Integrations.", code="ga4_not_connected"
        )
    if row.status == NEEDS_RECONNECT:
        raise _needs_reconnect()
    return row


def _fresh_access(scope: TenantScope, row: Ga4Connection, *, rejected: str | None) -> str | None:
    """The row's access token when more than five minutes of it are left and Google has not just refused it."""
    if row.access_token_encrypted is None or row.access_expires_at is None:
        return None
    if row.access_expires_at - REFRESH_MARGIN <= _now():
        return None
    token = _open(scope.space_id, "access", row.access_token_encrypted)
    return None if token == rejected else token


async def _access_token(scope: TenantScope, *, row: Ga4Connection | None = None, rejected: str | None = None) -> str:
    """A valid access token of the space: the stored one, or a refreshed one when under five minutes remain
    (or when Google refused `rejected`, the token a call was just made with).

    Callers needing a refresh at the same moment (a dashboard's reports, the property list, an agent's tool)
    share one: in this process they join one task; across processes `refresh_access_token` takes the
    connection's row lock. A second refresh would be wasted at best, and where Google rotates refresh tokens it
    would present one already replaced, lose the grant (`invalid_grant`) and ask the space for a reconnect.
    """
    row = row or await _load(scope)
    token = _fresh_access(scope, row, rejected=rejected)
    if token is not None:
        return token
    key = f"{scope.key()}:ga4:refresh:{hashlib.sha256((rejected or '').encode()).hexdigest()[:16]}"
    return await limits.joined(key, lambda: refresh_access_token(scope, rejected=rejected))


async def refresh_access_token(scope: TenantScope, *, rejected: str | None = None) -> str:
    """Refresh the space's access token under its connection's row lock, unless another caller (in any process)
    did while this one waited for the lock: then its token is used.

    The lock is held through Google's answer (bounded by GA4_TIMEOUT_SECONDS), so the refresh token a waiting
    caller reads afterwards is the newest, should Google have rotated it.
    """
    grant_gone: oauth.OAuthError | None = None
    async with get_database().tenant(scope) as session:
        row = await repository.get_connection(session, scope, lock=True)
        if row is None:
            raise Conflict(
                "GA4 is not connected in this space: an admin can connect it under Integrations.",
                code="ga4_not_connected",
            )
        if row.status == NEEDS_RECONNECT:
            raise _needs_reconnect()
        current = _fresh_access(scope, row, rejected=rejected)
        if current is not None:
            return current
        refresh_token = _open(scope.space_id, "refresh", row.refresh_token_encrypted)
        try:
            tokens = await oauth.refresh(get_settings(), refresh_token=refresh_token)
        except oauth.OAuthError as exc:
            if not exc.grant_gone:
                raise ServiceUnavailable(str(exc), code="ga4_oauth_failed") from None
            grant_gone = exc
            values: dict[str, Any] = {
                "status": NEEDS_RECONNECT,
                "access_token_encrypted": None,
                "access_expires_at": None,
                "last_error": str(exc)[:500],
                "updated_at": _now(),
            }
        else:
            values = {
                "access_token_encrypted": _seal(scope.space_id, "access", tokens.access_token),
                "access_expires_at": tokens.expires_at,
                "updated_at": _now(),
            }
            if tokens.refresh_token:  # Google may rotate it; keep the newest
                values["refresh_token_encrypted"] = _seal(scope.space_id, "refresh", tokens.refresh_token)
        await repository.update_connection(session, scope, values=values)
    if grant_gone is not None:
        raise _needs_reconnect()
    return tokens.access_token


async def _with_retry(scope: TenantScope, token: str, call: Callable[[str], Awaitable[Any]]) -> Any:
    """Run a GA4 call; a token Google no longer accepts is refreshed once. GA4 errors become AppErrors."""
    try:
        try:
            return await call(token)
        except Ga4Error as exc:
            if exc.code != "ga4_unauthenticated":
                raise
            return await call(await _access_token(scope, rejected=token))
    except Ga4Error as exc:
        raise _app_error(exc) from None


class QuotaRefused(RateLimited):
    """Google refused a GA4 call for quota; `quota_kind` is the quota it named ("day", "hour", "concurrent")."""

    def __init__(self, message: str, *, retry_after: int, code: str, quota_kind: str) -> None:
        super().__init__(message, retry_after=retry_after, code=code)
        self.quota_kind = quota_kind


def _app_error(exc: Ga4Error) -> AppError:
    if exc.status == 429:
        kind = exc.quota_kind or "hour"
        return QuotaRefused(exc.message, retry_after=exc.retry_after or 3600, code=exc.code, quota_kind=kind)
    return AppError(exc.message, code=exc.code, status_code=exc.status)


# -- reports -----------------------------------------------------------------------------------------------


def _cache_key(scope: TenantScope, property_id: str, request: ReportRequest) -> str:
    digest = hashlib.sha256(request.model_dump_json().encode()).hexdigest()[:32]
    return f"{scope.key()}:ga4:report:{property_id}:{digest}"


async def _cached_report(key: str) -> ReportPublic | None:
    cached = await get_json(get_cache(), key)
    return ReportPublic.model_validate({**cached, "cached": True}) if isinstance(cached, dict) else None


async def run_report(ctx: SpaceContext, request: ReportRequest) -> ReportPublic:
    """A GA4 report of the space's property (any member), cached briefly per space, property and request.

    Identical requests made at the same time (a team refreshing the dashboard) share one call to Google, and
    at most GA4_MAX_CONCURRENT_REQUESTS calls of a property run at once (`limits`).
    """
    row = await _load(ctx.scope)
    if not row.property_id:
        raise Conflict("Pick the GA4 property this space reads (Integrations) first.", code="ga4_no_property")
    property_id = row.property_id
    key = _cache_key(ctx.scope, property_id, request)
    cached = await _cached_report(key)
    if cached is not None:
        return cached
    query = ReportQuery(
        metrics=tuple(request.metrics),
        dimensions=tuple(request.dimensions),
        start_date=request.start_date,
        end_date=request.end_date,
        limit=request.limit,
        order_by_metric=request.order_by,
        descending=request.descending,
        in_list=(request.filter_dimension, tuple(request.filter_values)) if request.filter_dimension else None,
    )

    async def call(token: str) -> client.Report:
        async with limits.property_slot(property_id):
            return await client.run_report(get_settings(), access_token=token, property_id=property_id, query=query)

    async def fetch() -> ReportPublic:
        cache = get_cache()
        # RESOURCE_EXHAUSTED blocks the whole property: asking again at once only burns what is left of the
        # project's own quota, so every space reading the property waits out a pause before its next call
        # reaches Google. The key names the property alone (like the concurrency counter): a space that reads
        # it holds its own grant to it, and the pause says nothing else.
        paused = f"ga4:quota_paused:{property_id}"
        pause_kind = await cache.get(paused)
        if pause_kind is not None:
            left = int(await cache.ttl(paused) or 60)
            raise _app_error(client.quota_error(retry_after=max(1, left), kind=pause_kind))
        token = await _access_token(ctx.scope, row=row)
        try:
            report = await _with_retry(ctx.scope, token, call)
        except QuotaRefused as exc:
            # The hourly quota: a short pause, then try again (it may be back within minutes). The daily one:
            # nothing comes back before Google's quota day turns, so every space waits until then instead of
            # spending the project's quota on refusals all day (in the day's last hour too: the kind comes
            # from Google's message, not from how long is left). A burst over the concurrent-requests limit
            # waits seconds.
            kind = exc.quota_kind
            if kind == "day":
                pause = max(1, int(exc.retry_after or 3600))
            elif kind == "concurrent":
                pause = max(1, int(exc.retry_after or 5))
            else:
                kind, pause = "hour", max(60, get_settings().ga4_report_cache_seconds)
            await cache.set(paused, kind, pause)
            exc.retry_after = pause  # when this space will ask Google again
            raise
        public = ReportPublic(
            rows=[ReportRowPublic(dimensions=r.dimensions, metrics=r.metrics) for r in report.rows],
            row_count=report.row_count,
            property_id=property_id,
            quota=report.quota,
        )
        await set_json(cache, key, public.model_dump(mode="json"), get_settings().ga4_report_cache_seconds)
        return public

    return await limits.single_flight(key, fetch, cached=lambda: _cached_report(key))


async def summarised_report(
    ctx: SpaceContext,
    request: ReportRequest,
    summarise: Callable[[ReportPublic], T],
    *,
    adapter: TypeAdapter[T],
    inputs: str,
) -> T:
    """`summarise(report)` of `run_report(ctx, request)`, cached beside the report for as long as it is.

    For callers that boil a large report down to a little (the content ranking: up to 10,000 rows of pages by
    day to a few hundred items): reading the cached report back costs parsing every row again on every page
    load, the summary only its own few rows. `inputs` names whatever else the summary depends on (a digest of
    the items it is made for), so a change there is a new entry. The connection is checked first, as for a
    report, so a disconnected space gets nothing from this cache either.
    """
    row = await _load(ctx.scope)
    if not row.property_id:
        raise Conflict("Pick the GA4 property this space reads (Integrations) first.", code="ga4_no_property")
    digest = hashlib.sha256(inputs.encode()).hexdigest()[:32]
    key = f"{_cache_key(ctx.scope, row.property_id, request)}:summary:{digest}"
    cache = get_cache()
    cached = await cache.get(key)
    if cached is not None:
        return adapter.validate_json(cached)
    summary = summarise(await run_report(ctx, request))
    await cache.set(key, adapter.dump_json(summary).decode(), get_settings().ga4_report_cache_seconds)
    return summary


# -- the agents' view --------------------------------------------------------------------------------------

AnalyticsFn = Callable[..., Awaitable[list[dict[str, Any]]]]
_NOT_SET = {"", "(not set)", "(other)"}


async def tool_analytics(ctx: SpaceContext) -> AnalyticsFn | None:
    """What the agents' tools call as `env.analytics(kind, ...)`, or None when the space has no usable GA4.

    Kinds: `search_queries` (what visitors searched for on the site, with the landing page they came in on:
    GA4 holds no Google search queries, those live in Search Console) and `landing_pages` (`order="best"`:
    most key events and sessions; `"worst"`: the lowest engagement among pages with real traffic). A
    connection that needs a reconnect gives a callable whose calls raise the reconnect message, so the tools
    say why the figures are missing.
    """
    async with get_database().tenant(ctx.scope) as session:
        row = await repository.get_connection(session, ctx.scope)
    if row is None or not row.property_id:
        return None

    async def analytics(kind: str, **options: Any) -> list[dict[str, Any]]:
        limit = max(1, min(500, int(options.get("limit") or 50)))
        days = max(1, min(365, int(options.get("days") or 90)))
        start = f"{days}daysAgo"
        if kind == "search_queries":
            report = await run_report(
                ctx,
                ReportRequest(
                    metrics=["sessions"],
                    dimensions=["searchTerm", "landingPage"],
                    start_date=start,
                    limit=max(limit, 100),
                    order_by="sessions",
                ),
            )
            out: dict[str, dict[str, Any]] = {}
            for r in report.rows:
                term = r.dimensions.get("searchTerm", "").strip()
                if term.lower() in _NOT_SET:
                    continue
                entry = out.setdefault(term.lower(), {"query": term, "sessions": 0, "landing_pages": []})
                entry["sessions"] += int(r.metrics.get("sessions", 0))
                page = r.dimensions.get("landingPage", "")
                if page and page not in entry["landing_pages"] and page.lower() not in _NOT_SET:
                    entry["landing_pages"].append(page)
            ranked = sorted(out.values(), key=lambda e: -e["sessions"])
            return ranked[:limit]
        if kind == "landing_pages":
            report = await run_report(
                ctx,
                ReportRequest(
                    metrics=["sessions", "keyEvents", "engagementRate"],
                    dimensions=["landingPage"],
                    start_date=start,
                    limit=200,
                    order_by="sessions",
                ),
            )
            pages: list[dict[str, Any]] = [
                {
                    "page": r.dimensions.get("landingPage", ""),
                    "sessions": int(r.metrics.get("sessions", 0)),
                    "key_events": int(r.metrics.get("keyEvents", 0)),
                    "engagement_rate": round(r.metrics.get("engagementRate", 0.0), 4),
                }
                for r in report.rows
                if r.dimensions.get("landingPage", "").lower() not in _NOT_SET
            ]
            if options.get("order", "best") == "worst":
                floor = max(10, sorted(p["sessions"] for p in pages)[len(pages) // 2] // 2) if pages else 0
                busy = [p for p in pages if p["sessions"] >= floor] or pages
                return sorted(busy, key=lambda p: (p["engagement_rate"], -p["sessions"]))[:limit]
            return sorted(pages, key=lambda p: (-p["key_events"], -p["sessions"]))[:limit]
        raise ValueError(f"unknown analytics kind {kind!r}")

    return analytics


__all__ = [
    "REFRESH_MARGIN",
    "CallbackOutcome",
    "availability",
    "complete_connect",
    "disconnect",
    "list_properties",
    "refresh_access_token",
    "run_report",
    "set_property",
    "start_connect",
    "status",
    "summarised_report",
    "tool_analytics",
]
