"""Committee meetings: planning one, its agenda, the chair's run of it, and its minutes
(internal for the committee and the helpdesk, public on /meetings and in the API)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases.models import Case
from app.committee.models import Criterion, Decision, Review
from app.core.models import utcnow
from app.meetings.models import Meeting
from tests.case_client import post_on_case
from tests.helpers import SignIn, app_session
from tests.html import parse, table_rows, text_of
from tests.meetings.support import (
    case_in,
    make_meeting,
    post_form,
    setup_people,
    user,
)

MARKER = "INTERNAL-ONLY-7f3a"


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def agenda_references(html: str) -> list[str]:
    return [row[0].split()[0] for row in table_rows(html, "#agenda-table")]


def test_the_agenda_holds_exactly_the_cases_waiting_on_the_committee_longest_first(
        app: Flask, sign_in: SignIn) -> None:
    setup_people(app)
    case_in(app, "submitted", "Not yet triaged")
    recent = case_in(app, "in_initial_review", "Fresh in review", days=1)
    oldest = case_in(app, "in_initial_review", "Long in review", days=20)
    final = case_in(app, "awaiting_final_go", "Waiting for the go", days=5)
    case_in(app, "needs_information", "Asked for a licence", days=30)
    case_in(app, "declined", "Turned down", days=40)
    meeting_id = make_meeting(app, "December meeting", utcnow() + timedelta(days=2))

    mei = signed_in(app, sign_in, "Mei Committee")
    with app_session(app) as db:
        technical = db.scalars(select(Criterion.id).where(Criterion.name == "Technical")).one()
    assert post_on_case(mei, oldest, "vote", stage="initial", vote_outcome="proceed",
                        **{f"score-{technical}": "4"}).status_code == 302
    page = mei.get(f"/committee/meetings/{meeting_id}")

    assert page.status_code == 200
    assert agenda_references(page.get_data(as_text=True)) == [oldest, final, recent]
    # each with its votes and scores so far
    first = table_rows(page.get_data(as_text=True), "#agenda-table")[0]
    assert "Proceed to final go: 1" in " ".join(first) and "Technical: 4.0" in " ".join(first)


def test_a_member_plans_a_meeting_and_adds_a_case_and_a_topic(app: Flask,
                                                              sign_in: SignIn) -> None:
    setup_people(app)
    other = case_in(app, "submitted", "Not on the committee's desk")
    mei = signed_in(app, sign_in, "Mei Committee")
    with app_session(app) as db:
        ids = {name: user(db, name).id for name in ("Ngozi Committee", "Mei Committee")}

    answer = post_form(mei, "/committee/meetings/new", "/committee/meetings/new",
                       title="January meeting", starts_at="2027-01-14T15:00",
                       duration_minutes="60", location="https://meet.example/jan",
                       chair=str(ids["Ngozi Committee"]),
                       attendees=[str(ids["Ngozi Committee"]), str(ids["Mei Committee"])])  # type: ignore[arg-type]

    assert answer.status_code == 303
    page_url = answer.headers["Location"]
    page = mei.get(page_url).get_data(as_text=True)
    assert "January meeting" in page and "https://meet.example/jan" in page
    meeting_id = int(page_url.rstrip("/").rsplit("/", 1)[1])
    assert post_form(mei, page_url, f"/committee/meetings/{meeting_id}/cases",
                     reference=other).status_code == 303
    assert post_form(mei, page_url, f"/committee/meetings/{meeting_id}/topics",
                     topic="Guidelines on AI-generated images").status_code == 303
    html = mei.get(page_url).get_data(as_text=True)
    assert other in agenda_references(html)
    assert "Guidelines on AI-generated images" in html
    # The same case twice, or one that does not exist, is refused with a message.
    again = post_form(mei, page_url, f"/committee/meetings/{meeting_id}/cases", reference=other)
    assert again.status_code == 409 and "already on the agenda" in again.get_data(as_text=True)
    missing = post_form(mei, page_url, f"/committee/meetings/{meeting_id}/cases",
                        reference="CPH-1999-0001")
    assert missing.status_code == 422


def test_a_meeting_without_a_title_is_refused_and_nothing_is_saved(app: Flask,
                                                                   sign_in: SignIn) -> None:
    setup_people(app)
    mei = signed_in(app, sign_in, "Mei Committee")
    answer = post_form(mei, "/committee/meetings/new", "/committee/meetings/new",
                       title="", starts_at="not a date", duration_minutes="60")
    assert answer.status_code == 400
    with app_session(app) as db:
        assert db.scalars(select(Meeting)).first() is None


def test_who_sees_the_internal_pages(app: Flask, sign_in: SignIn) -> None:
    setup_people(app)
    meeting_id = make_meeting(app, "December meeting", utcnow() + timedelta(days=2))
    helpdesk = signed_in(app, sign_in, "Sven Helpdesk")
    assert helpdesk.get(f"/committee/meetings/{meeting_id}").status_code == 200
    assert helpdesk.get("/committee/meetings/new").status_code == 403
    assert helpdesk.get(f"/committee/meetings/{meeting_id}/run").status_code == 403
    requester = signed_in(app, sign_in, "Ada Requester")
    assert requester.get(f"/committee/meetings/{meeting_id}").status_code == 403
    assert requester.get("/committee/meetings").status_code == 403
    # Only the chair runs the meeting.
    mei = signed_in(app, sign_in, "Mei Committee")
    assert mei.get(f"/committee/meetings/{meeting_id}/run").status_code == 403
    assert app.test_client().get(f"/committee/meetings/{meeting_id}").status_code == 302
    assert app.test_client().get(f"/meetings/{meeting_id}").status_code == 200
    assert app.test_client().get("/meetings/999").status_code == 404


def _run_page(client: FlaskClient, meeting_id: int) -> str:
    page = client.get(f"/committee/meetings/{meeting_id}/run")
    assert page.status_code == 200
    return str(page.get_data(as_text=True))


def _vote_aloud(client: FlaskClient, meeting_id: int, case: Case | str, member_id: int,
                outcome: str) -> int:
    reference, case_id = _ref_and_id(client, case)
    url = f"/committee/meetings/{meeting_id}/run"
    answer = post_form(client, url, f"{url}/{reference}/vote", **{
        f"c{case_id}v-member": str(member_id), f"c{case_id}v-outcome": outcome,
        f"c{case_id}v-comment": ""})
    return answer.status_code


def _ref_and_id(client: FlaskClient, case: Case | str) -> tuple[str, int]:
    app = client.application
    with app_session(app) as db:
        row = db.scalars(select(Case).where(Case.reference == str(case))).one()
        return row.reference, row.id


def _decide(client: FlaskClient, meeting_id: int, reference: str, outcome: str,
            public: str) -> tuple[int, str]:
    _reference, case_id = _ref_and_id(client, reference)
    url = f"/committee/meetings/{meeting_id}/run"
    answer = post_form(client, url, f"{url}/{reference}/decision", **{
        f"c{case_id}d-outcome": outcome, f"c{case_id}d-rationale": f"{MARKER} reasons",
        f"c{case_id}d-public_rationale": public, f"c{case_id}d-dissent_reason": ""})
    return answer.status_code, str(answer.get_data(as_text=True))


def test_the_chair_records_votes_given_aloud_and_a_decision_whose_public_minutes_hide_the_rest(
        app: Flask, sign_in: SignIn) -> None:
    setup_people(app)
    public_ref = case_in(app, "in_initial_review", "Maps of the Baltic", days=3)
    private_ref = case_in(app, "awaiting_final_go", "A private request", days=3, public=False)
    meeting_id = make_meeting(app, "December meeting", utcnow() + timedelta(minutes=5))
    with app_session(app) as db:
        ids = [user(db, name).id for name in
               ("Ngozi Committee", "Mei Committee", "Carlos Committee")]
    chair = signed_in(app, sign_in, "Ngozi Committee")
    assert "Maps of the Baltic" in _run_page(chair, meeting_id)
    for member_id in ids:
        assert _vote_aloud(chair, meeting_id, public_ref, member_id, "proceed") == 303
        assert _vote_aloud(chair, meeting_id, private_ref, member_id, "approve") == 303
    status, _page = _decide(chair, meeting_id, public_ref, "proceed", "A clear, open licence.")
    assert status == 303
    status, _page = _decide(chair, meeting_id, private_ref, "approve", "PRIVATE-CASE-RATIONALE")
    assert status == 303
    with app_session(app) as db:
        states = {row.reference: row.state
                  for row in db.execute(select(Case.reference, Case.state))}
    assert states[public_ref] == "awaiting_final_go" and states[private_ref] == "approved"

    with app_session(app) as db:
        db.get(Meeting, meeting_id).starts_at = utcnow() - timedelta(hours=1)  # type: ignore[union-attr]
    anonymous = app.test_client()
    public_page = anonymous.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    api = anonymous.get(f"/api/v1/meetings/{meeting_id}").get_json()
    listing = anonymous.get("/api/v1/meetings").get_json()
    for text in (public_page, str(api), str(listing)):
        assert MARKER not in text
        assert "PRIVATE-CASE-RATIONALE" not in text and private_ref not in text
        assert "meet.example" not in text
    assert "A clear, open licence." in public_page
    assert [d["case"]["reference"] for d in api["decisions"]] == [public_ref]
    assert api["decisions"][0]["public_rationale"] == "A clear, open licence."
    # The page and the API say the same.
    soup = parse(public_page)
    assert [text_of(a) for a in soup.select(".meeting-decisions a")] == [public_ref]
    assert listing["meetings"][0]["id"] == meeting_id and listing["meetings"][0]["held"]
    # The public feed agrees: the consenting case at its new stage, the other absent.
    feed = anonymous.get("/cases.atom").get_data(as_text=True)
    assert MARKER not in feed and private_ref not in feed
    case_api = anonymous.get(f"/api/v1/cases/{public_ref}").get_json()
    assert f"Status: {case_api['state_label']}" in feed
    # The members' calendar carries no internal rationale either.
    answer = post_form(chair, "/committee/meetings", "/committee/meetings/calendar")
    assert answer.status_code == 303
    address = text_of(parse(chair.get("/committee/meetings").get_data(as_text=True))
                      .select_one(".calendar-url") or parse(""))
    calendar = anonymous.get(address[address.index("/committee/meetings.ics"):])
    assert calendar.status_code == 200 and MARKER not in calendar.get_data(as_text=True)
    # The internal minutes keep the decision for the committee and the helpdesk.
    helpdesk = signed_in(app, sign_in, "Sven Helpdesk")
    assert private_ref in helpdesk.get(f"/committee/meetings/{meeting_id}").get_data(as_text=True)


def test_only_the_attendees_votes_count_towards_the_quorum(app: Flask, sign_in: SignIn) -> None:
    setup_people(app)
    reference = case_in(app, "in_initial_review", "Maps of the Baltic", days=3)
    meeting_id = make_meeting(app, "Small meeting", utcnow(),
                              attendees=("Ngozi Committee", "Mei Committee"))
    carlos = signed_in(app, sign_in, "Carlos Committee")
    assert post_on_case(carlos, reference, "vote", vote_outcome="proceed",
                        stage="initial").status_code in (302, 303)
    with app_session(app) as db:
        ids = [user(db, name).id for name in ("Ngozi Committee", "Mei Committee")]
    chair = signed_in(app, sign_in, "Ngozi Committee")
    for member_id in ids:
        assert _vote_aloud(chair, meeting_id, reference, member_id, "proceed") == 303
    # Three votes, but Carlos was not at the meeting: two count, the quorum is three.
    status, page = _decide(chair, meeting_id, reference, "proceed", "")
    assert status == 409
    assert "3 votes" in page or "at least" in page
    with app_session(app) as db:
        assert db.scalars(select(Case.state).where(Case.reference == reference)).one() == (
            "in_initial_review")


def test_a_vote_cast_before_a_conflict_counts_neither_on_the_agenda_nor_at_the_meeting(
        app: Flask, sign_in: SignIn) -> None:
    setup_people(app)
    reference = case_in(app, "in_initial_review", "Maps of the Baltic", days=3)
    meeting_id = make_meeting(app, "December meeting", utcnow())
    carlos = signed_in(app, sign_in, "Carlos Committee")
    assert post_on_case(carlos, reference, "vote", vote_outcome="decline",
                        stage="initial").status_code in (302, 303)
    assert post_on_case(carlos, reference, "conflict",
                        reason="My museum is the partner.").status_code in (302, 303)
    with app_session(app) as db:
        ids = {name: user(db, name).id for name in ("Ngozi Committee", "Mei Committee",
                                                     "Carlos Committee")}
    chair = signed_in(app, sign_in, "Ngozi Committee")
    for name in ("Ngozi Committee", "Mei Committee"):
        assert _vote_aloud(chair, meeting_id, reference, ids[name], "proceed") == 303
    agenda = parse(chair.get(f"/committee/meetings/{meeting_id}").get_data(as_text=True))
    votes_shown = text_of(agenda.select_one("#agenda-table .meeting-tally") or parse(""))
    assert "Proceed to final go: 2" in votes_shown and "Decline" not in votes_shown
    # The two members left make the quorum; Carlos's vote is not among those counted.
    status, _page = _decide(chair, meeting_id, reference, "proceed", "")
    assert status == 303
    with app_session(app) as db:
        decision = db.scalars(select(Decision)).one()
        assert sorted(decision.participant_ids) == sorted(
            (ids["Ngozi Committee"], ids["Mei Committee"]))
        assert decision.quorum == 2 and decision.recused_ids == [ids["Carlos Committee"]]


def test_a_member_corrects_the_vote_the_chair_recorded_for_them(app: Flask,
                                                                sign_in: SignIn) -> None:
    setup_people(app)
    reference = case_in(app, "in_initial_review", "Maps of the Baltic", days=3)
    meeting_id = make_meeting(app, "December meeting", utcnow())
    with app_session(app) as db:
        mei_id = user(db, "Mei Committee").id
    chair = signed_in(app, sign_in, "Ngozi Committee")
    assert _vote_aloud(chair, meeting_id, reference, mei_id, "decline") == 303
    with app_session(app) as db:
        vote = db.scalars(select(Review).where(Review.member_id == mei_id)).one()
        assert (vote.recommendation, vote.meeting_id) == ("decline", meeting_id)
        assert vote.recorded_by_id == user(db, "Ngozi Committee").id

    mei = signed_in(app, sign_in, "Mei Committee")
    answer = post_on_case(mei, reference, "vote", vote_outcome="proceed", stage="initial")
    assert answer.status_code in (302, 303)
    with app_session(app) as db:
        vote = db.scalars(select(Review).where(Review.member_id == mei_id)).one()
        assert (vote.recommendation, vote.recorded_by_id) == ("proceed", None)
    # The meeting's agenda shows her corrected vote.
    page = mei.get(f"/committee/meetings/{meeting_id}").get_data(as_text=True)
    assert "Proceed to final go" in page
    # A member who has not voted yet does not see the others' votes (as on the case page).
    carlos = signed_in(app, sign_in, "Carlos Committee")
    page = carlos.get(f"/committee/meetings/{meeting_id}").get_data(as_text=True)
    assert "Shown once you have voted" in page and "Proceed to final go" not in page


def test_the_bot_page_of_the_minutes_says_what_the_api_says(app: Flask,
                                                            sign_in: SignIn) -> None:
    from bot.i18n import language
    from bot.minutes import parse_meeting, render_minutes
    from bot.render import Context

    setup_people(app)
    reference = case_in(app, "in_initial_review", "Maps of the Baltic", days=3)
    meeting_id = make_meeting(app, "December meeting", utcnow())
    with app_session(app) as db:
        ids = [user(db, name).id for name in
               ("Ngozi Committee", "Mei Committee", "Carlos Committee")]
    chair = signed_in(app, sign_in, "Ngozi Committee")
    for member_id in ids:
        assert _vote_aloud(chair, meeting_id, reference, member_id, "proceed") == 303
    assert _decide(chair, meeting_id, reference, "proceed", "A clear, open licence.")[0] == 303

    answer = app.test_client().get(f"/api/v1/meetings/{meeting_id}").get_json()
    meeting = parse_meeting(answer)
    for code in ("en", "sv", "ar"):
        block = render_minutes(Context(language(code), "Helpdesk/Meetings/1", (),
                                       "https://cp-helpdesk.toolforge.org"), meeting)
        assert MARKER not in block and "meet.example" not in block
        assert reference in block and "A clear, open licence." in block
        assert "Ngozi Committee" in block
    assert "Proceed to final go" in render_minutes(
        Context(language("en"), "t", (), "https://cp-helpdesk.toolforge.org"), meeting)


def test_the_meeting_page_reads_as_much_for_two_cases_as_for_six(app: Flask,
                                                                 sign_in: SignIn) -> None:
    from tests.helpers import queries_for

    setup_people(app)
    meeting_id = make_meeting(app, "December meeting", utcnow() + timedelta(days=2))
    mei = signed_in(app, sign_in, "Mei Committee")
    counts = []
    for batch in (2, 4):
        for number in range(batch):
            reference = case_in(app, "in_initial_review", f"Case {batch}-{number}", days=number)
            assert post_on_case(mei, reference, "vote", vote_outcome="proceed",
                                stage="initial").status_code in (302, 303)
        assert post_form(mei, f"/committee/meetings/{meeting_id}",
                         f"/committee/meetings/{meeting_id}/topics",
                         topic=f"Topic {batch}").status_code == 303
        counts.append(queries_for(app, mei, f"/committee/meetings/{meeting_id}"))
    assert counts[0] == counts[1], counts


def test_a_vote_or_decision_on_a_case_that_waits_on_no_decision_is_refused(
        app: Flask, sign_in: SignIn) -> None:
    setup_people(app)
    reference = case_in(app, "submitted", "Not triaged yet")
    meeting_id = make_meeting(app, "December meeting", utcnow())
    with app_session(app) as db:
        mei_id = user(db, "Mei Committee").id
    chair = signed_in(app, sign_in, "Ngozi Committee")
    assert _vote_aloud(chair, meeting_id, reference, mei_id, "proceed") == 409
    status, page = _decide(chair, meeting_id, reference, "proceed", "")
    assert status == 409 and "not waiting on a committee decision" in page
    with app_session(app) as db:
        assert db.scalars(select(Review)).first() is None
