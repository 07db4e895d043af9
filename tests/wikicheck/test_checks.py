"""Readiness verified on the wikis: staff name the case's Commons category and Wikidata
item, *Check now* reads the real (throwaway) MediaWiki, each step shows its evidence or
what is missing, verified steps tick the checklist, a person can override with a reason
(audited), and a wiki that is down changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from app.cases.models import Case, ChecklistItem
from app.core.db import get_session
from tests.case_client import post_on_case
from tests.helpers import SignIn
from tests.html import one, parse, text_of
from tests.mediawiki import ThrowawayWiki, free_port
from tests.wikicheck.conftest import import_files, unique
from tests.wikicheck.pageviews import PageViews
from tests.wikicheck.support import audit_actions, case_in_support, signed_in, wiki_app


def step_text(page: str, step: str) -> str:
    return text_of(one(page, f"#wiki-check-{step}"))


def ticked(app: Flask, reference: str) -> set[str]:
    with app.app_context():
        db = get_session()
        case_id = db.scalars(select(Case.id).where(Case.reference == reference)).one()
        return set(db.scalars(select(ChecklistItem.key).where(
            ChecklistItem.case_id == case_id, ChecklistItem.done.is_(True))))


def test_check_now_verifies_each_step_with_its_evidence(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        sign_in: SignIn, tmp_path: Path) -> None:
    category = unique("Maps of the Museum")
    import_files(commons, tmp_path / "licensed", [f"{category} map {n}" for n in range(6)],
                 f"A map. [[Category:{category}]] [[Category:CC-BY-4.0]]")
    commons.edit_as_human(f"Category:{category}", "Maps given by the museum.", "new")
    item = f"Q{900 + len(category)}"
    commons.edit_as_human(item, "Museum of Examples [[Category:Q33506]]", "stand-in item")
    app = wiki_app(make_app, commons, pageviews)
    reference = case_in_support(app)
    sven = signed_in(app, sign_in, "Sven Helpdesk")

    saved = post_on_case(sven, reference, "wiki/places", commons_category=category,
                         wikidata_item=f"https://www.wikidata.org/wiki/{item}")
    assert saved.status_code == 302
    page = sven.get(f"/requests/{reference}").get_data(as_text=True)
    assert "not checked yet" in step_text(page, "category")

    checked = post_on_case(sven, reference, "wiki/check")
    assert checked.status_code == 302
    page = sven.get(checked.headers["Location"]).get_data(as_text=True)
    assert "The steps were checked on the wikis." in page
    assert "Verified" in step_text(page, "category")
    assert "holds 6 files" in step_text(page, "category")
    link = str(one(page, "#wiki-check-category a")["href"])
    assert link.startswith(commons.base_url) and "Category:" in link
    assert "All 6 files read carry an accepted licence" in step_text(page, "licence")
    assert "6 files in the category; the test batch needs at least 5" in step_text(
        page, "test_batch")
    assert "Verified" in step_text(page, "organisation")
    assert "Q33506" in step_text(page, "organisation")
    assert "Checked" in step_text(page, "licence")
    assert {"category_created", "licence_checked", "test_batch"} <= ticked(app, reference)
    check = [after for action, after in audit_actions(app, reference) if action == "wiki.check"]
    assert check and check[0]["results"] == {"category": "passed", "licence": "passed",
                                             "test_batch": "passed", "organisation": "passed"}


def test_a_failed_check_says_what_is_missing_and_a_person_overrides_it_with_a_reason(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        sign_in: SignIn, tmp_path: Path) -> None:
    category = unique("Drawings")
    import_files(commons, tmp_path / "mixed", [f"{category} licensed {n}" for n in range(2)],
                 f"[[Category:{category}]] [[Category:CC-Zero]]")
    import_files(commons, tmp_path / "bare", [f"{category} bare"], f"[[Category:{category}]]")
    commons.edit_as_human(f"Category:{category}", "Drawings.", "new")
    person = f"Q{1900 + len(category)}"
    commons.edit_as_human(person, "A person [[Category:Q5]]", "stand-in item")
    app = wiki_app(make_app, commons, pageviews)
    reference = case_in_support(app)
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    post_on_case(sven, reference, "wiki/places", commons_category=f"Category:{category}",
                 wikidata_item=person)
    page = sven.get(post_on_case(sven, reference, "wiki/check").headers["Location"]
                    ).get_data(as_text=True)

    assert "Not verified" in step_text(page, "licence")
    assert f"1 file of the category carry no accepted licence, e.g. File:{category} bare.png" \
        in step_text(page, "licence")
    assert "3 files in the category; the test batch needs at least 5" in step_text(
        page, "test_batch")
    assert "The item is not an organisation (instance of: Q5)" in step_text(page, "organisation")
    assert "licence_checked" not in ticked(app, reference)

    refused = post_on_case(sven, reference, "wiki/override", step="licence", reason="  ")
    assert refused.status_code == 400
    assert "Say why the step counts as done." in refused.get_data(as_text=True)

    done = post_on_case(sven, reference, "wiki/override", step="licence",
                        reason="The bare file is the museum's logo; its OTRS ticket is filed.")
    assert done.status_code == 302
    page = sven.get(done.headers["Location"]).get_data(as_text=True)
    assert "Counted as done by a person" in step_text(page, "licence")
    assert "Sven Helpdesk counted this step as done: The bare file is the museum's logo" \
        in step_text(page, "licence")
    assert "licence_checked" in ticked(app, reference)
    overrides = [after for action, after in audit_actions(app, reference)
                 if action == "wiki.override"]
    assert overrides == [{"step": "licence", "ticked": ["licence_checked"],
                          "reason": "The bare file is the museum's logo; its OTRS ticket is "
                                    "filed."}]

    # Checking again keeps the override while the step still fails.
    page = sven.get(post_on_case(sven, reference, "wiki/check").headers["Location"]
                    ).get_data(as_text=True)
    assert "Counted as done by a person" in step_text(page, "licence")


def test_a_missing_category_and_a_wiki_that_is_down(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        sign_in: SignIn) -> None:
    app = wiki_app(make_app, commons, pageviews)
    reference = case_in_support(app)
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    post_on_case(sven, reference, "wiki/places", commons_category="No such category here",
                 wikidata_item="")
    page = sven.get(post_on_case(sven, reference, "wiki/check").headers["Location"]
                    ).get_data(as_text=True)
    assert "The category does not exist on Commons." in step_text(page, "category")
    assert "No Wikidata item is named on this request yet." in step_text(page, "organisation")

    down = wiki_app(make_app, commons, pageviews,
                    COMMONS_API=f"http://127.0.0.1:{free_port()}/api.php")
    sven_down = signed_in(down, sign_in, "Sven Helpdesk")
    answer = post_on_case(sven_down, reference, "wiki/check")
    assert answer.status_code == 503
    assert "The wikis could not be reached just now; nothing was changed." in \
        answer.get_data(as_text=True)
    page = sven.get(f"/requests/{reference}").get_data(as_text=True)
    assert "The category does not exist on Commons." in step_text(page, "category")


def test_only_staff_check_and_the_requester_sees_the_results(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        sign_in: SignIn) -> None:
    app = wiki_app(make_app, commons, pageviews)
    reference = case_in_support(app)
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    post_on_case(sven, reference, "wiki/places", commons_category="Somewhere", wikidata_item="")
    ada = signed_in(app, sign_in, "Ada Requester")
    page = ada.get(f"/requests/{reference}").get_data(as_text=True)
    assert one(page, "#wiki-heading")
    assert not parse(page).select("#wiki form")
    refused = post_on_case(ada, reference, "wiki/check")
    assert refused.status_code == 403
    bad = post_on_case(sven, reference, "wiki/places", commons_category="X",
                       wikidata_item="not an item")
    assert bad.status_code == 400
    assert "A Wikidata item is written like Q43229." in bad.get_data(as_text=True)


def test_the_daily_check_job_checks_open_cases_and_leaves_results_when_the_wiki_is_down(
        make_app: Callable[..., Flask], commons: ThrowawayWiki, pageviews: PageViews,
        sign_in: SignIn) -> None:
    category = unique("Job checked maps")
    commons.edit_as_human(f"Category:{category}", "Maps.", "new")
    app = wiki_app(make_app, commons, pageviews)
    reference = case_in_support(app)
    sven = signed_in(app, sign_in, "Sven Helpdesk")
    post_on_case(sven, reference, "wiki/places", commons_category=category, wikidata_item="")
    result = app.test_cli_runner().invoke(args=["wiki", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("checked 1, wiki unreachable 0, requests ")
    page = sven.get(f"/requests/{reference}").get_data(as_text=True)
    assert "The category exists and holds 0 files." in step_text(page, "category")
    assert "The category holds no files yet." in step_text(page, "licence")

    down = wiki_app(make_app, commons, pageviews,
                    COMMONS_API=f"http://127.0.0.1:{free_port()}/api.php")
    result = down.test_cli_runner().invoke(args=["wiki", "check"])
    assert result.output.startswith("checked 0, wiki unreachable 1")
    page = sven.get(f"/requests/{reference}").get_data(as_text=True)
    assert "The category exists and holds 0 files." in step_text(page, "category")
