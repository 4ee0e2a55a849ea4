"""Tenancy: organizations, users, memberships, spaces, invitations, audit log, signing keys.

Revision ID: 0002_tenancy
Revises: 0001_foundation
Create Date: 2026-11-25

Row-level security, and why these tables are organization-scoped
----------------------------------------------------------------
Content tables (documents, chunks, runs...) are confined to one space. The tables here are the ones that
*define* spaces and who may enter them, and they are read across the spaces of one organization: an
organization admin lists every space, a user's token lists all their spaces, the audit log spans the
organization. So each of them carries `organization_id` (and `space_id` where a row belongs to a space)
and gets the organization policy from `backend/core/rls.py`: with `app.organization_id` unset they show
nothing, and one organization can never read or write another's rows. The space boundary inside an
organization is enforced by the services (every query filters by space, and membership is checked first).

Two reads must happen before any organization is known, and RLS would (correctly) hide them:
  * log-in finds a user by email;
  * accepting an invitation finds it by the hash of its token.
They go through SECURITY DEFINER functions created here, owned by the schema owner, with EXECUTE revoked
from PUBLIC and granted only to the application role. Each returns at most one row for an exact key and
exposes only what the flow needs (no listing, no pattern matching). The owner role gets a SELECT-only
policy on `users` and `invitations` so the functions also work where the owner is not a superuser (FORCE
makes policies apply to the owner too); the application role is unaffected by that policy.

`audit_log` rows with a NULL organization are system events (signing-key rotation) that every
organization's admins may see; its policy allows reading those and writing them only from a session
without an organization. `signing_keys` is not tenant data and has no RLS; private keys in it are
AES-GCM encrypted under the master key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from alembic import op
from backend.core.config import APP_DB_ROLE
from backend.core.rls import ORG_SETTING, disable_rls, enable_org_rls

revision: str = "0002_tenancy"
down_revision: str | None = "0001_foundation"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
_ORG_TABLES = ("users", "organization_memberships", "spaces", "space_memberships", "invitations")


def _org_fk() -> sa.Column:
    return sa.Column(
        "organization_id", sa.Uuid, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("brand_voice", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid, primary_key=True),
        _org_fk(),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("token_generation", sa.Integer, nullable=False, server_default="0"),
        sa.Column("disabled_at", _TZ, nullable=True),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
    op.create_index("ix_users_org", "users", ["organization_id"])
    op.create_table(
        "organization_memberships",
        sa.Column("id", sa.Uuid, primary_key=True),
        _org_fk(),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("organization_id", "user_id", name="uq_org_memberships_org_user"),
        sa.CheckConstraint("role IN ('owner', 'admin', 'member')", name="ck_org_memberships_role"),
    )
    op.create_table(
        "spaces",
        sa.Column("id", sa.Uuid, primary_key=True),
        _org_fk(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("brand_voice", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("integrations", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("archived_at", _TZ, nullable=True),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", _TZ, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_spaces_org_created", "spaces", ["organization_id", "created_at"])
    op.create_table(
        "space_memberships",
        sa.Column("id", sa.Uuid, primary_key=True),
        _org_fk(),
        sa.Column("space_id", sa.Uuid, sa.ForeignKey("spaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", _TZ, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("space_id", "user_id", name="uq_space_memberships_space_user"),
        sa.CheckConstraint("role IN ('admin', 'editor', 'viewer')", name="ck_space_memberships_role"),
    )
    op.create_index("ix_space_memberships_org_user", "space_memberships", ["organization_id", "user_id"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid, primary_key=True),
        _org_fk(),
        sa.Column("space_id", sa.Uuid, sa.ForeignKey("spaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("invited_by", sa.Uuid, nullable=True),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("accepted_at", _TZ, nullable=True),
        sa.Column("accepted_by", sa.Uuid, nullable=True),
        sa.Column("revoked_at", _TZ, nullable=True),
        sa.CheckConstraint("role IN ('admin', 'editor', 'viewer')", name="ck_invitations_role"),
    )
    op.create_index("ix_invitations_space_created", "invitations", ["organization_id", "space_id", "created_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("organization_id", sa.Uuid, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=True),
        sa.Column("space_id", sa.Uuid, nullable=True),
        sa.Column("actor_user_id", sa.Uuid, nullable=True),
        sa.Column("actor_email", sa.String(320), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(500), nullable=True),
        sa.Column("details", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_audit_log_org_created", "audit_log", ["organization_id", "created_at"])
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("algorithm", sa.String(16), nullable=False, server_default="RS256"),
        sa.Column("public_pem", sa.Text, nullable=False),
        sa.Column("private_key_encrypted", sa.LargeBinary, nullable=True),
        sa.Column("secret_ref", sa.String(500), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
        sa.Column("rotated_at", _TZ, nullable=True),
        sa.CheckConstraint("state IN ('current', 'previous', 'retired')", name="ck_signing_keys_state"),
    )
    op.create_index(
        "uq_signing_keys_current", "signing_keys", ["state"], unique=True, postgresql_where=sa.text("state = 'current'")
    )
    op.create_index(
        "uq_signing_keys_previous",
        "signing_keys",
        ["state"],
        unique=True,
        postgresql_where=sa.text("state = 'previous'"),
    )

    # --- row-level security ------------------------------------------------------------------
    for statement in enable_org_rls("organizations", column="id"):
        op.execute(statement)
    for table in _ORG_TABLES:
        for statement in enable_org_rls(table):
            op.execute(statement)
    op.execute("ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE audit_log FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY audit_log_org_isolation ON audit_log "
        f"USING (organization_id = {ORG_SETTING} OR organization_id IS NULL) "
        f"WITH CHECK (organization_id = {ORG_SETTING} OR (organization_id IS NULL AND {ORG_SETTING} IS NULL))"
    )
    # The lookup functions below run as the owner; FORCE would otherwise hide every row from them too.
    for table in ("users", "invitations"):
        op.execute(f"CREATE POLICY {table}_owner_lookup ON {table} FOR SELECT TO CURRENT_USER USING (true)")

    # --- lookups that precede any scope ---------------------------------------------------------
    op.execute(
        """
        CREATE FUNCTION obelisk_login_lookup(p_email text)
        RETURNS TABLE (user_id uuid, organization_id uuid, password_hash text, token_generation integer,
                       disabled boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT u.id, u.organization_id, u.password_hash, u.token_generation, u.disabled_at IS NOT NULL
            FROM public.users u WHERE lower(u.email) = lower(p_email) LIMIT 1
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION obelisk_invitation_lookup(p_token_hash text)
        RETURNS TABLE (invitation_id uuid, organization_id uuid, space_id uuid, email text, role text,
                       expires_at timestamptz, accepted_at timestamptz, revoked_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT i.id, i.organization_id, i.space_id, i.email::text, i.role::text, i.expires_at,
                   i.accepted_at, i.revoked_at
            FROM public.invitations i WHERE i.token_hash = p_token_hash LIMIT 1
        $$
        """
    )
    for signature in ("obelisk_login_lookup(text)", "obelisk_invitation_lookup(text)"):
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {APP_DB_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS obelisk_invitation_lookup(text)")
    op.execute("DROP FUNCTION IF EXISTS obelisk_login_lookup(text)")
    for table in ("users", "invitations"):
        op.execute(f"DROP POLICY IF EXISTS {table}_owner_lookup ON {table}")
    for statement in disable_rls("audit_log", "org_isolation"):
        op.execute(statement)
    for table in (*_ORG_TABLES, "organizations"):
        for statement in disable_rls(table, "org_isolation"):
            op.execute(statement)
    for table in (
        "signing_keys",
        "audit_log",
        "invitations",
        "space_memberships",
        "spaces",
        "organization_memberships",
        "users",
        "organizations",
    ):
        op.drop_table(table)
