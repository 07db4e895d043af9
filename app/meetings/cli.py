"""`flask --app app meetings …`: the committee's scheduled mail (agendas, calls to vote)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.config import SETTINGS
from app.core.db import get_session
from app.meetings import service


@click.group("meetings", cls=AppGroup)
def meetings_group() -> None:
    """Committee meetings and votes: members' emails."""


def _agenda_days() -> float:
    raw = current_app.config.get("MEETING_AGENDA_DAYS_BEFORE")
    if raw in (None, ""):
        raw = SETTINGS["MEETING_AGENDA_DAYS_BEFORE"].default
    try:
        days = float(raw)
    except (TypeError, ValueError) as exc:
        raise click.ClickException(
            f"MEETING_AGENDA_DAYS_BEFORE must be a number of days, not {raw!r}.") from exc
    if days <= 0:
        raise click.ClickException(f"MEETING_AGENDA_DAYS_BEFORE must be more than 0, not {raw!r}.")
    return days


@meetings_group.command("agendas")
def agendas() -> None:
    """Email the agenda of each meeting that begins within MEETING_AGENDA_DAYS_BEFORE
    days (default 3) to every committee member, once per meeting and member (through
    the outbox). Prints how many emails were queued."""
    db = get_session()
    queued = service.send_agendas(db, days=_agenda_days())
    db.commit()
    click.echo(f"agendas queued {queued}")


@meetings_group.command("votes")
@click.option("--digest", is_flag=True,
              help="Send the daily digest to members who chose it (run once a day).")
def votes(digest: bool) -> None:
    """Tell committee members which cases need their vote: a case that entered the
    initial review or the final go (members without a conflict who have not voted), and
    once more when it waited past its stage target. Members who chose "at once" get an
    email per case from the run without --digest (every few minutes); those who chose the
    digest get one email a day from the run with --digest. Each notice is sent once."""
    db = get_session()
    planned = service.plan_vote_notices(db)
    queued = service.send_vote_notices(db, digest=digest)
    db.commit()
    click.echo(f"notices {planned}, emails queued {queued}")
