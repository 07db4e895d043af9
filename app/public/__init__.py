"""The public projection (the one door out) and the public pages and feed."""
