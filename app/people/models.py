"""The right people: skills, directory entries, Wikimedia affiliates, and the asks
working groups post for volunteers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.models import Base, Timestamp, utcnow
from app.groups.models import WorkingGroup


class Skill(Base):
    """A skill of the managed list (admins keep it; people pick theirs from it)."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class DirectoryEntry(Base):
    """A person's place in the directory: whether they are listed, and what it shows.

    The country, languages and regions are the user's own (Preferences); `skills`
    holds codes of `skills`, `themes` the codes of the themes the person is interested
    in (the cases' list, `app.cases.labels.THEMES`). Nothing is shown unless `listed`,
    and then only the fields whose `show_…` flag is set.
    """

    __tablename__ = "directory_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    show_country: Mapped[bool] = mapped_column(Boolean, default=True)
    show_languages: Mapped[bool] = mapped_column(Boolean, default=True)
    show_regions: Mapped[bool] = mapped_column(Boolean, default=True)
    show_skills: Mapped[bool] = mapped_column(Boolean, default=True)
    show_roles: Mapped[bool] = mapped_column(Boolean, default=True)
    show_themes: Mapped[bool] = mapped_column(Boolean, default=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    user: Mapped[User] = relationship()


class Affiliate(Base):
    """A Wikimedia affiliate: a chapter, user group, thematic organisation or hub.

    `themes` holds codes of the cases' themes (`app.cases.labels.THEMES`): what a
    thematic organisation (or any affiliate) works on, to be suggested by theme.
    """

    __tablename__ = "affiliates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(191), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_url: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Ask(Base):
    """Help a working group asks for, which any signed-in Wikimedian can take.

    status: open → taken (by `taken_by`) → done; a taker can give it back (open again).
    """

    __tablename__ = "asks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)

    group: Mapped[WorkingGroup] = relationship()
    taken_by: Mapped[User | None] = relationship(foreign_keys=[taken_by_id])


ASK_STATUSES = ("open", "taken", "done")
AFFILIATE_KINDS = ("chapter", "user_group", "thematic", "hub")
SEED_SKILLS = (
    ("mass-uploads", "Mass uploads"),
    ("wikidata-modelling", "Wikidata modelling"),
    ("licensing", "Licensing and copyright"),
    ("metadata", "Metadata"),
    ("openrefine", "OpenRefine"),
    ("upload-tools", "Upload tools (Pattypan and others)"),
    ("partnership-agreements", "Partnership agreements"),
    ("outreach", "Outreach"),
    ("translation", "Translation"),
)
