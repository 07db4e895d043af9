"""Authorization matrix: every route of the app × every kind of person, with the
status each must get. A new route without a row here fails the test, so nobody
can add a page without deciding who may see it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases import service
from app.cases.access import case_access
from app.committee.models import Guideline, GuidelineRevision
from app.core.db import get_session
from app.core.models import utcnow
from app.groups.models import Referral, WorkingGroup
from app.meetings.models import Meeting
from tests.case_client import hidden_fields
from tests.factories import join_group, make_case, make_user
from tests.helpers import SignIn

ROLES = ("anonymous", "requester", "other_requester", "committee", "recused", "member",
         "helpdesk", "admin")
USERNAMES = {"requester": "Ada Requester", "other_requester": "Omar Requester",
             "committee": "Ngozi Committee", "recused": "Carlos Committee",
             "member": "Leila Lead", "helpdesk": "Sven Helpdesk", "admin": "Admin Demo"}

ALL = dict.fromkeys(ROLES, 200)
SIGNED_IN_ONLY = {**dict.fromkeys(ROLES, 200), "anonymous": 302}


def only(allowed: dict[str, int], others: int = 403, anonymous: int = 302) -> dict[str, int]:
    """Anonymous → sign in (302); the listed roles get their status; the rest `others`."""
    return {role: anonymous if role == "anonymous" else allowed.get(role, others)
            for role in ROLES}


def post(allowed: dict[str, int], others: int = 403) -> dict[str, int]:
    """A POST: anonymous visitors have no form token, so the CSRF check refuses them (400)."""
    return only(allowed, others, anonymous=400)


STAFF = ("committee", "recused", "helpdesk")
VIEWERS = ("requester", "committee", "recused", "member", "helpdesk")
ORGANISERS = ("committee", "recused", "admin")  # of committee meetings

# (method, rule) → expected status per role. POSTs carry a valid CSRF token (and the
# case page's version where noted) but no other data: allowed people get the
# validation answer (400/409), everyone else is refused before any validation.
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/"): ALL,
    ("GET", "/privacy"): ALL,
    ("GET", "/healthz"): ALL,
    ("GET", "/favicon.ico"): ALL,
    ("GET", "/static/<path:filename>"): ALL,
    ("GET", "/login"): dict.fromkeys(ROLES, 302),
    ("GET", "/oauth-callback"): ALL,  # no answer from the wiki: the "cancelled" page
    ("POST", "/logout"): dict.fromkeys(ROLES, 302),
    ("GET", "/cases"): ALL,
    ("GET", "/cases/<reference>"): ALL,
    ("GET", "/cases.atom"): ALL,
    ("GET", "/api/v1/cases"): ALL,
    ("GET", "/api/v1/cases/<reference>"): ALL,
    ("GET", "/api/v1/cases/<reference>/impact"): ALL,
    ("GET", "/api/v1/working-groups"): ALL,
    ("GET", "/api/v1/openapi.json"): ALL,
    ("GET", "/admin/"): only({"admin": 200}),
    ("GET", "/admin/audit"): only({"admin": 200}),
    ("POST", "/admin/roles/grant"): post({"admin": 400}),
    ("POST", "/admin/roles/revoke"): post({"admin": 303}),
    ("POST", "/admin/sessions/end"): post({"admin": 400}),
    ("POST", "/admin/role-requests/<int:request_id>/approve"): post({"admin": 404}),
    ("POST", "/admin/role-requests/<int:request_id>/decline"): post({"admin": 404}),
    ("GET", "/roles/request"): SIGNED_IN_ONLY,
    ("POST", "/roles/request"): post(dict.fromkeys(ROLES, 400)),
    ("POST", "/roles/requests/<int:request_id>/withdraw"): post(dict.fromkeys(ROLES, 404)),
    ("GET", "/preferences"): SIGNED_IN_ONLY,
    ("POST", "/preferences"): post(dict.fromkeys(ROLES, 303)),
    ("GET", "/requests/mine"): SIGNED_IN_ONLY,
    ("GET", "/requests/new"): SIGNED_IN_ONLY,
    ("POST", "/requests/new"): post(dict.fromkeys(ROLES, 400)),
    ("GET", "/requests/log-email"): only({"helpdesk": 200}),
    ("POST", "/requests/log-email"): post({"helpdesk": 400}),
    ("GET", "/dashboard"): only(dict.fromkeys(STAFF, 200)),
    ("GET", "/inbox"): only({"helpdesk": 200}),
    # The support queue (app/queue): staff see it, the committee orders it; bulk actions
    # on the inbox are the helpdesk's (nothing selected: 400).
    ("GET", "/committee/queue"): only(dict.fromkeys(STAFF, 200)),
    ("POST", "/committee/queue"): post({"committee": 400, "recused": 400}),
    ("POST", "/inbox/bulk"): post({"helpdesk": 400}),
    ("GET", "/canned-replies"): only(dict.fromkeys(STAFF, 200)),
    ("POST", "/canned-replies"): post(dict.fromkeys(STAFF, 400)),
    ("POST", "/canned-replies/<int:reply_id>"): post(dict.fromkeys(STAFF, 404)),
    ("POST", "/canned-replies/<int:reply_id>/delete"): post(dict.fromkeys(STAFF, 404)),
    ("GET", "/requests/<reference>"): only(dict.fromkeys(VIEWERS, 200)),
    ("POST", "/requests/<reference>/action"): post(dict.fromkeys(VIEWERS, 400)),
    ("POST", "/requests/<reference>/decision"): post({"committee": 400}),
    ("POST", "/requests/<reference>/review"): post({"committee": 400}),
    ("POST", "/requests/<reference>/vote"): post({"committee": 400}),  # no stage
    ("POST", "/requests/<reference>/conflict"): post({"committee": 400, "recused": 409}),
    ("POST", "/requests/<reference>/priority"): post({"committee": 400}),
    ("POST", "/requests/<reference>/assign"): post({"helpdesk": 400}),
    ("POST", "/requests/<reference>/summary"): post(dict.fromkeys(STAFF, 400)),
    ("POST", "/requests/<reference>/checklist"): post({"helpdesk": 400}),
    # The wiki checks (app/wikicheck): staff; with nothing named, a check asks no wiki.
    ("POST", "/requests/<reference>/wiki/places"): post(dict.fromkeys(STAFF, 400)),
    ("POST", "/requests/<reference>/wiki/check"): post(dict.fromkeys(STAFF, 400)),
    ("POST", "/requests/<reference>/wiki/override"): post(dict.fromkeys(STAFF, 400)),
    ("POST", "/requests/<reference>/message"): post(
        {"requester": 400, "committee": 400, "recused": 400, "helpdesk": 400}),
    ("POST", "/requests/<reference>/link"): post(dict.fromkeys(STAFF, 400)),
    ("POST", "/requests/<reference>/referrals/<int:referral_id>/answer"): post(
        {"member": 400}),
    ("POST", "/requests/<reference>/link-requester"): post({"helpdesk": 409}),
    # Watching a case (app/attention): those who may see it (before Leila leaves her group).
    ("POST", "/requests/<reference>/watch"): post(dict.fromkeys(VIEWERS, 400)),
    # Working groups (Leila, "member", is a plain member of Implementation, not a lead).
    ("GET", "/groups"): ALL,
    ("GET", "/groups/<slug>"): ALL,
    ("GET", "/groups/mine"): SIGNED_IN_ONLY,
    ("POST", "/groups/<slug>/join"): post({**dict.fromkeys(ROLES, 303), "member": 409}),
    ("POST", "/groups/<slug>/leave"): post({**dict.fromkeys(ROLES, 409), "member": 303}),
    ("POST", "/groups/<slug>/listing"): post(dict.fromkeys(ROLES, 400)),  # no "listed" value
    ("GET", "/groups/<slug>/requests"): only({"admin": 200}),
    ("POST", "/groups/<slug>/requests/<int:request_id>/accept"): post({"admin": 404}),
    ("POST", "/groups/<slug>/requests/<int:request_id>/decline"): post({"admin": 404}),
    ("GET", "/groups/manage"): only({"admin": 200}),
    ("POST", "/groups/manage/add"): post({"admin": 400}),
    ("POST", "/groups/manage/<slug>/edit"): post({"admin": 400}),
    ("POST", "/groups/manage/<slug>/archive"): post({"admin": 303}),
    ("POST", "/groups/manage/<slug>/lead"): post({"admin": 400}),
    # The Expert Committee and its guidelines.
    ("GET", "/committee"): ALL,
    ("GET", "/committee/profile"): dict.fromkeys(ROLES, 301),  # moved to the preferences
    ("GET", "/guidelines/new"): only({"committee": 200, "recused": 200}),
    ("POST", "/guidelines/new"): post({"committee": 400, "recused": 400}),
    ("GET", "/guidelines/<slug>"): ALL,
    ("GET", "/guidelines/<slug>/edit"): only({"committee": 200, "recused": 200}),
    ("POST", "/guidelines/<slug>/edit"): post({"committee": 400, "recused": 400}),
    ("GET", "/guidelines/<slug>/history"): ALL,
    ("GET", "/guidelines/<slug>/revisions/<int:revision_id>"): ALL,
    # The criteria members score against, and a case's substitute reviewers: admins.
    ("GET", "/committee/criteria"): only({"admin": 200}),
    ("POST", "/committee/criteria"): post({"admin": 400}),
    ("GET", "/committee/criteria/<int:criterion_id>"): only({"admin": 404}),
    ("POST", "/committee/criteria/<int:criterion_id>"): post({"admin": 404}),
    ("GET", "/committee/substitutes/<reference>"): only({"admin": 200}),
    ("POST", "/committee/substitutes/<reference>"): post({"admin": 400}),
    # The partner registry (staff only).
    ("GET", "/search"): only(dict.fromkeys((*STAFF, "admin"), 200)),  # full-text search
    ("GET", "/partners"): only(dict.fromkeys(STAFF, 200)),
    ("GET", "/partners/<int:org_id>"): only(dict.fromkeys(STAFF, 200)),
    ("GET", "/partners/<int:org_id>/impact"): only(dict.fromkeys(STAFF, 200)),
    ("GET", "/partners/<int:org_id>/impact.csv"): only(dict.fromkeys(STAFF, 200)),
    ("GET", "/partners/new"): only(dict.fromkeys(STAFF, 200)),
    ("POST", "/partners/new"): post(dict.fromkeys(STAFF, 400)),
    ("GET", "/partners/<int:org_id>/edit"): only(dict.fromkeys(STAFF, 200)),
    ("POST", "/partners/<int:org_id>/edit"): post(dict.fromkeys(STAFF, 400)),
    ("POST", "/partners/<int:org_id>/merge"): post(dict.fromkeys(STAFF, 400)),
    ("POST", "/partners/<int:org_id>/contacts"): post(dict.fromkeys(STAFF, 400)),
    ("POST", "/partners/<int:org_id>/contacts/<int:contact_id>/delete"): post(
        dict.fromkeys(STAFF, 404)),
    ("POST", "/partners/<int:org_id>/placements"): post(dict.fromkeys(STAFF, 400)),
    ("POST", "/partners/<int:org_id>/placements/<int:placement_id>/delete"): post(
        dict.fromkeys(STAFF, 404)),
    # Statistics (public figures unless staff).
    ("GET", "/stats"): ALL,
    ("GET", "/stats.csv"): ALL,
    ("GET", "/gaps"): ALL,
    # Email (app/mail): a case's emails and files, claiming an emailed request, the mailbox.
    ("GET", "/requests/<reference>/mail"): only(dict.fromkeys((*STAFF, "requester"), 200)),
    ("GET", "/requests/<reference>/attachments/<int:attachment_id>"): only(
        dict.fromkeys((*STAFF, "requester"), 404)),
    # Files added to a request (app/attachments): those who may see the case (no such file).
    ("GET", "/requests/<reference>/files/<int:attachment_id>"): only(
        dict.fromkeys(VIEWERS, 404)),
    # Changing a request (app/intake): staff at any time; the requester only before triage
    # (the case here is triaged).
    ("GET", "/requests/<reference>/edit"): only(dict.fromkeys(STAFF, 200)),
    ("POST", "/requests/<reference>/edit"): post(dict.fromkeys(STAFF, 400)),
    ("GET", "/requests/claim/<token>"): only(dict.fromkeys(ROLES, 404)),
    ("POST", "/requests/claim/<token>"): post(dict.fromkeys(ROLES, 404)),
    ("GET", "/mail"): only({"helpdesk": 200}),
    ("GET", "/mail/<int:mail_id>"): only(dict.fromkeys(STAFF, 404)),
    ("POST", "/mail/<int:mail_id>/release"): post({"helpdesk": 404}),
    ("POST", "/mail/<int:mail_id>/discard"): post({"helpdesk": 404}),
    # Mail the outbox gave up on (app/notifications): administrators and the helpdesk.
    ("GET", "/undelivered-mail"): only({"helpdesk": 200, "admin": 200}),
    ("POST", "/undelivered-mail/<int:row_id>/resend"): post({"helpdesk": 303, "admin": 303}),
    # The right people (app/people): the directory, affiliates, skills, asks.
    ("GET", "/people"): SIGNED_IN_ONLY,
    ("GET", "/people/me"): SIGNED_IN_ONLY,
    ("POST", "/people/me"): post(dict.fromkeys(ROLES, 303)),
    ("GET", "/affiliates"): ALL,
    ("GET", "/affiliates/new"): only({"admin": 200}),
    ("POST", "/affiliates/new"): post({"admin": 400}),
    ("GET", "/affiliates/<int:affiliate_id>/edit"): only({"admin": 404}),
    ("POST", "/affiliates/<int:affiliate_id>/edit"): post({"admin": 404}),
    ("GET", "/affiliates/import"): only({"admin": 200}),
    ("POST", "/affiliates/import"): post({"admin": 400}),
    ("GET", "/skills"): only({"admin": 200}),
    ("POST", "/skills"): post({"admin": 400}),
    ("POST", "/skills/<int:skill_id>/retire"): post({"admin": 404}),
    ("GET", "/groups/<slug>/asks/new"): only({"admin": 200}),  # Leila is no lead
    ("POST", "/groups/<slug>/asks/new"): post({"admin": 400}),
    ("POST", "/asks/<int:ask_id>/take"): post(dict.fromkeys(ROLES, 404)),
    ("POST", "/asks/<int:ask_id>/give-back"): post(dict.fromkeys(ROLES, 404)),
    ("POST", "/asks/<int:ask_id>/done"): post(dict.fromkeys(ROLES, 404)),
    ("GET", "/api/v1/asks"): ALL,
    # Committee meetings (app/meetings): read by the committee, the helpdesk and admins;
    # planned by members and admins; run by their chair (Ngozi); public minutes for all.
    ("GET", "/committee/meetings"): only(dict.fromkeys((*STAFF, "admin"), 200)),
    ("POST", "/committee/meetings/calendar"): post({"committee": 303, "recused": 303}),
    ("GET", "/committee/meetings.ics"): dict.fromkeys(ROLES, 404),  # no token
    ("GET", "/committee/meetings/new"): only(dict.fromkeys(ORGANISERS, 200)),
    ("POST", "/committee/meetings/new"): post(dict.fromkeys(ORGANISERS, 400)),
    ("GET", "/committee/meetings/<int:meeting_id>"): only(dict.fromkeys((*STAFF, "admin"), 200)),
    ("GET", "/committee/meetings/<int:meeting_id>/edit"): only(
        dict.fromkeys(ORGANISERS, 200)),
    ("POST", "/committee/meetings/<int:meeting_id>/edit"): post(
        dict.fromkeys(ORGANISERS, 400)),
    ("POST", "/committee/meetings/<int:meeting_id>/cases"): post(
        {"committee": 400, "recused": 400}),
    ("POST", "/committee/meetings/<int:meeting_id>/topics"): post(
        {"committee": 400, "recused": 400}),
    ("GET", "/committee/meetings/<int:meeting_id>/run"): only({"committee": 200}),
    ("POST", "/committee/meetings/<int:meeting_id>/run/notes"): post({"committee": 303}),
    ("POST", "/committee/meetings/<int:meeting_id>/run/<reference>/minute"): post(
        {"committee": 303}),
    ("POST", "/committee/meetings/<int:meeting_id>/run/topics/<int:item_id>/minute"): post(
        {"committee": 404}),
    ("POST", "/committee/meetings/<int:meeting_id>/run/<reference>/vote"): post(
        {"committee": 400}),
    ("POST", "/committee/meetings/<int:meeting_id>/run/<reference>/decision"): post(
        {"committee": 400}),
    # Attention (app/attention): unwatching from an email's signed link (anyone holding it;
    # this token is not one), saved views (staff); watching a case is above.
    ("GET", "/unwatch/<token>"): dict.fromkeys(ROLES, 404),
    ("POST", "/unwatch/<token>"): post(dict.fromkeys(ROLES, 404)),
    # The List-Unsubscribe address: a mail program's one-click POST has no CSRF token.
    ("GET", "/unwatch/<token>/one-click"): dict.fromkeys(ROLES, 404),
    ("POST", "/unwatch/<token>/one-click"): dict.fromkeys(ROLES, 404),
    ("GET", "/views"): only(dict.fromkeys(STAFF, 200)),
    ("POST", "/views"): post(dict.fromkeys(STAFF, 422)),  # no name
    ("GET", "/views/<int:view_id>"): only(dict.fromkeys(STAFF, 404)),
    ("POST", "/views/<int:view_id>/rename"): post(dict.fromkeys(STAFF, 404)),
    ("POST", "/views/<int:view_id>/delete"): post(dict.fromkeys(STAFF, 404)),
    ("GET", "/meetings"): ALL,
    ("GET", "/meetings/<int:meeting_id>"): ALL,
    ("GET", "/api/v1/meetings"): ALL,
    ("GET", "/api/v1/meetings/<int:meeting_id>"): ALL,
}

EXTRA_DATA = {"/requests/<reference>/conflict": {"reason": "x" * 3000}}


def routes(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((method, rule.rule))
    return found


def test_every_route_has_expectations(app: Flask) -> None:
    missing = routes(app) - set(EXPECTED)
    assert not missing, f"routes without an authorization expectation: {sorted(missing)}"
    stale = set(EXPECTED) - routes(app)
    assert not stale, f"expectations for routes that no longer exist: {sorted(stale)}"


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """A public case referred to Implementation; Carlos recused; Leila in the group."""
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        make_user(db, "Omar Requester")
        make_user(db, "Admin Demo")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        members = [make_user(db, n, "committee")
                   for n in ("Ngozi Committee", "Mei Committee", "Carlos Committee")]
        leila = make_user(db, "Leila Lead")
        join_group(db, leila, "implementation")
        case = make_case(db, ada)
        service.move(db, case, sven, {"helpdesk"}, "triage")
        group = db.scalars(select(WorkingGroup.id).where(WorkingGroup.slug == "implementation")
                           ).one()
        service.record_decision(db, case, members[0], case_access(db, members[0], case),
                                expected_version=case.version, outcome="refer", rationale="r",
                                public_rationale="", participant_ids=[m.id for m in members],
                                group_ids=[group], question="Help?")
        service.declare_conflict(db, case, members[2], "works there")
        db.commit()
        referral = db.scalars(select(Referral.id)).one()
        page = Guideline(slug="implementation", title="Working with us", body="Hello")
        db.add(page)
        db.flush()
        revision = GuidelineRevision(guideline_id=page.id, title=page.title, body=page.body,
                                     summary="", author_id=members[0].id)
        db.add(revision)
        meeting = Meeting(title="December meeting", starts_at=utcnow(), chair_id=members[0].id)
        db.add(meeting)
        db.commit()
        return {"meeting_id": meeting.id,
                "reference": case.reference, "referral_id": referral, "reply_id": 999999,
                "filename": "css/helpdesk.css", "slug": "implementation",
                "revision_id": revision.id, "org_id": case.organisation_id,
                "request_id": 999999, "contact_id": 999999, "placement_id": 999999,
                "attachment_id": 999999, "mail_id": 999999, "token": "not-a-claim-token"}


def path_for(rule: str, world: dict[str, Any]) -> str:
    path = rule
    for name, key in (("<reference>", "reference"), ("<int:referral_id>", "referral_id"),
                      ("<int:reply_id>", "reply_id"), ("<path:filename>", "filename"),
                      ("<slug>", "slug"), ("<int:revision_id>", "revision_id"),
                      ("<int:org_id>", "org_id"), ("<int:request_id>", "request_id"),
                      ("<int:contact_id>", "contact_id"),
                      ("<int:placement_id>", "placement_id"),
                      ("<int:attachment_id>", "attachment_id"), ("<int:mail_id>", "mail_id"),
                      ("<int:row_id>", "mail_id"), ("<int:affiliate_id>", "mail_id"),
                      ("<int:skill_id>", "mail_id"), ("<int:ask_id>", "mail_id"),
                      ("<token>", "token"), ("<int:meeting_id>", "meeting_id"),
                      ("<int:criterion_id>", "mail_id"),
                      ("<int:item_id>", "mail_id"), ("<int:view_id>", "mail_id")):
        path = path.replace(name, str(world[key]))
    return path


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app: Flask, sign_in: SignIn, world: dict[str, Any],
                              role: str) -> None:
    client: FlaskClient = app.test_client()
    if role != "anonymous":
        sign_in(client, USERNAMES[role])
    token_page = client.get(f"/cases/{world['reference']}").get_data(as_text=True)
    token = hidden_fields(token_page).get("csrf_token")
    if token is None:
        token = hidden_fields(client.get("/").get_data(as_text=True)).get("csrf_token", "")
    failures = []
    for (method, rule), expected in sorted(EXPECTED.items(), key=lambda item: item[0][0]):
        if rule == "/logout":
            continue  # signing out would end the session of the rest of the run
        path = path_for(rule, world)
        if method == "GET":
            response = client.get(path)
        else:
            data = {"csrf_token": token, **EXTRA_DATA.get(rule, {})}
            response = client.post(path, data=data)
        if response.status_code != expected[role]:
            failures.append(f"{method} {rule}: {response.status_code}, expected {expected[role]}")
    assert not failures, f"{role}:\n" + "\n".join(failures)
