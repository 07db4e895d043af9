"""The impact of a case leaves the app only through the public projection: on the public
page and in the API of a case whose requester consented to be listed, never for one that
did not (nor anything the checks found)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.cases import service
from app.cases.models import Case
from app.core.db import get_session
from app.core.models import utcnow
from app.wikicheck.models import CaseWiki, ImpactSnapshot
from tests.factories import make_case, make_organisation, make_user
from tests.helpers import SignIn
from tests.html import parse, table_rows, text_of


def followed_case(app: Flask, *, public: bool, title: str, **fields: Any) -> str:
    """A triaged case with a category, its day-0 and day-30 snapshots, a failed check
    (a heritage case from Western Europe by a GLAM unless `fields` say otherwise)."""
    with app.app_context():
        db = get_session()
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        ada = make_user(db, "Ada Requester")
        case = make_case(db, ada, title=title, public_listing=public, **fields)
        service.move(db, case, sven, {"helpdesk"}, "triage")
        db.flush()
        db.add(CaseWiki(case_id=case.id, commons_category="Category:Secret harbour files",
                        wikidata_item="Q42", checks={"licence": {
                            "status": "failed", "code": "unlicensed", "count": 1,
                            "examples": ["File:Private scan.png"]}},
                        impact_started_at=utcnow()))
        db.add_all([ImpactSnapshot(case_id=case.id, day=0, files=120, files_in_use=4, wikis=2,
                                   pages=5, views=1234),
                    ImpactSnapshot(case_id=case.id, day=30, files=10000, files_capped=True,
                                   files_in_use=9, wikis=3, pages=11, views=5678)])
        db.commit()
        return case.reference


def test_a_listed_case_shows_its_impact_publicly_and_in_the_api(app: Flask) -> None:
    reference = followed_case(app, public=True, title="Harbour photographs")
    client = app.test_client()
    page = client.get(f"/cases/{reference}")
    assert page.status_code == 200
    rows = table_rows(page.get_data(as_text=True), "#impact-table")
    assert [[row[0], *row[2:]] for row in rows] == [["0", "120", "4", "2", "5", "1,234"],
                                                    ["30", "10,000+", "9", "3", "11", "5,678"]]
    text = page.get_data(as_text=True)
    assert "Private scan" not in text and "Secret harbour" not in text
    detail = client.get(f"/api/v1/cases/{reference}/impact").get_json()
    assert [(item["day"], item["files"], item["files_capped"], item["views"])
            for item in detail["impact"]] == [(0, 120, False, 1234), (30, 10000, True, 5678)]
    assert set(detail["impact"][0]) == {"day", "taken_at", "files", "files_capped",
                                        "files_in_use", "wikis", "pages", "views",
                                        "views_capped"}
    assert "Private scan" not in str(detail) and "Q42" not in str(detail)


def test_the_impact_of_a_case_not_listed_stays_private(app: Flask) -> None:
    reference = followed_case(app, public=False, title="Unlisted harbour photographs")
    client = app.test_client()
    assert client.get(f"/cases/{reference}").status_code == 404
    assert client.get(f"/api/v1/cases/{reference}").status_code == 404
    assert client.get(f"/api/v1/cases/{reference}/impact").status_code == 404
    for path in ("/cases", "/api/v1/cases", "/cases.atom", "/stats"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        body = answer.get_data(as_text=True)
        assert reference not in body and "5,678" not in body and "5678" not in body, path
    with app.app_context():
        assert get_session().scalars(select(Case.public_listing)).one() is False


def test_stats_add_up_the_latest_snapshots_public_ones_for_everyone_all_for_staff(
        app: Flask, sign_in: SignIn) -> None:
    followed_case(app, public=True, title="Listed harbour photographs")
    followed_case(app, public=False, title="Unlisted harbour photographs")
    page = app.test_client().get("/stats").get_data(as_text=True)
    figures = [text_of(cell) for cell in parse(page).select("#impact-totals dd")]
    assert figures == ["1", "10,000+", "9", "11", "5,678"]
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    page = sven.get("/stats").get_data(as_text=True)
    figures = [text_of(cell) for cell in parse(page).select("#impact-totals dd")]
    assert figures == ["2", "20,000+", "18", "22", "11,356"]


def test_stats_add_up_the_impact_by_region_theme_and_kind_of_organisation(
        app: Flask, sign_in: SignIn) -> None:
    followed_case(app, public=True, title="Listed harbour photographs",
                  themes=["heritage", "science"])
    with app.app_context():
        university = make_organisation(get_session(), "University of Examples", kind="academic")
        get_session().commit()
    followed_case(app, public=True, title="Listed coral reef photographs", region="ssa",
                  themes=["biodiversity", "science"], organisation=university)
    followed_case(app, public=False, title="Unlisted glacier photographs", region="ssa",
                  themes=["climate"])

    def tables(client: Any) -> dict[str, list[list[str]]]:
        page = client.get("/stats").get_data(as_text=True)
        return {name: table_rows(page, f"#table-impact-{name}")
                for name in ("region", "theme", "organisation-kind")}

    # Each listed case's latest snapshot (day 30): 10,000+ files, 9 in use, 11 pages, 5,678
    # views; a case with two themes counts in each.
    one_case = ["1", "10,000+", "9", "11", "5,678"]
    two_cases = ["2", "20,000+", "18", "22", "11,356"]
    assert tables(app.test_client()) == {
        "region": [["Sub-Saharan Africa", *one_case], ["Western Europe", *one_case]],
        "theme": [["Cultural heritage", *one_case], ["Science", *two_cases],
                  ["Biodiversity", *one_case]],
        "organisation-kind": [["Gallery, library, archive or museum (GLAM)", *one_case],
                              ["University or research institution", *one_case]],
    }
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    staff = tables(sven)
    assert staff["region"] == [["Sub-Saharan Africa", *two_cases], ["Western Europe", *one_case]]
    assert ["Climate and environment", *one_case] in staff["theme"]
