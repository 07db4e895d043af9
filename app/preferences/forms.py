"""The preferences form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField
from wtforms.validators import Email, Length, Optional

from .. import i18n

MAX_EMAIL = 255


def language_choices() -> list[tuple[str, str]]:
    """Automatic (the browser's language), then every language we offer, by its own name."""
    return [("", _("Automatic (the language of your browser)"))] + [
        (code, i18n.language_name(code)) for code in i18n.available_languages()
    ]


class PreferencesForm(FlaskForm):
    """Email notifications on or off, the address they go to, the language."""

    email_notifications = BooleanField(
        _l("Send me emails about my requests and the cases I work on"),
    )
    email = EmailField(
        _l("Email address"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Length(max=MAX_EMAIL, message=_l("An email address has at most %(max)d characters.")),
            Email(message=_l("Enter a valid email address, like name@example.org.")),
        ],
        description=_l(
            "Private: only the helpdesk and the Expert Committee can see it; it is never "
            "shown publicly, in the API or on Meta-Wiki. Emails about a request go to the "
            "contact address given in that request; this address is used when a request "
            "has none, and for messages to you as a member of the helpdesk, the committee "
            "or a working group. Leave it empty to remove it."
        ),
    )
    language = SelectField(
        _l("Language"),
        choices=[],
        description=_l("The language of these pages and of the emails we send you."),
    )
