"""What the intake reads: the partner registry's entries to choose from, and the entry a
new organisation would duplicate (the registry's own rule, `app.partners.queries`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.partners.models import Organisation
from app.partners.queries import find_duplicates


def registry_choices(db: Session) -> list[tuple[str, str]]:
    """(id, name) of every organisation in the registry, by name."""
    rows = db.execute(select(Organisation.id, Organisation.name)
                      .order_by(Organisation.normalised_name, Organisation.id))
    return [(str(org_id), name) for org_id, name in rows]


def find_duplicate(db: Session, name: str, wikidata_item: str | None) -> tuple[Organisation,
                                                                               str] | None:
    """A registry entry that a new organisation would duplicate, and what matched:
    the same Wikidata item ("wikidata") or a name equal once case, accents and
    punctuation are ignored ("name"). The registry's own rule, in one place."""
    found = find_duplicates(db, name, wikidata_item)
    if not found:
        return None
    by_item = next((d for d in found if "wikidata" in d.reasons), None)
    match = by_item or found[0]
    return match.organisation, match.reasons[0]
