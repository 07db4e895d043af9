"""The world the hostile-input tests run in."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.cases import service
from app.cases.models import Case
from app.core.db import get_session
from tests.factories import make_user
from tests.system import test_authorization as matrix

world = matrix.world  # the authorization matrix's data, a fixture here too


@pytest.fixture
def hostile_world(app: Flask, world: dict[str, Any]) -> dict[str, Any]:
    """The authorization world, plus what makes the remaining forms appear: a case
    that came by email and is in initial review (link-requester, decision, review),
    a canned reply, a second organisation (merge) with a contact and a placement,
    a pending join request, two held emails (release, discard), a case in support
    (its checklist), a link to claim another emailed case, and an email delivery gave up
    on (resend). `crawl_pages` are the pages with those forms that no route's example
    address reaches."""
    from datetime import date

    from app.cases.models import CannedReply
    from app.groups.models import JoinRequest, WorkingGroup
    from app.mail.models import HELD, IncomingMail
    from app.mail.tokens import claim_token
    from app.notifications.models import OutboxMessage
    from app.partners.models import OrganisationContact, Placement
    from app.people.models import Affiliate, Ask
    from tests.factories import make_case, make_organisation

    with app.app_context():
        db = get_session()
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        omar = make_user(db, "Omar Requester")
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
        made = {"reply_id": reply.id, "email_reference": email_case.reference,
                "other_org_id": other.id, "crawl_pages": [
                    f"/requests/{email_case.reference}", f"/partners/{other.id}",
                    f"/requests/{in_support.reference}", f"/affiliates/{affiliate.id}/edit",
                    f"/requests/claim/{claim_token(to_claim.id, 'claimer@example.org')}"]}
    return {**world, **made}  # outside the app context: each request gets its own `g`


