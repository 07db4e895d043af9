"""Impact read through GlobalUsage, as on Commons: the wiki says it runs the extension, so
a snapshot counts the uses of the files on every wiki (distinct wikis and pages), follows
the extension's continuation inside each batch of 500 files, stops at the request budget,
and refuses to count a wiki that claims the extension but ignores `prop=globalusage`.

Categories and files are the throwaway MediaWiki's (bulk file pages written into its
database); the uses on other wikis come from the GlobalUsage stand-in in front of it
(tests/wikicheck/globalusage.py), the page views from the page-view stand-in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from app.core.db import get_session
from app.wikicheck.models import ImpactSnapshot
from tests.helpers import SignIn
from tests.html import table_rows
from tests.mediawiki import ThrowawayWiki
from tests.wikicheck.conftest import bulk_files, unique
from tests.wikicheck.globalusage import GlobalUsage, serve_globalusage
from tests.wikicheck.pageviews import PageViews
from tests.wikicheck.support import audit_actions, case_in_support, signed_in, wiki_app
from tests.wikicheck.test_impact import follow, snapshots


@pytest.fixture
def globalusage(commons: ThrowawayWiki) -> Iterator[GlobalUsage]:
    """The GlobalUsage stand-in in front of the session's wiki."""
    with serve_globalusage(commons.api_url) as state:
        yield state


def bulk_category(wiki: ThrowawayWiki, count: int) -> tuple[str, list[str]]:
    """A category of `count` file pages; the files' titles in category order."""
    category = unique("Harbour postcards")
    wiki.edit_as_human(f"Category:{category}", "Postcards.", "new")
    bulk_files(wiki, category, count)
    key = category.replace(" ", "_")
    return category, [f"File:{key}_bulk_{n:05d}.png" for n in range(count)]


def impact_run(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["wiki", "impact"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def usage_requests(globalusage: GlobalUsage) -> list[dict[str, str]]:
    return [params for params in globalusage.requests if params.get("prop") == "globalusage"]


def test_a_snapshot_counts_the_uses_on_every_wiki_following_each_batchs_continuation(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        globalusage: GlobalUsage, sign_in: SignIn) -> None:
    category, files = bulk_category(commons, 1_200)  # three batches of categorymembers
    for n in range(1_100):  # more uses than one answer holds (500)
        globalusage.use(files[0], "enwiki", f"Article {n:04d}")
    globalusage.use(files[1], "enwiki", "Article 0001")  # a page already counted
    globalusage.use(files[1], "dewiki", "Hafen")
    globalusage.use(files[1], "commonswiki", "Harbour postcards")  # a gallery on Commons
    globalusage.use(files[1], "frwiki", "Utilisateur exemple", namespace=2)  # not content
    globalusage.use(files[1], "enwiki", "Talk about harbours", namespace=1)  # not content
    globalusage.use(files[600], "frwiki", "Port de plaisance")  # the second batch
    globalusage.use(files[1_150], "dewiki", "Hafen")  # the third batch, a page counted
    pageviews.views[("commons.wikimedia.org", "Harbour_postcards")] = 40
    pageviews.views[("de.wikipedia.org", "Hafen")] = 2
    pageviews.views[("en.wikipedia.org", "Article_0000")] = 1_000
    app = wiki_app(make_app, commons, pageviews, COMMONS_API=globalusage.url,
                   IMPACT_VIEWS_MAX_PAGES=5)
    reference = case_in_support(app)
    follow(app, reference, category, sign_in)

    output = impact_run(app)

    # 1,200 files, 4 of them used; 1,100 English pages, Hafen, the Commons gallery and
    # Port de plaisance: 1,103 content pages on 4 wikis; the views of the first 5 pages.
    assert snapshots(app) == [(0, 1_200, 4, 4, 1_103, 1_042)]
    # The extensions, then 3 answers for the first batch (1,103 uses, 500 an answer:
    # the batch again with gucontinue) and one for each other batch; 5 page views.
    assert output.startswith("started 1, snapshots 1, wiki unreachable 0, requests 11")
    asked = usage_requests(globalusage)
    assert len(globalusage.requests) == 6 and len(asked) == 5
    assert all((params["gulimit"], params["gunamespace"]) == ("max", "0") for params in asked)
    assert [("gucontinue" in params, "gcmcontinue" in params) for params in asked] == [
        (False, False), (True, False), (True, False), (False, True), (False, True)]
    assert sorted(project for project, _article in pageviews.requests) == [
        "commons.wikimedia.org", "de.wikipedia.org", "en.wikipedia.org", "en.wikipedia.org",
        "en.wikipedia.org"]
    snapshot_events = [after for action, after in audit_actions(app, reference)
                       if action == "wiki.snapshot"]
    assert snapshot_events[0]["usage_source"] == "globalusage"

    sven = signed_in(app, sign_in, "Sven Helpdesk")
    rows = table_rows(sven.get(f"/requests/{reference}").get_data(as_text=True),
                      "#impact-table")
    assert [rows[0][0], *rows[0][2:]] == ["0", "1,200", "4", "4", "1,103", "1,042+"]

    assert impact_run(app).startswith("started 0, snapshots 0, wiki unreachable 0, requests 0")
    assert len(globalusage.requests) == 6


def test_uses_beyond_the_request_budget_stop_the_reading_and_show_as_a_lower_bound(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        globalusage: GlobalUsage, sign_in: SignIn) -> None:
    category, files = bulk_category(commons, 600)
    for n in range(3_000):  # 6 answers of uses for the first batch alone
        globalusage.use(files[n % 3], "enwiki", f"Page {n:05d}")
    globalusage.use(files[550], "dewiki", "Nie gelesen")  # in the batch never reached
    app = wiki_app(make_app, commons, pageviews, COMMONS_API=globalusage.url,
                   WIKI_MAX_REQUESTS=4, IMPACT_VIEWS_MAX_PAGES=1)
    reference = case_in_support(app)
    follow(app, reference, category, sign_in)

    output = impact_run(app)

    assert output.startswith("started 1, snapshots 1, wiki unreachable 0, requests 5")
    assert len(globalusage.requests) == 4  # the budget: the extensions and 3 answers
    # 3 answers of 500 uses, in the table's order: the first file's 1,000, then the second's.
    assert snapshots(app) == [(0, 500, 2, 1, 1_500, 0)]
    with app.app_context():
        snapshot = get_session().scalars(select(ImpactSnapshot)).one()
        assert snapshot.files_capped is True
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    rows = table_rows(sven.get(f"/requests/{reference}").get_data(as_text=True),
                      "#impact-table")
    assert rows[0][2] == "500+"


def test_a_wiki_that_claims_global_usage_but_ignores_it_records_nothing_until_it_answers(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        globalusage: GlobalUsage, sign_in: SignIn) -> None:
    category, files = bulk_category(commons, 3)
    globalusage.use(files[0], "enwiki", "Lighthouse")
    globalusage.prop_known = False  # the real wiki answers, warning it knows no such prop
    app = wiki_app(make_app, commons, pageviews, COMMONS_API=globalusage.url)
    reference = case_in_support(app)
    follow(app, reference, category, sign_in)

    assert impact_run(app).startswith("started 1, snapshots 0, wiki unreachable 1")
    assert snapshots(app) == []
    globalusage.prop_known = True
    assert impact_run(app).startswith("started 0, snapshots 1, wiki unreachable 0")
    assert snapshots(app) == [(0, 3, 1, 1, 1, 0)]


def test_a_wiki_without_global_usage_is_read_with_fileusage(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        globalusage: GlobalUsage, sign_in: SignIn) -> None:
    category, files = bulk_category(commons, 2)
    globalusage.use(files[0], "enwiki", "Lighthouse")  # not readable without the extension
    globalusage.installed = False
    app = wiki_app(make_app, commons, pageviews, COMMONS_API=globalusage.url)
    reference = case_in_support(app)
    follow(app, reference, category, sign_in)

    assert impact_run(app).startswith("started 1, snapshots 1, wiki unreachable 0")
    assert snapshots(app) == [(0, 2, 0, 0, 0, 0)]
    assert [params.get("prop") for params in globalusage.requests] == [None, "fileusage"]
    snapshot_events = [after for action, after in audit_actions(app, reference)
                       if action == "wiki.snapshot"]
    assert snapshot_events[0]["usage_source"] == "fileusage"
