"""Shared state: who is signed in (`AuthState`) and the base of every data page (`SpaceState`). No UI."""

from obelisk_app.states.auth import AuthState
from obelisk_app.states.space import SpaceState

__all__ = ["AuthState", "SpaceState"]
