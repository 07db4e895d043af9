"""The roles' names for people.

The role codes themselves are `app.auth.roles.ROLES`; this module imports nothing of
the app, so the roles, the admin forms and the audit log's labels can all use it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.core.babel_cache import labels

# In the order of `ROLES` (the roles page and its select list show them so).
ROLE_LABELS: dict[str, LazyString] = {
    # Translators: a role on the helpdesk: member of the Expert Committee that reviews
    # requests.
    "committee": _l("Expert Committee member"),
    # Translators: a role on the helpdesk: the staff who triage requests and give support.
    "helpdesk": _l("Helpdesk staff"),
    # Translators: a role on the helpdesk: may grant and revoke roles and read the audit log.
    "admin": _l("Administrator"),
}


def role_choices() -> list[tuple[str, str]]:
    """(code, name) of every role, in the current language."""
    return list(labels(ROLE_LABELS).items())


def role_label(role: str) -> str:
    """The role's name in the current language (the code when unknown)."""
    return labels(ROLE_LABELS).get(role, role)
