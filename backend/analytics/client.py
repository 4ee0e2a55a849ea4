"""The GA4 Data API (`runReport`) and Admin API (`accountSummaries`) over httpx, as typed rows. No database.

Every report asks for `returnPropertyQuota`: a property has 200k tokens a day, 40k an hour and 10 concurrent
requests, and `RESOURCE_EXHAUSTED` blocks the whole property, so the quota left is returned with the rows and
an exhausted quota becomes a `Ga4Error` with code `ga4_quota_exhausted` and a sentence a marketer understands.
Google's error envelope (`{"error": {"code", "message", "status"}}`) is mapped by its `status`; Google's own
message is kept only as a short detail (it can name the property, never our secrets).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from backend.core.config import Settings

MAX_ROWS = 10_000


class Ga4Error(RuntimeError):
    """A GA4 call failed. `code` is ours (stable, snake_case); `status` the HTTP status to answer with."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int = 503,
        retry_after: int | None = None,
        quota_kind: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.retry_after = retry_after
        # Which quota Google named when it refused ("day", "hour", "concurrent"); None for other errors.
        self.quota_kind = quota_kind


@dataclass(frozen=True, slots=True)
class ReportRow:
    dimensions: dict[str, str]
    metrics: dict[str, float]


@dataclass(frozen=True, slots=True)
class Report:
    rows: list[ReportRow]
    row_count: int
    quota: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Property:
    id: str
    name: str
    account: str


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """One runReport request. Dates are `YYYY-MM-DD` or GA4's relative forms (`28daysAgo`, `today`)."""

    metrics: tuple[str, ...]
    dimensions: tuple[str, ...] = ()
    start_date: str = "28daysAgo"
    end_date: str = "yesterday"
    limit: int = 100
    order_by_metric: str | None = None
    descending: bool = True
    in_list: tuple[str, tuple[str, ...]] | None = None
    """Only rows whose dimension (first) has one of the values (second): GA4's `inListFilter`, exact case."""

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "dateRanges": [{"startDate": self.start_date, "endDate": self.end_date}],
            "metrics": [{"name": m} for m in self.metrics],
            "dimensions": [{"name": d} for d in self.dimensions],
            "limit": str(max(1, min(MAX_ROWS, self.limit))),
            "returnPropertyQuota": True,
        }
        if self.order_by_metric:
            body["orderBys"] = [{"metric": {"metricName": self.order_by_metric}, "desc": self.descending}]
        if self.in_list is not None:
            name, values = self.in_list
            body["dimensionFilter"] = {
                "filter": {"fieldName": name, "inListFilter": {"values": list(values), "caseSensitive": True}}
            }
        return body


async def run_report(settings: Settings, *, access_token: str, property_id: str, query: ReportQuery) -> Report:
    """`properties/{id}:runReport`, parsed into rows keyed by dimension and metric names."""
    url = f"{settings.ga4_data_api_url.rstrip('/')}/properties/{property_id}:runReport"
    body = await _call(settings, "POST", url, access_token, json=query.body())
    return parse_report(body)


async def list_properties(settings: Settings, *, access_token: str) -> list[Property]:
    """Every GA4 property the connected Google account can read, from the Admin API's account summaries."""
    url = f"{settings.ga4_admin_api_url.rstrip('/')}/accountSummaries"
    out: list[Property] = []
    page_token: str | None = None
    for _ in range(50):  # 200 summaries a page: 10k accounts is far past any team's
        params = {"pageSize": "200", **({"pageToken": page_token} if page_token else {})}
        body = await _call(settings, "GET", url, access_token, params=params)
        for account in body.get("accountSummaries") or []:
            account_name = str(account.get("displayName") or account.get("account") or "")
            for prop in account.get("propertySummaries") or []:
                ident = str(prop.get("property") or "").removeprefix("properties/")
                if ident.isdigit():
                    out.append(Property(id=ident, name=str(prop.get("displayName") or ident), account=account_name))
        page_token = body.get("nextPageToken") or None
        if not page_token:
            break
    return out


def parse_report(body: dict[str, Any]) -> Report:
    """A runReport response as rows: metric values become numbers (GA4 sends every value as a string)."""
    dims = [str(h.get("name")) for h in body.get("dimensionHeaders") or []]
    mets = [str(h.get("name")) for h in body.get("metricHeaders") or []]
    rows = []
    for raw in body.get("rows") or []:
        dvals = [str(v.get("value", "")) for v in raw.get("dimensionValues") or []]
        mvals = [_number(v.get("value")) for v in raw.get("metricValues") or []]
        rows.append(
            ReportRow(dimensions=dict(zip(dims, dvals, strict=False)), metrics=dict(zip(mets, mvals, strict=False)))
        )
    quota = {
        str(name): {
            k: int(v) for k, v in values.items() if isinstance(v, int | float | str) and str(v).lstrip("-").isdigit()
        }
        for name, values in (body.get("propertyQuota") or {}).items()
        if isinstance(values, dict)
    }
    return Report(rows=rows, row_count=int(body.get("rowCount") or len(rows)), quota=quota)


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


async def _call(settings: Settings, method: str, url: str, access_token: str, **kwargs: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
    try:
        async with httpx.AsyncClient(timeout=settings.ga4_timeout_seconds) as http:
            response = await http.request(method, url, headers=headers, **kwargs)
    except httpx.TimeoutException as exc:
        raise Ga4Error("Google Analytics did not answer in time; try again.", code="ga4_unavailable") from exc
    except httpx.HTTPError as exc:
        raise Ga4Error("Google Analytics could not be reached; try again later.", code="ga4_unavailable") from exc
    if response.status_code == 200:
        try:
            body = response.json()
        except ValueError as exc:
            raise Ga4Error("Google Analytics answered with something unreadable.", code="ga4_bad_response") from exc
        if not isinstance(body, dict):
            raise Ga4Error("Google Analytics answered with something unreadable.", code="ga4_bad_response")
        return body
    raise error_from(response)



def _pacific() -> tzinfo:
    """GA4's daily property quotas start again at midnight Pacific time (standard time where the system has
    no time-zone database: off by an hour in summer at worst)."""
    try:
        return ZoneInfo("America/Los_Angeles")
    except ZoneInfoNotFoundError:
        return timezone(timedelta(hours=-8), "PST")


_QUOTA_DAY = _pacific()


def seconds_to_quota_day(now: datetime | None = None) -> int:
    """Seconds until GA4's next quota day (midnight Pacific time)."""
    here = (now or datetime.now(_QUOTA_DAY)).astimezone(_QUOTA_DAY)
    midnight = datetime.combine(here.date() + timedelta(days=1), datetime.min.time(), tzinfo=_QUOTA_DAY)
    return max(60, int((midnight.astimezone(UTC) - here.astimezone(UTC)).total_seconds()))


def quota_error(*, retry_after: int = 3600, kind: str = "hour") -> Ga4Error:
    """The property's GA4 quota is used up (Google's RESOURCE_EXHAUSTED). `kind`: which quota Google named:
    "day" (back at midnight Pacific time), "concurrent" (too many requests at once: back in seconds) or
    "hour" (the hourly token quota, and the default when Google did not say)."""
    if kind == "day":
        if retry_after < 90 * 60:
            minutes = max(1, round(retry_after / 60))
            left = f"{minutes} minute{'s' if minutes != 1 else ''}"
        else:
            hours = round(retry_after / 3600)
            left = f"{hours} hour{'s' if hours != 1 else ''}"
        when = f"after midnight Pacific time (in about {left})"
        message = (
            "The GA4 property has used up its daily Google Analytics quota (Google allows each property a fixed "
            f"number of report tokens per day). Figures will be back {when}."
        )
    elif kind == "concurrent":
        message = "Too many reports are being read from this GA4 property at once. Try again in a few seconds."
    else:
        message = (
            "The GA4 property has used up its hourly Google Analytics quota (Google allows each property a fixed "
            "number of report tokens per hour). Figures will be back within the hour."
        )
    return Ga4Error(message, code="ga4_quota_exhausted", status=429, retry_after=retry_after, quota_kind=kind)


def _quota_kind(detail: str) -> str:
    """Which quota Google's RESOURCE_EXHAUSTED message names ("Exhausted property tokens per day ...")."""
    text = detail.lower()
    if "per day" in text or "daily" in text:
        return "day"
    if "concurrent" in text:
        return "concurrent"
    return "hour"


def error_from(response: httpx.Response) -> Ga4Error:
    """Google's error envelope as a clear `Ga4Error`."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    status = str(error.get("status") or "") if isinstance(error, dict) else ""
    detail = " ".join(str(error.get("message") or "").split())[:200] if isinstance(error, dict) else ""
    code = response.status_code
    if status == "RESOURCE_EXHAUSTED" or code == 429:
        kind = _quota_kind(detail)
        retry_after = {"day": seconds_to_quota_day(), "concurrent": 5}.get(kind, 3600)
        return quota_error(retry_after=retry_after, kind=kind)
    if status == "UNAUTHENTICATED" or code == 401:
        return Ga4Error("Google did not accept the GA4 access token.", code="ga4_unauthenticated", status=503)
    if status == "PERMISSION_DENIED" or code == 403:
        return Ga4Error(
            "The connected Google account cannot read this GA4 property: pick another property or reconnect "
            "with an account that has access.",
            code="ga4_permission_denied",
            status=403,
        )
    if status == "INVALID_ARGUMENT" or code == 400:
        return Ga4Error(
            f"Google Analytics refused the report: {detail or 'invalid request'}", code="ga4_invalid_report", status=422
        )
    if status == "NOT_FOUND" or code == 404:
        return Ga4Error(
            "The GA4 property no longer exists: pick another one.", code="ga4_property_not_found", status=404
        )
    return Ga4Error(f"Google Analytics failed ({status or code}); try again later.", code="ga4_unavailable", status=503)


__all__ = [
    "Ga4Error",
    "Property",
    "Report",
    "ReportQuery",
    "ReportRow",
    "error_from",
    "list_properties",
    "parse_report",
    "quota_error",
    "run_report",
]
