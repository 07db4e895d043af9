"""The partner registry as the intake uses it: choose, check for duplicates, add."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..models import Organisation, User, normalise_name


def registry_choices(db: Session) -> list[tuple[str, str]]:
    """(id, name) of every organisation in the registry, by name."""
    rows = db.execute(select(Organisation.id, Organisation.name)
                      .order_by(Organisation.normalised_name, Organisation.id))
    return [(str(org_id), name) for org_id, name in rows]


def find_duplicate(db: Session, name: str, wikidata_item: str | None) -> tuple[Organisation,
                                                                               str] | None:
    """A registry entry that a new organisation would duplicate, and what matched.

    Matches the same Wikidata item ("wikidata"), or a name that is equal once case,
    accents and punctuation are ignored ("name").
    """
    if wikidata_item:
        same_item = db.scalars(select(Organisation).where(
            Organisation.wikidata_item == wikidata_item).order_by(Organisation.id)).first()
        if same_item is not None:
            return same_item, "wikidata"
    normalised = normalise_name(name)
    if normalised:
        same_name = db.scalars(select(Organisation).where(
            Organisation.normalised_name == normalised).order_by(Organisation.id)).first()
        if same_name is not None:
            return same_name, "name"
    return None


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
