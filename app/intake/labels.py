"""The changes of an edited request as the history shows them: field names and values in
the reader's language (the codes of the vocabularies as their labels)."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.cases import labels as vocab
from app.core.i18n import language_name
from app.core.regions import country_name

# The labels of the request form's fields (the same messages as the form's).
FIELDS: vocab.Vocabulary = {
    "title": _l("Title"),
    "description": _l("Description"),
    "request_type": _l("Type of request"),
    "timeline": _l("Timeline"),
    "organisation_id": _l("Organisation"),
    "content_kinds": _l("Kinds of content"),
    "content_volume": _l("Rough volume"),
    "licence": _l("Licence"),
    "licence_details": _l("Licence details"),
    "target_projects": _l("Target projects"),
    "themes": _l("Themes"),
    "countries": _l("Countries"),
    "languages": _l("Languages"),
    "support_types": _l("What help would you like?"),
    "support_details": _l("More about the help you need"),
    "contact_name": _l("Contact name"),
    "contact_email": _l("Contact email"),
    "public_listing": _l("List this request publicly"),
}

# Fields whose values are codes of a vocabulary.
VOCABULARIES: dict[str, vocab.Vocabulary] = {
    "request_type": vocab.REQUEST_TYPES, "licence": vocab.LICENCES,
    "content_kinds": vocab.CONTENT_KINDS, "target_projects": vocab.TARGET_PROJECTS,
    "themes": vocab.THEMES, "support_types": vocab.SUPPORT_TYPES,
}
# Longer texts are cut in the history (the audit log keeps them whole).
SHOWN_CHARACTERS = 300


def _one(field: str, code: str, locale: str) -> str:
    if field in VOCABULARIES:
        return vocab.label(VOCABULARIES[field], code)
    if field == "countries":
        return country_name(code, locale)
    if field == "languages":
        return language_name(code, locale)
    return code


def shown_value(field: str, value: Any) -> str:
    """A value of a field as a person reads it ("—" for nothing)."""
    locale = str(get_locale() or "en")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        text = ", ".join(_one(field, str(code), locale) for code in value)
    else:
        text = _one(field, str(value), locale) if value not in (None, "") else ""
    if len(text) > SHOWN_CHARACTERS:
        text = text[:SHOWN_CHARACTERS].rstrip() + "…"
    return text or "—"


def change_rows(changes: tuple[tuple[str, Any, Any], ...]) -> list[tuple[str, str, str]]:
    """(field label, before, after) of each change of an edit."""
    return [(vocab.label(FIELDS, field), shown_value(field, before), shown_value(field, after))
            for field, before, after in changes]
