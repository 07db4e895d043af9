"""Changes to the partner registry, each audited in the caller's session (the caller commits).

Every event is recorded on the organisation (`organisation.*`), so an entry's
history reads in one place; a merge also records `case.organisation_merge` on each
moved case.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases.models import Case
from app.core import audit
from app.core.models import Base
from app.partners import queries
from app.partners.models import Organisation, OrganisationContact, Placement
from app.partners.queries import FIELDS, Duplicate, normalised, snapshot


class StaleEntry(Exception):
    """The entry changed since its edit form was loaded; `fingerprint` is its current one."""

    def __init__(self, fingerprint: str) -> None:
        super().__init__("stale organisation")
        self.fingerprint = fingerprint


class DuplicateEntry(Exception):
    """The entry would duplicate others (oldest first)."""

    def __init__(self, duplicates: list[Duplicate]) -> None:
        super().__init__("duplicate organisation")
        self.duplicates = duplicates


def _record(db: Session, actor: User, action: str, organisation: Organisation,
            **change: Any) -> None:
    """Audit `organisation.<action>` on the organisation (`change` is before= / after=)."""
    audit.record(db, actor, f"organisation.{action}", "organisation", organisation.id, **change)


def _insert(db: Session, row: Base) -> None:
    """Add a row and give it its id."""
    db.add(row)
    db.flush()


def _remove(db: Session, actor: User, organisation: Organisation, row: Base, action: str,
            before: dict[str, Any]) -> None:
    """Delete one of the organisation's rows; audited with what it was."""
    _record(db, actor, action, organisation, before=before)
    db.delete(row)
    db.flush()


def _refuse_duplicates(db: Session, values: dict[str, Any], exclude_id: int | None) -> None:
    duplicates = queries.find_duplicates(db, values["name"], values["wikidata_item"],
                                         exclude_id=exclude_id)
    if duplicates:
        raise DuplicateEntry(duplicates)


# -- entries --------------------------------------------------------------------


def create(db: Session, actor: User, values: dict[str, Any]) -> Organisation:
    """Add an entry; audited `organisation.create`. Refused (DuplicateEntry) if it
    would duplicate another one."""
    _refuse_duplicates(db, values, None)
    organisation = Organisation(**values, normalised_name=normalised(values["name"]),
                                created_by_id=actor.id)
    _insert(db, organisation)
    _record(db, actor, "create", organisation, after=snapshot(organisation))
    return organisation


def update_organisation(db: Session, actor: User, organisation: Organisation,
                        values: dict[str, Any], loaded: str | None = None) -> bool:
    """Change an entry; audited `organisation.update` with the changed fields only.

    Refused when the entry changed since the form was loaded (`loaded`, its
    fingerprint then: StaleEntry) or would duplicate another one (DuplicateEntry).
    Returns False (and records nothing) when nothing changed.
    """
    current = queries.fingerprint(organisation)
    if loaded and loaded != current:
        raise StaleEntry(current)
    _refuse_duplicates(db, values, organisation.id)
    before = snapshot(organisation)
    changed = [name for name in FIELDS if before[name] != values[name]]
    if not changed:
        return False
    for name in changed:
        setattr(organisation, name, values[name])
    organisation.normalised_name = normalised(organisation.name)
    db.flush()
    _record(db, actor, "update", organisation,
            before={name: before[name] for name in changed},
            after={name: values[name] for name in changed})
    return True


def _join_notes(target: str | None, source: str | None, source_name: str) -> str | None:
    if not source:
        return target
    moved = f"[{source_name}]\n{source}"
    return f"{target}\n\n{moved}" if target else moved


def _move_holdings(db: Session, source: Organisation, target: Organisation,
                   has_cases: bool) -> None:
    if has_cases:
        # Bump the version too: a case form loaded before the merge is now stale.
        db.execute(update(Case).where(Case.organisation_id == source.id)
                   .values(organisation_id=target.id, version=Case.version + 1)
                   .execution_options(synchronize_session="fetch"))
    for model in (OrganisationContact, Placement):
        db.execute(update(model).where(model.organisation_id == source.id)
                   .values(organisation_id=target.id)
                   .execution_options(synchronize_session="fetch"))


def merge(db: Session, actor: User, source: Organisation, target: Organisation) -> None:
    """Move the source's cases, contacts and placements to the target; delete the source.

    The target keeps its own fields; it takes the source's website, country and
    Wikidata item only where it has none, gains its themes, and the source's private
    notes are appended to its own, so nothing is lost. Audited `organisation.merge`,
    and each moved case gets a `case.organisation_merge` event.
    """
    if source.id == target.id:
        raise ValueError("an organisation cannot be merged into itself")
    target_before = snapshot(target)
    moved = queries.holdings_of(db, source)
    _move_holdings(db, source, target, bool(moved.cases))

    for name in ("website", "country", "wikidata_item"):
        if not getattr(target, name) and getattr(source, name):
            setattr(target, name, getattr(source, name))
    target.themes = [*target.themes, *(t for t in source.themes or [] if t not in target.themes)]
    target.notes = _join_notes(target.notes, source.notes, source.name)

    source_info = {"id": source.id, "name": source.name}
    target_info = {"id": target.id, "name": target.name}
    for case_id, reference in moved.cases:
        audit.record(db, actor, "case.organisation_merge", "case", case_id,
                     before={"organisation": source_info},
                     after={"organisation": target_info, "reference": reference})
    _record(
        db, actor, "merge", source,
        before={"source": {**source_info, **snapshot(source)},
                "target": {**target_info, **target_before}},
        after={"source": source_info, "target": {**target_info, **snapshot(target)},
               "moved": {"cases": [reference for _id, reference in moved.cases],
                         "contacts": moved.contact_ids, "placements": moved.placement_ids}},
    )
    db.delete(source)
    db.flush()


# -- contacts and placements ------------------------------------------------------


def _contact_fields(contact: OrganisationContact) -> dict[str, Any]:
    """What the audit log keeps of a contact: not the email address (personal data)."""
    return {"contact_id": contact.id, "name": contact.name}


def add_contact(db: Session, actor: User, organisation: Organisation, name: str, email: str,
                role: str) -> OrganisationContact:
    """Add a contact person; audited `organisation.contact_add`."""
    contact = OrganisationContact(organisation_id=organisation.id, name=name, email=email,
                                  role=role)
    _insert(db, contact)
    _record(db, actor, "contact_add", organisation, after=_contact_fields(contact))
    return contact


def delete_contact(db: Session, actor: User, organisation: Organisation,
                   contact_id: int) -> str | None:
    """Remove the organisation's contact `contact_id`; audited `organisation.contact_delete`.

    Returns the contact's name, or None when the organisation has no such contact.
    """
    contact = queries.contact_of(db, organisation, contact_id)
    if contact is None:
        return None
    _remove(db, actor, organisation, contact, "contact_delete", _contact_fields(contact))
    return contact.name


def _placement_fields(placement: Placement) -> dict[str, Any]:
    return {
        "placement_id": placement.id,
        "person": placement.person,
        "start_date": placement.start_date.isoformat(),
        "end_date": placement.end_date.isoformat() if placement.end_date else None,
        "description": placement.description,
    }


def add_placement(db: Session, actor: User, organisation: Organisation, person: str,
                  start: date, end: date | None, description: str) -> Placement:
    """Record a Wikimedian in Residence placement; audited `organisation.placement_add`."""
    placement = Placement(organisation_id=organisation.id, person=person, start_date=start,
                          end_date=end, description=description)
    _insert(db, placement)
    _record(db, actor, "placement_add", organisation, after=_placement_fields(placement))
    return placement


def delete_placement(db: Session, actor: User, organisation: Organisation,
                     placement_id: int) -> str | None:
    """Remove the organisation's placement `placement_id`; audited
    `organisation.placement_delete`.

    Returns the person placed, or None when the organisation has no such placement.
    """
    placement = queries.placement_of(db, organisation, placement_id)
    if placement is None:
        return None
    _remove(db, actor, organisation, placement, "placement_delete", _placement_fields(placement))
    return placement.person
