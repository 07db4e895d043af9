"""The world the hostile-input tests run in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cases import service
from app.cases.models import Case
from app.core.db import get_session
from tests.factories import make_user
from tests.mediawiki import free_port
from tests.system import test_authorization as matrix

world = matrix.world  # the authorization matrix's data, a fixture here too


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app with its wikis on a loopback port nobody listens on: a wiki check the
    corpus sets off is refused at once, and no test ever reaches the real wikis."""
    down = f"http://127.0.0.1:{free_port()}"
    return make_app(COMMONS_API=f"{down}/w/api.php", WIKIDATA_API=f"{down}/w/api.php",
                    PAGEVIEWS_API=f"{down}/api/rest_v1", WIKI_TIMEOUT=2.0)


@pytest.fixture
def hostile_world(app: Flask, world: dict[str, Any]) -> dict[str, Any]:
    """The authorization world, plus what makes the remaining forms appear: a case
    that came by email and is in initial review (link-requester, decision, review),
    a canned reply, a second organisation (merge) with a contact and a placement,
    a pending join request, three pending requests for a role (approve, decline,
    withdraw), two held emails (release, discard), a case in support (its checklist),
    a link to claim another emailed case, and an email delivery gave up on (resend),
    a saved view of Sven's (rename, delete), a case Ada watches (the unwatch
    link of her emails), a criterion (its edit page), a free topic on the meeting's agenda
    (its minute) and wiki checks that failed on the case in support (override).
    `crawl_pages` are the pages with those forms that no route's example address reaches."""
    from datetime import date

    from app.cases.models import CannedReply
    from app.groups.models import JoinRequest, WorkingGroup
    from app.mail.models import HELD, IncomingMail
    from app.mail.tokens import claim_token
    from app.notifications.models import OutboxMessage
    from app.partners.models import OrganisationContact, Placement
    from app.people.models import Affiliate, Ask
    from app.role_requests.models import RoleRequest
    from tests.factories import make_case, make_organisation

    with app.app_context():
        db = get_session()
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        omar = make_user(db, "Omar Requester")
        ada = make_user(db, "Ada Requester")
        case = db.scalars(select(Case)).first()
        assert case is not None
        email_case = service.create_case(db, sven, {
            "title": "By email", "description": "Sent by email.",
            "organisation_id": case.organisation_id, "request_type": "commons_upload",
            "content_kinds": ["images"], "licence": "cc0", "target_projects": ["commons"],
            "themes": ["heritage"], "countries": ["SE"], "region": "western_europe",
            "contact_email": "sender@example.org", "channel": "email", "requester_id": None,
        })
        service.move(db, email_case, sven, {"helpdesk"}, "triage")
        in_support = make_case(db, None, title="In support", organisation=case.organisation)
        # Its own emailed case to claim (linking the requester takes the other's claim away).
        to_claim = make_case(db, None, title="Claim me", organisation=case.organisation,
                             channel="email", contact_email="claimer@example.org")
        in_support.state = "in_support"  # where the helpdesk ticks the checklist
        reply = CannedReply(title="Thanks", body="Thank you, {reference}.", language="en",
                            updated_by_id=sven.id)
        other = make_organisation(db, "Archive of Examples")
        affiliate = Affiliate(name="Wikimedia Example", kind="chapter", countries=["SE"])
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "implementation")
                           ).one()
        db.add_all([
            reply,
            OrganisationContact(organisation_id=case.organisation_id, name="Eva",
                                email="eva@example.org", role="curator"),
            Placement(organisation_id=case.organisation_id, person="Wikimedian",
                      start_date=date(2025, 1, 1), description="In residence"),
            JoinRequest(group_id=group.id, user_id=omar.id, note="Let me help"),
            # Requests for a role: the admin's approve and decline, the requester's withdraw.
            *(RoleRequest(user_id=user_id, role=role, reason="I can help", answer="")
              for user_id, role in ((ada.id, "committee"), (omar.id, "helpdesk"),
                                    (omar.id, "committee"))),
            # Asks (app/people): one to take and mark done, one Omar took (to give back).
            affiliate, Ask(group_id=group.id, title="Help us", languages=[], skills=[]),
            Ask(group_id=group.id, title="Taken", languages=[], skills=[], status="taken",
                taken_by_id=omar.id),
            *(IncomingMail(message_key=f"held-{n}@example.org", from_address="many@example.org",
                           from_name="Many Mails", subject=f"Held {n}", outcome=HELD)
              for n in (1, 2)),
            OutboxMessage(case_id=case.id, to_address="gone@example.org", kind="case.message",
                          subject="A message", body="Hello", attempts=99,
                          last_error="550 no such user"),
        ])
        db.commit()
        extra_pages = _attention_committee_meetings_wiki(app, db, case, in_support)
        made = {"reply_id": reply.id, "email_reference": email_case.reference,
                "other_org_id": other.id, "crawl_pages": [
                    f"/requests/{email_case.reference}", f"/partners/{other.id}",
                    f"/requests/{in_support.reference}", f"/affiliates/{affiliate.id}/edit",
                    f"/requests/claim/{claim_token(to_claim.id, 'claimer@example.org')}",
                    *extra_pages]}
    return {**world, **made}  # outside the app context: each request gets its own `g`


def _attention_committee_meetings_wiki(app: Flask, db: Session, case: Case,
                                       in_support: Case) -> list[str]:
    """A saved view of Sven's, Ada watching the world's case, a criterion, a free topic on
    the meeting's agenda and failed wiki checks on the case in support, each made by its
    feature's service; the pages that show their forms and no route's example reaches."""
    from app.attention import service as attention
    from app.attention.tokens import unwatch_token
    from app.committee import service as committee
    from app.meetings import service as meetings
    from app.meetings.models import Meeting
    from app.wikicheck import service as wikicheck

    sven = make_user(db, "Sven Helpdesk")
    ada = make_user(db, "Ada Requester")
    attention.save_view(db, sven, "Waiting on us", {"state": "in_support"}, 0)
    attention.set_watching(db, ada, case, True)
    criterion = committee.save_criterion(db, make_user(db, "Admin Demo"), None, "Feasibility",
                                         "Can it be done?", 1, True)
    meeting = db.get(Meeting, db.scalars(select(Meeting.id)).first())
    assert meeting is not None and meeting.chair is not None
    meetings.add_topic(db, meeting, meeting.chair, "The annual report")
    # Nothing named yet: every step fails without asking a wiki.
    wikicheck.check_case(db, in_support, sven, wikicheck.WikiSettings.of(app.config))
    db.commit()
    return [f"/unwatch/{unwatch_token(ada.id, case.id)}",
            f"/committee/criteria/{criterion.id}"]
