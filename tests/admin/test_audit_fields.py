"""Every field the audit log page shows has a name in the reader's language, and the
codes and numbers in it are named too: no "item", "chair_id" or "results › test_batch",
no "user_group", "open" or "Chair 1002" — for the events of committee meetings, votes,
criteria and guidelines, the support queue, watching and saved views, attachments, the
checks on the wikis and impact figures, asks, the directory, skills and affiliates."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.admin import labels
from app.attachments import service as attachments
from app.attention import service as attention
from app.attention.models import SavedView
from app.auth.models import User
from app.cases import checklists
from app.cases.access import case_access
from app.cases.models import Case
from app.committee import queries as committee_queries
from app.committee import service as committee
from app.core.audit_log import AuditEvent
from app.core.models import utcnow
from app.groups.models import WorkingGroup
from app.meetings import service as meetings
from app.meetings.models import Meeting
from app.people import labels as people_labels
from app.people import service as people
from app.role_requests import labels as role_request_labels
from app.role_requests import service as role_requests
from app.role_requests.models import RoleRequest
from app.wikicheck import labels as wiki_labels
from app.wikicheck import service as wikicheck
from tests.case_client import post_on_case
from tests.helpers import SignIn, app_session
from tests.html import parse, text_of
from tests.mediawiki import ThrowawayWiki
from tests.wikicheck.conftest import commons, import_files, pageviews, unique
from tests.wikicheck.pageviews import PageViews
from tests.wikicheck.support import case_in_support, signed_in, wiki_app

__all__ = ["commons", "pageviews"]  # the throwaway wiki and the page-view stand-in

# A field as the audit log stores it: lower case, digits and underscores.
RAW_FIELD = re.compile(r"^[a-z0-9_]+$")
# The codes a value may hold, which the page names.
CODES = frozenset().union(
    labels.JOIN_STATUSES, labels.VOTE_MAILS, labels.USAGE_SOURCES, checklists.ITEMS,
    people_labels.ASK_STATUS_LABELS, people_labels.AFFILIATE_KIND_LABELS,
    wiki_labels.STEP_LABELS, wiki_labels.STATUS_LABELS, role_request_labels.STATUS_LABELS)


def _shown(app: Flask, sign_in: SignIn) -> list[tuple[str, str, str]]:
    """(action, field, value) of every before and after value on the audit log page."""
    app.config["AUDIT_PAGE_SIZE"] = 5000
    admin = app.test_client()
    sign_in(admin, "Admin Demo")
    page = parse(admin.get("/admin/audit").get_data(as_text=True))
    shown = []
    for row in page.select(".audit-log table tbody tr"):
        cells = row.select("td")
        for cell in cells[4:6]:
            for name, value in zip(cell.select("dt"), cell.select("dd"), strict=True):
                shown.append((text_of(cells[2]), text_of(name), text_of(value)))
    return shown


def _unnamed(shown: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The fields shown as stored, and the values shown as codes."""
    return [(action, name, value) for action, name, value in shown
            if any(RAW_FIELD.match(part) for part in name.split(" › "))
            or value in CODES or re.fullmatch(r"[a-z]+(?:_[a-z]+)+", value)]


def _user(db: Any, username: str) -> User:
    return db.scalars(select(User).where(User.username == username)).one()


def _case(db: Any, title: str) -> Case:
    return db.scalars(select(Case).where(Case.title == title)).one()


def _meetings_and_committee(db: Any) -> None:
    """What the demo's meeting leaves out: a case added to the agenda, the meeting
    changed, a member's mail and calendar choices, a criterion, a guidelines page and
    a substitute reviewer."""
    ngozi, admin = _user(db, "Ngozi Committee"), _user(db, "Admin Demo")
    upcoming = db.scalars(select(Meeting).order_by(Meeting.starts_at.desc())).first()
    meetings.add_case(db, upcoming, ngozi, _case(db, "Historic maps of the Baltic coast").reference)
    attendees = [_user(db, name).id for name in ("Ngozi Committee", "Mei Committee")]
    meetings.edit_meeting(db, upcoming, ngozi, meetings.MeetingFields(
        title=upcoming.title, starts_at=upcoming.starts_at, duration_minutes=120,
        location=upcoming.location, chair_id=ngozi.id, attendee_ids=attendees))
    meetings.set_vote_mail(db, ngozi, "digest")
    meetings.calendar_token(db, ngozi)
    meetings.calendar_token(db, ngozi, renew=True)
    committee.save_criterion(db, admin, None, "Reach", "Who the content reaches.", 9, True)
    page = committee.create_guideline(db, ngozi, "ai-images", "AI-generated images",
                                      "Not accepted yet.", "First draft")
    latest = committee_queries.latest_revision(db, page)
    assert latest is not None
    committee.edit_guideline(db, page, ngozi, latest.id, "AI-generated images",
                             "Accepted when labelled.", "Agreed at the meeting")
    committee.add_substitute(db, _case(db, "Argentine colonial paintings"), admin,
                             _user(db, "Leila Lead"), "Two members declared a conflict.")


def _attention_and_attachments(db: Any) -> None:
    ngozi, sven = _user(db, "Ngozi Committee"), _user(db, "Sven Helpdesk")
    case = _case(db, "Oral histories of the Andes")
    attention.set_watching(db, ngozi, case, True)
    attention.set_watching(db, ngozi, case, False)
    heritage, urgent = db.scalars(select(SavedView).where(SavedView.user_id == ngozi.id)
                                  .order_by(SavedView.id)).all()
    attention.rename_view(db, ngozi, heritage, "Heritage requests")
    attention.delete_view(db, ngozi, urgent)
    attachments.attach(db, case, sven, [attachments.Upload("plan.txt", "text/plain", b"plan")])


def _wiki_without_a_wiki(db: Any) -> None:
    """What the wiki panel records without asking a wiki: the places named, a step
    counted as done by a person, the follow-up begun, the impact emails turned off."""
    sven = _user(db, "Sven Helpdesk")
    case = _case(db, "Flood maps of Bangladesh")  # closed: its follow-up begins
    access = case_access(db, sven, case)
    wikicheck.set_places(db, case, sven, access, "Flood maps of Bangladesh", "Q1501101")
    wikicheck.override(db, case, sven, access, "licence", "The permission is in VRT.")
    assert wikicheck.start_followups(db, utcnow()) >= 1
    wikicheck.set_impact_mail(db, _user(db, "Ada Requester"), False)


def _people(db: Any) -> None:
    """An ask posted, taken and done; a directory entry; a skill added and retired; an
    affiliate added and edited."""
    leila, omar, admin = (_user(db, name) for name in ("Leila Lead", "Omar Requester",
                                                         "Admin Demo"))
    group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "implementation")).one()
    ask = people.post_ask(db, group, people.AskFields(
        title="Model the rainfall series", languages=["en"], skills=["wikidata-modelling"],
        case_reference=_case(db, "Monsoon rainfall data for Wikidata").reference), leila)
    people.take_ask(db, ask, omar)
    people.mark_done(db, ask, leila)
    people.save_entry(db, omar, people.EntryChoice(listed=True, skills=["metadata"],
                                                   themes=["climate"]))
    skill = people.add_skill(db, "transcription", "Transcription", admin)
    people.toggle_skill(db, skill, admin)
    fields = people.AffiliateFields(name="Wikimedia Example", kind="user_group",
                                    countries=["SE"], contact_url="https://example.org")
    affiliate = people.save_affiliate(db, None, fields, admin)
    people.save_affiliate(db, affiliate, people.AffiliateFields(
        name="Wikimedia Example", kind="chapter", countries=["SE", "NO"]), admin)


def _role_requests(db: Any) -> None:
    """The demo's waiting request approved; one asked and withdrawn (the declined one is
    in the demo)."""
    omar = _user(db, "Omar Requester")
    waiting = db.scalars(select(RoleRequest).where(RoleRequest.user_id == omar.id)).one()
    role_requests.approve(db, waiting.id, _user(db, "Admin Demo"))
    asked = role_requests.ask(db, omar, "committee", "I know the criteria well.")
    role_requests.withdraw(db, asked.id, omar)


def test_every_field_of_the_meetings_committee_queue_people_events_is_named(
        make_app: Callable[..., Flask], sign_in: SignIn, tmp_path: Path) -> None:
    app = make_app(ATTACHMENTS_DIR=str(tmp_path))
    loaded = app.test_cli_runner().invoke(args=["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    with app_session(app) as db:
        _meetings_and_committee(db)
        _attention_and_attachments(db)
        _wiki_without_a_wiki(db)
        _people(db)
        _role_requests(db)
        db.commit()
        recorded = set(db.scalars(select(AuditEvent.action)))
    assert recorded >= {
        "meeting.create", "meeting.edit", "meeting.add_case", "meeting.add_topic",
        "meeting.minute", "meeting.notes", "meeting.decision", "user.vote_mail",
        "user.calendar_token", "case.vote", "decision.record", "criterion.save",
        "guideline.create", "guideline.edit", "case.substitute_added", "case.queue_place",
        "case.label", "case.watch", "case.unwatch", "saved_view.create", "saved_view.rename",
        "saved_view.delete", "case.attachments", "wiki.places", "wiki.override",
        "wiki.impact_started", "user.impact_mail", "ask.create", "ask.take", "ask.done",
        "directory.update", "skill.create", "skill.retire", "affiliate.create",
        "affiliate.update", "role.request", "role.request_approve", "role.request_decline",
        "role.request_withdraw"}
    shown = _shown(app, sign_in)
    assert not _unnamed(shown), _unnamed(shown)

    def values(action: str, field: str) -> set[str]:
        return {value for act, name, value in shown if act == action and name == field}

    meeting_decision = str(labels.ACTIONS["meeting.decision"])
    assert values(meeting_decision, "Request")  # the reference of the case decided
    planned = str(labels.ACTIONS["meeting.create"])
    assert values(planned, "Chair") == {"Ngozi Committee"}
    assert "Ngozi Committee, Mei Committee, Carlos Committee" in values(planned, "Attendees")
    assert values(str(labels.ACTIONS["meeting.add_topic"]), "Agenda item")
    assert values(str(labels.ACTIONS["user.vote_mail"]), "Emails about votes") == {
        "an email for each request, at once", "one email a day listing them"}
    votes = {name for action, name, _value in shown if action == str(labels.ACTIONS["case.vote"])}
    assert any(name.startswith("Scores › ") and not name[-1].isdigit() for name in votes)
    assert "Omar Requester" in values(str(labels.ACTIONS["ask.take"]), "Taken by")
    assert "Implementation" in values(str(labels.ACTIONS["ask.create"]), "Working group")
    assert {"Taken", "Done"} <= values(str(labels.ACTIONS["ask.done"]), "Status")
    assert {"User group", "Chapter"} <= values(str(labels.ACTIONS["affiliate.update"]),
                                               "Kind of organisation")
    assert {"Waiting for an answer", "Approved", "Declined", "Withdrawn"} <= values(
        str(labels.ACTIONS["role.request_withdraw"]), "Status") | values(
        str(labels.ACTIONS["role.request_approve"]), "Status") | values(
        str(labels.ACTIONS["role.request_decline"]), "Status")
    assert values(str(labels.ACTIONS["wiki.override"]), "Check") == {
        "Files carry an accepted licence"}


def test_the_checks_and_impact_figures_from_a_wiki_are_named(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        sign_in: SignIn, tmp_path: Path) -> None:
    category = unique("Audited harbour photographs")
    import_files(commons, tmp_path, [f"{category} {n}" for n in range(2)],
                 f"[[Category:{category}]]")
    commons.edit_as_human(f"Category:{category}", "Photographs.", "new")
    app = wiki_app(make_app, commons, pageviews)
    reference = case_in_support(app)
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    assert post_on_case(sven, reference, "wiki/places", commons_category=category,
                        wikidata_item="").status_code == 302
    assert post_on_case(sven, reference, "wiki/check").status_code == 302
    assert post_on_case(sven, reference, "checklist", key="upload_done", done="1",
                        link="").status_code == 302
    impact = app.test_cli_runner().invoke(args=["wiki", "impact"])
    assert impact.exit_code == 0 and "snapshots 1" in impact.output, impact.output
    with app_session(app) as db:
        recorded = set(db.scalars(select(AuditEvent.action)))
    assert recorded >= {"wiki.places", "wiki.check", "wiki.impact_started", "wiki.snapshot"}

    shown = _shown(app, sign_in)
    assert not _unnamed(shown), _unnamed(shown)
    checked = {name: value for action, name, value in shown
               if action == str(labels.ACTIONS["wiki.check"])}
    assert checked["Results › Commons category exists"] == "Verified"
    snapshot = {name: value for action, name, value in shown
                if action == str(labels.ACTIONS["wiki.snapshot"])}
    assert snapshot["Files"] == "2" and snapshot["Days after the upload"] == "0"
    assert snapshot["Uses counted on"] == "the wiki holding the files only"
