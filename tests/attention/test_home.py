"""Each person's home page starts with what needs them, and the menu counts it."""

from __future__ import annotations

from flask import Flask

from app.cases import service
from app.cases.access import case_access
from tests.attention.support import act, decide, menu_count, panel, panels, people, say
from tests.case_client import post_on_case
from tests.factories import join_group, make_case
from tests.helpers import SignIn
from tests.helpers import app_session as session


def test_each_role_sees_exactly_its_work_and_the_menu_counts_match(
    app: Flask, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        committee = [u["ngozi"], u["mei"], u["carlos"]]
        new = make_case(db, u["omar"], title="Brand new")
        asked = make_case(db, u["ada"], title="Asked")
        act(db, asked, u["sven"], "triage")
        decide(db, asked, "ask_information", committee, text="Which licence do the scans have?")
        replied = make_case(db, u["ada"], title="Replied")
        act(db, replied, u["sven"], "triage")
        say(db, replied, u["sven"], "Could you send a sample?")
        say(db, replied, u["ada"], "Here is a sample.")
        assigned = make_case(db, u["omar"], title="Assigned")
        act(db, assigned, u["sven"], "triage")
        service.assign(db, assigned, u["sven"], case_access(db, u["sven"], assigned), u["sven"],
                       assigned.version)
        join_group(db, u["leila"], "implementation", lead=True)
        refs = {case.title: case.reference for case in (new, asked, replied, assigned)}

    ada, sven, ngozi, mei, leila = (app.test_client() for _ in range(5))
    for client, name in ((ada, "Ada Requester"), (sven, "Sven Helpdesk"),
                         (ngozi, "Ngozi Committee"), (mei, "Mei Committee"),
                         (leila, "Leila Lead")):
        sign_in(client, name)
    # Mei votes on "Replied": it waits for Ngozi's and Carlos's votes only
    assert post_on_case(mei, refs["Replied"], "vote", stage="initial", vote_outcome="proceed",
                        vote_comment="Fine.").status_code == 302

    # the requester: the request waiting on her answer, with the committee's question
    assert panel(ada, "waiting_on_me") == [refs["Asked"]]
    assert "Which licence do the scans have?" in ada.get("/").get_data(as_text=True)
    assert "new" not in panels(ada) and "votes" not in panels(ada)
    assert menu_count(ada, "/requests/mine") == 1

    # the helpdesk: new, the requester replied, assigned to me
    assert panel(sven, "new") == [refs["Brand new"]]
    assert panel(sven, "replied") == [refs["Replied"]]
    assert panel(sven, "assigned") == [refs["Assigned"]]
    assert "votes" not in panels(sven) and panel(sven, "waiting_on_me") == []
    assert menu_count(sven, "/inbox") == 2  # new + replied

    # the committee: what waits for my vote (Mei has voted on "Replied")
    assert set(panel(ngozi, "votes")) == {refs["Replied"], refs["Assigned"]}
    assert panel(mei, "votes") == [refs["Assigned"]]
    assert menu_count(ngozi, "/dashboard") == 2 and menu_count(mei, "/dashboard") == 1
    assert "new" not in panels(ngozi)

    # a group member without other roles: no case panels for staff
    assert panels(leila) <= {"waiting_on_me", "watched"}


def test_the_counts_have_an_accessible_text(app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        u = people(db)
        make_case(db, u["omar"], title="Brand new")
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    html = sven.get("/").get_data(as_text=True)
    assert "1 needs you" in html
