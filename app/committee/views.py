"""Routes of the committee pages: the roster and the guidelines."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.auth.roles import current_roles, role_required
from app.committee import queries, service
from app.committee.forms import RESERVED_SLUGS, EditGuidelineForm, NewGuidelineForm
from app.committee.models import Guideline
from app.core.db import commit_work, discard_work, get_session
from app.core.formats import format_datetime
from app.core.markdown import render_markdown
from app.core.regions import country_name, language_name, region_label

bp = Blueprint("committee", __name__)


def _locale() -> str:
    locale = get_locale()
    return str(locale) if locale else "en"


def _page_or_404(slug: str, lock: bool = False) -> Guideline:
    page = queries.guideline_by_slug(get_session(), slug, lock=lock)
    if page is None:
        abort(404)
    return page


@bp.route("/committee")
def index() -> ResponseReturnValue:
    """The Expert Committee: its members (country, languages, regions) and its guidelines
    pages."""
    db = get_session()
    locale = _locale()
    members = [
        {
            "username": member.username,
            "country": country_name(member.country, locale) if member.country else "",
            "languages": sorted((language_name(code, locale) for code in member.languages),
                                key=str.casefold),
            "regions": [region_label(code) for code in member.regions],
        }
        for member in queries.committee_members(db)
    ]
    return render_template("committee/index.html", members=members,
                           guidelines=queries.guidelines(db),
                           is_member="committee" in current_roles())


@bp.get("/committee/profile")
def profile() -> ResponseReturnValue:
    """Where members once set their languages and regions: everyone now sets theirs, and
    their country, on the preferences page."""
    return redirect(url_for("preferences.edit", _anchor="about-you"), 301)


@bp.route("/guidelines/new", methods=["GET", "POST"])
@role_required("committee")
def new_guideline() -> ResponseReturnValue:
    """A member starts a new guidelines page."""
    form = NewGuidelineForm()
    if not form.is_submitted():
        return render_template("committee/new.html", form=form)
    if not form.validate():
        return render_template("committee/new.html", form=form), 400
    db = get_session()
    slug = form.slug.data or ""
    # Translators: a form error for the short name of a guidelines page.
    taken = _("There is already a page at this address. Choose another short name.")
    if slug in RESERVED_SLUGS:
        # Translators: a form error: the short name would clash with the tool's own addresses.
        form.slug.errors = [_("This short name is used by the site itself. Choose another.")]
        return render_template("committee/new.html", form=form), 400
    try:
        page = service.create_guideline(db, g.user, slug, form.title.data or "",
                                        form.body.data or "", form.summary.data or "")
        commit_work()
    except service.SlugTaken:
        form.slug.errors = [taken]
        return render_template("committee/new.html", form=form), 400
    except IntegrityError:  # created by someone else at the same moment
        discard_work()
        form.slug.errors = [taken]
        return render_template("committee/new.html", form=form), 400
    # Translators: a confirmation; %(title)s is the title of a guidelines page.
    flash(_("The page “%(title)s” was created.", title=page.title), "success")
    return redirect(url_for("committee.guideline", slug=page.slug), 303)


@bp.route("/guidelines/<slug>")
def guideline(slug: str) -> ResponseReturnValue:
    """A guidelines page, rendered, with when and by whom it was last changed."""
    db = get_session()
    page = _page_or_404(slug)
    return render_template("committee/guideline.html", page=page,
                           latest=queries.latest_revision(db, page),
                           body=render_markdown(page.body),
                           is_member="committee" in current_roles())


@bp.route("/guidelines/<slug>/edit", methods=["GET", "POST"])
@role_required("committee")
def edit_guideline(slug: str) -> ResponseReturnValue:
    """A member edits a page; an edit based on an old revision is refused (409)."""
    db = get_session()
    form = EditGuidelineForm()
    if not form.is_submitted():
        page = _page_or_404(slug)
        latest = queries.latest_revision(db, page)
        form.title.data = page.title
        form.body.data = page.body
        form.base_revision.data = str(latest.id if latest else 0)
        return _edit_page(form, page)
    page = _page_or_404(slug, lock=True)  # until commit: two saves cannot both pass
    if not form.validate():
        return _edit_page(form, page), 400
    try:
        revision = service.edit_guideline(
            db, page, g.user, int(form.base_revision.data or 0), form.title.data or "",
            form.body.data or "", form.summary.data or "")
    except service.EditConflict as conflict:
        discard_work()
        latest = conflict.latest
        form.base_revision.data = str(latest.id)  # saving again now replaces their version
        # Translators: stands for the author of a page version when the account is unknown; used
        # inside other sentences (e.g. 'Saved by an unknown user on …').
        author = latest.author.username if latest.author else _("an unknown user")
        # Translators: an edit conflict on a guidelines page; %(user)s is a username, %(date)s a
        # date and time.
        message = _(
            "%(user)s changed this page on %(date)s, after you started editing, so your "
            "changes were not saved. Your text is still in the form below; the current "
            "version is shown under it. Add their changes to yours and save again.",
            user=author, date=format_datetime(latest.created_at))
        return _edit_page(form, page, conflict=latest, conflict_message=message), 409
    if revision is None:
        # Translators: a notice after saving a guidelines page without changes.
        flash(_("Nothing changed, so no new version was saved."), "notice")
    else:
        commit_work()
        # Translators: a confirmation after editing a guidelines page.
        flash(_("Your changes were saved."), "success")
    return redirect(url_for("committee.guideline", slug=page.slug), 303)


def _edit_page(form: EditGuidelineForm, page: Guideline, **extra: Any) -> str:
    return render_template("committee/edit.html", form=form, page=page, **extra)


@bp.route("/guidelines/<slug>/history")
def history(slug: str) -> ResponseReturnValue:
    """Every revision of a page, newest first."""
    page = _page_or_404(slug)
    return render_template("committee/history.html", page=page,
                           revisions=queries.revisions(get_session(), page))


@bp.route("/guidelines/<slug>/revisions/<int:revision_id>")
def revision(slug: str, revision_id: int) -> ResponseReturnValue:
    """One revision of a page, rendered."""
    db = get_session()
    page = _page_or_404(slug)
    found = queries.revision_of(db, page, revision_id)
    if found is None:
        abort(404)
    latest = queries.latest_revision(db, page)
    return render_template("committee/revision.html", page=page, revision=found,
                           body=render_markdown(found.body),
                           is_latest=latest is not None and latest.id == found.id)
