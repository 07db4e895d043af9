"""Finding organisations that another one would duplicate.

The intake's `find_duplicate` answers for a new organisation only; the registry also
needs it when an existing entry is edited (the entry itself is not a duplicate).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.partners.models import Organisation, normalise_name

NAME_LENGTH = 255  # Organisation.normalised_name holds at most this many characters


def normalised(name: str) -> str:
    """The name as stored for duplicate checks (lower case, no accents or punctuation)."""
    return normalise_name(name)[:NAME_LENGTH]


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
