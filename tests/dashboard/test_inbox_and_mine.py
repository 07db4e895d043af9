"""The helpdesk inbox and "my requests", and escaping on every dashboard."""


from __future__ import annotations

from flask import Flask, url_for
from flask.testing import FlaskClient

from app.cases import service
from tests.dashboard.support import (
    advance,
    age,
    assign,
    page_text,
    people,
    tables,
    titles,
    triage,
)
from tests.factories import make_case, make_organisation
from tests.helpers import SignIn
from tests.helpers import app_session as session

# -- the helpdesk inbox -------------------------------------------------------


def test_inbox_sections(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        older = make_case(db, u["ada"], title="Older new request")
        newer = make_case(db, u["ada"], title="Newer new request")
        age(older, 4)
        age(newer, 1)
        mine = make_case(db, u["ada"], title="Assigned to Sven")
        triage(db, mine, u["sven"])
        assign(db, mine, u["sven"], u["sven"])
        closed_mine = make_case(db, u["ada"], title="Sven's withdrawn case")
        assign(db, closed_mine, u["sven"], u["sven"])
        service.move(db, closed_mine, u["ada"], {"requester"}, "withdraw")
        leilas = make_case(db, u["ada"], title="Leila's approved case")
        advance(db, leilas, "approved", u)
        assign(db, leilas, u["sven"], u["leila"])
        approved = make_case(db, u["ada"], title="Approved, nobody on it")
        advance(db, approved, "approved", u)
        supported = make_case(db, u["ada"], title="In support, nobody on it")
        advance(db, supported, "in_support", u)
        reviewing = make_case(db, u["ada"], title="Unassigned in review")
        triage(db, reviewing, u["sven"])
    sign_in(client, "Sven Helpdesk")
    found = {t["caption"]: t["rows"] for t in tables(page_text(client, "/inbox"))}
    assert titles(found["New requests"]) == ["Older new request", "Newer new request"]
    assert found["New requests"][0][6] == "4 days Overdue"
    assert found["New requests"][1][6] == "1 day"
    assert titles(found["Assigned to me"]) == ["Assigned to Sven"]
    assert sorted((row[1], row[3]) for row in found["Unassigned cases in approval or support"]) == [
        ("Approved, nobody on it", "Approved"), ("In support, nobody on it", "In support")]

    other = app.test_client()
    sign_in(other, "Leila Lead")
    found = {t["caption"]: t["rows"] for t in tables(page_text(other, "/inbox"))}
    assert titles(found["Assigned to me"]) == ["Leila's approved case"]


# -- my requests --------------------------------------------------------------


def test_my_requests_shows_only_mine_with_the_stage_clock(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        waiting = make_case(db, u["ada"], title="Ada's upload")
        age(waiting, 2)
        reviewing = make_case(db, u["ada"], title="Ada's data donation")
        triage(db, reviewing, u["sven"])
        make_case(db, u["omar"], title="Omar's request")
    sign_in(client, "Ada Requester")
    html = page_text(client, "/requests/mine")
    assert "Omar's request" not in html.replace("&#39;", "'")
    rows = {row[1].replace("&#39;", "'"): row for row in tables(html)[0]["rows"]}
    assert set(rows) == {"Ada's upload", "Ada's data donation"}
    upload = rows["Ada's upload"]
    assert upload[2:6] == ["Submitted", "the helpdesk", "2 days", "3 days"]
    donation = rows["Ada's data donation"]
    assert donation[2:6] == ["In initial review", "the Expert Committee", "0 days", "14 days"]

    app.config["STAGE_TARGET_DAYS"] = {"submitted": 1}
    html = page_text(client, "/requests/mine")
    rows = {row[1].replace("&#39;", "'"): row for row in tables(html)[0]["rows"]}
    assert rows["Ada's upload"][4:6] == ["2 days Overdue", "1 day"]


def test_my_requests_when_there_are_none(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    sign_in(client, "Omar Requester")
    html = page_text(client, "/requests/mine")
    assert "You have not asked the helpdesk for help yet." in html
    assert tables(html) == []
    if "intake.new_request" in app.view_functions:
        with app.test_request_context():
            assert f'class="button button--primary" href="{url_for("intake.new_request")}"' in html
    else:  # no link to a page that does not exist (yet)
        assert 'class="button button--primary" href=' not in html


# -- escaping -----------------------------------------------------------------


def test_a_hostile_title_is_escaped_everywhere(
    app: Flask, p: dict[str, int], sign_in: SignIn
) -> None:
    hostile = '<script>alert("x")</script>'
    with session(app) as db:
        u = people(db)
        organisation = make_organisation(db, "<img src=x onerror=alert(1)>")
        make_case(db, u["ada"], title=hostile, organisation=organisation)
    for username, path in (("Ngozi Committee", "/dashboard?state=open"),
                           ("Sven Helpdesk", "/inbox"),
                           ("Ada Requester", "/requests/mine")):
        client = app.test_client()
        sign_in(client, username)
        html = page_text(client, path)
        assert "<script>alert" not in html, path
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, path
        assert "<img src=x" not in html, path
