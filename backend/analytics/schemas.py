"""API shapes of the analytics domain: the GA4 connection's status, properties, and reports."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, Field, field_validator, model_validator

MAX_METRICS = 10
MAX_DIMENSIONS = 9
MAX_FILTER_VALUES = 500
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_:]{0,99}$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}|today|yesterday|[1-9]\d{0,3}daysAgo)$")


class Ga4Status(BaseModel):
    """Whether the space has GA4, which property it reads, and whether Google dropped the grant."""

    connected: bool
    property_id: str | None = None
    property_name: str | None = None
    needs_reconnect: bool = False
    configured: bool = Field(description="The server has a Google OAuth client (GOOGLE_OAUTH_CLIENT_ID/_SECRET)")
    message: str | None = Field(default=None, description="What to do next, for a person")
    connected_at: datetime | None = None


class Ga4PropertyPublic(BaseModel):
    id: str = Field(description="The numeric GA4 property id")
    name: str
    account: str = ""


class Ga4PropertyUpdate(BaseModel):
    property_id: str = Field(min_length=1, max_length=32, pattern=r"^(properties/)?\d{1,20}$")

    @property
    def numeric_id(self) -> str:
        return self.property_id.removeprefix("properties/")


class ReportRequest(BaseModel):
    """A GA4 report: metric and dimension API names (e.g. `sessions`, `landingPage`) over a date range."""

    metrics: list[str] = Field(min_length=1, max_length=MAX_METRICS)
    dimensions: list[str] = Field(default_factory=list, max_length=MAX_DIMENSIONS)
    start_date: str = Field(default="28daysAgo", description="YYYY-MM-DD, `today`, `yesterday` or `NdaysAgo`")
    end_date: str = Field(default="yesterday", description="YYYY-MM-DD, `today`, `yesterday` or `NdaysAgo`")
    limit: int = Field(default=100, ge=1, le=10_000)
    order_by: str | None = Field(default=None, description="A metric of the request to sort rows by")
    descending: bool = True
    filter_dimension: str | None = Field(
        default=None, description="Keep only rows whose value of this dimension is in `filter_values` (exact)"
    )
    filter_values: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)

    @field_validator("metrics", "dimensions")
    @classmethod
    def _names(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip() for v in values]
        bad = [v for v in cleaned if not _NAME.match(v)]
        if bad:
            raise ValueError(f"not a GA4 field name: {bad[0][:40]!r}")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("a field is named twice")
        return cleaned

    @field_validator("start_date", "end_date")
    @classmethod
    def _date(cls, value: str) -> str:
        value = value.strip()
        if not _DATE.match(value):
            raise ValueError("use YYYY-MM-DD, today, yesterday or NdaysAgo")
        if value[:1].isdigit() and "-" in value:
            datetime.strptime(value, "%Y-%m-%d")  # a real calendar day, or ValueError
        return value

    @model_validator(mode="after")
    def _order(self) -> ReportRequest:
        if self.order_by is not None and self.order_by not in self.metrics:
            raise ValueError("order_by must be one of the requested metrics")
        if self.start_date[:1].isdigit() and self.end_date[:1].isdigit() and self.start_date > self.end_date:
            raise ValueError("start_date is after end_date")
        if self.filter_dimension is not None:
            if not _NAME.match(self.filter_dimension):
                raise ValueError("filter_dimension is not a GA4 field name")
            if not self.filter_values or any(not v or len(v) > 2000 for v in self.filter_values):
                raise ValueError("filter_values needs 1 to 500 values of at most 2000 characters")
        elif self.filter_values:
            raise ValueError("filter_values needs a filter_dimension")
        return self


class ReportRowPublic(BaseModel):
    dimensions: dict[str, str]
    metrics: dict[str, float]


class ReportPublic(BaseModel):
    rows: list[ReportRowPublic]
    row_count: int
    property_id: str
    quota: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="GA4's propertyQuota: consumed and remaining per quota (tokensPerDay...)"
    )
    cached: bool = False


__all__ = [
    "Ga4PropertyPublic",
    "Ga4PropertyUpdate",
    "Ga4Status",
    "ReportPublic",
    "ReportRequest",
    "ReportRowPublic",
]
