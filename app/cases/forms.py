"""Reading the canned-reply form (the case's own forms are posted field by field to
`app.cases.actions`, which hands the values to the service to check)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from app.core.formats import format_number
from app.core.i18n import available_languages

MAX_TITLE = 255  # the size of canned_replies.title
MAX_BODY = 10000
CANNED_FIELDS = ("language", "title", "body")


def canned_reply_values(form: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The language, title and body sent, cleaned; and an error message per wrong field
    (none when the values can be saved)."""
    values = {key: form.get(key, "").replace("\x00", "").strip() for key in CANNED_FIELDS}
    errors = {}
    if values["language"] not in available_languages():
        # Translators: a form error on the canned replies page.
        errors["language"] = _("Choose a language.")
    if not values["title"] or len(values["title"]) > MAX_TITLE:
        # Translators: a form error on the canned replies page; %(max)s is a number.
        errors["title"] = _("Give a title of at most %(max)s characters.",
                            max=format_number(MAX_TITLE))
    if not values["body"] or len(values["body"]) > MAX_BODY:
        # Translators: a form error on the canned replies page; %(max)s is a number.
        errors["body"] = _("Write the reply (at most %(max)s characters).",
                           max=format_number(MAX_BODY))
    return values, errors
