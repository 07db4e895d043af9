"""The states of a request for a role, for people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.cases.labels import Vocabulary

STATUS_LABELS: Vocabulary = {
    # Translators: the state of a request for a role: no administrator has answered yet.
    "pending": _l("Waiting for an answer"),
    # Translators: the state of a request for a role: the role was granted.
    "approved": _l("Approved"),
    # Translators: the state of a request for a role.
    "declined": _l("Declined"),
    # Translators: the state of a request for a role: the person took it back.
    "withdrawn": _l("Withdrawn"),
}
