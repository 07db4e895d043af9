"""The public search finds nothing private: the markers of tests/system/test_privacy.py
(a distinct secret in every private field, internal messages, cases not public) are
searched for by an anonymous visitor, whole and word by word."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.core.db import get_session
from app.search.terms import split_words
from tests.helpers import SignIn
from tests.search.test_search import public_references, references, without_the_query
from tests.system.test_privacy import PUBLIC_SUMMARY, PUBLIC_TITLE, SECRETS, build_cases, leaks


def test_no_secret_is_found_by_the_public_search(app: Flask, client: FlaskClient,
                                                 sign_in: SignIn) -> None:
    with app.app_context():
        db = get_session()
        refs = build_cases(db)
        db.commit()
    queries = {"secret", "zq"}
    for secret in SECRETS.values():
        # Its own words (not "example", "org", "https", which public text may hold too).
        queries |= {secret, *(word for word in split_words(secret) if "zq" in word)}
    for query in sorted(queries):
        response = client.get("/cases", query_string={"q": query})
        assert public_references(response) == [], query
        assert leaks(without_the_query(response)) == [], query

    # The search does work, and the secrets are in the index, so the test can fail.
    for query in (PUBLIC_TITLE, PUBLIC_SUMMARY.split("-")[0]):
        assert refs["public"][0] in public_references(client.get("/cases",
                                                                 query_string={"q": query}))
    staff = app.test_client()
    sign_in(staff, "Sven Helpdesk")
    for name in ("internal_message", "description", "contact_email", "untriaged_title"):
        assert references(staff.get("/search", query_string={"q": SECRETS[name]})), name
