"""The public JSON API: the public projection, read-only."""
