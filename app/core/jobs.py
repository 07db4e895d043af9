"""Commands scheduled jobs run: `flask --app app outbox deliver`, `cases sweep`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.cases.sweep import sweep
from app.core.config import SETTINGS
from app.core.db import get_session
from app.notifications.delivery import deliver_due, mail_settings

# The sweep's settings (their defaults are in app/core/config.py).
SWEEP_SETTINGS = ("REMIND_AFTER_DAYS", "EXPIRE_AFTER_DAYS")


@click.group("outbox", cls=AppGroup)
def outbox_group() -> None:
    """The notification outbox."""


@outbox_group.command("deliver")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000),
              help="Send at most this many messages in this run.")
def outbox_deliver(limit: int) -> None:
    """Send the notification emails that are due, by SMTP.

    Prints "sent N, failed M, gave up K". A message that fails stays in the outbox
    and is tried again later with exponential backoff (OUTBOX_RETRY_BASE_SECONDS,
    doubling); after OUTBOX_MAX_ATTEMPTS failures it is given up and logged.

    Exit status: 0 whenever the run itself worked, even if messages failed or the
    SMTP server was unreachable, because nothing is lost and the next run retries.
    An unreachable server is reported on standard error, naming the host and the
    error, so it shows in the job's log.
    """
    report = deliver_due(get_session(), limit=limit)
    if report.unreachable:
        settings = mail_settings()
        click.echo(
            f"SMTP server {settings.host}:{settings.port} unreachable ({report.unreachable}); "
            "the messages stay in the outbox and are retried on a later run.",
            err=True,
        )
    click.echo(f"sent {report.sent}, failed {report.failed}, gave up {report.gave_up}")


@click.group("cases", cls=AppGroup)
def cases_group() -> None:
    """Scheduled work on cases."""


def sweep_settings() -> tuple[float, float]:
    """REMIND_AFTER_DAYS and EXPIRE_AFTER_DAYS from the app's configuration, checked.

    The checked numbers are put back into the configuration, where the sweep reads them.
    """
    values = []
    for name in SWEEP_SETTINGS:
        raw = current_app.config.get(name)
        if raw in (None, ""):
            raw = SETTINGS[name].default
        try:
            value = float(raw)
        except (TypeError, ValueError) as exc:
            raise click.ClickException(f"{name} must be a number of days, not {raw!r}.") from exc
        if value <= 0:
            raise click.ClickException(f"{name} must be more than 0 days, not {raw!r}.")
        current_app.config[name] = value
        values.append(value)
    return values[0], values[1]


@cases_group.command("sweep")
def cases_sweep() -> None:
    """Remind requesters who were asked for information, and close unanswered requests.

    A case waiting on its requester (needs_information) gets one reminder email
    after REMIND_AFTER_DAYS (default 14) and is closed as withdrawn, outcome
    "no_answer", after EXPIRE_AFTER_DAYS (default 30); both are audited. Prints the
    references of the cases reminded and closed. All changes are committed
    together; if any fails, none is, and the command exits 1.
    """
    remind_days, expire_days = sweep_settings()
    if expire_days <= remind_days:
        click.echo(f"Warning: EXPIRE_AFTER_DAYS ({expire_days:g}) is not longer than "
                   f"REMIND_AFTER_DAYS ({remind_days:g}), so requesters are never reminded.",
                   err=True)
    db = get_session()
    try:
        result = sweep(db)
        db.commit()
    except SQLAlchemyError as exc:
        db.rollback()
        raise click.ClickException(
            f"The sweep could not be saved, nothing was changed ({type(exc).__name__}: "
            f"{str(exc)[:200]}). It is safe to run it again."
        ) from exc
    click.echo(f"reminded {len(result.reminded)}: {', '.join(result.reminded) or '-'}")
    click.echo(f"closed {len(result.closed)}: {', '.join(result.closed) or '-'}")
