"""What reaches members outside the site: the calendar feed, the agenda by email, and the
emails about requests that need their vote (at once or as a daily digest)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from app.cases.models import Case
from app.core.models import utcnow
from app.notifications.models import OutboxMessage
from tests.case_client import post_on_case
from tests.helpers import SignIn, app_session
from tests.html import field_value, one, text_of
from tests.meetings.support import case_in, make_meeting, post_form, setup_people


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def outbox(app: Flask, kind_prefix: str) -> list[OutboxMessage]:
    with app_session(app) as db:
        rows = list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind.like(
            f"{kind_prefix}%")).order_by(OutboxMessage.id)))
        for row in rows:
            db.expunge(row)
        return rows


def run(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["meetings", *args])
    assert result.exit_code == 0, result.output
    return str(result.output)


def calendar_address(client: FlaskClient) -> str:
    """Make the member's calendar address on the meetings page and read it back."""
    answer = post_form(client, "/committee/meetings", "/committee/meetings/calendar")
    assert answer.status_code == 303
    return text_of(one(client.get("/committee/meetings").get_data(as_text=True),
                       ".calendar-url"))


def test_the_calendar_feed_holds_every_meeting_for_the_members_token_only(
        app: Flask, sign_in: SignIn) -> None:
    setup_people(app)
    waiting = case_in(app, "in_initial_review", "Maps of the Baltic", days=2)
    make_meeting(app, "November meeting", utcnow() - timedelta(days=20))
    make_meeting(app, "December meeting", utcnow() + timedelta(days=10))
    mei = signed_in(app, sign_in, "Mei Committee")
    address = calendar_address(mei)
    path = address[address.index("/committee/meetings.ics"):]

    feed = app.test_client().get(path)  # a calendar app: no cookies

    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = Calendar.from_ical(feed.data).walk("VEVENT")
    assert sorted(str(event["SUMMARY"]) for event in events) == [
        "December meeting", "November meeting"]
    upcoming = next(e for e in events if str(e["SUMMARY"]) == "December meeting")
    assert waiting in str(upcoming["DESCRIPTION"])
    assert "Ten thousand scanned maps" not in feed.get_data(as_text=True)  # no description
    # A wrong token, none, or the old one after a new address was made: 404.
    token = path.split("token=")[1]
    assert app.test_client().get("/committee/meetings.ics?token=" + "x" * 43).status_code == 404
    assert app.test_client().get("/committee/meetings.ics").status_code == 404
    calendar_address(mei)
    assert app.test_client().get(f"/committee/meetings.ics?token={token}").status_code == 404
    # The helpdesk reads the meetings but has no calendar address to make.
    helpdesk = signed_in(app, sign_in, "Sven Helpdesk")
    assert helpdesk.post("/committee/meetings/calendar", data={
        "csrf_token": field_value(helpdesk.get("/committee/meetings").get_data(as_text=True),
                                  "csrf_token") or ""}).status_code == 403


def test_members_get_the_agenda_once_some_days_before(app: Flask) -> None:
    setup_people(app)
    reference = case_in(app, "in_initial_review", "Maps of the Baltic", days=2)
    make_meeting(app, "December meeting", utcnow() + timedelta(days=2))
    make_meeting(app, "February meeting", utcnow() + timedelta(days=60))

    assert "agendas queued 3" in run(app, "agendas")
    assert "agendas queued 0" in run(app, "agendas")

    mails = outbox(app, "meeting_agenda")
    assert sorted(m.to_address for m in mails) == [
        "carlos@example.org", "mei@example.org", "ngozi@example.org"]
    assert all("December meeting" in m.subject for m in mails)
    assert all(reference in m.body and "Maps of the Baltic" in m.body for m in mails)


def test_how_many_days_before_the_agenda_goes_is_a_setting(app: Flask) -> None:
    setup_people(app)
    make_meeting(app, "December meeting", utcnow() + timedelta(days=2))
    app.config["MEETING_AGENDA_DAYS_BEFORE"] = 1
    assert "agendas queued 0" in run(app, "agendas")
    app.config["MEETING_AGENDA_DAYS_BEFORE"] = 7
    assert "agendas queued 3" in run(app, "agendas")
    app.config["MEETING_AGENDA_DAYS_BEFORE"] = "soon"
    refused = app.test_cli_runner().invoke(args=["meetings", "agendas"])
    assert refused.exit_code != 0 and "must be a number of days" in refused.output


def test_at_once_or_a_daily_digest_each_sent_once(app: Flask, sign_in: SignIn) -> None:
    setup_people(app)
    mei = signed_in(app, sign_in, "Mei Committee")
    page = mei.get("/preferences").get_data(as_text=True)
    assert field_value(page, "vote_mail") is not None
    answer = post_form(mei, "/preferences", "/preferences", email="mei@example.org",
                       email_notifications="y", vote_mail="digest")
    assert answer.status_code == 303
    first = case_in(app, "in_initial_review", "Maps of the Baltic", days=1)
    second = case_in(app, "awaiting_final_go", "Photos of bridges", days=1)
    carlos = signed_in(app, sign_in, "Carlos Committee")
    post_on_case(carlos, second, "vote", vote_outcome="approve", stage="final")

    run(app, "votes")
    run(app, "votes")
    at_once = outbox(app, "vote_")
    # Ngozi and Carlos chose "at once": one email per case, none for the case Carlos voted on.
    assert sorted((m.to_address, m.subject) for m in at_once) == sorted([
        ("ngozi@example.org", f"{first} needs your vote"),
        ("ngozi@example.org", f"{second} needs your vote"),
        ("carlos@example.org", f"{first} needs your vote")])

    run(app, "votes", "--digest")
    run(app, "votes", "--digest")
    digests = outbox(app, "vote_digest")
    assert [m.to_address for m in digests] == ["mei@example.org"]
    assert first in digests[0].body and second in digests[0].body

    # Past its stage target: one reminder each, to those who still have not voted.
    with app_session(app) as db:
        case = db.scalars(select(Case).where(Case.reference == first)).one()
        case.stage_started_at = utcnow() - timedelta(days=30)
    run(app, "votes")
    run(app, "votes")
    reminders = outbox(app, "vote_reminder")
    assert sorted(m.to_address for m in reminders) == ["carlos@example.org", "ngozi@example.org"]
    assert all(first in m.subject for m in reminders)
