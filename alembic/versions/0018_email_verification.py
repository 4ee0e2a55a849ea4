"""Verified e-mail addresses: nobody can hold someone else's address against them.

Revision ID: 0018_email_verification
Revises: 0017_content_published_url
Create Date: 2026-12-03

Anyone could sign up with any address: the real person could then neither sign up nor accept their
employer's invitation (one address, one account, platform-wide). The rule now (`backend.tenancy.verification`):

  * an address is verified by a link mailed to it: `users.email_verified_at`; only the sha256 of the link's
    token is stored, with an expiry;
  * an invitation mailed to its address carries a second token that only the mail holds
    (`invitations.mailed_token_hash`; the admin's copy of the link is the other token). Accepting through
    the mailed one proves the address, and takes it from an account that never verified it; a verified
    account keeps it.

Both writes happen before any organization is known to the caller, or in another organization than the
caller's, where row-level security (correctly) hides the row from the application role. So they go
through SECURITY DEFINER functions, each for one exact key and one narrow change:
  * `obelisk_verify_email(hash)` sets `email_verified_at` on the one account whose live token matches;
  * `obelisk_release_unverified_email(mailed hash)` renames the address of an unverified account in another
    organization, only while a pending, unexpired invitation carries that mailed token for that address, and
    supersedes the account's tokens. The account and its organization stay; it loses the address only.
The functions run as the owner, for whom FORCE would apply the policies too: an owner-only UPDATE policy
on `users` lets them work where the owner is not a superuser.

Accounts that exist before this revision count as verified: nothing could verify them then, and treating
them as unverified would let a mailed invitation take the address from a real person's working account.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from backend.core.config import APP_DB_ROLE

revision: str = "0018_email_verification"
down_revision: str | None = "0017_content_published_url"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
_FUNCTIONS = ("obelisk_verify_email(text)", "obelisk_release_unverified_email(text)")

_LOOKUP_V1 = """
    CREATE FUNCTION obelisk_invitation_lookup(p_token_hash text)
    RETURNS TABLE (invitation_id uuid, organization_id uuid, space_id uuid, email text, role text,
                   expires_at timestamptz, accepted_at timestamptz, revoked_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT i.id, i.organization_id, i.space_id, i.email::text, i.role::text, i.expires_at,
               i.accepted_at, i.revoked_at
        FROM public.invitations i WHERE i.token_hash = p_token_hash LIMIT 1
    $$
"""


def upgrade() -> None:
    op.add_column("users", sa.Column("email_verified_at", _TZ, nullable=True))
    op.add_column("users", sa.Column("email_verification_hash", sa.String(64), nullable=True))
    op.add_column("users", sa.Column("email_verification_expires_at", _TZ, nullable=True))
    op.create_index(
        "uq_users_email_verification_hash",
        "users",
        ["email_verification_hash"],
        unique=True,
        postgresql_where=sa.text("email_verification_hash IS NOT NULL"),
    )
    op.add_column("invitations", sa.Column("mailed_token_hash", sa.String(64), nullable=True))
    op.create_index(
        "uq_invitations_mailed_token_hash",
        "invitations",
        ["mailed_token_hash"],
        unique=True,
        postgresql_where=sa.text("mailed_token_hash IS NOT NULL"),
    )
    op.execute("CREATE POLICY users_owner_update ON users FOR UPDATE TO CURRENT_USER USING (true) WITH CHECK (true)")
    op.execute("UPDATE users SET email_verified_at = created_at")

    # The invitation lookup also finds an invitation by its mailed token, and says which token it was.
    op.execute("DROP FUNCTION obelisk_invitation_lookup(text)")
    op.execute(
        """
        CREATE FUNCTION obelisk_invitation_lookup(p_token_hash text)
        RETURNS TABLE (invitation_id uuid, organization_id uuid, space_id uuid, email text, role text,
                       expires_at timestamptz, accepted_at timestamptz, revoked_at timestamptz,
                       proves_address boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT i.id, i.organization_id, i.space_id, i.email::text, i.role::text, i.expires_at,
                   i.accepted_at, i.revoked_at, i.mailed_token_hash IS NOT DISTINCT FROM p_token_hash
            FROM public.invitations i
            WHERE i.token_hash = p_token_hash OR i.mailed_token_hash = p_token_hash LIMIT 1
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION obelisk_verify_email(p_token_hash text)
        RETURNS TABLE (user_id uuid, organization_id uuid)
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            UPDATE public.users u
            SET email_verified_at = now(), email_verification_hash = NULL, email_verification_expires_at = NULL
            WHERE u.email_verification_hash = p_token_hash AND u.email_verification_expires_at > now()
            RETURNING u.id, u.organization_id
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION obelisk_release_unverified_email(p_mailed_token_hash text)
        RETURNS TABLE (user_id uuid, organization_id uuid, token_generation integer, email text)
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            WITH released AS (
                SELECT u.id, u.email::text AS email
                FROM public.users u JOIN public.invitations i ON lower(u.email) = lower(i.email)
                WHERE i.mailed_token_hash = p_mailed_token_hash
                  AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
                  AND u.email_verified_at IS NULL AND u.organization_id <> i.organization_id
                FOR UPDATE OF u
            )
            UPDATE public.users u
            SET email = 'released-' || u.id::text || '@invalid', token_generation = u.token_generation + 1,
                email_verification_hash = NULL, email_verification_expires_at = NULL
            FROM released r WHERE u.id = r.id
            RETURNING u.id, u.organization_id, u.token_generation, r.email
        $$
        """
    )
    for signature in ("obelisk_invitation_lookup(text)", *_FUNCTIONS):
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {APP_DB_ROLE}")


def downgrade() -> None:
    for signature in _FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.execute("DROP FUNCTION obelisk_invitation_lookup(text)")
    op.execute(_LOOKUP_V1)
    op.execute("REVOKE ALL ON FUNCTION obelisk_invitation_lookup(text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION obelisk_invitation_lookup(text) TO {APP_DB_ROLE}")
    op.execute("DROP POLICY IF EXISTS users_owner_update ON users")
    op.drop_index("uq_invitations_mailed_token_hash", table_name="invitations")
    op.drop_column("invitations", "mailed_token_hash")
    op.drop_index("uq_users_email_verification_hash", table_name="users")
    for column in ("email_verification_expires_at", "email_verification_hash", "email_verified_at"):
        op.drop_column("users", column)
