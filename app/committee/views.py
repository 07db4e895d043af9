"""Routes of the committee pages: the roster, the guidelines, the criteria and the
substitute reviewers of a request (admins)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.auth.roles import current_roles, find_user, role_required
from app.cases import queries as cases_queries
from app.cases.errors import WorkflowError
from app.cases.queries import find_case
from app.committee import queries, service, votes
from app.committee.forms import (
    RESERVED_SLUGS,
    CriterionForm,
    EditGuidelineForm,
    NewGuidelineForm,
    SubstituteForm,
)
from app.committee.labels import criterion_description, criterion_name
from app.committee.models import Criterion, Guideline
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


@bp.route("/committee/criteria", methods=["GET", "POST"])
@role_required("admin")
def criteria() -> ResponseReturnValue:
    """Admins keep the criteria members score requests against: the list, and a new one."""
    form = CriterionForm()
    if form.is_submitted():
        if not form.validate():
            return _criteria_page(form), 400
        _save_criterion(form, None)
        # Translators: a confirmation on the criteria page.
        flash(_("The criterion was added."), "success")
        return redirect(url_for("committee.criteria"), 303)
    return _criteria_page(form)


def _criteria_page(form: CriterionForm) -> str:
    listed = queries.criteria(get_session())
    return render_template("committee/criteria.html", form=form, criteria=listed,
                           names={c.id: criterion_name(c) for c in listed},
                           descriptions={c.id: criterion_description(c) for c in listed})


def _save_criterion(form: CriterionForm, criterion: Criterion | None) -> None:
    service.save_criterion(get_session(), g.user, criterion, form.name.data or "",
                           form.description.data or "", int(form.position.data or 0),
                           bool(form.active.data))
    commit_work()


@bp.route("/committee/criteria/<int:criterion_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_criterion(criterion_id: int) -> ResponseReturnValue:
    """Change a criterion: its name, description, order, or whether it is in use."""
    found = queries.criterion_by_id(get_session(), criterion_id)
    if found is None:
        abort(404)
    form = CriterionForm(obj=found)
    if form.is_submitted():
        if not form.validate():
            return render_template("committee/criterion.html", form=form, criterion=found), 400
        _save_criterion(form, found)
        # Translators: a confirmation on the criteria page.
        flash(_("The criterion was saved."), "success")
        return redirect(url_for("committee.criteria"), 303)
    return render_template("committee/criterion.html", form=form, criterion=found)


@bp.route("/committee/substitutes/<reference>", methods=["GET", "POST"])
@role_required("admin")
def substitutes(reference: str) -> ResponseReturnValue:
    """An admin adds a substitute reviewer to one request, when conflicts of interest left
    too few committee members to reach the quorum."""
    db = get_session()
    case = find_case(db, reference[:40])
    if case is None:
        abort(404)
    form = SubstituteForm()
    status = 200
    if form.is_submitted():
        status = 400
        valid = form.validate()
        member = find_user(db, form.username.data or "") if valid else None
        if valid and member is None:
            # Translators: a form error; %(name)s is the username that was typed.
            form.username.errors = [_("There is no user called “%(name)s” (they must have "
                                      "signed in once).", name=(form.username.data or "")[:80])]
        if member is not None:
            try:
                service.add_substitute(db, case, g.user, member, form.reason.data or "")
                commit_work()
            except WorkflowError as exc:
                discard_work()
                form.username.errors = [exc.message]
                status = exc.status
            else:
                # Translators: a confirmation; %(name)s is the substitute reviewer's username.
                flash(_("%(name)s may now vote on this request.", name=member.username),
                      "success")
                return redirect(url_for("committee.substitutes", reference=case.reference), 303)
    eligible = votes.eligible_ids(db, case)
    return render_template(
        "committee/substitutes.html", form=form, case=case, eligible=len(eligible),
        quorum=votes.quorum_for(len(eligible)),
        substitutes=cases_queries.usernames(db, votes.substitute_ids(case))), status
