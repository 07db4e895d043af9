"""Command-line tools: `flask --app app db …`, `roles …`, `demo load`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.auth.roles import ROLES, find_user
from app.auth.service import RoleError, grant_role, revoke_role
from app.core.db import get_session


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(db_group)
    app.cli.add_command(roles_group)
    app.cli.add_command(demo_group)
    from app.core.jobs import cases_group, outbox_group

    app.cli.add_command(outbox_group)
    app.cli.add_command(cases_group)
    from app.core.backup import export_command, import_command

    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
    from app.mail.cli import mail_group

    app.cli.add_command(mail_group)
    from app.wikicheck.cli import wiki_group

    app.cli.add_command(wiki_group)
    from app.meetings.cli import meetings_group

    app.cli.add_command(meetings_group)


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Database migrations (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    from app.core import schema  # Alembic: imported only when a db command runs (fast web start)

    schema.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database upgraded to {revision}.")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (default: one step; 'base' empties it)."""
    from app.core import schema

    schema.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database downgraded to {revision}.")


@db_group.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    from app.core import schema

    schema.current(current_app.config["DATABASE_URL"])


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
def db_revision(message: str) -> None:
    """Write a new migration from the difference between models and database."""
    from app.core import schema

    schema.revision(current_app.config["DATABASE_URL"], message)


@click.group("roles", cls=AppGroup)
def roles_group() -> None:
    """Grant and revoke roles (committee, helpdesk, admin)."""


def _change_role(username: str, role: str, grant: bool) -> None:
    db = get_session()
    user = find_user(db, username)
    if user is None:
        raise click.ClickException(
            f"No user called {username!r} has signed in yet; they must sign in once first."
        )
    try:
        (grant_role if grant else revoke_role)(db, user, role, None)
    except RoleError as exc:
        raise click.ClickException(str(exc)) from exc
    db.commit()


@roles_group.command("grant")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def roles_grant(username: str, role: str) -> None:
    """Give USERNAME the ROLE (audited)."""
    _change_role(username, role, grant=True)
    click.echo(f"Granted {role} to {username}.")


@roles_group.command("revoke")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def roles_revoke(username: str, role: str) -> None:
    """Take the ROLE from USERNAME (audited)."""
    _change_role(username, role, grant=False)
    click.echo(f"Revoked {role} from {username}.")


@click.group("demo", cls=AppGroup)
def demo_group() -> None:
    """Demo data for local development."""


@demo_group.command("load")
def demo_load() -> None:
    """Load the demo accounts and their roles (once; a second run changes nothing)."""
    from dev.demo import load_demo_data

    created = load_demo_data(get_session())
    click.echo("Demo data loaded." if created else "Demo data was already there.")
