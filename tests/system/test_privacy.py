"""Nothing private ever leaves the app to the public.

Cases are built through the services with a distinct secret in every private
field (contact details, description, licence and support details, timeline,
organisation notes and website, messages, reviews, conflicts of interest,
internal decision rationales, the committee's questions to the requester,
referral questions and answers, checklist links, e-mail addresses, unlisted
members), plus cases that are not public at all. Then an anonymous visitor
fetches every public page, feed and API answer, in English and in Swedish, and
no secret may appear in any of them. The public rationale of a decision on a
public case is public: the case's public page shows it in its timeline.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attachments import service as attachments
from app.auth.models import User
from app.cases import queries, service
from app.cases.access import case_access
from app.cases.models import Case
from app.committee import votes
from app.committee.models import Decision
from app.core.db import get_session
from app.core.models import utcnow
from app.groups.models import Referral, WorkingGroup
from app.meetings import service as meetings
from app.meetings.models import AgendaItem
from app.wikicheck.models import CaseWiki, ImpactSnapshot
from tests.factories import join_group, make_case, make_organisation, make_user
from tests.html import one

PUBLIC_SUMMARY = "Publicsummary-visible-to-everyone-4471"
PUBLIC_TITLE = "Publictitle-open-maps-4471"
PUBLIC_RATIONALE = "Publicrationale-on-the-timeline-4471"
FIELDS = ("contact_name", "contact_email", "contact_username", "description",
          "licence_details", "support_details", "timeline", "content_volume",
          "organisation_notes", "organisation_website", "internal_message", "public_message",
          "requester_message", "review_comment", "conflict_reason", "rationale",
          "question_to_requester", "private_public_rationale", "referral_question",
          "referral_answer", "checklist_link",
          "second_rationale", "private_title", "private_summary", "untriaged_title",
          "requester_username", "requester_email", "staff_email", "unlisted_member",
          "unlisted_member_email", "private_referral_question", "attachment_name",
          "attachment_content", "score_note")
SECRETS = {name: f"Zq{index:02d}x-secret-{name.replace('_', '-')}"
           for index, name in enumerate(FIELDS)}
SECRETS["contact_email"] = "zq-secret-contact@example.org"
SECRETS["requester_email"] = "zq-secret-requester@example.org"
SECRETS["staff_email"] = "zq-secret-staff@example.org"
SECRETS["unlisted_member_email"] = "zq-secret-unlisted@example.org"
SECRETS["organisation_website"] = "https://zq-secret-website.example.org/"
SECRETS["checklist_link"] = "https://commons.wikimedia.org/wiki/Category:Zq-secret-link"
SECRETS["wiki_category"] = "Category:Zq-secret-wiki-category"
SECRETS["wiki_reason"] = "Zq-secret-wiki-override-reason"
SECRETS.update({f"meeting_{name}": f"Zq-meeting-secret-{name}"  # app/meetings
                for name in ("location", "notes", "topic", "minute")})


def committee(db: Session) -> list[User]:
    return [make_user(db, name, "committee")
            for name in ("Ngozi Committee", "Mei Committee", "Carlos Committee")]


def decide(db: Session, case: Case, outcome: str, rationale: str, public_rationale: str = "",
           groups: list[WorkingGroup] | None = None, question: str = "") -> None:
    members = committee(db)
    chair = members[0]
    service.record_decision(
        db, case, chair, case_access(db, chair, case), expected_version=case.version,
        outcome=outcome, rationale=rationale, public_rationale=public_rationale,
        participant_ids=[m.id for m in members], group_ids=[g.id for g in groups or []],
        question=question)


def build_cases(db: Session) -> dict[str, Any]:
    """The cases of the scenario; returns their references and the groups used."""
    s = SECRETS
    requester = make_user(db, s["requester_username"], email=s["requester_email"])
    staff = make_user(db, "Sven Helpdesk", "helpdesk", email=s["staff_email"])
    groups = list(db.scalars(select(WorkingGroup).order_by(WorkingGroup.name)))[:2]
    join_group(db, make_user(db, "Leila Lead"), groups[0].slug, lead=True, listed=True)
    join_group(db, make_user(db, s["unlisted_member"], email=s["unlisted_member_email"]),
               groups[0].slug, listed=False)
    join_group(db, make_user(db, "Omar Requester"), groups[1].slug, listed=True)

    # A: public, through initial review and referral, with every kind of private text.
    organisation = make_organisation(db, "Publicorg Museum", website=s["organisation_website"],
                                     notes=s["organisation_notes"])
    case = make_case(db, requester, title=PUBLIC_TITLE, organisation=organisation,
                     description=s["description"], licence_details=s["licence_details"],
                     support_details=s["support_details"], timeline=s["timeline"],
                     content_volume=s["content_volume"], contact_name=s["contact_name"],
                     contact_email=s["contact_email"], contact_username=s["contact_username"])
    service.move(db, case, staff, {"helpdesk"}, "triage")
    staff_access = case_access(db, staff, case)
    service.assign(db, case, staff, staff_access, staff, case.version)
    service.set_public_summary(db, case, staff, staff_access, PUBLIC_SUMMARY, case.version)
    service.post_message(db, case, staff, staff_access, s["internal_message"], internal=True)
    service.post_message(db, case, staff, staff_access, s["public_message"], internal=False)
    service.post_message(db, case, requester, case_access(db, requester, case),
                         s["requester_message"], internal=False)
    attachments.attach(db, case, requester, [attachments.Upload(
        f"{s['attachment_name']}.csv", "text/csv", s["attachment_content"].encode())])
    conflicted = make_user(db, "Dana Committee", "committee")
    service.declare_conflict(db, case, conflicted, s["conflict_reason"])
    reviewer = committee(db)[1]
    first = votes.active_criteria(db)[0]  # a member's vote, with a score and its note
    votes.cast_vote(db, case, reviewer, "initial", "refer", s["review_comment"],
                    {first.id: (4, s["score_note"])})
    decide(db, case, "refer", s["rationale"], PUBLIC_RATIONALE, groups,
           s["referral_question"])
    referral = db.scalars(select(Referral).where(Referral.case_id == case.id,
                                                 Referral.group_id == groups[0].id)).one()
    service.answer_referral(db, referral, make_user(db, "Leila Lead"), s["referral_answer"])

    # B: public, approved, with a checklist link.
    second = make_case(db, requester, title="Publictitle-second-4471")
    service.move(db, second, staff, {"helpdesk"}, "triage")
    decide(db, second, "proceed", s["second_rationale"])
    decide(db, second, "approve", s["second_rationale"])
    service.tick_checklist(db, second, staff, case_access(db, staff, second), "category_created",
                           True, s["checklist_link"], second.version)
    service.move(db, second, staff, {"helpdesk"}, "start_support")

    # C: no consent to public listing: nothing of it may show, not even its title.
    private = make_case(db, requester, title=s["private_title"], public_listing=False)
    service.move(db, private, staff, {"helpdesk"}, "triage")
    service.set_public_summary(db, private, staff, case_access(db, staff, private),
                               s["private_summary"], private.version)
    decide(db, private, "refer", "Refer it.", s["private_public_rationale"], groups[1:],
           s["private_referral_question"])

    # D: consented, but not triaged yet.
    untriaged = make_case(db, requester, title=s["untriaged_title"])

    # E: public, the committee asks the requester a question (a public rationale, but the
    # conversation with the requester: never on the public timeline).
    asked = make_case(db, requester, title="Publictitle-asked-4471")
    service.move(db, asked, staff, {"helpdesk"}, "triage")
    decide(db, asked, "ask_information", "Ask them.", s["question_to_requester"])

    # A meeting that decided A, C and E: its internal minutes, topic and place stay inside.
    meeting = meetings.create_meeting(db, committee(db)[0], meetings.MeetingFields(
        title="Publicmeeting-4471", starts_at=utcnow() - timedelta(days=1), duration_minutes=60,
        location=s["meeting_location"], chair_id=None,
        attendee_ids=[m.id for m in committee(db)]))
    meetings.save_notes(db, meeting, committee(db)[0], s["meeting_notes"])
    meetings.add_topic(db, meeting, committee(db)[0], s["meeting_topic"])
    for decided in (case, private, asked):
        meetings.save_case_minute(db, meeting, committee(db)[0], decided, s["meeting_minute"])
    for item in db.scalars(select(AgendaItem).where(AgendaItem.case_id.is_not(None))):
        item.decision_id = db.scalars(select(Decision.id).where(
            Decision.case_id == item.case_id).order_by(Decision.id.desc())).first()
    # The wiki checks and impact (app/wikicheck): the category, item and an override's
    # reason stay private; only a public case's figures go out (projection.project_impact).
    for followed in (case, private):
        db.add(CaseWiki(case_id=followed.id, commons_category=s["wiki_category"],
                        wikidata_item="Q4242", impact_started_at=utcnow(), checks={
                            "licence": {"status": "overridden", "code": "override",
                                        "by": "Sven Helpdesk", "reason": s["wiki_reason"]}}))
        db.add(ImpactSnapshot(case_id=followed.id, day=0, files=3, files_in_use=1, wikis=1,
                              pages=1, views=7))
    return {
        "public": [case.reference, second.reference, asked.reference],
        "hidden": [private.reference, untriaged.reference],
        "groups": [group.slug for group in db.scalars(select(WorkingGroup))],
        "meetings": [meeting.id],
    }


def public_paths(app: Flask, refs: dict[str, Any]) -> Iterator[str]:
    """Every page an anonymous visitor can ask for: the known public ones, and every
    GET route of the app with no argument, or one named reference or slug."""
    yield from ["/", "/cases", "/cases.atom", "/api/v1/cases", "/api/v1/cases?per_page=1000",
                "/api/v1/cases?open=true", "/api/v1/cases?state=with_working_groups",
                "/api/v1/working-groups", "/api/v1/openapi.json"]
    fillers = {"reference": refs["public"] + refs["hidden"], "slug": refs["groups"],
               "meeting_id": refs["meetings"]}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()):
            continue
        if rule.endpoint == "static" or rule.endpoint.startswith("auth."):
            continue
        arguments = list(rule.arguments)
        if not arguments:
            yield rule.rule
        elif len(arguments) == 1 and arguments[0] in fillers:
            for value in fillers[arguments[0]]:
                yield rule.build({arguments[0]: value})[1]  # type: ignore[index]


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [name for name, secret in SECRETS.items() if secret.lower() in lowered]


@pytest.fixture
def private_files(app: Flask, tmp_path: Path) -> Path:
    """The scenario's files (an attachment) go to a folder of the test's own."""
    folder = tmp_path / "files"
    app.config["ATTACHMENTS_DIR"] = str(folder)
    return folder


@pytest.mark.parametrize("uselang", [None, "sv"])
@pytest.mark.usefixtures("private_files")
def test_no_secret_reaches_the_public(app: Flask, client: FlaskClient,
                                      uselang: str | None) -> None:
    with app.app_context():
        db = get_session()
        refs = build_cases(db)
        db.commit()

    paths = sorted(set(public_paths(app, refs)))
    for ref in refs["public"] + refs["hidden"]:
        assert f"/cases/{ref}" in paths and f"/api/v1/cases/{ref}" in paths
    seen = ""
    for path in paths:
        if uselang:
            path += ("&" if "?" in path else "?") + f"uselang={uselang}"
        response = client.get(path)
        text = response.get_data().decode("utf-8", "replace")  # (the favicon is binary)
        headers = "\n".join(f"{key}: {value}" for key, value in response.headers.items())
        assert leaks(text + headers) == [], path
        seen += text

    # The pages did show the public side, so the test fails for the right reason.
    for path in ("/cases", f"/cases/{refs['public'][0]}", "/cases.atom", "/api/v1/cases"):
        assert PUBLIC_TITLE in client.get(path).get_data(as_text=True), path
    assert PUBLIC_SUMMARY in client.get(f"/cases/{refs['public'][0]}").get_data(as_text=True)
    assert PUBLIC_RATIONALE in client.get(f"/cases/{refs['public'][0]}").get_data(as_text=True)
    assert 'id="history-heading"' in client.get(f"/cases/{refs['public'][2]}").get_data(
        as_text=True)  # E's timeline is shown, without the question
    assert PUBLIC_SUMMARY in client.get(f"/api/v1/cases/{refs['public'][0]}").get_data(
        as_text=True)
    assert PUBLIC_SUMMARY in client.get("/cases.atom").get_data(as_text=True)
    groups = client.get("/api/v1/working-groups").get_json()["working_groups"]
    referred = [r["reference"] for g in groups for r in g["open_referrals"]]
    assert referred == [refs["public"][0]]  # only A's open referral; C is not public
    assert "Leila Lead" in seen and "Omar Requester" in seen
    minutes = client.get(f"/meetings/{refs['meetings'][0]}").get_data(as_text=True)
    assert PUBLIC_RATIONALE in minutes and refs["public"][0] in minutes  # A's decision
    for ref in refs["hidden"]:
        assert client.get(f"/cases/{ref}").status_code == 404
        assert client.get(f"/api/v1/cases/{ref}").status_code == 404
    if uselang == "sv":
        assert one(client.get("/cases?uselang=sv").get_data(as_text=True), "html")["lang"] == "sv"


def test_the_secrets_are_really_stored(app: Flask, private_files: Path) -> None:
    """The scenario did write every secret (so the test above can fail)."""
    with app.app_context():
        db = get_session()
        build_cases(db)
        db.commit()
        engine = app.extensions["database"].engine
        dump = ""
        with engine.connect() as conn:
            from app.core.schema import metadata

            for table in metadata().sorted_tables:
                dump += "\n".join(str(tuple(row)) for row in conn.execute(table.select()))
    dump += "".join(path.read_text() for path in private_files.rglob("*") if path.is_file())
    missing = [name for name, secret in SECRETS.items() if secret.lower() not in dump.lower()]
    assert missing == []


# Every way out of *Submitted*, and whether the case may then be public. A request
# the helpdesk never accepted stays private whatever happens to it next.
PUBLIC_AFTER_LEAVING_SUBMITTED = {"triage": True, "withdraw": False, "close_duplicate": False}


def test_every_way_out_of_submitted_is_classified() -> None:
    from app.cases.transitions import from_state

    assert {t.action for t in from_state("submitted")} == set(PUBLIC_AFTER_LEAVING_SUBMITTED)


def public_everywhere(client: FlaskClient, reference: str, title: str) -> dict[str, bool]:
    """Where an anonymous visitor finds the case: page, API (one and list), feed, list."""
    return {
        "page": client.get(f"/cases/{reference}").status_code == 200,
        "api": client.get(f"/api/v1/cases/{reference}").status_code == 200,
        "api_list": title in client.get("/api/v1/cases?per_page=100").get_data(as_text=True),
        "feed": title in client.get("/cases.atom").get_data(as_text=True),
        "list": title in client.get("/cases").get_data(as_text=True),
    }


@pytest.mark.parametrize("action", sorted(PUBLIC_AFTER_LEAVING_SUBMITTED))
def test_public_only_once_the_helpdesk_accepted_it(app: Flask, client: FlaskClient,
                                                   action: str) -> None:
    title = f"Consented-request-leaving-by-{action}"
    with app.app_context():
        db = get_session()
        requester = make_user(db, "Ada Requester")
        staff = make_user(db, "Sven Helpdesk", "helpdesk")
        case = make_case(db, requester, title=title, public_listing=True)
        actor, roles = (requester, {"requester"}) if action == "withdraw" else (
            staff, {"helpdesk"})
        service.move(db, case, actor, roles, action,
                     message="Same as another." if action == "close_duplicate" else None)
        reference = case.reference
        db.commit()
    expected = PUBLIC_AFTER_LEAVING_SUBMITTED[action]
    assert public_everywhere(client, reference, title) == dict.fromkeys(
        ("page", "api", "api_list", "feed", "list"), expected)


def test_accepted_then_withdrawn_stays_public_and_reopening_accepts(
        app: Flask, client: FlaskClient) -> None:
    """Once accepted, a consented case stays public when closed; an unaccepted one that
    the helpdesk reopens into review is accepted then."""
    with app.app_context():
        db = get_session()
        requester = make_user(db, "Ada Requester")
        staff = make_user(db, "Sven Helpdesk", "helpdesk")
        accepted = make_case(db, requester, title="Accepted-then-withdrawn")
        service.move(db, accepted, staff, {"helpdesk"}, "triage")
        service.move(db, accepted, requester, {"requester"}, "withdraw")
        reopened = make_case(db, requester, title="Withdrawn-early-then-reopened")
        service.move(db, reopened, requester, {"requester"}, "withdraw")
        db.commit()
        refs = accepted.reference, reopened.reference
    assert all(public_everywhere(client, refs[0], "Accepted-then-withdrawn").values())
    assert not any(public_everywhere(client, refs[1], "Withdrawn-early-then-reopened").values())
    with app.app_context():
        db = get_session()
        case = queries.find_case(db, refs[1])
        assert case is not None
        service.move(db, case, make_user(db, "Sven Helpdesk", "helpdesk"), {"helpdesk"},
                     "reopen", message="Looked at it after all.")
        db.commit()
    assert all(public_everywhere(client, refs[1], "Withdrawn-early-then-reopened").values())


def test_the_directory_shows_only_who_opted_in_and_what_they_chose(
        app: Flask, client: FlaskClient, sign_in: Any) -> None:
    """The people directory (app/people), to a signed-in Wikimedian and to staff on a case
    page: a person who did not opt in never appears; a field someone hides never shows."""
    from app.people.models import DirectoryEntry
    with app.app_context():
        db = get_session()
        staff = make_user(db, "Sven Helpdesk", "helpdesk")
        case = make_case(db, make_user(db, "Ada Requester"), countries=["TV"], languages=["tvl"],
                         themes=["indigenous"])
        service.move(db, case, staff, {"helpdesk"}, "triage")
        unlisted = make_user(db, "Zq-secret-not-opted-in")
        listed = make_user(db, "Listed Person")
        for user in (unlisted, listed):
            user.country, user.languages, user.regions = "TV", ["tvl"], ["eseap"]
        db.add(DirectoryEntry(user_id=unlisted.id, listed=False, skills=["openrefine"],
                              themes=["indigenous"]))
        db.add(DirectoryEntry(user_id=listed.id, listed=True, skills=["openrefine"],
                              themes=["indigenous"], show_country=False, show_languages=False,
                              show_regions=False, show_skills=False, show_roles=False,
                              show_themes=False))
        db.commit()
        reference = case.reference
    viewer = app.test_client()
    sign_in(viewer, "Sven Helpdesk")
    pages = {path: viewer.get(path).get_data(as_text=True) for path in (
        "/people", "/people?country=TV", "/people?skill=openrefine", "/people?theme=indigenous",
        f"/requests/{reference}",
        "/gaps", "/api/v1/asks")}
    for path, text in pages.items():
        assert "Zq-secret-not-opted-in" not in text, path
    table = one(pages["/people"], "#table-people").get_text(" ")
    assert "Listed Person" in table
    assert not any(hidden in table for hidden in ("Tuvalu", "Tuvaluan", "OpenRefine",
                                                  "East, Southeast Asia", "Helpdesk",
                                                  "Indigenous knowledge"))
    assert "Listed Person" not in pages["/people?country=TV"]  # a hidden field never matches
    assert "Listed Person" not in pages["/people?theme=indigenous"]
    assert "Listed Person" not in pages[f"/requests/{reference}"]
