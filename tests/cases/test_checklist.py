"""The support checklist of the case page: "3 of 7 steps done" on the page itself, a
full-page POST per step (without JavaScript), and the same POST asked for JSON by the
page's script (static/js/checklist.js), which gets the new checklist and the case's new
version instead of the whole page."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases.models import Case, ChecklistItem
from app.core.db import get_session
from tests.case_client import hidden_fields, post_on_case
from tests.factories import make_case, make_user
from tests.helpers import SignIn
from tests.html import hidden_fields as hidden_fields_of
from tests.html import one, parse, text_of

JSON = {"Accept": "application/json"}


def case_in(app: Flask, state: str) -> tuple[str, int]:
    """A case in `state` (its reference and number of checklist steps), the helpdesk's
    Sven and the committee's Ngozi."""
    with app.app_context():
        db = get_session()
        make_user(db, "Sven Helpdesk", "helpdesk")
        make_user(db, "Ngozi Committee", "committee")
        case = make_case(db, make_user(db, "Ada Requester"))
        case.state = state
        db.commit()
        return case.reference, len(case.checklist_items)


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def done_steps(app: Flask, reference: str) -> set[str]:
    with app.app_context():
        db = get_session()
        case = db.scalars(select(Case).where(Case.reference == reference)).one()
        return set(db.scalars(select(ChecklistItem.key).where(
            ChecklistItem.case_id == case.id, ChecklistItem.done.is_(True))))


def count_on(page: str) -> str:
    return text_of(one(page, "#checklist-count"))


def test_the_page_counts_the_steps_done_and_a_form_ticks_one_without_javascript(
        app: Flask, sign_in: SignIn) -> None:
    reference, steps = case_in(app, "in_support")
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    page = sven.get(f"/requests/{reference}").get_data(as_text=True)
    assert count_on(page) == f"0 of {steps} steps done"
    assert one(page, "progress.checklist__progress")["max"] == str(steps)
    forms = parse(page).select("#checklist form.checklist__form")
    assert len(forms) == steps
    assert one(page, 'script[src="/static/js/checklist.js"]').has_attr("defer")

    answer = post_on_case(sven, reference, "checklist", key="licence_checked", done="1")
    assert answer.status_code == 302
    page = sven.get(answer.headers["Location"]).get_data(as_text=True)
    assert count_on(page) == f"1 of {steps} steps done"
    assert "The checklist was updated." in page
    assert done_steps(app, reference) == {"licence_checked"}


def test_the_script_ticks_steps_one_after_another_without_reloading(
        app: Flask, sign_in: SignIn) -> None:
    reference, steps = case_in(app, "in_support")
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    fields = hidden_fields(sven.get(f"/requests/{reference}").get_data(as_text=True))
    for number, key in enumerate(("licence_checked", "upload_plan"), start=1):
        answer = sven.post(f"/requests/{reference}/checklist", headers=JSON,
                           data={**fields, "key": key, "done": "1"})
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        assert answer.mimetype == "application/json"
        data = answer.get_json()
        assert data["version"] == int(fields["version"]) + 1
        assert data["message"] == "The checklist was updated."
        checklist = parse(data["html"])
        assert text_of(one(checklist, "#checklist-count")) == f"{number} of {steps} steps done"
        ticked = hidden_fields_of(checklist, f'form[data-key="{key}"]')
        assert ticked["done"] == "0"  # its button now reads "Mark as not done"
        assert ticked["version"] == str(data["version"])
        # The script gives the page's forms the new version and time, as a reload would.
        fields = {**fields, "version": str(data["version"]), "loaded_at": data["loaded_at"]}
    assert done_steps(app, reference) == {"licence_checked", "upload_plan"}
    page = sven.get(f"/requests/{reference}").get_data(as_text=True)
    assert count_on(page) == f"2 of {steps} steps done"


def test_the_script_gets_the_refusal_and_nothing_changes(app: Flask, sign_in: SignIn) -> None:
    reference, _steps = case_in(app, "in_support")
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    fields = hidden_fields(sven.get(f"/requests/{reference}").get_data(as_text=True))
    stale = {**fields, "version": str(int(fields["version"]) - 1)}
    answer = sven.post(f"/requests/{reference}/checklist", headers=JSON,
                       data={**stale, "key": "licence_checked", "done": "1"})
    assert answer.status_code == 409
    assert "changed by someone else" in answer.get_json()["error"]
    answer = sven.post(f"/requests/{reference}/checklist", headers=JSON,
                       data={**fields, "key": "upload_plan", "done": "1",
                             "link": "ftp://example.org"})
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "A link must start with https://"
    assert done_steps(app, reference) == set()


def test_others_see_the_count_and_the_steps_behind_a_disclosure(
        app: Flask, sign_in: SignIn) -> None:
    reference, steps = case_in(app, "in_initial_review")
    ngozi = signed_in(app, sign_in, "Ngozi Committee")
    page = ngozi.get(f"/requests/{reference}").get_data(as_text=True)
    summary = one(page, "#checklist details.checklist__details > summary")
    assert text_of(summary) == f"0 of {steps} steps done"
    assert not parse(page).select("#checklist form")
    assert not parse(page).select('script[src="/static/js/checklist.js"]')
    answer = post_on_case(ngozi, reference, "checklist", key="licence_checked", done="1")
    assert answer.status_code == 403
