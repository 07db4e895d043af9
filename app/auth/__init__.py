"""Signing in with a Wikimedia account, sessions, roles."""
