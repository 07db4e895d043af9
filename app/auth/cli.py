"""`flask --app app sessions prune`: delete the records of sessions that are over."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.auth.service import prune_sessions
from app.core.db import get_session


@click.group("sessions", cls=AppGroup)
def sessions_group() -> None:
    """Records of signed-in sessions."""


@sessions_group.command("prune")
def sessions_prune() -> None:
    """Delete the records of sessions that ended, or went unused, longer than the session
    lifetime ago (run daily; sign-in also deletes the signing-in user's own)."""
    db = get_session()
    deleted = prune_sessions(db, current_app.permanent_session_lifetime)
    db.commit()
    click.echo(f"deleted {deleted} session records")
