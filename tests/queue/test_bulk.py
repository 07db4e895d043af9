"""Bulk actions on the helpdesk inbox: tick requests, apply one action; each request is
checked as on its own page, and the results page says case by case what happened."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases import service
from app.cases.access import case_access
from app.cases.models import Case
from app.core.audit_log import AuditEvent
from tests.factories import make_case, make_user
from tests.helpers import SignIn
from tests.helpers import app_session as session
from tests.html import one, parse, table_rows, text_of
from tests.queue.support import approved_case, events, people


def inbox_form(client: FlaskClient) -> tuple[str, dict[str, str]]:
    """The bulk form's CSRF token, and each listed request's checkbox value by reference."""
    page = parse(client.get("/inbox").get_data(as_text=True))
    token = one(page, '#bulk-form input[name="csrf_token"]')["value"]
    boxes: dict[str, str] = {}
    for box in page.select('input[type="checkbox"][form="bulk-form"][name="case"]'):
        reference = text_of(box.find_parent("tr").find("th")).split(" ")[0]
        boxes.setdefault(reference, str(box["value"]))
    return str(token), boxes


def results(response_html: str) -> dict[str, tuple[str, str]]:
    """Reference → (result, details) from the results page."""
    return {row[0]: (row[1], row[2]) for row in table_rows(response_html)}


def test_a_mixed_selection_is_done_where_allowed_and_refused_case_by_case(
    app: Flask, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        mei = make_user(db, "Mei Committee", "committee", "helpdesk")
        cases = {title: approved_case(db, u["ada"], title) for title in ("Maps", "Letters",
                                                                         "Songs")}
        service.declare_conflict(db, cases["Songs"], mei, "My museum.")
        refs = {title: case.reference for title, case in cases.items()}
        ids = {title: case.id for title, case in cases.items()}
    client = app.test_client()
    sign_in(client, "Mei Committee")
    token, boxes = inbox_form(client)
    assert set(boxes) == set(refs.values())

    with session(app) as db:  # someone changes Letters after the inbox was loaded
        letters = db.get(Case, ids["Letters"])
        sven = people(db)["sven"]
        service.assign(db, letters, sven, case_access(db, sven, letters), sven, letters.version)

    response = client.post("/inbox/bulk", data={
        "csrf_token": token, "case": [boxes[refs[title]] for title in ("Maps", "Letters", "Songs")],
        "action": "priority", "priority": "high"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = results(html)
    assert found[refs["Maps"]] == ("Done", "Priority set.")
    assert found[refs["Letters"]][0] == "Refused"
    assert "changed by someone else after you opened it" in found[refs["Letters"]][1]
    assert found[refs["Songs"]] == ("Refused", "Only the Expert Committee sets the priority.")
    assert "Done on 1 request." in html and "Refused on 2 requests" in html

    with session(app) as db:
        priorities = {title: db.get(Case, case_id).priority for title, case_id in ids.items()}
        done = [(event.object_id, event.after) for event in events(db, "case.priority")]
    assert priorities == {"Maps": "high", "Letters": "normal", "Songs": "normal"}
    assert done == [(str(ids["Maps"]), {"priority": "high"})]


def test_assign_label_and_close_as_duplicate_in_bulk(app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        u = people(db)
        original = approved_case(db, u["ada"], "Maps")
        new_one = make_case(db, u["omar"], title="Maps again")
        in_support = approved_case(db, u["ada"], "Letters")
        service.move(db, in_support, u["sven"], {"helpdesk"}, "start_support")
        refs = {"Maps": original.reference, "Maps again": new_one.reference,
                "Letters": in_support.reference}
        sven = u["sven"].id
    client = app.test_client()
    sign_in(client, "Sven Helpdesk")

    token, boxes = inbox_form(client)
    response = client.post("/inbox/bulk", data={
        "csrf_token": token, "case": [boxes[refs["Maps"]], boxes[refs["Letters"]]],
        "action": "assign", "assignee": str(sven)})
    assert {ref: result for ref, (result, _) in results(response.get_data(as_text=True))
            .items()} == {refs["Maps"]: "Done", refs["Letters"]: "Done"}

    token, boxes = inbox_form(client)
    response = client.post("/inbox/bulk", data={
        "csrf_token": token, "case": [boxes[refs["Maps"]], boxes[refs["Letters"]]],
        "action": "label", "label": "  needs   OCR "})
    found = results(response.get_data(as_text=True))
    assert found[refs["Maps"]] == ("Done", "Label “needs OCR” added.")
    inbox = parse(client.get("/inbox").get_data(as_text=True))
    assert "needs OCR" in text_of(one(inbox, ".badge--label"))
    staff_page = client.get(f"/requests/{refs['Maps']}").get_data(as_text=True)
    assert "needs OCR" in staff_page
    # labels are the helpdesk's own: not on the requester's pages, nor in public
    ada = app.test_client()
    sign_in(ada, "Ada Requester")
    assert "needs OCR" not in ada.get(f"/requests/{refs['Maps']}").get_data(as_text=True)
    assert "needs OCR" not in ada.get("/requests/mine").get_data(as_text=True)
    assert "needs OCR" not in app.test_client().get(f"/cases/{refs['Maps']}").get_data(
        as_text=True)

    token, boxes = inbox_form(client)
    response = client.post("/inbox/bulk", data={
        "csrf_token": token, "case": [boxes[refs["Maps again"]], boxes[refs["Maps"]]],
        "action": "duplicate", "duplicate_of": refs["Maps"].lower(),
        "message": "This repeats your earlier request."})
    found = results(response.get_data(as_text=True))
    assert found[refs["Maps again"]] == ("Done", f"Closed as a duplicate of {refs['Maps']}.")
    # the original cannot duplicate itself: refused, and left as it was
    assert found[refs["Maps"]] == ("Refused",
                                   "Give the reference of the case this one duplicates.")
    with session(app) as db:
        closed = db.scalars(select(Case).where(Case.reference == refs["Maps again"])).one()
        assert (closed.state, closed.outcome) == ("closed", "duplicate")
        assert [event.action for event in db.scalars(
            select(AuditEvent).where(AuditEvent.object_id == str(closed.id))
            .order_by(AuditEvent.id))][-1] == "case.close_duplicate"
        original = db.scalars(select(Case).where(Case.reference == refs["Maps"])).one()
        assert (original.state, original.labels) == ("approved", ["needs OCR"])
        assert len(events(db, "case.label")) == 2
        assert len(events(db, "case.assign")) == 2


def test_nothing_selected_or_no_token_or_not_helpdesk(app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        refs = {"Maps": approved_case(db, people(db)["ada"], "Maps").reference}
    client = app.test_client()
    sign_in(client, "Sven Helpdesk")
    token, boxes = inbox_form(client)
    nothing = client.post("/inbox/bulk", data={"csrf_token": token, "action": "label",
                                               "label": "x"})
    assert nothing.status_code == 400
    assert "No request was selected." in text_of(
        one(parse(nothing.get_data(as_text=True)), '[role="alert"]'))
    no_action = client.post("/inbox/bulk", data={"csrf_token": token,
                                                 "case": [boxes[refs["Maps"]]]})
    assert no_action.status_code == 400
    assert "Choose what to do." in no_action.get_data(as_text=True)
    no_message = client.post("/inbox/bulk", data={
        "csrf_token": token, "case": [boxes[refs["Maps"]]], "action": "duplicate",
        "duplicate_of": "CPH-2026-0099", "message": " "})
    assert no_message.status_code == 400
    assert "Write the message to the requesters" in no_message.get_data(as_text=True)
    no_priority = client.post("/inbox/bulk", data={
        "csrf_token": token, "case": [boxes[refs["Maps"]]], "action": "priority",
        "priority": "whenever"})
    assert no_priority.status_code == 400
    no_token = client.post("/inbox/bulk", data={"case": [boxes[refs["Maps"]]], "action": "label",
                                                "label": "x"})
    assert no_token.status_code == 400
    member = app.test_client()
    sign_in(member, "Ngozi Committee")
    assert member.post("/inbox/bulk", data={"case": [boxes[refs["Maps"]]], "action": "label",
                                            "label": "x"}).status_code in (400, 403)
    with session(app) as db:
        assert events(db, "case.label") == events(db, "case.priority") == []
        assert db.scalars(select(Case.state)).one() == "approved"
