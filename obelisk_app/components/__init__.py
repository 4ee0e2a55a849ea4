"""Reusable typed components."""
