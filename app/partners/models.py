"""The partner registry: organisations that ask for help."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, Timestamp, utcnow


def normalise_name(name: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: for duplicate checks."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    # Drop Latin-style accents (combining marks on letters of scripts that use them
    # as accents) but keep the vowel signs of scripts such as Bengali, which change
    # the word: only marks following an ASCII letter are accents here.
    kept: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and kept and kept[-1].isascii():
            continue
        kept.append(ch)
    stripped = "".join(kept)
    cleaned = "".join(ch if (ch.isalnum() or unicodedata.category(ch).startswith("M")
                             or ch.isspace()) else " " for ch in stripped)
    return re.sub(r"\s+", " ", cleaned).strip()


class Organisation(Base):
    """An organisation in the partner registry."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    normalised_name: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(8), nullable=True)
    website: Mapped[str | None] = mapped_column(String(500), nullable=True)
    wikidata_item: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)  # private
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.name and not self.normalised_name:
            self.normalised_name = normalise_name(self.name)


class OrganisationContact(Base):
    """A contact person at a partner organisation (private)."""

    __tablename__ = "organisation_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Placement(Base):
    """A Wikimedian in Residence placement at a partner organisation."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    person: Mapped[str] = mapped_column(String(255))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
