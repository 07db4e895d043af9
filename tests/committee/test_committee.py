"""The Expert Committee page (its members, with what they say about themselves in their
preferences) and the guidelines pages."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import User
from app.auth.service import revoke_role
from app.committee.models import Guideline, GuidelineRevision
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from tests.factories import make_user
from tests.helpers import SignIn, csrf_token
from tests.html import field_value, parse


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


def setup_users(app: Flask) -> None:
    """Three committee members, a helpdesk member and a requester (with emails)."""
    with app.app_context():
        db = get_session()
        make_user(db, "Ngozi Committee", "committee", email="ngozi@example.org")
        make_user(db, "Mei Committee", "committee", email="mei@example.org")
        make_user(db, "Carlos Committee", "committee")
        make_user(db, "Sven Helpdesk", "helpdesk", email="sven@example.org")
        make_user(db, "Ada Requester", email="ada@example.org")
        db.commit()


def set_profile(app: Flask, username: str, languages: list[str], regions: list[str],
                country: str | None = None) -> None:
    """What the member said about themselves on the preferences page."""
    with app.app_context():
        db = get_session()
        user = db.scalars(select(User).where(User.username == username)).one()
        user.languages, user.regions, user.country = languages, regions, country
        db.commit()


def audit_actions(app: Flask, prefix: str) -> list[AuditEvent]:
    with app.app_context():
        return list(get_session().scalars(
            select(AuditEvent).where(AuditEvent.action.like(f"{prefix}%"))
            .order_by(AuditEvent.id)))


def page_row(app: Flask, slug: str) -> Guideline | None:
    with app.app_context():
        return get_session().scalars(select(Guideline).where(Guideline.slug == slug)).first()


def revisions_of(app: Flask, slug: str) -> list[GuidelineRevision]:
    with app.app_context():
        db = get_session()
        return list(db.scalars(
            select(GuidelineRevision)
            .join(Guideline, Guideline.id == GuidelineRevision.guideline_id)
            .where(Guideline.slug == slug).order_by(GuidelineRevision.id)))


def textarea(html: str, name: str) -> str:
    """The text in a form's <textarea name=…>, as the browser shows it."""
    value = field_value(html, name)
    assert value is not None, f"no textarea {name}"
    return value


def hidden(html: str, name: str) -> str:
    value = field_value(html, name)
    assert value is not None, f"no hidden input {name}"
    return value


def create_page(client: FlaskClient, slug: str = "licences", title: str = "Licences",
                body: str = "## Free licences\n\nUse **CC BY-SA**.",
                summary: str = "First version") -> Any:
    return client.post("/guidelines/new", data={
        "csrf_token": csrf_token(client, "/guidelines/new"),
        "slug": slug, "title": title, "body": body, "summary": summary,
    })


def edit_form(client: FlaskClient, slug: str = "licences") -> dict[str, str]:
    """The edit form's hidden fields as loaded now (CSRF token, base revision)."""
    html = text_of(client.get(f"/guidelines/{slug}/edit"))
    return {"csrf_token": hidden(html, "csrf_token"),
            "base_revision": hidden(html, "base_revision")}


# --- The committee page ---------------------------------------------------------------

def test_committee_page_lists_members_with_country_languages_and_regions_only(
    app: Flask, client: FlaskClient
) -> None:
    setup_users(app)
    set_profile(app, "Ngozi Committee", ["yo", "en"], ["ssa", "western_europe"], "NG")
    set_profile(app, "Mei Committee", ["zh"], ["eseap"])
    html = text_of(client.get("/committee"))
    assert "Expert Committee" in html
    # Members by username; the requester and the helpdesk member are not members.
    positions = [html.index(name) for name in
                 ("Carlos Committee", "Mei Committee", "Ngozi Committee")]
    assert positions == sorted(positions)
    assert "Ada Requester" not in html and "Sven Helpdesk" not in html
    ngozi_row = html[html.index("Ngozi Committee"):]
    ngozi_row = ngozi_row[:ngozi_row.index("</tr>")]
    assert "Nigeria" in ngozi_row
    assert "English, Yoruba" in ngozi_row
    assert "Sub-Saharan Africa, Western Europe" in ngozi_row
    assert "Chinese" in html and "East, Southeast Asia and the Pacific" in html
    # Nothing private.
    assert "@example.org" not in html
    assert "conflict" not in html.lower()


def test_committee_page_names_languages_in_the_page_language(
    app: Flask, client: FlaskClient
) -> None:
    setup_users(app)
    set_profile(app, "Ngozi Committee", ["de"], [])
    html = text_of(client.get("/committee?uselang=sv"))
    assert "tyska" in html  # German, in Swedish


def test_revoked_member_is_no_longer_listed(app: Flask, client: FlaskClient) -> None:
    setup_users(app)
    set_profile(app, "Mei Committee", ["zh"], ["eseap"])
    with app.app_context():
        db = get_session()
        revoke_role(db, db.scalars(select(User).where(User.username == "Mei Committee")).one(),
                    "committee", None)
        db.commit()
    html = text_of(client.get("/committee"))
    assert "Mei Committee" not in html and "Chinese" not in html


# --- Where members set what the page shows -----------------------------------------------

def test_members_are_sent_to_their_preferences(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    """Everyone sets their country, languages and regions in their preferences; the old
    profile address leads there, and the committee page links there for members."""
    response = client.get("/committee/profile")
    assert response.status_code == 301
    assert response.headers["Location"] == "/preferences#about-you"
    assert "/preferences#about-you" not in text_of(client.get("/committee"))
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    assert 'href="/preferences#about-you"' in text_of(client.get("/committee"))
    assert client.post("/committee/profile",
                       data={"csrf_token": csrf_token(client, "/preferences")}
                       ).status_code == 405


# --- Guidelines: create, read, edit, history -------------------------------------------

def test_member_creates_a_guidelines_page(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    response = create_page(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/guidelines/licences"
    html = text_of(client.get("/guidelines/licences"))
    assert "<h1>Licences</h1>" in html
    assert "<h2>Free licences</h2>" in html and "<strong>CC BY-SA</strong>" in html
    assert "by <bdi>Ngozi Committee</bdi>" in html
    assert 'href="/guidelines/licences/history"' in html
    revisions = revisions_of(app, "licences")
    assert [(r.title, r.summary) for r in revisions] == [("Licences", "First version")]
    events = audit_actions(app, "guideline.")
    assert [e.action for e in events] == ["guideline.create"]
    assert events[0].after["slug"] == "licences"
    # Listed on the committee page, for everyone.
    anonymous = app.test_client()
    listing = text_of(anonymous.get("/committee"))
    assert 'href="/guidelines/licences"' in listing and "Licences" in listing
    assert anonymous.get("/guidelines/licences").status_code == 200


def test_slug_must_be_valid_and_unused(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    assert create_page(client).status_code == 303
    for slug in ("Licences", "a", "with space", "x" * 101, "ümlaut", ""):
        response = create_page(client, slug=slug, body="My *careful* text")
        assert response.status_code == 400, slug
        html = text_of(response)
        assert 'id="slug-error"' in html
        assert "My *careful* text" in textarea(html, "body")
    response = create_page(client, title="Another", body="Kept text")
    assert response.status_code == 400
    html = text_of(response)
    assert "There is already a page at this address" in html
    assert "Kept text" in textarea(html, "body")
    response = create_page(client, slug="new")
    assert response.status_code == 400
    assert len(revisions_of(app, "licences")) == 1
    assert page_row(app, "new") is None


def test_title_and_body_are_required_and_limited(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    response = create_page(client, title="  ", body="")
    assert response.status_code == 400
    html = text_of(response)
    assert 'id="title-error"' in html and 'id="body-error"' in html
    response = create_page(client, body="x" * 100_001)
    assert response.status_code == 400
    assert "at most 100000 characters" in text_of(response)
    response = create_page(client, summary="s" * 501)
    assert response.status_code == 400
    assert page_row(app, "licences") is None


def test_a_long_page_within_the_limit_is_saved(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    body = ("Paragraph of guidance. " * 2800).strip()  # about 64,000 characters
    assert create_page(client, body=body).status_code == 303
    saved = page_row(app, "licences")
    assert saved is not None and saved.body == body
    # The database column holds 65,535 bytes: exactly that fits, one more is refused
    # with a message (not a database error).
    body = "é" * 32_767 + "a"
    assert create_page(client, slug="accents", body=body).status_code == 303
    saved = page_row(app, "accents")
    assert saved is not None and saved.body == body
    response = create_page(client, slug="more-accents", body="é" * 32_768)
    assert response.status_code == 400
    assert "too long to be stored" in text_of(response)
    assert page_row(app, "more-accents") is None


def test_member_edits_a_page_and_history_lists_every_version(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    create_page(client)
    mei = app.test_client()
    sign_in(mei, "Mei Committee")
    form = edit_form(mei)
    edit_page = text_of(mei.get("/guidelines/licences/edit"))
    assert "Use **CC BY-SA**." in textarea(edit_page, "body")
    response = mei.post("/guidelines/licences/edit", data={
        **form, "title": "Licences and rights", "body": "## Free licences\n\nUse CC0.",
        "summary": "CC0 is simpler"})
    assert response.status_code == 303
    html = text_of(client.get("/guidelines/licences"))
    assert "Licences and rights" in html and "Use CC0." in html
    assert "by <bdi>Mei Committee</bdi>" in html
    revisions = revisions_of(app, "licences")
    assert len(revisions) == 2
    events = audit_actions(app, "guideline.")
    assert [e.action for e in events] == ["guideline.create", "guideline.edit"]
    assert events[1].before["revision_id"] == revisions[0].id
    assert events[1].after["revision_id"] == revisions[1].id

    history = text_of(app.test_client().get("/guidelines/licences/history"))
    first, second = revisions
    newest = history.index(f"/guidelines/licences/revisions/{second.id}")
    oldest = history.index(f"/guidelines/licences/revisions/{first.id}")
    assert newest < oldest
    assert "CC0 is simpler" in history and "First version" in history
    assert "Mei Committee" in history and "Ngozi Committee" in history

    old = text_of(app.test_client().get(f"/guidelines/licences/revisions/{first.id}"))
    assert "<strong>CC BY-SA</strong>" in old and "This is an old version." in old
    current = text_of(app.test_client().get(f"/guidelines/licences/revisions/{second.id}"))
    assert "Use CC0." in current and "This is the current version." in current


def test_saving_without_changes_makes_no_new_version(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    create_page(client)
    response = client.post("/guidelines/licences/edit", data={
        **edit_form(client), "title": "Licences", "body": "## Free licences\n\nUse **CC BY-SA**.",
        "summary": ""})
    assert response.status_code == 303
    assert len(revisions_of(app, "licences")) == 1


def test_unknown_pages_and_revisions_of_other_pages_are_not_found(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    create_page(client)
    create_page(client, slug="outreach", title="Outreach")
    other = revisions_of(app, "outreach")[0]
    own = revisions_of(app, "licences")[0]
    assert client.get(f"/guidelines/licences/revisions/{other.id}").status_code == 404
    assert client.get(f"/guidelines/licences/revisions/{own.id}").status_code == 200
    assert client.get("/guidelines/licences/revisions/999999").status_code == 404
    assert client.get("/guidelines/nothing-here").status_code == 404
    assert client.get("/guidelines/nothing-here/history").status_code == 404
    assert client.get("/guidelines/nothing-here/edit").status_code == 404


def test_stale_edit_is_refused_and_keeps_both_texts(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    create_page(client)
    ngozi_form = edit_form(client)  # Ngozi opens the editor...
    mei = app.test_client()
    sign_in(mei, "Mei Committee")
    assert mei.post("/guidelines/licences/edit", data={  # ...Mei saves first.
        **edit_form(mei), "title": "Licences", "body": "Mei's version of the text.",
        "summary": "Mei's change"}).status_code == 303

    response = client.post("/guidelines/licences/edit", data={
        **ngozi_form, "title": "Licences", "body": "Ngozi's <careful> text.",
        "summary": "Ngozi's change"})
    assert response.status_code == 409
    html = text_of(response)
    assert "Mei Committee changed this page on" in html
    assert textarea(html, "body") == "Ngozi's <careful> text."  # what she typed is kept
    assert "Mei&#39;s version of the text." in html  # and the current version is shown
    # Mei's edit stands; Ngozi's was not saved.
    saved = page_row(app, "licences")
    assert saved is not None and saved.body == "Mei's version of the text."
    revisions = revisions_of(app, "licences")
    assert len(revisions) == 2
    assert [e.action for e in audit_actions(app, "guideline.")] == [
        "guideline.create", "guideline.edit"]
    # The form now builds on Mei's version: saving again (after merging) works.
    assert hidden(html, "base_revision") == str(revisions[-1].id)
    response = client.post("/guidelines/licences/edit", data={
        "csrf_token": ngozi_form["csrf_token"], "base_revision": str(revisions[-1].id),
        "title": "Licences", "body": "Mei's version, and Ngozi's text.", "summary": "Merged"})
    assert response.status_code == 303
    saved = page_row(app, "licences")
    assert saved is not None and saved.body == "Mei's version, and Ngozi's text."


def test_edit_without_a_base_revision_is_refused(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    create_page(client)
    token = edit_form(client)["csrf_token"]
    response = client.post("/guidelines/licences/edit", data={
        "csrf_token": token, "base_revision": "latest", "title": "T", "body": "Typed text"})
    assert response.status_code == 400
    assert "Typed text" in textarea(text_of(response), "body")
    assert len(revisions_of(app, "licences")) == 1


# --- Who may do what --------------------------------------------------------------------

def test_anonymous_users_are_sent_to_sign_in_to_write(app: Flask, client: FlaskClient) -> None:
    for path in ("/guidelines/new", "/guidelines/licences/edit"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_non_members_cannot_create_or_edit(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    ngozi = app.test_client()
    sign_in(ngozi, "Ngozi Committee")
    create_page(ngozi)
    for username in ("Sven Helpdesk", "Ada Requester", "Admin Demo"):
        other = app.test_client()
        sign_in(other, username)
        token = csrf_token(other, "/preferences")
        assert other.get("/guidelines/new").status_code == 403
        assert other.post("/guidelines/new", data={
            "csrf_token": token, "slug": "mine", "title": "Mine", "body": "x"}).status_code == 403
        assert other.get("/guidelines/licences/edit").status_code == 403
        assert other.post("/guidelines/licences/edit", data={
            "csrf_token": token, "base_revision": "1", "title": "Mine",
            "body": "x"}).status_code == 403
        page = text_of(other.get("/guidelines/licences"))
        assert "/guidelines/licences/edit" not in page
    assert page_row(app, "mine") is None
    assert len(revisions_of(app, "licences")) == 1


def test_pages_need_the_csrf_token(app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    response = client.post("/guidelines/new", data={
        "slug": "licences", "title": "Licences", "body": "x"})
    assert response.status_code == 400
    assert page_row(app, "licences") is None


# --- Safety of what members write -------------------------------------------------------

def test_script_in_a_page_never_reaches_the_browser(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ngozi Committee")
    body = ("Hello <script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
            "[click](javascript:alert(1)) <a href=\"#\" onclick=\"alert(1)\">a</a>\n\n"
            "<iframe src=\"https://evil.example\"></iframe>")
    create_page(client, body=body, title="<script>alert('title')</script>")
    anonymous = app.test_client()
    pages = [
        "/guidelines/licences",
        f"/guidelines/licences/revisions/{revisions_of(app, 'licences')[0].id}",
        "/guidelines/licences/history",
        "/committee",
    ]
    for path in pages:
        page_html = text_of(anonymous.get(path))
        soup = parse(page_html)
        # Only the tool's own deferred scripts, never one that came with the text.
        scripts = [tag.get("src") or "" for tag in soup.find_all("script")]
        assert all(str(src).startswith("/static/js/") for src in scripts), (path, scripts)
        assert not soup.find_all(["iframe", "img"]), path
        handlers = [name for tag in soup.find_all(True) for name in tag.attrs
                    if name.lower().startswith("on")]
        assert handlers == [], path
        assert "javascript:" not in page_html.lower(), path
    page = text_of(anonymous.get("/guidelines/licences"))
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page  # title escaped
    assert "Hello" in page and ">click</a>" in page
