"""The partner registry's changes and queries, each change audited in the same session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases.models import Case
from app.core import audit
from app.partners.duplicates import normalised
from app.partners.models import Organisation, OrganisationContact, Placement

# The fields of an entry, in the order the audit log lists them.
FIELDS = ("name", "kind", "country", "website", "wikidata_item", "themes", "notes")


def snapshot(organisation: Organisation) -> dict[str, Any]:
    """The entry's fields, for the audit log and the edit form's fingerprint."""
    return {name: getattr(organisation, name) for name in FIELDS}


# -- queries ------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """One page of the registry: entries, their number of cases, and how many match."""

    organisations: list[Organisation]
    case_counts: dict[int, int]
    total: int


def search(db: Session, q: str, kind: str | None, page: int, per_page: int) -> Listing:
    """Entries whose name contains `q` (ignoring case, accents and punctuation), of `kind`.

    Three queries whatever the page size: the count, the page, and the number of
    cases of the page's entries (one grouped query).
    """
    conditions = []
    q = q.strip()
    if q:
        name_match = [Organisation.name.icontains(q, autoescape=True)]
        key = normalised(q)
        if key:  # normalised text has no LIKE wildcards left
            name_match.append(Organisation.normalised_name.contains(key))
        conditions.append(or_(*name_match))
    if kind:
        conditions.append(Organisation.kind == kind)
    total = db.scalar(select(func.count(Organisation.id)).where(*conditions)) or 0
    organisations = list(db.scalars(
        select(Organisation).where(*conditions)
        .order_by(Organisation.normalised_name, Organisation.id)
        .offset((page - 1) * per_page).limit(per_page)))
    return Listing(organisations, case_counts(db, [o.id for o in organisations]), int(total))


def case_counts(db: Session, organisation_ids: list[int]) -> dict[int, int]:
    """{organisation id: number of cases} in one grouped query (0s left out)."""
    if not organisation_ids:
        return {}
    rows = db.execute(select(Case.organisation_id, func.count(Case.id))
                      .where(Case.organisation_id.in_(organisation_ids))
                      .group_by(Case.organisation_id))
    return {org_id: int(count) for org_id, count in rows}


def contacts_of(db: Session, organisation: Organisation) -> list[OrganisationContact]:
    """The organisation's contacts, by name."""
    return list(db.scalars(select(OrganisationContact)
                           .where(OrganisationContact.organisation_id == organisation.id)
                           .order_by(OrganisationContact.name, OrganisationContact.id)))


def placements_of(db: Session, organisation: Organisation) -> list[Placement]:
    """The organisation's Wikimedian in Residence placements, newest first."""
    return list(db.scalars(select(Placement)
                           .where(Placement.organisation_id == organisation.id)
                           .order_by(Placement.start_date.desc(), Placement.id.desc())))


@dataclass(frozen=True)
class CaseRow:
    """What the registry shows of one of the organisation's cases."""

    reference: str
    title: str
    state: str


def cases_of(db: Session, organisation: Organisation) -> list[CaseRow]:
    """The organisation's cases, newest first."""
    rows = db.execute(select(Case.reference, Case.title, Case.state)
                      .where(Case.organisation_id == organisation.id)
                      .order_by(Case.created_at.desc(), Case.id.desc()))
    return [CaseRow(reference, title, state) for reference, title, state in rows]


def merge_targets(db: Session, organisation: Organisation) -> list[tuple[int, str]]:
    """(id, name) of every other entry, by name: where this one could be merged into."""
    rows = db.execute(select(Organisation.id, Organisation.name)
                      .where(Organisation.id != organisation.id)
                      .order_by(Organisation.normalised_name, Organisation.id))
    return [(org_id, name) for org_id, name in rows]


# -- changes ------------------------------------------------------------------


def create(db: Session, actor: User, values: dict[str, Any]) -> Organisation:
    """Add an entry; audited `organisation.create`."""
    organisation = Organisation(**values, normalised_name=normalised(values["name"]),
                                created_by_id=actor.id)
    db.add(organisation)
    db.flush()
    audit.record(db, actor, "organisation.create", "organisation", organisation.id,
                 after=snapshot(organisation))
    return organisation


def update_organisation(db: Session, actor: User, organisation: Organisation,
                        values: dict[str, Any]) -> bool:
    """Change an entry; audited `organisation.update` with the changed fields only.

    Returns False (and records nothing) when nothing changed.
    """
    before = snapshot(organisation)
    changed = [name for name in FIELDS if before[name] != values[name]]
    if not changed:
        return False
    for name in changed:
        setattr(organisation, name, values[name])
    organisation.normalised_name = normalised(organisation.name)
    db.flush()
    audit.record(db, actor, "organisation.update", "organisation", organisation.id,
                 before={name: before[name] for name in changed},
                 after={name: values[name] for name in changed})
    return True


def _join_notes(target: str | None, source: str | None, source_name: str) -> str | None:
    if not source:
        return target
    moved = f"[{source_name}]\n{source}"
    return f"{target}\n\n{moved}" if target else moved


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
    moved_cases = list(db.execute(select(Case.id, Case.reference)
                                  .where(Case.organisation_id == source.id).order_by(Case.id)))
    contact_ids = list(db.scalars(select(OrganisationContact.id).where(
        OrganisationContact.organisation_id == source.id).order_by(OrganisationContact.id)))
    placement_ids = list(db.scalars(select(Placement.id).where(
        Placement.organisation_id == source.id).order_by(Placement.id)))

    if moved_cases:
        # Bump the version too: a case form loaded before the merge is now stale.
        db.execute(update(Case).where(Case.organisation_id == source.id)
                   .values(organisation_id=target.id, version=Case.version + 1)
                   .execution_options(synchronize_session="fetch"))
    db.execute(update(OrganisationContact)
               .where(OrganisationContact.organisation_id == source.id)
               .values(organisation_id=target.id)
               .execution_options(synchronize_session="fetch"))
    db.execute(update(Placement).where(Placement.organisation_id == source.id)
               .values(organisation_id=target.id)
               .execution_options(synchronize_session="fetch"))

    for name in ("website", "country", "wikidata_item"):
        if not getattr(target, name) and getattr(source, name):
            setattr(target, name, getattr(source, name))
    target.themes = [*target.themes, *(t for t in source.themes or [] if t not in target.themes)]
    target.notes = _join_notes(target.notes, source.notes, source.name)

    source_info = {"id": source.id, "name": source.name}
    target_info = {"id": target.id, "name": target.name}
    for case_id, reference in moved_cases:
        audit.record(db, actor, "case.organisation_merge", "case", case_id,
                     before={"organisation": source_info},
                     after={"organisation": target_info, "reference": reference})
    target_after = snapshot(target)
    audit.record(
        db, actor, "organisation.merge", "organisation", source.id,
        before={"source": {**source_info, **snapshot(source)},
                "target": {**target_info, **target_before}},
        after={"source": source_info, "target": {**target_info, **target_after},
               "moved": {"cases": [reference for _id, reference in moved_cases],
                         "contacts": contact_ids, "placements": placement_ids}},
    )
    db.delete(source)
    db.flush()


def add_contact(db: Session, actor: User, organisation: Organisation, name: str, email: str,
                role: str) -> OrganisationContact:
    """Add a contact person; audited without the email address (it is personal data)."""
    contact = OrganisationContact(organisation_id=organisation.id, name=name, email=email,
                                  role=role)
    db.add(contact)
    db.flush()
    audit.record(db, actor, "organisation.contact_add", "organisation", organisation.id,
                 after={"contact_id": contact.id, "name": contact.name})
    return contact


def delete_contact(db: Session, actor: User, organisation: Organisation,
                   contact: OrganisationContact) -> None:
    """Remove a contact person; audited without the email address."""
    audit.record(db, actor, "organisation.contact_delete", "organisation", organisation.id,
                 before={"contact_id": contact.id, "name": contact.name})
    db.delete(contact)
    db.flush()


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
    db.add(placement)
    db.flush()
    audit.record(db, actor, "organisation.placement_add", "organisation", organisation.id,
                 after=_placement_fields(placement))
    return placement


def delete_placement(db: Session, actor: User, organisation: Organisation,
                     placement: Placement) -> None:
    """Remove a placement; audited `organisation.placement_delete`."""
    audit.record(db, actor, "organisation.placement_delete", "organisation", organisation.id,
                 before=_placement_fields(placement))
    db.delete(placement)
    db.flush()
