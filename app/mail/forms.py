"""The mail pages' forms: buttons only, each with its CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ButtonForm(FlaskForm):
    """A POST button (claim a request, release or discard a held email)."""
