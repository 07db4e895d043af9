"""`flask --app app mail fetch`: the mailbox job (a Toolforge job every 2 minutes)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.db import get_session
from app.mail.fetch import fetch_mail
from app.mail.imap import MailboxError
from app.mail.settings import mail_config


@click.group("mail", cls=AppGroup)
def mail_group() -> None:
    """The helpdesk mailbox."""


@mail_group.command("fetch")
@click.option("--limit", default=None, type=click.IntRange(1, 100_000),
              help="Read at most this many messages in this run (default MAIL_FETCH_BATCH).")
def mail_fetch(limit: int | None) -> None:
    """Read the new messages of the helpdesk mailbox (IMAP_HOST, IMAP_MAILBOX).

    Each message is stored once and then moved to IMAP_PROCESSED_MAILBOX: new mail opens
    a request, replies land on their case, auto-replies and delivery reports are never
    answered, a sender over MAIL_SENDER_LIMIT an hour is held for the helpdesk.

    Prints "read N: <outcome> <count>, …". Exit status 0 when the run worked, also when
    the server could not be reached (said on standard error; nothing is lost, the next
    run goes on); 1 when the server refused the sign-in or the folder, or a message could
    not be stored (it stays in the mailbox, the error is in the log, the next run retries).
    """
    config = mail_config()
    if not config.host:
        raise click.ClickException("IMAP_HOST is not set: there is no mailbox to read.")
    try:
        report = fetch_mail(get_session(), config, limit)
    except MailboxError as exc:
        raise click.ClickException(
            f"The mailbox {config.username}@{config.host}:{config.port} refused us: {exc}"
        ) from exc
    if report.unreachable:
        click.echo(f"IMAP server {config.host}:{config.port} unreachable ({report.unreachable}); "
                   "the messages stay in the mailbox and are read on a later run.", err=True)
    click.echo(report.summary())
    if report.failed:
        raise click.ClickException(
            f"{report.failed} message(s) could not be stored; they stay in the mailbox "
            "(see the log above) and are tried again on the next run.")
