"""Forms of the undelivered-mail page."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ResendForm(FlaskForm):
    """Send an undelivered message again (a button; the form carries the CSRF token)."""
