"""Admins add working groups, rename and describe them, archive and unarchive them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import audit
from app.groups.models import WorkingGroup


def _snapshot(group: WorkingGroup) -> dict[str, Any]:
    return {"slug": group.slug, "name": group.name, "description": group.description or "",
            "archived": bool(group.archived)}


def slug_taken(db: Session, slug: str) -> bool:
    """Is there a group with this slug already (archived ones count)?"""
    return db.scalar(select(WorkingGroup.id).where(WorkingGroup.slug == slug)) is not None


def create_group(db: Session, slug: str, name: str, description: str,
                 actor: User) -> WorkingGroup:
    """Add a group (the caller checked the slug is valid and free)."""
    group = WorkingGroup(slug=slug, name=name, description=description, archived=False)
    db.add(group)
    db.flush()
    audit.record(db, actor, "group.create", "working_group", group.id, after=_snapshot(group))
    return group


def update_group(db: Session, group: WorkingGroup, name: str, description: str,
                 actor: User) -> bool:
    """Rename and describe a group; False when nothing changed."""
    if group.name == name and (group.description or "") == description:
        return False
    before = _snapshot(group)
    group.name = name
    group.description = description
    audit.record(db, actor, "group.update", "working_group", group.id,
                 before=before, after=_snapshot(group))
    return True


def toggle_archive(db: Session, group: WorkingGroup, actor: User) -> bool:
    """Archive the group, or bring it back; returns whether it is archived now."""
    before = _snapshot(group)
    group.archived = not group.archived
    action = "group.archive" if group.archived else "group.unarchive"
    audit.record(db, actor, action, "working_group", group.id,
                 before=before, after=_snapshot(group))
    return bool(group.archived)
