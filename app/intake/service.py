"""The intake's changes: turning a valid request form into a case (and, if needed, a
registry entry), and linking a case that came by email to its sender's wiki account.
Each is audited in the caller's session; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.attachments import service as attachments
from app.attachments.service import Upload
from app.auth.models import User
from app.auth.roles import find_user
from app.cases import service
from app.cases.access import CaseAccess, case_access
from app.cases.errors import NotAllowed, WorkflowError, WrongState
from app.cases.labels import FREE_LICENCES
from app.cases.models import Case
from app.cases.service import check_version
from app.core import audit
from app.core.models import utcnow
from app.core.regions import regions_of
from app.intake.forms import EditRequestForm, EmailRequestForm, RequestForm
from app.intake.queries import find_duplicate
from app.partners.models import Organisation


class NoSuchUser(WorkflowError):
    """Nobody with that username has signed in."""

    status = 404


def _distinct(values: Iterable[str] | None) -> list[str]:
    return list(dict.fromkeys(values or ()))


def region_for(countries: list[str]) -> str:
    """The movement region of the countries: the one region they share, else "other"."""
    regions = regions_of(countries)
    return regions[0] if len(regions) == 1 else "other"


def case_fields(form: RequestForm, organisation_id: int) -> dict[str, Any]:
    """The Case columns a request form fills in."""
    countries = _distinct(form.countries.data)
    return {
        "title": form.title.data,
        "description": form.description.data,
        "request_type": form.request_type.data,
        "timeline": form.timeline.data or "",
        "organisation_id": organisation_id,
        "content_kinds": _distinct(form.content_kinds.data),
        "content_volume": form.content_volume.data or "",
        "licence": form.licence.data,
        "licence_details": form.licence_details.data or "",
        "licence_flagged": form.licence.data not in FREE_LICENCES,
        "target_projects": _distinct(form.target_projects.data),
        "themes": _distinct(form.themes.data),
        "countries": countries,
        "region": region_for(countries),
        "languages": _distinct(form.languages.data),
        "support_types": _distinct(form.support_types.data),
        "support_details": form.support_details.data or "",
        "contact_name": form.contact_name.data or "",
        "contact_email": form.contact_email.data or "",
        "public_listing": bool(form.public_listing.data),
    }


def create_organisation(
    db: Session,
    actor: User,
    *,
    name: str,
    kind: str,
    country: str | None,
    website: str | None,
    wikidata_item: str | None,
    themes: list[str],
) -> Organisation:
    """Add an organisation to the registry; audited (`organisation.create`)."""
    organisation = Organisation(name=name, kind=kind, country=country or None,
                                website=website or None, wikidata_item=wikidata_item or None,
                                themes=themes, created_by_id=actor.id)
    db.add(organisation)
    db.flush()
    audit.record(db, actor, "organisation.create", "organisation", organisation.id, after={
        "name": organisation.name, "kind": organisation.kind, "country": organisation.country,
        "website": organisation.website, "wikidata_item": organisation.wikidata_item,
    })
    return organisation


def resolve_organisation(db: Session, actor: User, form: RequestForm) -> Organisation | None:
    """The chosen registry entry, or a new one added (audited).

    Returns None, with a message on the right field, when the new organisation
    duplicates a registry entry or the chosen one has gone.
    """
    if not form.new_organisation:
        chosen = db.get(Organisation, int(form.organisation_id.data or 0))
        if chosen is None:
            form.refuse_organisation("organisation_id",
                                     # Translators: a form error; the registry is the partner
                                     # registry (the list of organisations).
                                     _("That organisation is no longer in the registry."))
        return chosen
    name = form.org_name.data or ""
    wikidata_item = form.org_wikidata.data or None
    duplicate = find_duplicate(db, name, wikidata_item)
    if duplicate is not None:
        existing, matched = duplicate
        if matched == "wikidata":
            # Translators: a form error; %(item)s is a Wikidata item id like Q42, %(name)s the name
            # of an organisation already in the partner registry.
            form.refuse_organisation("org_wikidata", _(
                "%(item)s is the Wikidata item of “%(name)s”, which is already in the partner "
                "registry. Please choose “%(name)s” in the list above instead of entering it "
                "again.", item=wikidata_item, name=existing.name))
        else:
            # Translators: a form error; %(name)s is the name of an organisation.
            form.refuse_organisation("org_name", _(
                "“%(name)s” is already in the partner registry. Please choose it in the list "
                "above instead of entering it again.", name=existing.name))
        return None
    return create_organisation(
        db, actor, name=name, kind=form.org_kind.data or "other",
        country=form.org_country.data or None, website=form.org_website.data or None,
        wikidata_item=wikidata_item, themes=_distinct(form.themes.data),
    )


def file_request(db: Session, user: User, form: RequestForm,
                 uploads: list[Upload] | None = None) -> Case | None:
    """A requester files their own request through the web form, with its files."""
    organisation = resolve_organisation(db, user, form)
    if organisation is None:
        return None
    fields = case_fields(form, organisation.id)
    fields.update(requester_id=user.id, channel="web")
    case = service.create_case(db, user, fields)
    attachments.attach(db, case, user, uploads or [])
    return case


def log_email_request(db: Session, staff: User, form: EmailRequestForm) -> Case | None:
    """The helpdesk files a request that came by email; the email becomes an internal note."""
    organisation = resolve_organisation(db, staff, form)
    if organisation is None:
        return None
    fields = case_fields(form, organisation.id)
    fields.update(requester_id=None, channel="email",
                  contact_username=form.contact_username.data or "")
    case = service.create_case(db, staff, fields)
    service.post_message(db, case, staff, case_access(db, staff, case),
                         form.original_email.data or "", internal=True)
    return case


def link_requester(db: Session, case: Case, actor: User, access: CaseAccess, username: str,
                   expected_version: Any) -> User:
    """Make the signed-in account `username` the requester of `case`; audited.

    Only the helpdesk may (403); the case must have no requester yet (409) and still
    be at the version the form was loaded at (409); the account must have signed in
    (404). Raises a WorkflowError whose `.status` and `.message` say which.
    """
    if "helpdesk" not in access.roles:
        # Translators: an error.
        raise NotAllowed(_("Only the helpdesk links requests to wiki accounts."))
    if case.requester_id is not None:
        # Translators: an error; %(name)s is the requester's username.
        raise WrongState(_("This case already has a requester (%(name)s).",
                           name=case.requester.username if case.requester else "?"))
    check_version(case, expected_version)
    if not username.strip():
        # Translators: a form error.
        raise WorkflowError(_("Enter the Wikimedia username to link."))
    user = find_user(db, username)
    if user is None:
        # Translators: an error; %(name)s is the username that was typed.
        raise NoSuchUser(_(
            "No one called “%(name)s” has signed in to the helpdesk yet. Ask them to sign in "
            "once with their Wikimedia account, then link the case.", name=username.strip()))
    before = {"requester": None, "contact_username": case.contact_username}
    case.requester = user
    case.contact_username = user.username
    case.updated_at = utcnow()
    audit.record(db, actor, "case.link_requester", "case", case.id, before=before,
                 after={"requester": user.username, "contact_username": user.username})
    return user


# -- editing a request after filing -----------------------------------------------------

# The fields of the request form a change is recorded for, in the form's order
# (`licence_flagged` and `region` follow the licence and the countries).
EDITED_FIELDS = ("title", "description", "request_type", "timeline", "organisation_id",
                 "content_kinds", "content_volume", "licence", "licence_details",
                 "target_projects", "themes", "countries", "languages", "support_types",
                 "support_details", "contact_name", "contact_email", "public_listing")


def may_edit(case: Case, access: CaseAccess) -> bool:
    """Staff may edit a request at any time; its requester until the helpdesk triaged it."""
    return access.is_staff or ("requester" in access.roles and case.state == "submitted")


def check_may_edit(case: Case, access: CaseAccess) -> None:
    """Raise NotAllowed (403) for someone who may not edit the request now."""
    if may_edit(case, access):
        return
    if "requester" in access.roles:
        # Translators: an error for a requester who opens the edit page of a request the
        # helpdesk has already triaged.
        raise NotAllowed(_("The helpdesk has already looked at your request, so it can no "
                           "longer be changed here. Write a message on the request to tell "
                           "the helpdesk what should change."))
    # Translators: an error.
    raise NotAllowed(_("Only the requester and the helpdesk change a request."))


def _recorded(field: str, value: Any, organisation: Organisation | None) -> Any:
    """A value as the audit log keeps it: the organisation by name, lists as they are."""
    if field == "organisation_id":
        return organisation.name if organisation is not None else value
    return value


def _same(old: Any, new: Any) -> bool:
    """Equal values; lists of codes in any order (the form lists them in its own order)."""
    if isinstance(old, list) and isinstance(new, list):
        return sorted(map(str, old)) == sorted(map(str, new))
    return bool(old == new)


def edit_request(db: Session, case: Case, actor: User, access: CaseAccess,
                 form: EditRequestForm) -> list[str] | None:
    """Apply the edit form to the request; audited (`case.edit`, each changed field
    before → after, shown in the case's history). Returns the changed fields (none: nothing
    is recorded), or None when the form names an organisation that cannot be used (the
    message is on the form). NotAllowed (403) for someone who may not edit now,
    StaleVersion (409) when the case changed since the form was loaded."""
    check_may_edit(case, access)
    check_version(case, form.version.data)
    organisation = resolve_organisation(db, actor, form)
    if organisation is None:
        return None
    new = case_fields(form, organisation.id)
    changed = [field for field in EDITED_FIELDS if not _same(getattr(case, field), new[field])]
    if not changed:
        return []
    before = {field: _recorded(field, getattr(case, field), case.organisation)
              for field in changed}
    after = {field: _recorded(field, new[field], organisation) for field in changed}
    for field in (*changed, "licence_flagged", "region"):
        setattr(case, field, new[field])
    if "organisation_id" in changed:
        case.organisation = organisation
    if "contact_email" in changed:
        case.contact_email_failing = None  # a new address has not failed yet
    case.updated_at = utcnow()
    audit.record(db, actor, "case.edit", "case", case.id, before=before, after=after)
    return changed
