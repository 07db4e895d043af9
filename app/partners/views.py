"""The partner registry's pages: for the helpdesk and the Expert Committee only.

The registry holds private notes and contact people, so every page here is staff-only
(roles `helpdesk` and `committee`); nothing in it reaches the public projection
except an organisation's name and kind.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from app.auth.roles import role_required
from app.cases.labels import ORGANISATION_KINDS, THEMES, label
from app.cases.transitions import STATES
from app.core.db import commit_work, discard_work, get_session
from app.core.errors import fail
from app.core.formats import format_date
from app.core.regions import country_name
from app.partners import queries, service
from app.partners.forms import ContactForm, OrganisationForm, PlacementForm
from app.partners.models import Organisation
from app.partners.queries import Duplicate, fingerprint
from app.public.params import ParamError, parse_int

bp = Blueprint("partners", __name__)

PER_PAGE = 50
STAFF = ("helpdesk", "committee")


def _locale() -> str:
    return str(get_locale() or "en")


def _organisation(org_id: int) -> Organisation:
    organisation = queries.find_organisation(get_session(), org_id)
    if organisation is None:
        # Translators: an error; %(id)s is the organisation's number in the registry.
        fail(404, _("There is no organisation with the number %(id)s in the partner registry. "
                    "It may have been merged into another one.", id=org_id))
    return organisation


def _done(organisation: Organisation, message: str, category: str = "success",
          anchor: str | None = None) -> ResponseReturnValue:
    """Commit the change, say so, and go (303) to the entry's page (at `anchor`)."""
    commit_work()
    flash(message, category)
    return redirect(url_for("partners.detail", org_id=organisation.id, _anchor=anchor), 303)


def _display(organisation: Organisation) -> dict[str, Any]:
    """Labels of an entry's codes, in the page language."""
    website = organisation.website or ""
    return {
        "kind_label": label(ORGANISATION_KINDS, organisation.kind),
        "country_name": (country_name(organisation.country, _locale())
                         if organisation.country else ""),
        "theme_labels": [label(THEMES, code) for code in organisation.themes or []],
        "website_link": website if website.lower().startswith(("https://", "http://")) else "",
    }


# -- the list -----------------------------------------------------------------


@bp.get("/partners")
@role_required(*STAFF)
def index() -> ResponseReturnValue:
    """The registry as a table: search by name, filter by kind, 50 a page."""
    q = (request.args.get("q") or "").strip()[:255]
    kind = (request.args.get("kind") or "").strip()
    if kind and kind not in ORGANISATION_KINDS:
        # Translators: an error; %(value)s is the filter value from the web address.
        fail(400, _("Unknown kind of organisation “%(value)s”.", value=kind[:40]))
    try:
        number = parse_int(request.args, "page", 1)
    except ParamError as exc:
        fail(400, str(exc))
    listing = queries.search(get_session(), q, kind or None, number, PER_PAGE)
    chosen = {key: value for key, value in (("q", q), ("kind", kind)) if value}
    return render_template(
        "partners/index.html",
        rows=[(org, _display(org), listing.case_counts.get(org.id, 0))
              for org in listing.organisations],
        page=listing.page,
        chosen=chosen,
        kinds=list(ORGANISATION_KINDS.items()),
    )


# -- one organisation -----------------------------------------------------------


def _detail(organisation: Organisation, status: int = 200,
            contact_form: ContactForm | None = None,
            placement_form: PlacementForm | None = None,
            merge_error: str | None = None) -> ResponseReturnValue:
    db = get_session()
    return render_template(
        "partners/detail.html",
        org=organisation,
        shown=_display(organisation),
        contacts=queries.contacts_of(db, organisation),
        placements=queries.placements_of(db, organisation),
        cases=queries.cases_of(db, organisation),
        states=STATES,
        merge_targets=queries.merge_targets(db, organisation),
        contact_form=contact_form or ContactForm(formdata=None),
        placement_form=placement_form or PlacementForm(formdata=None),
        merge_error=merge_error,
        format_date=format_date,
    ), status


@bp.get("/partners/<int:org_id>")
@role_required(*STAFF)
def detail(org_id: int) -> ResponseReturnValue:
    """Everything the registry knows about one organisation, its people and its cases."""
    return _detail(_organisation(org_id))


# -- adding and editing -----------------------------------------------------------


def _duplicate_message(duplicates: list[Duplicate]) -> str:
    first = duplicates[0]
    if "wikidata" in first.reasons:
        # Translators: a form error; %(name)s is the name of an organisation.
        return _("“%(name)s” is already in the registry with the same Wikidata item.",
                 name=first.organisation.name)
    # Translators: a form error; %(name)s is the name of an organisation.
    return _("“%(name)s” is already in the registry: the names differ only in case, "
             "accents or punctuation.", name=first.organisation.name)


def _form_page(form: OrganisationForm, organisation: Organisation | None, status: int,
               duplicates: list[Duplicate] | None = None,
               error: str | None = None) -> ResponseReturnValue:
    return render_template("partners/form.html", form=form, org=organisation,
                           duplicates=duplicates or [], error=error), status


def _save(form: OrganisationForm, organisation: Organisation | None) -> ResponseReturnValue:
    """Validate, refuse duplicates (409) and stale edits (409), then save and go to the entry."""
    if not form.validate_on_submit():
        return _form_page(form, organisation, 400)
    db, values = get_session(), form.values()
    try:
        if organisation is None:
            organisation = service.create(db, g.user, values)
            # Translators: a confirmation; %(name)s is the name of an organisation.
            return _done(organisation, _("“%(name)s” was added to the partner registry.",
                                         name=organisation.name))
        if service.update_organisation(db, g.user, organisation, values, form.loaded.data):
            # Translators: a confirmation; %(name)s is the name of an organisation.
            return _done(organisation, _("The changes to “%(name)s” were saved.",
                                         name=organisation.name))
    except service.StaleEntry as exc:
        discard_work()
        form.loaded.data = exc.fingerprint
        # Translators: an edit conflict in the partner registry.
        return _form_page(form, organisation, 409, error=_(
            "Someone changed this organisation since you opened the form. Its current "
            "details are shown on its page; what you entered is kept below. Check both, "
            "then save again."))
    except service.DuplicateEntry as exc:
        discard_work()
        target = "wikidata_item" if "wikidata" in exc.duplicates[0].reasons else "name"
        form[target].errors = [*form[target].errors, _duplicate_message(exc.duplicates)]
        return _form_page(form, organisation, 409, duplicates=exc.duplicates)
    # Translators: a notice after saving a form without changes.
    return _done(organisation, _("Nothing changed."), "notice")


@bp.route("/partners/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new() -> ResponseReturnValue:
    """Add an organisation to the registry."""
    form = OrganisationForm()
    form.set_choices(_locale())
    if request.method == "POST":
        return _save(form, None)
    return _form_page(form, None, 200)


@bp.route("/partners/<int:org_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(org_id: int) -> ResponseReturnValue:
    """Change an organisation's details."""
    organisation = _organisation(org_id)
    if request.method == "POST":
        form = OrganisationForm()
        form.set_choices(_locale())
        return _save(form, organisation)
    form = OrganisationForm(formdata=None, data={
        **queries.snapshot(organisation),
        "country": organisation.country or "",
        "website": organisation.website or "",
        "wikidata_item": organisation.wikidata_item or "",
        "notes": organisation.notes or "",
        "loaded": fingerprint(organisation),
    })
    form.set_choices(_locale())
    return _form_page(form, organisation, 200)


# -- merging ----------------------------------------------------------------------


@bp.post("/partners/<int:org_id>/merge")
@role_required(*STAFF)
def merge(org_id: int) -> ResponseReturnValue:
    """Merge this organisation into another (`into`): its cases and people move there."""
    source = _organisation(org_id)
    raw = (request.form.get("into") or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        # Translators: a form error; merging makes two registry entries of the same organisation
        # one.
        return _detail(source, 400, merge_error=_(
            "Choose the organisation to merge this one into."))
    if int(raw) == source.id:
        # Translators: a form error.
        return _detail(source, 400, merge_error=_(
            "An organisation cannot be merged into itself. Choose another one."))
    target = queries.find_organisation(get_session(), int(raw))
    if target is None:
        # Translators: an error; %(id)s is the organisation's number in the registry.
        fail(404, _("There is no organisation with the number %(id)s to merge into. It may "
                    "have been merged or removed meanwhile.", id=raw))
    # Translators: a confirmation; %(source)s and %(target)s are names of organisations.
    merged = _("“%(source)s” was merged into “%(target)s”: its cases, contacts and placements "
               "are now here.", source=source.name, target=target.name)
    service.merge(get_session(), g.user, source, target)
    return _done(target, merged)


# -- contacts and placements ---------------------------------------------------------


@bp.post("/partners/<int:org_id>/contacts")
@role_required(*STAFF)
def add_contact(org_id: int) -> ResponseReturnValue:
    """Add a contact person."""
    organisation = _organisation(org_id)
    form = ContactForm()
    if not form.validate():
        return _detail(organisation, 400, contact_form=form)
    service.add_contact(get_session(), g.user, organisation, form.name.data or "",
                        form.email.data or "", form.role.data or "")
    # Translators: a confirmation; %(name)s is the name of a contact person.
    return _done(organisation, _("The contact “%(name)s” was added.", name=form.name.data),
                 anchor="contacts")


@bp.post("/partners/<int:org_id>/contacts/<int:contact_id>/delete")
@role_required(*STAFF)
def delete_contact(org_id: int, contact_id: int) -> ResponseReturnValue:
    """Remove a contact person."""
    organisation = _organisation(org_id)
    name = service.delete_contact(get_session(), g.user, organisation, contact_id)
    if name is None:
        # Translators: an error.
        fail(404, _("This organisation has no such contact. It may have been removed "
                    "already."))
    # Translators: a confirmation; %(name)s is the name of a contact person.
    return _done(organisation, _("The contact “%(name)s” was removed.", name=name),
                 anchor="contacts")


@bp.post("/partners/<int:org_id>/placements")
@role_required(*STAFF)
def add_placement(org_id: int) -> ResponseReturnValue:
    """Record a Wikimedian in Residence placement."""
    organisation = _organisation(org_id)
    form = PlacementForm()
    start = form.start
    if not form.validate() or start is None:
        return _detail(organisation, 400, placement_form=form)
    service.add_placement(get_session(), g.user, organisation, form.person.data or "", start,
                          form.end, form.description.data or "")
    # Translators: a confirmation; %(person)s is the name of a Wikimedian in Residence.
    return _done(organisation, _("The placement of %(person)s was added.",
                                 person=form.person.data), anchor="placements")


@bp.post("/partners/<int:org_id>/placements/<int:placement_id>/delete")
@role_required(*STAFF)
def delete_placement(org_id: int, placement_id: int) -> ResponseReturnValue:
    """Remove a placement."""
    organisation = _organisation(org_id)
    person = service.delete_placement(get_session(), g.user, organisation, placement_id)
    if person is None:
        # Translators: an error; a placement is a Wikimedian in Residence's time at the
        # organisation.
        fail(404, _("This organisation has no such placement. It may have been removed "
                    "already."))
    # Translators: a confirmation; %(person)s is the name of a Wikimedian in Residence.
    return _done(organisation, _("The placement of %(person)s was removed.", person=person),
                 anchor="placements")
