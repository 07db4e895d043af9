"""Cases changed since a person last opened them are marked unread, per person."""

from __future__ import annotations

from flask import Flask

from app.cases.models import Case
from tests.attention.support import act, mail_to, people, say, unread_on
from tests.factories import make_case
from tests.helpers import SignIn
from tests.helpers import app_session as session


def test_unread_after_a_change_and_read_after_opening_per_person(
    app: Flask, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        case = make_case(db, u["ada"], title="Maps")
        act(db, case, u["sven"], "triage")
        reference, case_id = case.reference, case.id
    ada, ngozi, mei = app.test_client(), app.test_client(), app.test_client()
    sign_in(ada, "Ada Requester")
    sign_in(ngozi, "Ngozi Committee")
    sign_in(mei, "Mei Committee")

    for client in (ada, ngozi, mei):
        client.get(f"/requests/{reference}")
    assert unread_on(ada, "/requests/mine") == set()
    assert reference not in unread_on(ngozi, "/dashboard")

    # an internal note: unread for the committee, not for the requester (nor mailed to her)
    with session(app) as db:
        u = people(db)
        say(db, db.get(Case, case_id), u["sven"], "Check the licence first.", internal=True)
        before = len(mail_to(db, "ada@example.org"))
    assert reference in unread_on(ngozi, "/dashboard")
    assert reference in unread_on(mei, "/dashboard")
    assert unread_on(ada, "/requests/mine") == set()
    with session(app) as db:
        assert len(mail_to(db, "ada@example.org")) == before

    # Ngozi opens it: read for her, still unread for Mei
    ngozi.get(f"/requests/{reference}")
    assert reference not in unread_on(ngozi, "/dashboard")
    assert reference in unread_on(mei, "/dashboard")

    # a public message marks it unread for the requester, until she opens it
    with session(app) as db:
        u = people(db)
        say(db, db.get(Case, case_id), u["sven"], "We need a sample.")
    assert unread_on(ada, "/requests/mine") == {reference}
    ada.get(f"/requests/{reference}")
    assert unread_on(ada, "/requests/mine") == set()


def test_the_inbox_marks_unread_cases(app: Flask, sign_in: SignIn) -> None:
    with session(app) as db:
        u = people(db)
        reference = make_case(db, u["ada"], title="New one").reference
    sven = app.test_client()
    sign_in(sven, "Sven Helpdesk")
    assert reference in unread_on(sven, "/inbox")  # never opened
    sven.get(f"/requests/{reference}")
    assert reference not in unread_on(sven, "/inbox")


def test_my_groups_marks_the_questions_on_unread_cases(app: Flask, sign_in: SignIn) -> None:
    from sqlalchemy import select

    from app.groups.models import WorkingGroup
    from tests.attention.support import decide
    from tests.factories import join_group
    from tests.html import parse

    with session(app) as db:
        u = people(db)
        join_group(db, u["leila"], "implementation")
        case = make_case(db, u["ada"], title="Maps")
        act(db, case, u["sven"], "triage")
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "implementation")
                           ).one()
        decide(db, case, "refer", [u["ngozi"], u["mei"], u["carlos"]], group_ids=[group.id],
               question="Can you help?")
        reference = case.reference
    leila = app.test_client()
    sign_in(leila, "Leila Lead")

    def marked() -> bool:
        page = parse(leila.get("/groups/mine").get_data(as_text=True))
        return page.select_one(".my-group__item .badge--unread") is not None

    assert marked()
    leila.get(f"/requests/{reference}")
    assert not marked()
