"""The rest of "what needs you": the helpdesk's overdue cases and the committee's next
meeting on their home pages."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from app.core.models import utcnow
from app.meetings.models import Meeting
from tests.attention.support import act, panel, panels, people
from tests.factories import make_case
from tests.helpers import SignIn
from tests.helpers import app_session as session
from tests.html import parse, text_of


def test_the_helpdesk_sees_the_overdue_cases(app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        u = people(db)
        late = make_case(db, u["ada"], title="Waiting too long")
        act(db, late, u["sven"], "triage")
        late.stage_started_at = utcnow() - timedelta(days=60)
        recent = make_case(db, u["omar"], title="Just triaged")
        act(db, recent, u["sven"], "triage")
        reference = late.reference
    sven, ada = app.test_client(), app.test_client()
    sign_in(sven, "Sven Helpdesk")
    sign_in(ada, "Ada Requester")

    assert panel(sven, "overdue") == [reference]
    assert "overdue" not in panels(ada)


def next_meeting(client: FlaskClient) -> str | None:
    """The text of the home page's next-meeting panel (None: no such panel)."""
    section = parse(client.get("/").get_data(as_text=True)).select_one("#panel-meeting")
    return text_of(section) if section is not None else None


def test_committee_members_see_the_next_meeting(app: Flask, sign_in: SignIn) -> None:
    now = utcnow()
    with session(app) as db:
        people(db)
        db.add_all([
            Meeting(title="Ended an hour ago", starts_at=now - timedelta(hours=3),
                    duration_minutes=90),
            Meeting(title="After the next", starts_at=now + timedelta(days=30)),
            Meeting(title="The next one", starts_at=now + timedelta(days=3)),
        ])
    ngozi, sven, ada = (app.test_client() for _ in range(3))
    sign_in(ngozi, "Ngozi Committee")
    sign_in(sven, "Sven Helpdesk")
    sign_in(ada, "Ada Requester")

    shown = next_meeting(ngozi)
    assert shown is not None and shown.startswith("Next committee meeting The next one on ")
    link = parse(ngozi.get("/").get_data(as_text=True)).select_one("#panel-meeting a")
    assert link is not None
    assert ngozi.get(str(link["href"])).status_code == 200  # the meeting's page
    assert next_meeting(sven) is None and next_meeting(ada) is None  # for the committee

    with session(app) as db:  # a meeting under way is the one to go to
        db.add(Meeting(title="Under way", starts_at=now - timedelta(minutes=30),
                       duration_minutes=90))
    assert "Under way" in (next_meeting(ngozi) or "")


def test_no_meeting_planned_says_so(app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        people(db)
    ngozi = app.test_client()
    sign_in(ngozi, "Ngozi Committee")
    assert next_meeting(ngozi) == "Next committee meeting No meeting is planned."
