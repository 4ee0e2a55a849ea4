"""Route constants and the sidebar navigation (pages add themselves here when they exist)."""

from __future__ import annotations

from dataclasses import dataclass

HOME = "/"
STATUS = "/status"
LOGIN = "/login"
SIGNUP = "/signup"
INVITE = "/invite/[invite_code]"
VERIFY_EMAIL = "/verify-email/[verify_code]"
MEMBERS = "/members"
DOCUMENTS = "/documents"
DOCUMENT = "/documents/[document_id]"
SPACES = "/spaces"
BRAND_VOICE = "/brand-voice"
AGENTS = "/agents"
AUDIT = "/audit"
CHAT = "/chat"
CHAT_CONVERSATION = "/chat/[conversation_id]"
CONTENT = "/content"
CONTENT_ITEM = "/content/[content_id]"
DASHBOARD = "/dashboard"
SLACK = "/integrations/slack"
INTEGRATIONS = "/integrations"
HOME_SIGNED_IN = DASHBOARD


@dataclass(frozen=True)
class NavItem:
    label: str
    route: str
    icon: str
    org_admin_only: bool = False


NAV: list[NavItem] = [
    NavItem("Dashboard", DASHBOARD, "layout-dashboard"),
    NavItem("Documents", DOCUMENTS, "library"),
    NavItem("Chat", CHAT, "messages-square"),
    NavItem("Agents", AGENTS, "bot"),
    NavItem("Content", CONTENT, "file-pen-line"),
    NavItem("Brand voice", BRAND_VOICE, "megaphone"),
    NavItem("Members", MEMBERS, "users"),
    NavItem("Integrations", INTEGRATIONS, "plug"),
    NavItem("Spaces", SPACES, "layout-grid", org_admin_only=True),
    NavItem("Audit log", AUDIT, "scroll-text", org_admin_only=True),
    NavItem("Status", STATUS, "activity"),
]


def chat_path(conversation_id: str) -> str:
    """The page of one conversation."""
    return CHAT_CONVERSATION.replace("[conversation_id]", conversation_id)
