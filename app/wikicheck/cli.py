"""`flask --app app wiki check` and `flask --app app wiki impact`: the daily jobs of the
wiki checks and the impact follow-up (toolforge/jobs.yaml)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.db import get_session
from app.wikicheck import jobs
from app.wikicheck.service import WikiSettings


@click.group("wiki", cls=AppGroup)
def wiki_group() -> None:
    """Checklist steps verified on the wikis, and the impact follow-up."""


@wiki_group.command("check")
def wiki_check() -> None:
    """Check every open request that names a Commons category or a Wikidata item.

    Prints "checked N, wiki unreachable M, requests R". A wiki that does not answer leaves
    that request's last results as they were; the next run tries again.
    """
    report = jobs.check_open_cases(get_session(), WikiSettings.of(current_app.config))
    click.echo(f"checked {report.checked}, wiki unreachable {report.failed}, "
               f"requests {report.requests}")


@wiki_group.command("impact")
def wiki_impact() -> None:
    """Start the follow-up of requests whose upload is done or that closed, and take the
    snapshots due (day 0, 30, 90, 365), each once.

    Prints "started N, snapshots M, wiki unreachable K, requests R". A snapshot the wikis
    could not give is not recorded and is taken by the next run.
    """
    report = jobs.follow_up(get_session(), WikiSettings.of(current_app.config))
    click.echo(f"started {report.started}, snapshots {report.taken}, "
               f"wiki unreachable {report.failed}, requests {report.requests}")
