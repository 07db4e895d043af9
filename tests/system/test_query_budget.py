"""Performance guarantees that tests can check: SQL statements per page, the stored
`is_open` flag, and the caches (public list, case page, translations) never showing
anything stale or private.

Every main page sends at most ten statements, and the same number with a little data
as with more (more cases, messages, events, decisions, reviews, links).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import format_datetime as babel_format_datetime
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases import labels as vocab
from app.cases import service, transitions
from app.cases.access import case_access
from app.cases.models import CLOSED_STATES as MODEL_CLOSED_STATES
from app.cases.models import CannedReply, Case
from app.committee import votes
from app.core import babel_cache
from app.core import caches as datacache
from app.core.audit_log import AuditEvent
from app.core.models import utcnow
from app.groups import service as group_service
from app.groups.models import Referral, WorkingGroup
from app.meetings.models import Meeting
from app.role_requests import service as role_requests
from tests.factories import case_fields, join_group, make_case, make_organisation, make_user
from tests.helpers import SignIn
from tests.helpers import app_session as session
from tests.helpers import sql_statements as statements
from tests.html import parse, text_of

# The case and its parts, and at most one statement per panel (votes, place in line,
# attention, attachments, wiki checks, suggestions); flat in data size.
BUDGET = 16






def count(app: Flask, client: FlaskClient, path: str) -> int:
    """Statements of one request (after a first one, which may sign in or warm up),
    with nothing cached (app.core.caches): the most a page ever sends."""
    assert client.get(path).status_code == 200, path
    datacache.invalidate()
    with statements(app) as sent:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(sent)


def people(db: Session) -> dict[str, User]:
    return {
        "ada": make_user(db, "Ada Requester"),
        "ngozi": make_user(db, "Ngozi Committee", "committee"),
        "mei": make_user(db, "Mei Committee", "committee"),
        "carlos": make_user(db, "Carlos Committee", "committee"),
        "sven": make_user(db, "Sven Helpdesk", "helpdesk"),
        "leila": make_user(db, "Leila Lead"),
        "zoe": make_user(db, "Zoe Committee", "committee"),
        "admin": make_user(db, "Admin Demo", "admin"),
    }


def decide(db: Session, case: Case, outcome: str, u: dict[str, User], **extra: Any) -> None:
    members = [u["ngozi"], u["mei"], u["zoe"]]  # Carlos declares a conflict
    service.record_decision(
        db, case, members[0], case_access(db, members[0], case), expected_version=case.version,
        outcome=outcome, rationale="Discussed.", public_rationale="Please tell us more.",
        participant_ids=[member.id for member in members], **extra)
    db.flush()


def act(db: Session, case: Case, user: User, action: str, message: str | None = None) -> None:
    service.take_action(db, case, user, case_access(db, user, case), action, case.version,
                        message=message)
    db.flush()


def rich_case(db: Session, u: dict[str, User]) -> Case:
    """A case with something of everything, back in initial review (the committee's
    decision form with the working groups shows): decisions, a referral answered by a
    group member, messages and internal notes, a review, links."""
    case = make_case(db, u["ada"], title="Everything at once")
    act(db, case, u["sven"], "triage")
    decide(db, case, "ask_information", u)
    act(db, case, u["ada"], "answer", "Here is more.")
    group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "implementation")).one()
    decide(db, case, "refer", u, group_ids=[group.id], question="Can you help?")
    referral = case_referral(db, case)
    service.answer_referral(db, referral, u["leila"], "Yes.")
    db.flush()
    decide(db, case, "decline", u)
    act(db, case, u["sven"], "reopen", "Let us look again.")
    service.post_message(db, case, u["sven"], case_access(db, u["sven"], case),
                         "An internal note.", internal=True)
    criteria = votes.active_criteria(db)
    votes.cast_vote(db, case, u["mei"], "initial", "proceed", "ok",
                    {criterion.id: (4, "Fine.") for criterion in criteria})
    other = make_case(db, u["ada"], title="A related request")
    service.link_cases(db, case, u["sven"], case_access(db, u["sven"], case), other.reference)
    db.add(CannedReply(language="en", title="Thanks", body="Thank you for $title."))
    service.declare_conflict(db, case, u["carlos"], "Former employer.")
    db.flush()
    return case


def case_referral(db: Session, case: Case) -> Referral:
    return db.scalars(select(Referral).where(Referral.case_id == case.id)).one()


def _role_requests(db: Session, batch: str, times: int) -> None:
    """Requests for a role waiting for an administrator, and Ada's own withdrawn ones."""
    ada = make_user(db, "Ada Requester")
    for index in range(times):
        asker = make_user(db, f"Volunteer {batch} {index}")
        role_requests.ask(db, asker, "helpdesk", f"Reason {index}")
        answered = role_requests.ask(db, ada, "committee", f"Reason {index}")
        role_requests.withdraw(db, answered.id, ada)
    db.flush()


def more_of_everything(db: Session, case: Case, u: dict[str, User], times: int) -> None:
    """More messages, events, decisions, reviews, links, people and cases."""
    for index in range(times):
        service.post_message(db, case, u["sven"], case_access(db, u["sven"], case),
                             f"Message {index}", internal=index % 2 == 0)
        service.set_priority(db, case, u["ngozi"], case_access(db, u["ngozi"], case),
                             ("low", "high")[index % 2], case.version)
        other = make_case(db, u["ada"], title=f"Another request {index}")
        service.link_cases(db, case, u["sven"], case_access(db, u["sven"], case),
                           other.reference)
        make_user(db, f"Extra Member {index}", "committee")
        db.flush()
    for _ in range(3):  # more decisions: ask, answer, back in initial review
        decide(db, case, "ask_information", u)
        act(db, case, u["ada"], "answer", "More.")
    # more referrals (one to a group archived since), answered, back in initial review
    groups = {group.slug: group for group in db.scalars(select(WorkingGroup))}
    decide(db, case, "refer", u, group_ids=[groups["communication"].id,
                                            groups["project-planning"].id], question="And?")
    for slug in ("communication", "project-planning"):
        join_group(db, u["leila"], slug)
        referral = db.scalars(select(Referral).where(
            Referral.case_id == case.id, Referral.group_id == groups[slug].id)).one()
        service.answer_referral(db, referral, u["leila"], f"From {slug}.")
        db.flush()
    decide(db, case, "decline", u)
    act(db, case, u["sven"], "reopen", "Once more.")
    group_service.toggle_archive(db, groups["communication"], u["sven"])
    votes.cast_vote(db, case, u["ngozi"], "initial", "refer", "?",
                    {criterion.id: (2, "") for criterion in votes.active_criteria(db)})
    extra = make_user(db, "Extra Member 0", "committee")
    service.declare_conflict(db, case, extra, "Their employer.")
    db.flush()


VIEWERS = ("Ngozi Committee", "Mei Committee", "Carlos Committee", "Sven Helpdesk",
           "Ada Requester", "Leila Lead")


def test_case_page_statements_stay_within_budget_whatever_the_case_holds(
    app: Flask, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        join_group(db, u["leila"], "implementation")
        case = rich_case(db, u)
        reference = case.reference
        assert case.state == "in_initial_review"
    clients = {name: app.test_client() for name in VIEWERS}
    for name, client in clients.items():
        sign_in(client, name)
    path = f"/requests/{reference}"
    small = {name: count(app, client, path) for name, client in clients.items()}

    with session(app) as db:
        u = people(db)
        more_of_everything(db, db.get(Case, case.id), u, 12)
    large = {name: count(app, client, path) for name, client in clients.items()}
    assert large == small
    assert max(large.values()) <= BUDGET, large

    # and the page still shows what the statements were saved on
    html = clients["Ngozi Committee"].get(path).get_data(as_text=True)
    shown = text_of(parse(html))  # the text people read (names are isolated in <bdi>)
    assert "Mei Committee, Ngozi Committee, Zoe Committee" in shown  # decision participants
    assert 'name="groups"' in html and "Implementation" in html  # the groups to refer to
    assert "Scores per criterion: median and spread" in shown  # the votes with their scores
    assert "Ngozi Committee Refer to working groups ?" in shown and "Technical 2 2" in shown
    assert html.count('href="/requests/CPH-') >= 13  # the related requests
    assert "An internal note." in html and "Message 11" in html
    assert "Thanks" in html  # the canned reply
    assert "From communication." in html and "From project-planning." in html  # referrals
    assert 'id="group-' in html and html.count('name="groups"') == 7  # not the archived one
    assert "Extra Member 0: Their employer." in shown  # a conflict of interest
    carlos = clients["Carlos Committee"].get(path).get_data(as_text=True)
    assert "You declared a conflict of interest" in carlos
    leila = clients["Leila Lead"].get(path).get_data(as_text=True)
    assert "Questions to working groups" in leila and "An internal note." not in leila


def test_a_canned_reply_is_filled_in_without_a_statement_more(
    app: Flask, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        case = make_case(db, u["ada"], title="Maps")
        db.add(CannedReply(language="en", title="Thanks", body="Thank you for $title."))
        db.add(CannedReply(language="sv", title="Tack", body="Tack för $reference."))
        db.flush()
        reference = case.reference
        ids = {reply.language: reply.id for reply in db.scalars(select(CannedReply))}
    client = app.test_client()
    sign_in(client, "Sven Helpdesk")
    path = f"/requests/{reference}"
    plain = count(app, client, path)
    assert count(app, client, f"{path}?canned={ids['en']}") == plain
    assert "Thank you for Maps." in client.get(f"{path}?canned={ids['en']}").get_data(
        as_text=True)
    # a reply in another language is filled in too (as before)
    assert f"Tack för {reference}." in client.get(f"{path}?canned={ids['sv']}").get_data(
        as_text=True)
    # a changed reply shows at once
    with session(app) as db:
        reply = db.get(CannedReply, ids["en"])
        reply.title = "Many thanks"
    assert "Many thanks" in client.get(path).get_data(as_text=True)


def _bulk_public_cases(db: Session, how_many: int, start: int) -> None:
    organisation = make_organisation(db, f"Bulk organisation {start}")
    now = utcnow()
    rows = []
    for number in range(start, start + how_many):
        fields = case_fields(db, organisation=organisation, title=f"Bulk case {number}")
        closed = number % 4 == 0
        rows.append({**fields, "reference": f"CPH-1999-{number:05d}", "year": 1999,
                     "number": number, "version": 1,
                     "state": "withdrawn" if closed else "in_initial_review",
                     "priority": "normal", "created_at": now, "updated_at": now,
                     "state_changed_at": now - timedelta(days=number % 9),
                     "stage_started_at": now - timedelta(days=number % 9),
                     "paused_seconds": 0})
    db.execute(insert(Case), rows)


def _meetings(db: Session, number: int) -> None:
    """Committee meetings, past and to come."""
    now = utcnow()
    db.add_all(Meeting(title=f"Meeting {index}", starts_at=now + timedelta(days=index - 2))
               for index in range(number))


MAIN_PAGES = ("/", "/cases", "/cases?page=2", "/cases?state=in_initial_review&theme=heritage",
              "/cases.atom", "/api/v1/cases", "/api/v1/cases?open=true&per_page=100",
              "/api/v1/working-groups", "/dashboard", "/dashboard?state=all&page=2",
              "/dashboard?waiting=1&sort=priority", "/dashboard?q=bulk&theme=heritage",
              "/requests/mine", "/groups", "/groups/implementation", "/committee", "/partners",
              "/stats", "/privacy")


def test_main_pages_stay_within_budget_whatever_the_data_size(
    app: Flask, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        join_group(db, u["leila"], "implementation")
        case = rich_case(db, u)
        reference = case.reference
        _bulk_public_cases(db, 60, 0)
        _role_requests(db, "small", 1)
    app.config["PUBLIC_LIST_RECHECK_SECONDS"] = 0  # the version read on every request
    committee, helpdesk, visitor = app.test_client(), app.test_client(), app.test_client()
    requester, admin, member = app.test_client(), app.test_client(), app.test_client()
    sign_in(committee, "Ngozi Committee")
    sign_in(helpdesk, "Sven Helpdesk")
    sign_in(requester, "Ada Requester")
    sign_in(admin, "Admin Demo")
    sign_in(member, "Leila Lead")
    pages = [*MAIN_PAGES, f"/cases/{reference}", f"/api/v1/cases/{reference}"]

    def measure() -> dict[str, int]:
        found = {path: count(app, committee, path) for path in pages}
        found["/inbox"] = count(app, helpdesk, "/inbox")
        # each person's home page (what needs them) and the menu's counts (app/attention)
        for name, person in (("helpdesk", helpdesk), ("requester", requester),
                             ("admin", admin), ("group member", member)):
            for path in ("/", "/requests/mine", "/privacy"):
                found[f"{name} {path}"] = count(app, person, path)
        found["admin /admin/"] = count(app, admin, "/admin/")  # the requests for a role
        found["requester /roles/request"] = count(app, requester, "/roles/request")
        for path in ("/cases", "/cases?page=2", f"/cases/{reference}", "/cases.atom"):
            found[f"signed out {path}"] = count(app, visitor, path)
        return found

    small = measure()
    with session(app) as db:
        _bulk_public_cases(db, 300, 100)
        more_of_everything(db, db.get(Case, case.id), people(db), 6)
        _meetings(db, 6)  # the committee's home page names the next one
        _role_requests(db, "large", 6)  # the administrators' home page and roles page count them
    large = measure()
    assert large == small
    assert max(large.values()) <= BUDGET, large


# -- the stored is_open flag ---------------------------------------------------------


def test_closed_states_are_the_workflows() -> None:
    assert MODEL_CLOSED_STATES == transitions.CLOSED_STATES


def stored_is_open(db: Session, case_id: int) -> bool:
    return bool(db.execute(text("SELECT is_open FROM cases WHERE id = :id"),
                           {"id": case_id}).scalar_one())


def test_is_open_follows_the_state_wherever_it_is_set(app: Flask) -> None:
    with session(app) as db:
        u = people(db)
        case = make_case(db, u["ada"])
        db.flush()
        assert stored_is_open(db, case.id) is True
        act(db, case, u["ada"], "withdraw")
        assert stored_is_open(db, case.id) is False and case.is_open is False
        act(db, case, u["sven"], "reopen", "Again.")
        assert stored_is_open(db, case.id) is True
        # set by hand, as tests and scripts do
        case.state = "declined"
        db.flush()
        assert stored_is_open(db, case.id) is False
        built = Case(**case_fields(db), reference="CPH-1999-00001", year=1999, number=1,
                     state="closed")
        db.add(built)
        db.flush()
        assert stored_is_open(db, built.id) is False
        # Core inserts without the column get it from the state
        db.execute(insert(Case), [
            {**case_fields(db), "reference": f"CPH-1998-0000{n}", "year": 1998, "number": n,
             "state": state}
            for n, state in enumerate(("withdrawn", "in_support", "submitted"), start=1)])
        found = dict(db.execute(text("SELECT state, is_open FROM cases WHERE year = 1998")).all())
        assert {state: bool(flag) for state, flag in found.items()} == {
            "withdrawn": False, "in_support": True, "submitted": True}


# -- the cached public list ----------------------------------------------------------


def public_case(db: Session, u: dict[str, User], title: str) -> Case:
    case = make_case(db, u["ada"], title=title)
    act(db, case, u["sven"], "triage")
    return case


def test_public_list_is_answered_from_the_cache_for_signed_out_visitors(
    app: Flask, client: FlaskClient
) -> None:
    with session(app) as db:
        public_case(db, people(db), "Baltic maps")
    first = client.get("/cases").get_data(as_text=True)
    with statements(app) as sent:
        again = client.get("/cases").get_data(as_text=True)
    assert again == first and "Baltic maps" in again
    assert sent == []  # the newest audit id was read less than half a second ago
    app.config["PUBLIC_LIST_RECHECK_SECONDS"] = 0
    with statements(app) as sent:
        assert client.get("/cases").get_data(as_text=True) == first
    assert len(sent) == 1  # the newest audit id only


def test_after_a_database_error_the_public_list_asks_the_database_again(
    app: Flask, client: FlaskClient
) -> None:
    """So that a database that went away gives its error page, not a cached list."""
    with session(app) as db:
        public_case(db, people(db), "Baltic maps")
    client.get("/cases")
    with statements(app) as sent:
        client.get("/cases")
    assert sent == []
    engine = app.extensions["database"].engine
    with engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text("SELECT * FROM no_such_table"))
    with statements(app) as sent:
        assert "Baltic maps" in client.get("/cases").get_data(as_text=True)
    assert len(sent) == 1


def test_a_change_to_a_public_case_shows_at_once(app: Flask, client: FlaskClient) -> None:
    with session(app) as db:
        u = people(db)
        case = public_case(db, u, "Baltic maps")
        hidden = public_case(db, u, "Soon private")
        case_id, hidden_id = case.id, hidden.id
    assert "Baltic maps" in client.get("/cases").get_data(as_text=True)

    with session(app) as db:  # through the workflow (audited)
        u = people(db)
        case = db.get(Case, case_id)
        service.set_public_summary(db, case, u["sven"], case_access(db, u["sven"], case),
                                   "A new public summary.", case.version)
        act(db, case, u["ada"], "withdraw")
    html = client.get("/cases").get_data(as_text=True)
    assert "Withdrawn" in html

    with session(app) as db:  # by hand, not audited: this process's writes count too
        db.get(Case, hidden_id).public_listing = False
    assert "Soon private" not in client.get("/cases").get_data(as_text=True)

    # Another process (a worker, a job): not this process's session, but audited. It
    # shows once the newest audit id is read again: at once when asked to read it every
    # time, else within half a second.
    engine = app.extensions["database"].engine

    def change_elsewhere(title: str) -> None:
        with engine.begin() as conn:
            conn.execute(update(Case).where(Case.id == case_id).values(title=title))
            conn.execute(insert(AuditEvent).values(
                created_at=utcnow(), action="case.edit", object_type="case",
                object_id=str(case_id), before=None, after=None))

    app.config["PUBLIC_LIST_RECHECK_SECONDS"] = 0
    change_elsewhere("Renamed elsewhere")
    assert "Renamed elsewhere" in client.get("/cases").get_data(as_text=True)
    app.config["PUBLIC_LIST_RECHECK_SECONDS"] = 0.5
    client.get("/cases")
    change_elsewhere("Renamed again")
    time.sleep(0.6)
    assert "Renamed again" in client.get("/cases").get_data(as_text=True)


def test_nothing_of_a_signed_in_user_is_cached_or_served_from_the_cache(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        public_case(db, people(db), "Baltic maps")
    member = app.test_client()
    sign_in(member, "Ngozi Committee")
    signed_in = member.get("/cases").get_data(as_text=True)
    assert "Signed in as Ngozi Committee" in signed_in
    signed_out = client.get("/cases").get_data(as_text=True)
    assert "Ngozi Committee" not in signed_out and "Sign out" not in signed_out
    assert 'name="csrf_token"' not in signed_out
    again = member.get("/cases").get_data(as_text=True)  # after the anonymous page was cached
    assert "Signed in as Ngozi Committee" in again
    # each language and each address has its own page
    swedish = client.get("/cases?uselang=sv").get_data(as_text=True)
    assert 'lang="sv"' in swedish and swedish != signed_out
    assert 'lang="sv"' in client.get("/cases").get_data(as_text=True)  # the choice sticks
    assert "Baltic maps" in client.get("/cases?state=in_initial_review").get_data(as_text=True)


def test_no_cache_when_switched_off(app: Flask, client: FlaskClient) -> None:
    app.config["PUBLIC_LIST_CACHE_SECONDS"] = 0
    with session(app) as db:
        public_case(db, people(db), "Baltic maps")
    client.get("/cases")
    with statements(app) as sent:
        assert "Baltic maps" in client.get("/cases").get_data(as_text=True)
    assert len(sent) == 2  # count and page, no version


# -- translations looked up once per request ---------------------------------------


@pytest.mark.parametrize("language", ["en", "sv", "ar", "bn", "fr", "es"])
@pytest.mark.parametrize("fmt", ["short", "medium", "long", "full", "yyyy-MM-dd HH:mm"])
def test_dates_are_formatted_as_flask_babel_does(app: Flask, language: str, fmt: str) -> None:
    moments = [datetime(2026, 11, 27, 18, 40, 5), datetime(2025, 1, 2, 0, 0, 59, 123456)]
    with app.test_request_context(f"/?uselang={language}"):
        for moment in moments:
            assert babel_cache.format_datetime(moment, fmt) == babel_format_datetime(moment, fmt)


def test_labels_follow_a_forced_locale(app: Flask) -> None:
    with app.test_request_context("/?uselang=sv"):
        swedish = vocab.label(vocab.PRIORITIES, "high")
        with force_locale("en"):
            assert vocab.label(vocab.PRIORITIES, "high") == "High"
            assert babel_cache.gettext("Public cases") == "Public cases"
        assert vocab.label(vocab.PRIORITIES, "high") == swedish
        assert vocab.label(vocab.PRIORITIES, "nonsense") == "nonsense"
        assert vocab.label(vocab.PRIORITIES, None) == ""
        assert vocab.choices(vocab.PRIORITIES)[0] == ("low", vocab.label(vocab.PRIORITIES, "low"))


def test_waiting_for_review_counts_the_same_both_ways(app: Flask) -> None:
    from app.dashboard import queries

    with session(app) as db:
        u = people(db)
        cases = []
        for index in range(8):
            case = make_case(db, u["ada"], title=f"Case {index}")
            act(db, case, u["sven"], "triage")
            cases.append(case)
        for case in cases[:3]:
            decide(db, case, "proceed", u)  # to awaiting_final_go
        for case in (cases[0], cases[3], cases[4]):  # a final vote, then two initial ones
            votes.cast_vote(db, case, u["ngozi"], votes.open_stage(case) or "", "decline",
                            "ok", {})
        votes.cast_vote(db, cases[5], u["mei"], "initial", "decline", "ok", {})
        service.declare_conflict(db, cases[1], u["ngozi"], "Friend.")
        service.declare_conflict(db, cases[4], u["ngozi"], "Friend.")
        db.flush()
        counts = queries.state_counts(db)
        for member in (u["ngozi"], u["mei"], u["carlos"]):
            assert (queries.waiting_for_review_count(db, member.id, counts)
                    == queries.waiting_for_review_count(db, member.id))
        assert queries.waiting_for_review_count(db, u["ngozi"].id, counts) == 4
