"""Reading the partner registry: one page of it, an entry and its people and cases, duplicates.

The intake's `find_duplicate` answers for a new organisation only; the registry also
needs `find_duplicates` when an existing entry is edited (the entry itself is not a
duplicate).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.cases.models import Case
from app.core.pagination import Page, paginate
from app.partners.models import Organisation, OrganisationContact, Placement, normalise_name

NAME_LENGTH = 255  # Organisation.normalised_name holds at most this many characters
# The fields of an entry, in the order the audit log lists them.
FIELDS = ("name", "kind", "country", "website", "wikidata_item", "themes", "notes")


def normalised(name: str) -> str:
    """The name as stored for duplicate checks (lower case, no accents or punctuation)."""
    return normalise_name(name)[:NAME_LENGTH]


def snapshot(organisation: Organisation) -> dict[str, Any]:
    """The entry's fields, for the audit log and the edit form's fingerprint."""
    return {name: getattr(organisation, name) for name in FIELDS}


def fingerprint(organisation: Organisation) -> str:
    """A short hash of the entry's fields: the edit form's 'version' (the table has none)."""
    data = json.dumps(snapshot(organisation), sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


# -- the list -------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """One page of the registry: entries, their number of cases, and the page's numbers."""

    organisations: list[Organisation]
    case_counts: dict[int, int]
    page: Page


def search(db: Session, q: str, kind: str | None, number: int, per_page: int) -> Listing:
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
    page = paginate(number, per_page, int(total))
    organisations = list(db.scalars(
        select(Organisation).where(*conditions)
        .order_by(Organisation.normalised_name, Organisation.id)
        .offset(page.offset).limit(per_page)))
    return Listing(organisations, case_counts(db, [o.id for o in organisations]), page)


def case_counts(db: Session, organisation_ids: list[int]) -> dict[int, int]:
    """{organisation id: number of cases} in one grouped query (0s left out)."""
    if not organisation_ids:
        return {}
    rows = db.execute(select(Case.organisation_id, func.count(Case.id))
                      .where(Case.organisation_id.in_(organisation_ids))
                      .group_by(Case.organisation_id))
    return {org_id: int(count) for org_id, count in rows}


# -- one entry ------------------------------------------------------------------


def find_organisation(db: Session, org_id: int) -> Organisation | None:
    """The entry `org_id`, if there is one (a merged entry is gone)."""
    return db.get(Organisation, org_id)


def contact_of(db: Session, organisation: Organisation,
               contact_id: int) -> OrganisationContact | None:
    """The organisation's contact `contact_id` (None for another organisation's)."""
    contact = db.get(OrganisationContact, contact_id)
    return contact if contact is not None and contact.organisation_id == organisation.id else None


def placement_of(db: Session, organisation: Organisation, placement_id: int) -> Placement | None:
    """The organisation's placement `placement_id` (None for another organisation's)."""
    placement = db.get(Placement, placement_id)
    return (placement if placement is not None and placement.organisation_id == organisation.id
            else None)


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


# -- duplicates -----------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    """An existing organisation, and why it counts as the same: "wikidata" and/or "name"."""

    organisation: Organisation
    reasons: tuple[str, ...]


def find_duplicates(
    db: Session, name: str, wikidata_item: str | None, exclude_id: int | None = None
) -> list[Duplicate]:
    """Other organisations with the same Wikidata item or an equal normalised name.

    One query; oldest entry first. `exclude_id` leaves out the entry being edited.
    """
    key = normalised(name or "")
    conditions = []
    if key:
        conditions.append(Organisation.normalised_name == key)
    if wikidata_item:
        conditions.append(Organisation.wikidata_item == wikidata_item)
    if not conditions:
        return []
    query = select(Organisation).where(or_(*conditions)).order_by(Organisation.id)
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    found = []
    for organisation in db.scalars(query):
        reasons = []
        if wikidata_item and organisation.wikidata_item == wikidata_item:
            reasons.append("wikidata")
        if key and organisation.normalised_name == key:
            reasons.append("name")
        # The database's collation may call names equal that differ in Python.
        found.append(Duplicate(organisation, tuple(reasons) or ("name",)))
    return found


@dataclass(frozen=True)
class Holdings:
    """What an entry holds that a merge moves: its cases, contacts and placements."""

    cases: list[tuple[int, str]]  # (id, reference)
    contact_ids: list[int]
    placement_ids: list[int]


def holdings_of(db: Session, organisation: Organisation) -> Holdings:
    """The entry's cases, contacts and placements, each by id."""
    cases = db.execute(select(Case.id, Case.reference)
                       .where(Case.organisation_id == organisation.id).order_by(Case.id))
    contact_ids = db.scalars(select(OrganisationContact.id).where(
        OrganisationContact.organisation_id == organisation.id).order_by(OrganisationContact.id))
    placement_ids = db.scalars(select(Placement.id).where(
        Placement.organisation_id == organisation.id).order_by(Placement.id))
    return Holdings([(case_id, reference) for case_id, reference in cases], list(contact_ids),
                    list(placement_ids))
