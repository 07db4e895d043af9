"""The committee dashboard: who sees it, counts, what needs the member first, filters,
sorting, pages, overdue, and a query count that stays constant."""


from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases import service
from app.cases.models import Case
from app.core.models import utcnow
from tests.dashboard.support import (
    advance,
    age,
    assign,
    page_text,
    people,
    queue_rows,
    review,
    set_priority,
    tables,
    titles,
    triage,
)
from tests.factories import case_fields, make_case, make_organisation
from tests.helpers import SignIn, queries_for
from tests.helpers import app_session as session
from tests.html import one, parse

# -- access -------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client: FlaskClient) -> None:
    for path in ("/dashboard", "/inbox", "/requests/mine"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_who_may_see_which_page(app: Flask, p: dict[str, int], sign_in: SignIn) -> None:
    expected = {
        "Ada Requester": {"/dashboard": 403, "/inbox": 403, "/requests/mine": 200},
        "Ngozi Committee": {"/dashboard": 200, "/inbox": 403, "/requests/mine": 200},
        "Sven Helpdesk": {"/dashboard": 200, "/inbox": 200, "/requests/mine": 200},
    }
    for username, pages in expected.items():
        client = app.test_client()
        sign_in(client, username)
        for path, status in pages.items():
            assert client.get(path).status_code == status, (username, path)


# -- counts and the state filter ----------------------------------------------


def test_counts_per_state_link_to_the_queue(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        for title in ("New one", "New two", "New three"):
            make_case(db, u["ada"], title=title)
        for title in ("Reviewed one", "Reviewed two"):
            triage(db, make_case(db, u["ada"], title=title), u["sven"])
        withdrawn = make_case(db, u["ada"], title="Given up")
        service.move(db, withdrawn, u["ada"], {"requester"}, "withdraw")
    sign_in(client, "Ngozi Committee")
    html = page_text(client, "/dashboard")
    assert "3 cases: Submitted" in html
    assert "2 cases: In initial review" in html
    assert "1 case: Withdrawn" in html
    assert "0 cases: Approved" in html
    assert 'href="/dashboard?state=in_initial_review"' in html

    assert sorted(titles(queue_rows(client, "?state=in_initial_review"))) == [
        "Reviewed one", "Reviewed two"]
    # By default, for a committee member: the open cases the committee works on.
    assert sorted(titles(queue_rows(client, default=True))) == ["Reviewed one", "Reviewed two"]
    assert 'href="/dashboard?state=open"' not in html  # the filter names the default
    assert '<option value="committee" selected>' in html
    # Every open state, nothing closed, through the filter.
    assert sorted(titles(queue_rows(client, "?state=open"))) == [
        "New one", "New three", "New two", "Reviewed one", "Reviewed two"]
    # By default, for the helpdesk: every open state.
    helpdesk = app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    assert len(queue_rows(helpdesk, default=True)) == 5
    assert titles(queue_rows(client, "?state=all_closed")) == ["Given up"]
    assert queue_rows(client, "?state=closed") == []  # closed as resolved only
    assert len(queue_rows(client, "?state=all")) == 6


def test_an_unknown_filter_value_is_ignored_with_a_notice(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        make_case(db, u["ada"], title="Visible anyway", priority="low")
    sign_in(client, "Ngozi Committee")
    response = client.get("/dashboard?state=lost&priority=sky-high&sort=colour&dir=up")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is no state “lost”; the committee&#39;s open cases are shown." in html
    assert "There is no priority “sky-high”; the priority filter was ignored." in html
    assert "Cases cannot be sorted by “colour”" in html
    assert "“up” is not a sort direction" in html
    assert titles(queue_rows(client, "?priority=sky-high")) == ["Visible anyway"]
    # A valid request carries no notice.
    assert "was ignored" not in page_text(client, "/dashboard?priority=low")


# -- what needs the member first ------------------------------------------------


def review_tables(html: str) -> dict[str, list[list[str]]]:
    """The committee member's own lists: caption's first words → rows."""
    return {t["caption"].split(",")[0]: t["rows"] for t in tables(html)
            if t["caption"].startswith(("Waiting for your review", "Waiting on the committee"))}


def test_the_dashboard_opens_on_what_needs_the_member(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        fresh = make_case(db, u["ada"], title="Fresh, flagged licence", licence_flagged=True,
                          licence="other")
        mine = make_case(db, u["ada"], title="Reviewed by me")
        conflicted = make_case(db, u["ada"], title="My conflict")
        final = make_case(db, u["ada"], title="Final go, reviewed by all")
        for case in (fresh, mine, conflicted, final):
            triage(db, case, u["sven"])
        age(fresh, 20)
        review(db, fresh, u["mei"])
        review(db, mine, u["ngozi"])
        service.declare_conflict(db, conflicted, u["ngozi"], "I work there.")
        advance(db, final, "awaiting_final_go", u)
        for member in ("ngozi", "mei", "carlos"):
            review(db, final, u[member])
        approved = make_case(db, u["ada"], title="Approved already")
        advance(db, approved, "approved", u)
        supported = make_case(db, u["ada"], title="In support already")
        advance(db, supported, "in_support", u)
        make_case(db, u["ada"], title="Not triaged yet")
    sign_in(client, "Ngozi Committee")
    html = page_text(client, "/dashboard")
    # first what waits for me, then what waits on the committee, then the queue
    # each heading's own words (its count badge left out)
    order = [next(heading.stripped_strings) for heading in parse(html).find_all("h2")]
    assert order[:3] == ["Waiting for your review", "Waiting on the committee", "Queue"]
    lists = review_tables(html)
    assert [row[1:] for row in lists["Waiting for your review"]] == [
        ["Fresh, flagged licence", "Museum of Examples", "In initial review", "Not reviewed yet",
         "1 of 3", "Not a free licence", "20 days Overdue"]]
    waiting_on_us = {row[1]: row[3:6] for row in lists["Waiting on the committee"]}
    assert waiting_on_us == {
        "Reviewed by me": ["In initial review", "Proceed to final go", "1 of 3"],
        "My conflict": ["In initial review", "Conflict of interest declared", "0 of 3"],
        "Final go, reviewed by all": ["Awaiting final go", "Give the final go",
                                      "3 of 3 Ready for a decision"],
    }
    assert {row[6] for row in lists["Waiting on the committee"]} == {"Free licence"}
    # the queue: the committee's open cases; approved and in support through a filter
    queue = titles(queue_rows(client, default=True))
    assert "Approved already" not in queue and "In support already" not in queue
    assert "Not triaged yet" not in queue
    everything = titles(queue_rows(client, "?state=open"))
    assert {"Approved already", "In support already", "Not triaged yet"} <= set(everything)
    assert 'value="open"' in html and "All open states" in html

    # another member sees their own review states
    mei = app.test_client()
    sign_in(mei, "Mei Committee")
    lists = review_tables(page_text(mei, "/dashboard"))
    assert sorted(row[1] for row in lists["Waiting for your review"]) == [
        "My conflict", "Reviewed by me"]

    # the helpdesk does not review: no such lists
    helpdesk = app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    html = page_text(helpdesk, "/dashboard")
    assert review_tables(html) == {} and "Waiting for your review" not in html


def test_the_members_lists_are_cut_short_with_their_totals(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    app.config["DASHBOARD_REVIEW_LIMIT"] = 2
    with session(app) as db:
        u = people(db)
        for number in range(3):
            triage(db, make_case(db, u["ada"], title=f"Review {number}"), u["sven"])
    sign_in(client, "Ngozi Committee")
    html = page_text(client, "/dashboard")
    assert len(review_tables(html)["Waiting for your review"]) == 2
    assert "Showing the oldest 2 of 3 cases." in html
    assert 'href="/dashboard?waiting=1&amp;state=open#queue-heading"' in html.replace(
        "state=open&amp;waiting=1", "waiting=1&amp;state=open")
    assert "No other case is waiting on the committee." in html


# -- filters ------------------------------------------------------------------


def test_theme_region_and_priority_filters(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        make_case(db, u["ada"], title="Glaciers", themes=["heritage", "climate"],
                  region="cee")
        make_case(db, u["ada"], title="Clinics", themes=["health"], region="ssa")
        rights = make_case(db, u["ada"], title="Rights", themes=["human_rights"],
                           region="ssa")
        # Stored text that the theme's "_" would match if it were not escaped.
        make_case(db, u["ada"], title="Look-alike", themes=["human-rights"], region="cee")
        triage(db, rights, u["sven"])
        set_priority(db, rights, u["ngozi"], "urgent")
    sign_in(client, "Ngozi Committee")
    assert titles(queue_rows(client, "?theme=climate")) == ["Glaciers"]
    assert titles(queue_rows(client, "?theme=human_rights")) == ["Rights"]
    assert queue_rows(client, "?theme=gender") == []
    assert sorted(titles(queue_rows(client, "?region=ssa"))) == ["Clinics", "Rights"]
    assert titles(queue_rows(client, "?priority=urgent")) == ["Rights"]
    assert titles(queue_rows(client, "?region=ssa&theme=health")) == ["Clinics"]
    html = page_text(client, "/dashboard?theme=weather")
    assert "There is no theme “weather”" in html
    assert len(queue_rows(client, "?theme=weather")) == 4


def test_assignee_filter(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        mine = make_case(db, u["ada"], title="Sven's")
        theirs = make_case(db, u["ada"], title="Leila's")
        make_case(db, u["ada"], title="Nobody's")
        assign(db, mine, u["sven"], u["sven"])
        assign(db, theirs, u["sven"], u["leila"])
    sign_in(client, "Ngozi Committee")
    rows = queue_rows(client, f"?assignee={p['sven']}")
    assert titles(rows) == ["Sven's"]
    assert rows[0][5] == "Sven Helpdesk"
    assert titles(queue_rows(client, "?assignee=unassigned")) == ["Nobody's"]
    # Only helpdesk staff can be chosen: a committee member's id is refused.
    html = page_text(client, f"/dashboard?assignee={p['mei']}")
    assert "is not a member of the helpdesk staff" in html
    assert len(queue_rows(client, f"?assignee={p['mei']}")) == 3


def test_waiting_for_my_review(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        cases = {title: make_case(db, u["ada"], title=title) for title in (
            "Fresh review", "Already reviewed", "Conflicted", "Final, reviewed initial only",
            "Final, reviewed", "Not triaged", "Others reviewed")}
        for title, case in cases.items():
            if title != "Not triaged":
                triage(db, case, u["sven"])
        review(db, cases["Already reviewed"], u["ngozi"])
        service.declare_conflict(db, cases["Conflicted"], u["ngozi"], "I work there.")
        review(db, cases["Others reviewed"], u["mei"])
        for title in ("Final, reviewed initial only", "Final, reviewed"):
            review(db, cases[title], u["ngozi"])  # an initial review
            advance(db, cases[title], "awaiting_final_go", u)
        review(db, cases["Final, reviewed"], u["ngozi"])  # now a final review
    sign_in(client, "Ngozi Committee")
    assert sorted(titles(queue_rows(client, "?waiting=1"))) == [
        "Final, reviewed initial only", "Fresh review", "Others reviewed"]
    waiting = [t for t in tables(page_text(client, "/dashboard"))
               if t["caption"].startswith("Waiting for your review")]
    assert sorted(titles(waiting[0]["rows"])) == [
        "Final, reviewed initial only", "Fresh review", "Others reviewed"]

    other = app.test_client()
    sign_in(other, "Mei Committee")
    assert sorted(titles(queue_rows(other, "?waiting=1"))) == [
        "Already reviewed", "Conflicted", "Final, reviewed",
        "Final, reviewed initial only", "Fresh review"]

    helpdesk = app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    html = page_text(helpdesk, "/dashboard?waiting=1")
    assert "Only Expert Committee members review cases" in html
    assert len(queue_rows(helpdesk, "?waiting=1")) == 7


def test_search_in_title_and_organisation(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        rijks = make_organisation(db, "Rijksmuseum")
        make_case(db, u["ada"], title="Dutch paintings", organisation=rijks)
        make_case(db, u["ada"], title="Maps of the BALTIC coast")
        make_case(db, u["ada"], title="100% open data")
        make_case(db, u["ada"], title="snake_case names")
    sign_in(client, "Ngozi Committee")
    assert titles(queue_rows(client, "?q=baltic")) == ["Maps of the BALTIC coast"]
    assert titles(queue_rows(client, "?q=rijksMUSEUM")) == ["Dutch paintings"]
    assert titles(queue_rows(client, "?q=%25")) == ["100% open data"]
    assert titles(queue_rows(client, "?q=_")) == ["snake_case names"]
    assert queue_rows(client, "?q=nothing+like+this") == []
    html = page_text(client, "/dashboard?q=%25&state=open")
    assert "1 case matches." in html
    assert 'value="%"' in html  # the search box keeps what was typed


# -- sorting and pages --------------------------------------------------------


def test_sorting_by_priority_and_by_age(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        for priority, days in (("low", 1), ("urgent", 2), ("normal", 4), ("high", 3)):
            case = make_case(db, u["ada"], title=priority)
            triage(db, case, u["sven"])
            set_priority(db, case, u["ngozi"], priority)
            age(case, days)
    sign_in(client, "Ngozi Committee")
    assert titles(queue_rows(client, "?sort=priority")) == ["urgent", "high", "normal", "low"]
    assert titles(queue_rows(client, "?sort=priority&dir=desc")) == [
        "low", "normal", "high", "urgent"]
    # Age is the default: the oldest state change first.
    assert titles(queue_rows(client)) == ["normal", "high", "urgent", "low"]
    assert titles(queue_rows(client, "?sort=age&dir=desc")) == ["low", "urgent", "high", "normal"]
    rows = queue_rows(client)
    assert rows[0][6].startswith("4 days")
    assert rows[-1][6].startswith("1 day")

    html = page_text(client, "/dashboard?sort=priority")
    sorted_by = one(html, 'th[scope="col"][aria-sort="ascending"] a')
    assert "sort=priority" in sorted_by["href"] and "dir=desc" in sorted_by["href"]
    assert html.count("aria-sort=") == 1


def test_pagination_keeps_the_filters(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        organisation = make_organisation(db)
        for number in range(30):
            make_case(db, u["ada"], title=f"Batch {number:02d}", organisation=organisation)
        make_case(db, u["ada"], title="Something else", organisation=organisation)
    sign_in(client, "Ngozi Committee")
    first = queue_rows(client, "?q=batch&sort=reference")
    assert len(first) == 25
    html = page_text(client, "/dashboard?q=batch&sort=reference&state=open")
    assert "Page 1 of 2" in html
    link = re.search(r'href="(/dashboard\?[^"]+)" rel="next"', html)
    assert link is not None
    next_url = link.group(1).replace("&amp;", "&")
    assert "q=batch" in next_url and "sort=reference" in next_url and "page=2" in next_url
    second = queue_rows(client, next_url.removeprefix("/dashboard"))
    assert titles(second) == [f"Batch {n}" for n in range(25, 30)]
    assert set(titles(first)).isdisjoint(titles(second))
    # A page past the end shows the last page.
    assert titles(queue_rows(client, "?q=batch&sort=reference&page=99")) == titles(second)


# -- overdue ------------------------------------------------------------------


def test_overdue_follows_the_configured_target(
    app: Flask, p: dict[str, int], client: FlaskClient, sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        old = make_case(db, u["ada"], title="Waiting five days")
        make_case(db, u["ada"], title="Just arrived")
        age(old, 5)
    sign_in(client, "Ngozi Committee")
    rows = {row[1]: row[6] for row in queue_rows(client)}
    assert rows == {"Waiting five days": "5 days Overdue", "Just arrived": "0 days"}

    app.config["STAGE_TARGET_DAYS"] = {"submitted": 10}
    rows = {row[1]: row[6] for row in queue_rows(client)}
    assert rows["Waiting five days"] == "5 days"


# -- the query count stays constant -------------------------------------------


def _bulk_cases(db: Session, count: int, start: int, u: dict[str, User]) -> None:
    """Many cases straight through the ORM, in several states, some assigned."""
    organisation = make_organisation(db, f"Bulk organisation {start}")
    now = utcnow()
    states = ("submitted", "in_initial_review", "awaiting_final_go", "approved", "declined")
    for index in range(start, start + count):
        fields = case_fields(db, organisation=organisation, title=f"Bulk case {index}",
                             themes=["climate"] if index % 2 else ["health"])
        db.add(Case(reference=f"CPH-1999-{index:05d}", year=1999, number=index,
                    state=states[index % len(states)],
                    priority=("low", "normal", "high", "urgent")[index % 4],
                    assignee_id=(u["sven"].id, u["leila"].id, None)[index % 3],
                    requester_id=u["ada"].id, created_at=now, updated_at=now,
                    state_changed_at=now - timedelta(days=index % 20),
                    stage_started_at=now - timedelta(days=index % 20), paused_seconds=0,
                    **fields))


PATHS = ("/dashboard", "/dashboard?waiting=1&sort=priority",
         "/dashboard?theme=climate&q=bulk&assignee=unassigned&page=2", "/inbox",
         "/requests/mine")


def test_query_count_does_not_grow_with_the_number_of_cases(
    app: Flask, p: dict[str, int], sign_in: SignIn
) -> None:
    with session(app) as db:
        u = people(db)
        _bulk_cases(db, 10, 0, u)
        db.flush()
        first = db.scalars(select(Case).where(Case.state == "in_initial_review")).first()
        assert first is not None
        review(db, first, u["mei"])
        service.declare_conflict(db, first, u["carlos"], "Former employer.")
    committee, helpdesk = app.test_client(), app.test_client()
    sign_in(committee, "Ngozi Committee")
    sign_in(helpdesk, "Sven Helpdesk")
    clients = {"/inbox": helpdesk}
    small = {path: queries_for(app, clients.get(path, committee), path) for path in PATHS}

    with session(app) as db:
        _bulk_cases(db, 490, 10, people(db))
    large = {path: queries_for(app, clients.get(path, committee), path) for path in PATHS}
    assert large == small
    assert len(queue_rows(committee)) == 25
    assert "400 cases match." in page_text(committee, "/dashboard?state=open")  # less declined
