"""Obelisk backend: domain packages in import order (see ARCHITECTURE.md). Never imports reflex."""
