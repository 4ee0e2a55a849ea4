"""Helpers shared by every test tier: tenants, local HTTP servers, Reflex states. See tests/README.md."""
