"""The meeting and vote emails in the pseudo-locale: every word a message or user data."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from app.auth.models import User
from app.core.models import utcnow
from app.meetings import service as meetings
from app.notifications.models import OutboxMessage
from tests.helpers import app_session
from tests.meetings.support import case_in, make_meeting, setup_people
from tests.pseudo import PSEUDO_LOCALE
from tests.system.test_pseudo_locale import (  # noqa: F401 - fixtures used by name
    app,
    collect_user_data,
    leftovers,
    pseudo_translations,
)


def test_agenda_vote_and_digest_emails_in_the_pseudo_locale(app: Flask) -> None:  # noqa: F811
    setup_people(app)
    with app_session(app) as db:
        for user in db.scalars(select(User)):
            user.language = PSEUDO_LOCALE
    case_in(app, "in_initial_review", "Maps of the Baltic", days=1)
    case_in(app, "awaiting_final_go", "Photos of bridges", days=40)
    make_meeting(app, "December meeting", utcnow() + timedelta(days=1))
    with app_session(app) as db:
        mei = db.scalars(select(User).where(User.username == "Mei Committee")).one()
        meetings.set_vote_mail(db, mei, "digest")
    for args in (["agendas"], ["votes"], ["votes", "--digest"]):
        result = app.test_cli_runner().invoke(args=["meetings", *args])
        assert result.exit_code == 0, result.output

    with app_session(app) as db:
        data = collect_user_data(db)
        rows = list(db.scalars(select(OutboxMessage).where(
            OutboxMessage.kind.in_(["meeting_agenda", "vote_needed", "vote_reminder",
                                    "vote_digest"]))))
        kinds = {row.kind for row in rows}
        findings = [f"{row.kind}: {line!r} → {words}"
                    for row in rows for line in (row.subject, *row.body.splitlines())
                    if (words := leftovers(line, data))]
    assert kinds == {"meeting_agenda", "vote_needed", "vote_reminder", "vote_digest"}
    assert not findings, "\n".join(findings)
