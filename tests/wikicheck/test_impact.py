"""The impact follow-up: once a case with a Commons category has its upload done, the
daily job takes snapshots on day 0, 30, 90 and 365 — files in the category tree (to a
bounded depth), files used on content pages, wikis and pages using them, and those pages'
views from the page-view API — each once; a wiki that is down means the snapshot is taken
the next day; a category of 10,000+ files costs a bounded number of requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from app.core.db import get_session
from app.core.models import utcnow
from app.notifications.models import OutboxMessage
from app.wikicheck import jobs
from app.wikicheck.models import ImpactSnapshot
from app.wikicheck.service import WikiSettings
from tests.case_client import post_on_case
from tests.helpers import SignIn
from tests.html import field_value, one, table_rows
from tests.mediawiki import ThrowawayWiki, free_port
from tests.wikicheck.conftest import bulk_files, import_files, unique
from tests.wikicheck.pageviews import PageViews
from tests.wikicheck.support import case_in_support, signed_in, wiki_app


def category_tree(wiki: ThrowawayWiki, folder: Path) -> tuple[str, list[str]]:
    """A category with 3 files, a subcategory with 2, a sub-subcategory with 1 and one more
    level down with 1 (beyond the depth counted); its file names."""
    top = unique("Harbour photographs")
    levels = [top, f"{top} sub", f"{top} subsub", f"{top} deep"]
    names = []
    for level, (category, count) in enumerate(zip(levels, (3, 2, 1, 1), strict=True)):
        if level:
            wiki.edit_as_human(f"Category:{category}", f"[[Category:{levels[level - 1]}]]", "new")
        batch = [f"{category} photo {n}" for n in range(count)]
        import_files(wiki, folder / str(level), batch, f"[[Category:{category}]]")
        names += batch
    wiki.edit_as_human(f"Category:{top}", "Photographs.", "new")
    return top, names


def follow(app: Flask, reference: str, category: str, sign_in: SignIn) -> None:
    """The helpdesk names the category and ticks "Upload done"."""
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    assert post_on_case(sven, reference, "wiki/places", commons_category=category,
                        wikidata_item="").status_code == 302
    assert post_on_case(sven, reference, "checklist", key="upload_done", done="1",
                        link="").status_code == 302


def impact_mails(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(m.to_address, m.subject, m.body) for m in get_session().scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "impact").order_by(
                OutboxMessage.id))]


def is_checked_box(page: str, name: str) -> bool:
    return one(page, f'input[name="{name}"]').has_attr("checked")


def snapshots(app: Flask) -> list[tuple[int, int, int, int, int, int]]:
    with app.app_context():
        return [(s.day, s.files, s.files_in_use, s.wikis, s.pages, s.views)
                for s in get_session().scalars(select(ImpactSnapshot).order_by(
                    ImpactSnapshot.day))]


def test_snapshots_count_files_usage_and_views_once_each_and_wait_for_a_wiki_that_is_down(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        sign_in: SignIn, tmp_path: Path) -> None:
    category, names = category_tree(commons, tmp_path)
    page_a, page_b = unique("Harbour of Examples"), unique("Lighthouse of Examples")
    commons.edit_as_human(page_a, f"[[File:{names[0]}.png]] [[File:{names[3]}.png]]", "uses")
    commons.edit_as_human(page_b, f"[[File:{names[0]}.png]]", "uses")
    commons.edit_as_human(f"Talk:{page_a}", f"[[File:{names[1]}.png]]", "not content")
    pageviews.views[("127.0.0.1", page_a.replace(" ", "_"))] = 120
    pageviews.views[("127.0.0.1", page_b.replace(" ", "_"))] = 30
    app = wiki_app(make_app, commons, pageviews)
    reference = case_in_support(app)
    follow(app, reference, category, sign_in)

    runner = app.test_cli_runner()
    first = runner.invoke(args=["wiki", "impact"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("started 1, snapshots 1, wiki unreachable 0")
    # 6 files (the deepest level is beyond IMPACT_CATEGORY_DEPTH 2), 2 of them used on 2
    # content pages of 1 wiki (the talk page does not count), 150 views.
    assert snapshots(app) == [(0, 6, 2, 1, 2, 150)]

    mails = impact_mails(app)
    assert [(to, subject) for to, subject, _body in mails] == [
        ("ada@example.org", f"Your files on the wikis: {reference}, day 0")]
    assert "Views of those pages in the last 30 days: 150" in mails[0][2]
    assert "Files used on wiki pages: 2" in mails[0][2]

    again = runner.invoke(args=["wiki", "impact"])
    assert again.output.startswith("started 0, snapshots 0, wiki unreachable 0, requests 0")
    assert len(snapshots(app)) == 1

    ada = signed_in(app, sign_in, "Ada Requester")
    page = ada.get(f"/requests/{reference}").get_data(as_text=True)
    rows = table_rows(page, "#impact-table")
    assert [rows[0][0], *rows[0][2:]] == ["0", "6", "2", "1", "2", "150"]
    assert "<svg" in page

    # Ada turns the impact emails off in her preferences.
    assert ada.get("/preferences").status_code == 200
    assert is_checked_box(ada.get("/preferences").get_data(as_text=True), "impact_mail")
    saved = ada.post("/preferences", data={
        "csrf_token": field_value(ada.get("/preferences").get_data(as_text=True), "csrf_token"),
        "email_notifications": "y", "email": "ada@example.org"})
    assert saved.status_code == 303
    assert not is_checked_box(ada.get("/preferences").get_data(as_text=True), "impact_mail")

    # Day 30: the page-view API is down, nothing is recorded; the next day it is back.
    commons.edit_as_human(unique("Museum of Examples"), f"[[File:{names[5]}.png]]", "uses")
    pageviews.down = True
    settings = WikiSettings.of(app.config)
    with app.app_context():
        down = jobs.follow_up(get_session(), settings, utcnow() + timedelta(days=30))
    assert (down.taken, down.failed) == (0, 1)
    assert len(snapshots(app)) == 1
    pageviews.down = False
    with app.app_context():
        back = jobs.follow_up(get_session(), settings, utcnow() + timedelta(days=31))
        twice = jobs.follow_up(get_session(), settings, utcnow() + timedelta(days=32))
    assert (back.taken, back.failed, twice.taken) == (1, 0, 0)
    assert snapshots(app)[1] == (30, 6, 3, 1, 3, 150)
    assert len(impact_mails(app)) == 1  # none for day 30: Ada opted out


def test_a_category_of_more_than_ten_thousand_files_costs_a_bounded_number_of_requests(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        sign_in: SignIn) -> None:
    category = unique("Bulk herbarium sheets")
    commons.edit_as_human(f"Category:{category}", "Herbarium.", "new")
    bulk_files(commons, category, 10_050)
    app = wiki_app(make_app, commons, pageviews)
    reference = case_in_support(app)
    follow(app, reference, category, sign_in)
    result = app.test_cli_runner().invoke(args=["wiki", "impact"])
    assert result.output.startswith("started 1, snapshots 1, wiki unreachable 0"), result.output
    requests = int(result.output.strip().rsplit(" ", 1)[1])
    assert requests <= 25  # 500 files a request to the cap, the site's extensions
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    rows = table_rows(sven.get(f"/requests/{reference}").get_data(as_text=True), "#impact-table")
    assert rows[0][2] == "10,000+"


def test_a_closed_case_is_followed_up_and_commons_down_waits_for_the_next_day(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        sign_in: SignIn) -> None:
    category = unique("Closed case drawings")
    commons.edit_as_human(f"Category:{category}", "Drawings.", "new")
    bulk_files(commons, category, 3)
    app = wiki_app(make_app, commons, pageviews)
    reference = case_in_support(app)
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    assert post_on_case(sven, reference, "wiki/places", commons_category=category,
                        wikidata_item="").status_code == 302
    page = sven.get(f"/requests/{reference}").get_data(as_text=True)
    close = one(page, 'form:has(input[name="action"][value="close_resolved"])')
    fields = {field["name"]: field.get("value", "") for field in close.select("input[type=hidden]")}
    closed = sven.post(f"/requests/{reference}/action",
                       data={**fields, "message": "All uploaded, thank you."})
    assert closed.status_code in (302, 303), closed.status_code

    # Day 0: Commons refuses connections; nothing is recorded, the follow-up has started.
    settings = WikiSettings.of(app.config)
    dead = replace(settings, commons_api=f"http://127.0.0.1:{free_port()}/api.php")
    now = utcnow()
    with app.app_context():
        down = jobs.follow_up(get_session(), dead, now)
    assert (down.started, down.taken, down.failed) == (1, 0, 1)
    assert snapshots(app) == []

    def run(days: int) -> jobs.Report:
        with app.app_context():
            return jobs.follow_up(get_session(), settings, now + timedelta(days=days))

    assert run(1).taken == 1  # the next day: day 0's snapshot
    assert snapshots(app) == [(0, 3, 0, 0, 0, 0)]
    assert run(29).taken == 0
    # No run between day 30 and day 90: one reading serves both.
    assert (run(95).taken, [day for day, *_figures in snapshots(app)]) == (2, [0, 30, 90])
    assert run(365).taken == 1
    assert (run(400).taken, run(800).requests) == (0, 0)
    assert [day for day, *_figures in snapshots(app)] == [0, 30, 90, 365]
