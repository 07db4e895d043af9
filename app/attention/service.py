"""Writes of the attention feature: seen marks, watching, saved views.

Like every service, these change the session only; the view commits. Opening a case
is not audited (it is not a change to anything); watching and saved views are.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attention.models import CaseMark, SavedView
from app.attention.queries import Counts, is_staff, mark_of, view_named
from app.auth.models import User
from app.auth.roles import roles_of
from app.cases.models import Case
from app.committee.models import Review
from app.core import audit
from app.core.models import utcnow
from app.groups.models import Membership, Referral

MAX_VIEW_NAME = 100
MAX_VIEWS = 50
MAX_QUERY = 1000


class ViewError(ValueError):
    """A saved view could not be saved as asked (the message says why)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def mark_seen(db: Session, user: User, case: Case, counts: Counts | None) -> bool:
    """Note that the person opened the case now. Nothing is written when their mark is
    already newer than the case's last change (`counts` holds the mark read with the
    menu's counts); True when something was written."""
    if counts is not None and counts.case_id == case.id and counts.seen_at is not None \
            and counts.seen_at >= case.updated_at:
        return False
    mark = mark_of(db, user.id, case.id)
    if mark is None:
        db.add(CaseMark(user_id=user.id, case_id=case.id, seen_at=utcnow()))
    else:
        mark.seen_at = utcnow()
    return True


def set_watching(db: Session, user: User, case: Case, watch: bool) -> None:
    """Watch or stop watching the case; audited."""
    mark = mark_of(db, user.id, case.id)
    before = mark.watching if mark is not None else None
    if mark is None:
        mark = CaseMark(user_id=user.id, case_id=case.id, watching=watch)
        db.add(mark)
    else:
        mark.watching = watch
    audit.record(db, user, "case.watch" if watch else "case.unwatch", "watch", case.id,
                 before={"watching": before}, after={"watching": watch})


def watchers_of(db: Session, case: Case, internal: bool) -> list[User]:
    """Who watches the case and may see a change of this kind: only staff (helpdesk,
    committee) for an internal note; everyone who watches for a public change."""
    marks = dict(db.execute(select(CaseMark.user_id, CaseMark.watching)
                            .where(CaseMark.case_id == case.id)).tuples().all())
    ids = {uid for uid, watch in marks.items() if watch}
    by_default = {case.requester_id, case.assignee_id,
                  *db.scalars(select(Review.member_id).where(Review.case_id == case.id))}
    ids |= {uid for uid in by_default if uid is not None and marks.get(uid) is None}
    if not ids:
        return []
    users = list(db.scalars(select(User).where(User.id.in_(sorted(ids))).order_by(User.id)))
    staff = [user for user in users if is_staff(roles_of(user))]
    if internal:
        return staff
    # Without a staff role, only the requester and members of a group the case was
    # referred to see the case.
    in_groups = set(db.scalars(
        select(Membership.user_id).join(Referral, Referral.group_id == Membership.group_id)
        .where(Referral.case_id == case.id)))
    return [user for user in users if user in staff or user.id == case.requester_id
            or user.id in in_groups]


# -- saved views ----------------------------------------------------------------

def _clean_name(name: str) -> str:
    text = " ".join((name or "").split())
    if not text:
        # Translators: a form error when saving the dashboard's filters under a name.
        raise ViewError(_("Give the view a name."))
    if len(text) > MAX_VIEW_NAME:
        # Translators: a form error; %(limit)s is a number of characters.
        raise ViewError(_("The name is too long (at most %(limit)s characters).",
                          limit=MAX_VIEW_NAME))
    return text


def clean_query(args: dict[str, str]) -> str:
    """The filters as a query string (no page number, no language)."""
    kept = {key: value for key, value in sorted(args.items())
            if key not in ("page", "uselang", "csrf_token", "name") and value}
    query = urlencode(kept)
    if len(query) > MAX_QUERY:
        # Translators: a form error when saving the dashboard's filters.
        raise ViewError(_("These filters are too long to save."))
    return query


def save_view(db: Session, user: User, name: str, args: dict[str, str],
              count: int) -> SavedView:
    """Save the current filters under a name (the same name replaces them); audited."""
    text, query = _clean_name(name), clean_query(args)
    view = view_named(db, user.id, text)
    if view is None:
        if count >= MAX_VIEWS:
            # Translators: a form error; %(limit)s is a number of saved views.
            raise ViewError(_("You have %(limit)s saved views; delete one first.",
                              limit=MAX_VIEWS), 409)
        view = SavedView(user_id=user.id, name=text, query=query, uses=0)
        db.add(view)
        db.flush()
        audit.record(db, user, "saved_view.create", "saved_view", view.id,
                     after={"name": text, "query": query})
    else:
        before = {"query": view.query}
        view.query = query
        audit.record(db, user, "saved_view.update", "saved_view", view.id, before=before,
                     after={"query": query})
    return view


def rename_view(db: Session, user: User, view: SavedView, name: str) -> None:
    """Rename a saved view (names are unique per person); audited."""
    text = _clean_name(name)
    other = view_named(db, user.id, text)
    if other is not None and other.id != view.id:
        # Translators: a form error: the person already has a saved view of that name.
        raise ViewError(_("You already have a view named “%(name)s”.", name=text), 409)
    before = {"name": view.name}
    view.name = text
    audit.record(db, user, "saved_view.rename", "saved_view", view.id, before=before,
                 after={"name": text})


def delete_view(db: Session, user: User, view: SavedView) -> None:
    """Delete a saved view; audited."""
    audit.record(db, user, "saved_view.delete", "saved_view", view.id,
                 before={"name": view.name, "query": view.query})
    db.delete(view)


def use_view(view: SavedView) -> None:
    """Count a use of the view (the most used are the tabs). Not audited."""
    view.uses = (view.uses or 0) + 1
    view.used_at = utcnow()
