"""Files people add to a request or a message, kept privately (app/core/storage.py)."""
