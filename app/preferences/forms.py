"""The preferences form: emails and language, and what people say about themselves
(country, languages, regions)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField
from wtforms.validators import Email, Length, Optional

from app.core import i18n
from app.core.multichoice import MultiChoiceField, language_groups
from app.core.regions import LocaleLike, country_choices, region_choices
from app.intake.fields import CheckboxGroupField, ValidChoice

MAX_EMAIL = 255


def language_choices() -> list[tuple[str, str]]:
    """Automatic (the browser's language), then every language we offer, by its own name."""
    # Translators: the first choice in the list of languages on the preferences page.
    return [("", _("Automatic (the language of your browser)"))] + [
        (code, i18n.language_name(code)) for code in i18n.available_languages()
    ]


class PreferencesForm(FlaskForm):
    """Email notifications on or off, the address they go to, the language; the person's
    country, languages and regions."""

    email_notifications = BooleanField(
        # Translators: a checkbox label on the preferences page.
        _l("Send me emails about my requests and the cases I work on"),
    )
    email = EmailField(
        # Translators: a form label on the preferences page.
        _l("Email address"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Optional(),
            # Translators: a form error; %(max)d is a number.
            Length(max=MAX_EMAIL, message=_l("An email address has at most %(max)d characters.")),
            # Translators: a form error; keep name@example.org as it is.
            Email(message=_l("Enter a valid email address, like name@example.org.")),
        ],
        # Translators: help for the email address; Meta-Wiki is the Wikimedia wiki where the bot
        # publishes public case status.
        description=_l(
            "Private: only the helpdesk and the Expert Committee can see it; it is never "
            "shown publicly, in the API or on Meta-Wiki. Emails about a request go to the "
            "contact address given in that request; this address is used when a request "
            "has none, and for messages to you as a member of the helpdesk, the committee "
            "or a working group. Leave it empty to remove it."
        ),
    )
    language = SelectField(
        # Translators: a form label and column heading: the language of the pages (or of a canned
        # reply).
        _l("Language"),
        choices=[],
        # Translators: help for the language choice.
        description=_l("The language of these pages and of the emails we send you."),
    )
    vote_mail = RadioField(
        # Translators: a form label on the preferences page, for Expert Committee members only.
        _l("Requests that need your vote"),
        # Translators: choices on the preferences page: how a committee member hears about
        # requests that need their vote.
        choices=[("immediate", _l("An email for each request, at once")),
                 ("digest", _l("One email a day listing them"))],
        default="immediate",
    )
    impact_mail = BooleanField(
        # Translators: a checkbox on the preferences page: emails with the figures of use of the
        # files uploaded for the person's requests (30, 90 and 365 days after the upload).
        _l("Emails about the use of the files of my requests on the wikis"),
        default=True,
    )
    country = SelectField(
        # Translators: a form label on the preferences page: the country the person lives or works
        # in.
        _l("Your country"), validate_choice=False, validators=[ValidChoice(required=False)],
    )
    languages = MultiChoiceField(
        # Translators: a form label on the preferences page (and formerly a committee member's
        # profile).
        _l("Languages you work in"), validators=[ValidChoice(required=False)],
    )
    regions = CheckboxGroupField(
        # Translators: a form label on the preferences page: Wikimedia movement regions.
        _l("Regions you know well"), validators=[ValidChoice(required=False)],
    )

    def set_choices(self, locale: LocaleLike) -> None:
        """Fill the choices: the languages of the pages, and CLDR names in the page language."""
        self.language.choices = language_choices()
        # Translators: the first choice in the list of countries on the preferences page.
        self.country.choices = [("", _("Not given")), *country_choices(locale)]
        self.languages.set_groups(language_groups(locale, str(locale)))
        self.regions.choices = region_choices()
