"""axe-core on every page of the app, in English and in Arabic (right to left), seen
by someone allowed to see it; every page also has no script at all.

The pages are the GET routes of the authorization matrix (test_authorization.py), so
a new page is audited as soon as it gets its row there. Each page is seen by anonymous
visitors when it is public, by one signed-in role that may see it, and the case page by
every kind of person, because each sees different parts of it. The data is the demo
data (cases in every state), so lists, tables and badges are all on the pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.attention.tokens import unwatch_token
from app.auth.models import User
from app.cases import service
from app.cases.access import case_access
from app.cases.models import Case
from app.committee.models import Criterion, Guideline, GuidelineRevision
from app.core.db import get_session
from app.groups.models import Referral
from app.meetings.models import Meeting
from app.people.models import Affiliate
from dev.demo import load_demo_data
from tests.browser.conftest import OpenVisitor
from tests.browser.support import Findings, Visitor
from tests.system.test_authorization import EXPECTED, ROLES, path_for

# Demo accounts for the roles of the matrix; "requester" owns the referred demo case.
USERNAMES = {"requester": "Omar Requester", "other_requester": "Ada Requester",
             "committee": "Ngozi Committee", "recused": "Carlos Committee",
             "member": "Leila Lead", "helpdesk": "Sven Helpdesk", "admin": "Admin Demo"}
NOT_HTML = {"/healthz", "/favicon.ico", "/static/<path:filename>", "/cases.atom",
            "/stats.csv",
            "/api/v1/cases", "/api/v1/cases/<reference>", "/api/v1/working-groups",
            "/api/v1/openapi.json", "/api/v1/asks",
            "/api/v1/meetings", "/api/v1/meetings/<int:meeting_id>",
            "/api/v1/cases/<reference>/impact",  # JSON
            "/partners/<int:org_id>/impact.csv",  # a CSV download
            "/committee/meetings.ics",  # a calendar feed (404 without a token)
            "/login",  # redirects to the wiki
            "/committee/profile",  # redirects to the preferences
            "/views/<int:view_id>",  # opens the dashboard with the view's filters (a redirect)
            "/unwatch/<token>/one-click",  # List-Unsubscribe: redirects to /unwatch/<token>
            "/requests/<reference>/files/<int:attachment_id>",  # a file, as a download
            }
# The matrix reaches these only with ids that do not exist (every role gets a 404 there):
# the demo data holds no email, attachment or claim link, so no page of theirs is audited.
NO_PAGE_IN_THE_MATRIX = {"/mail/<int:mail_id>", "/requests/claim/<token>",
                         "/requests/<reference>/attachments/<int:attachment_id>"}
# Pages the matrix also reaches only with ids that do not exist, but whose rows the demo
# world has: who audits each (in both languages), and the demo world's key for its id.
IN_THE_DEMO_WORLD = {"/affiliates/<int:affiliate_id>/edit": ("admin", "affiliate_id"),
                     "/committee/criteria/<int:criterion_id>": ("admin", "criterion_id"),
                     "/unwatch/<token>": ("anonymous", "unwatch_token")}
ANONYMOUS_ONLY = {"/oauth-callback"}  # the "sign-in cancelled" page
# Who looks at a page that everyone may see, besides anonymous visitors.
PREFERRED = ("committee", "helpdesk", "admin", "member", "requester", "recused",
             "other_requester")
EVERY_VIEWER = {"/requests/<reference>", "/"}
LANGUAGES = ("en", "ar")
# The case page has forms that depend on the state: see it in the other states too
# (the demo data has a case in each), as the people who act in that state.
CASE_PAGES_IN_OTHER_STATES = {
    "committee": ("in_initial_review", "awaiting_final_go"),
    "helpdesk": ("submitted", "approved", "in_support", "closed"),
    "other_requester": ("needs_information", "in_support"),
}


def pages_seen_by(role: str) -> list[tuple[str, tuple[str, ...]]]:
    """The HTML GET rules this role audits, each with its languages. A signed-in view
    of a public page is audited in English only: anonymous visitors audit it in both
    languages, and every signed-in-only page is audited in Arabic too."""
    rules: list[tuple[str, tuple[str, ...]]] = []
    for (method, rule), expected in sorted(EXPECTED.items()):
        if method != "GET" or rule in NOT_HTML | NO_PAGE_IN_THE_MATRIX:
            continue
        allowed = [r for r in ROLES if expected[r] == 200]
        if rule in IN_THE_DEMO_WORLD:
            if IN_THE_DEMO_WORLD[rule][0] == role:
                rules.append((rule, LANGUAGES))
            continue
        if rule in ANONYMOUS_ONLY:
            chosen = {"anonymous"}
        elif rule in EVERY_VIEWER:
            chosen = set(allowed)
        else:
            chosen = {"anonymous"} & set(allowed)
            chosen |= {next(r for r in PREFERRED if r in allowed)}
        if role in chosen:
            public = "anonymous" in allowed and rule not in EVERY_VIEWER
            both = role == "anonymous" or not public
            rules.append((rule, LANGUAGES if both else ("en",)))
    return rules


def test_every_html_page_is_audited_by_someone_in_each_language() -> None:
    html = {rule for (method, rule) in EXPECTED if method == "GET"} - NOT_HTML
    html -= NO_PAGE_IN_THE_MATRIX
    for language in LANGUAGES:
        audited = {rule for role in ROLES for rule, languages in pages_seen_by(role)
                   if language in languages}
        assert audited == html, language


def demo_path(rule: str, world: dict[str, Any]) -> str:
    """The rule's path in the demo world (with a real row for IN_THE_DEMO_WORLD pages)."""
    if rule in IN_THE_DEMO_WORLD:
        key = IN_THE_DEMO_WORLD[rule][1]
        rule = re.sub(r"<[^>]+>", str(world[key]), rule, count=1)
    return path_for(rule, world)


@pytest.fixture
def demo_world(app: Flask) -> dict[str, Any]:
    """The demo data, plus a declared conflict, a guideline, an affiliate, and the ids
    for the URLs."""
    with app.app_context():
        db = get_session()
        assert load_demo_data(db)
        users = {u.username: u for u in db.scalars(select(User))}
        case = db.scalars(select(Case).where(Case.state == "with_working_groups")).one()
        assert case.requester is not None
        assert case.requester.username == USERNAMES["requester"]
        service.declare_conflict(db, case, users["Carlos Committee"], "I advise them.")
        ngozi = users["Ngozi Committee"]
        assert case_access(db, ngozi, case).is_staff
        guideline = Guideline(slug="implementation", title="Working with us",
                              body="Ask the *Implementation* group about data models.")
        db.add(guideline)
        db.flush()
        revision = GuidelineRevision(guideline_id=guideline.id, title=guideline.title,
                                     body=guideline.body, summary="First version",
                                     author_id=ngozi.id)
        db.add(revision)
        affiliate = Affiliate(name="Wikimedia Demo", kind="chapter", countries=["SE"],
                              contact_url="https://example.org/demo")
        db.add(affiliate)
        db.commit()
        criterion = db.scalars(select(Criterion.id).order_by(Criterion.id)).first()
        assert criterion is not None, "the demo data has the committee's criteria"
        referral = db.scalars(select(Referral.id).where(Referral.case_id == case.id)).one()
        by_state = dict(db.execute(
            select(Case.state, Case.reference).order_by(Case.id.desc())).tuples().all())
        return {"reference": case.reference, "referral_id": referral, "reply_id": 1,
                "filename": "css/helpdesk.css", "slug": "implementation",
                "revision_id": revision.id, "org_id": case.organisation_id,
                "request_id": 1, "contact_id": 1, "placement_id": 1, "mail_id": 1,
                "attachment_id": 1, "token": "no-claim-token",
                "meeting_id": db.scalars(select(Meeting.id).order_by(Meeting.id)).first(),
                "by_state": by_state, "affiliate_id": affiliate.id,
                "criterion_id": criterion,
                "unwatch_token": unwatch_token(users["Omar Requester"].id, case.id)}


@pytest.mark.parametrize("role", ROLES)
def test_pages_pass_axe_in_english_and_arabic(visitor: OpenVisitor, demo_world: dict[str, Any],
                                             role: str) -> None:
    tab = visitor(USERNAMES.get(role, "anonymous"))
    rules = pages_seen_by(role)
    assert rules
    findings = Findings()
    for language in LANGUAGES:
        for rule in (rule for rule, languages in rules if language in languages):
            path = demo_path(rule, demo_world)
            tab.goto(f"{path}?uselang={language}")
            assert tab.page.evaluate("() => document.documentElement.lang") == language
            direction = "rtl" if language == "ar" else "ltr"
            assert tab.page.evaluate("() => document.documentElement.dir") == direction
            findings.add(tab.findings(path))
        for state in CASE_PAGES_IN_OTHER_STATES.get(role, ()):
            reference = demo_world["by_state"][state]
            tab.goto(f"/requests/{reference}")
            findings.add(tab.findings(f"/requests/{reference} ({state})"))
        for what, visit in extra_pages(tab, role):
            visit()
            findings.add(tab.findings(what))
    assert not findings.failing, findings.report()


# Forms sent empty, to audit the answer with its error messages: (page, form action).
FORMS_SENT_EMPTY = {
    "requester": (("/requests/new", "/requests/new"),),
    "committee": (("/guidelines/new", "/guidelines/new"), ("/partners/new", "/partners/new"),
                  ("/canned-replies", "/canned-replies"),
                  ("/committee/meetings/new", "/committee/meetings/new")),
    "helpdesk": (("/requests/log-email", "/requests/log-email"),),
    "admin": (("/admin/", "/admin/roles/grant"), ("/committee/criteria", "/committee/criteria"),
              ("/affiliates/new", "/affiliates/new"), ("/skills", "/skills")),
}


def extra_pages(tab: Visitor, role: str) -> list[tuple[str, Callable[[], object]]]:
    """Pages that are not a plain GET of a route: error pages, forms with errors."""
    visits: list[tuple[str, Callable[[], object]]] = []
    if role == "anonymous":
        visits.append(("404 page", lambda: tab.goto("/no-such-page", status=404)))
    if role == "other_requester":
        visits.append(("403 page", lambda: tab.goto("/dashboard", status=403)))
    for path, action in FORMS_SENT_EMPTY.get(role, ()):
        def send_empty(path: str = path, action: str = action) -> None:
            tab.goto(path)
            with tab.page.expect_navigation():
                tab.page.locator(f'main form[action$="{action}"] button[type=submit]').click()
            assert tab.page.locator(".field-error").count() > 0, f"{action}: no field error"
        visits.append((f"{path} sent empty", send_empty))
    return visits
