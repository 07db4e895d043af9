"""Commands scheduled jobs run: `flask --app app outbox deliver`, `cases sweep`."""

import click
from flask.cli import AppGroup


@click.group("outbox", cls=AppGroup)
def outbox_group() -> None:
    """The notification outbox."""


@click.group("cases", cls=AppGroup)
def cases_group() -> None:
    """Scheduled work on cases."""
