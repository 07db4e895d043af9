"""The audit log names what it shows and can be filtered (issue #16, journey 6): no
"User 9", "Request 11", "Took part 2, 3, 4", "Decision 12" or "Referral 2" — names and
links instead, read in a constant number of statements; filters by person, kind of
change, request and days, like MediaWiki's Special:Log, kept when paging."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.cases import service
from app.cases.access import case_access
from app.cases.models import Case
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.core.models import utcnow
from app.groups import service as group_service
from app.groups.models import Referral, WorkingGroup
from app.partners import service as registry
from tests.factories import join_group, make_case, make_organisation, make_user
from tests.helpers import SignIn, sql_statements
from tests.html import parse, text_of

COMMITTEE = ("Ngozi Committee", "Mei Committee", "Carlos Committee")
# "User 9", "Request 11", "Decision 12", "Referral 2": a kind of thing and a bare number.
RAW_CODE = re.compile(r"\b(?:User|Request|Decision|Referral|Organisation|Working group|"
                      r"Message|Guidelines page|Canned reply) \d+\b")


def _world(app: Flask, cases: int = 1, *, first: bool = True) -> dict[str, Any]:
    """Cases triaged by the helpdesk and referred by the committee (with a referral
    answered); the first time also roles granted, an organisation edited, a request to
    join accepted."""
    with app.app_context():
        db = get_session()
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        members = [make_user(db, name, "committee") for name in COMMITTEE]
        leila = make_user(db, "Leila Lead")
        if first:
            join_group(db, leila, "implementation", lead=True)
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "implementation")
                           ).one()
        references = []
        for index in range(cases):
            case = make_case(db, make_user(db, "Ada Requester"), title=f"Baltic maps {index}")
            service.move(db, case, sven, {"helpdesk"}, "triage")
            service.record_decision(
                db, case, members[0], case_access(db, members[0], case),
                expected_version=case.version, outcome="refer", rationale="r",
                public_rationale="", participant_ids=[m.id for m in members],
                group_ids=[group.id], question="Metadata?")
            referral = db.scalars(select(Referral).where(Referral.case_id == case.id)).one()
            service.answer_referral(db, referral, leila, "Looks fine.")
            references.append(case.reference)
        if not first:
            db.commit()
            return {"references": references}
        organisation = make_organisation(db, "Sjöhistoriska museet")
        registry.update_organisation(db, sven, organisation, {
            **registry.snapshot(organisation), "website": "https://sjohistoriska.se"})
        omar = make_user(db, "Omar Requester")
        join = group_service.request_to_join(db, group, omar, "I can help")
        group_service.accept(db, group, join, leila)
        db.commit()
        return {"references": references, "organisation_id": organisation.id}


def _admin(app: Flask, sign_in: SignIn) -> FlaskClient:
    client = app.test_client()
    sign_in(client, "Admin Demo")
    return client


def _rows(html: str) -> list[Any]:
    table = parse(html).select_one(".audit-log table")
    return table.select("tbody tr") if table is not None else []


def test_the_log_names_people_cases_groups_and_decisions(app: Flask, sign_in: SignIn) -> None:
    world = _world(app)
    reference = world["references"][0]
    html = _admin(app, sign_in).get("/admin/audit").get_data(as_text=True)
    soup = parse(html)
    main = text_of(soup.select_one("main"))  # type: ignore[arg-type]
    assert not RAW_CODE.findall(main), RAW_CODE.findall(main)
    decision = next(row for row in _rows(html) if "Committee decision recorded" in text_of(row))
    cells = text_of(decision)
    assert "Ngozi Committee, Mei Committee, Carlos Committee" in cells  # took part
    assert "Initial feedback" in cells and "Refer to working groups" in cells
    case_link = decision.select_one(f'a[href$="/requests/{reference}"]')
    assert case_link is not None and text_of(case_link) == reference
    assert "Baltic maps 0" in cells  # the request's title
    who = decision.select_one('a[href*="person=Ngozi"]')
    assert who is not None and text_of(who) == "Ngozi Committee"
    answered = next(row for row in _rows(html) if "Referral answered" in text_of(row))
    assert "Implementation" in text_of(answered)  # the group, not "Referral 1"
    organisation = next(row for row in _rows(html) if "Organisation edited" in text_of(row))
    assert organisation.select_one(f'a[href$="/partners/{world["organisation_id"]}"]')
    assert "Sjöhistoriska museet" in text_of(organisation)
    joined = next(row for row in _rows(html) if "Request to join accepted" in text_of(row))
    assert "Implementation — Omar Requester" in text_of(joined)
    assert joined.select_one('a[href$="/groups/implementation"]') is not None
    role = next(row for row in _rows(html) if "Role granted" in text_of(row))
    assert text_of(role.select("td")[3]) in {f"User {name}" for name in COMMITTEE}
    times = soup.select(".audit-log table tbody time[datetime][title]")
    assert len(times) == len(_rows(html))


def test_names_cost_the_same_statements_for_one_case_or_many(
        app: Flask, sign_in: SignIn) -> None:
    app.config["AUDIT_PAGE_SIZE"] = 200  # every event of six cases (and their votes) on a page
    _world(app, cases=1)
    client = _admin(app, sign_in)
    client.get("/admin/audit")
    with sql_statements(app) as few:
        assert client.get("/admin/audit").status_code == 200
    _world(app, cases=6, first=False)
    with sql_statements(app) as many:
        assert client.get("/admin/audit").status_code == 200
    assert len(many) == len(few), (len(few), len(many))


def test_filters_like_special_log(app: Flask, sign_in: SignIn) -> None:
    world = _world(app, cases=2)
    first, second = world["references"]
    client = _admin(app, sign_in)

    def actions(query: str) -> list[str]:
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 200, query
        return [text_of(row.select("td")[2]) for row in _rows(response.get_data(as_text=True))]

    assert set(actions("person=Leila+Lead")) == {"Referral answered", "Request to join accepted"}
    assert "Referral answered" in actions("person=Leila_Lead")  # as a wiki writes it
    assert set(actions("kind=role")) <= {"Role granted", "Role revoked"}
    assert actions("kind=role")
    with app.app_context():
        first_id = get_session().scalars(select(Case.id).where(Case.reference == first)).one()
    by_case = client.get(f"/admin/audit?case={first.lower()}").get_data(as_text=True)
    assert _rows(by_case)
    assert all(row.select_one(f'a[href$="/requests/{first}"]') for row in _rows(by_case))
    assert second not in text_of(parse(by_case).select_one(".audit-log table"))  # type: ignore[arg-type]
    assert first_id  # (the filter is by the case itself, not a text search)

    with app.app_context():  # an old event, outside the days asked for
        db = get_session()
        old = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
        assert old is not None
        db.execute(update(AuditEvent).where(AuditEvent.id == old.id)
                   .values(created_at=utcnow() - timedelta(days=40)))
        db.commit()
    today = utcnow().date()
    recent = actions(f"since={(today - timedelta(days=1)).isoformat()}&until={today.isoformat()}")
    everything = actions("")
    assert len(recent) == len(everything) - 1
    assert actions(f"until={(today - timedelta(days=30)).isoformat()}") == [everything[-1]]
    combined = actions(f"person=Sven+Helpdesk&kind=case&case={second}")
    assert combined == ["Workflow: Accept for review"]


def test_filters_explain_what_they_cannot_use(app: Flask, sign_in: SignIn) -> None:
    _world(app)
    client = _admin(app, sign_in)
    for query, error in (("person=Nobody+Here", "No user called “Nobody Here”"),
                         ("case=CPH-1999-0001", "There is no request CPH-1999-0001"),
                         ("since=yesterday", "Give a date"),
                         ("kind=spells", "Not a valid choice")):
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 400, query
        html = response.get_data(as_text=True)
        soup = parse(html)
        message = soup.select_one(".field-error")
        assert message is not None and error in text_of(message), (query, html[:300])
        field = soup.select_one(f'[aria-describedby~="{message["id"]}"]')
        assert field is not None and field.get("aria-invalid") == "true"
        assert not _rows(html)


def test_pages_keep_the_filters(app: Flask, sign_in: SignIn) -> None:
    app.config["AUDIT_PAGE_SIZE"] = 3
    _world(app, cases=3)
    client = _admin(app, sign_in)
    html = client.get("/admin/audit?kind=case").get_data(as_text=True)
    following = parse(html).select_one('a[rel="next"]')
    assert following is not None and "kind=case" in str(following["href"])
    assert "page=2" in str(following["href"])
    empty = client.get("/admin/audit?kind=guideline").get_data(as_text=True)
    assert "No change matches these filters." in empty
    assert parse(empty).select_one('a[href$="/admin/audit"]') is not None  # clear filters
