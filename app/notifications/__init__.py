"""Notifications: the outbox (written with each change) and its SMTP delivery."""
