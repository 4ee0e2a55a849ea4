"""Shared state: who is signed in and which space they are in. Imports no UI."""

from obelisk_app.states.auth import AuthState

__all__ = ["AuthState"]
