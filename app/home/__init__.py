"""The home page, the privacy page and the health check."""
