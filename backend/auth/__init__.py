"""Passwords, signing keys and their rotation, RS256 token issue and verification, revocation.

This package signs the claims it is given and knows nothing of spaces or memberships (that is tenancy).
"""
