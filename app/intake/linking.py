"""Linking a case that came by email to the sender's wiki account."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.roles import find_user
from app.cases.access import CaseAccess
from app.cases.errors import NotAllowed, WorkflowError, WrongState
from app.cases.models import Case
from app.cases.service import check_version
from app.core import audit
from app.core.models import utcnow


class NoSuchUser(WorkflowError):
    """Nobody with that username has signed in."""

    status = 404


def link_requester(db: Session, case: Case, actor: User, access: CaseAccess, username: str,
                   expected_version: Any) -> User:
    """Make the signed-in account `username` the requester of `case`; audited.

    Only the helpdesk may (403); the case must have no requester yet (409) and still
    be at the version the form was loaded at (409); the account must have signed in
    (404). Raises a WorkflowError whose `.status` and `.message` say which.
    """
    if "helpdesk" not in access.roles:
        # Translators: an error.
        raise NotAllowed(_("Only the helpdesk links requests to wiki accounts."))
    if case.requester_id is not None:
        # Translators: an error; %(name)s is the requester's username.
        raise WrongState(_("This case already has a requester (%(name)s).",
                           name=case.requester.username if case.requester else "?"))
    check_version(case, expected_version)
    if not username.strip():
        # Translators: a form error.
        raise WorkflowError(_("Enter the Wikimedia username to link."))
    user = find_user(db, username)
    if user is None:
        # Translators: an error; %(name)s is the username that was typed.
        raise NoSuchUser(_(
            "No one called “%(name)s” has signed in to the helpdesk yet. Ask them to sign in "
            "once with their Wikimedia account, then link the case.", name=username.strip()))
    before = {"requester": None, "contact_username": case.contact_username}
    case.requester = user
    case.contact_username = user.username
    case.updated_at = utcnow()
    audit.record(db, actor, "case.link_requester", "case", case.id, before=before,
                 after={"requester": user.username, "contact_username": user.username})
    return user
