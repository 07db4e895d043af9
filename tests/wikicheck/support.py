"""Shared steps of the wiki-check tests: a case in support, people signed in, the app
pointed at the throwaway wiki and the page-view stand-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases.models import Case
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from tests.factories import make_case, make_user
from tests.helpers import SignIn
from tests.mediawiki import ThrowawayWiki
from tests.wikicheck.pageviews import PageViews


def wiki_app(make_app: Callable[..., Flask], wiki: ThrowawayWiki, views: PageViews,
             **extra: Any) -> Flask:
    """The app reading the throwaway wiki as Commons and as Wikidata."""
    settings: dict[str, Any] = {"COMMONS_API": wiki.api_url, "WIKIDATA_API": wiki.api_url,
                                "PAGEVIEWS_API": views.url, "TEST_BATCH_MIN_FILES": 5,
                                "WIKI_TIMEOUT": 10.0}
    settings.update(extra)
    return make_app(**settings)


def case_in_support(app: Flask, *, public: bool = False, title: str = "Maps") -> str:
    """A case in support for Ada, with Sven (helpdesk) and Ngozi (committee) around."""
    with app.app_context():
        db = get_session()
        make_user(db, "Sven Helpdesk", "helpdesk")
        make_user(db, "Ngozi Committee", "committee")
        ada = make_user(db, "Ada Requester", email="ada@example.org")
        case = make_case(db, ada, title=title, public_listing=public)
        case.state = "in_support"
        db.commit()
        return case.reference


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def audit_actions(app: Flask, reference: str) -> list[tuple[str, Any]]:
    """The audit events about the case (action, after) in order."""
    with app.app_context():
        db = get_session()
        case_id = db.scalars(select(Case.id).where(Case.reference == reference)).one()
        return [(event.action, event.after) for event in db.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "case",
                                     AuditEvent.object_id == str(case_id))
            .order_by(AuditEvent.id))]
