"""What a document's user-given fields may hold (tags, a web address), and who may change documents."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from backend.core.errors import Forbidden, ValidationFailed
from backend.tenancy.context import SpaceContext

MAX_TAGS = 20
_TAG = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
SUGGESTED_TAGS = ("brand_guidelines", "seo_guidelines", "approved_content", "competitor_analysis", "product")


def require_editor(ctx: SpaceContext) -> None:
    if not ctx.can_edit:
        raise Forbidden("Your role in this space is read-only; ask an admin for editor access.", code="editor_required")


def normalize_tags(tags: list[str] | str | None) -> list[str]:
    """Lower-case tags of letters, digits, `_` and `-`; spaces become `_`; duplicates dropped."""
    if tags is None:
        return []
    raw = tags.split(",") if isinstance(tags, str) else tags
    out: list[str] = []
    for tag in raw:
        cleaned = "_".join(str(tag).strip().lower().split())
        if not cleaned:
            continue
        if not _TAG.match(cleaned):
            raise ValidationFailed(
                f"The tag {cleaned[:40]!r} is not valid: use letters, digits, '_' or '-' (at most 64).",
                code="invalid_tag",
            )
        if cleaned not in out:
            out.append(cleaned)
    if len(out) > MAX_TAGS:
        raise ValidationFailed(f"A document can have at most {MAX_TAGS} tags.", code="too_many_tags")
    return out


def validate_url(url: str) -> str:
    """A clear 422 for what is obviously not a web address; `fetch.check_fetchable` checks where it leads."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2048:
        raise ValidationFailed("Enter a full web address starting with http:// or https://.", code="invalid_url")
    return url


__all__ = ["MAX_TAGS", "SUGGESTED_TAGS", "normalize_tags", "require_editor", "validate_url"]
