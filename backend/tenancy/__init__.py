"""Organizations, spaces, users, memberships, invitations, the audit log and the per-request SpaceContext."""
