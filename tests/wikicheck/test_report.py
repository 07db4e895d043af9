"""The printable impact report of a partner (staff only), linked from its page in the
partner registry, and the same as CSV."""

from __future__ import annotations

import csv
import io

from flask import Flask
from sqlalchemy import select

from app.cases.models import Case
from app.core.db import get_session
from tests.helpers import SignIn
from tests.html import one, parse, table_rows, text_of
from tests.wikicheck.test_public_impact import followed_case


def test_the_partner_report_lists_each_followed_case_with_its_latest_figures(
        app: Flask, sign_in: SignIn) -> None:
    first = followed_case(app, public=True, title="Harbour photographs")
    second = followed_case(app, public=False, title="=cmd| harbour maps")
    with app.app_context():
        db = get_session()
        cases = list(db.scalars(select(Case).order_by(Case.id)))
        org_id = cases[0].organisation_id
        cases[1].organisation_id = org_id  # both from the same partner
        db.commit()
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    partner = sven.get(f"/partners/{org_id}").get_data(as_text=True)
    link = one(partner, "#cases a[href$='/impact']")["href"]
    page = sven.get(link).get_data(as_text=True)
    rows = table_rows(page, "#report-table")
    assert [row[0] for row in rows] == [f"{first} Harbour photographs",
                                        f"{second} =cmd| harbour maps"]
    assert [row[2:] for row in rows] == [["30", "10,000+", "9", "3", "11", "5,678"]] * 2
    assert [text_of(cell) for cell in parse(page).select("#report-totals dd")] == [
        "20,000+", "18", "22", "11,356"]

    answer = sven.get(one(page, "a[download]")["href"])
    assert answer.headers["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert lines[0][:4] == ["reference", "title", "commons_category", "day"]
    assert lines[2][:2] == [second, "'=cmd| harbour maps"]
    assert lines[1][5:] == ["10000", "yes", "9", "3", "11", "5678"]

    ada = app.test_client()
    sign_in(ada, "Ada Requester")
    assert ada.get(link).status_code == 403
    assert sven.get("/partners/99999/impact").status_code == 404
