"""Forms of the attention feature (each POST carries the CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class WatchForm(FlaskForm):
    """Watch or stop watching a case (`watch` is "1" or "0")."""

    watch = HiddenField()


class UnwatchForm(FlaskForm):
    """Stop the emails about a case, from the signed link of an email."""


class SaveViewForm(FlaskForm):
    """Save the dashboard's current filters under a name (the filters come as the
    other fields of the form)."""

    class Meta:
        csrf = True

    name = StringField()


class RenameViewForm(FlaskForm):
    """Give a saved view another name."""

    name = StringField()


class DeleteViewForm(FlaskForm):
    """Delete a saved view (a button)."""
