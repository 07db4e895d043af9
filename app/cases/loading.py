"""Load a case for the current user, or stop with the right status."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _

from ..access import CaseAccess, case_access
from ..db import get_session
from ..errors import fail
from ..models import Case
from ..workflow.service import find_case


def load_case(reference: str) -> tuple[Case, CaseAccess]:
    """The case and the user's access; 404 if unknown, 403 if not theirs to see."""
    db = get_session()
    case = find_case(db, reference[:40])
    if case is None:
        fail(404, _("There is no request %(reference)s.", reference=reference[:40]))
    access = case_access(db, g.user, case)
    if not access.can_view:
        fail(403, _("You do not have access to request %(reference)s.", reference=case.reference))
    return case, access
